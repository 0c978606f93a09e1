//! What an extension's `main` checks before it serves: the operators `setup` registers and
//! the manifest's `[operator]` ports, through the test host that runs the same checks.

use symphony_operators::methods::{self, RunParams};
use symphony_operators::ops;
use symphony_operators::prelude::*;
use symphony_operators::testing::{TestError, TestHost};

fn only_extract(operators: &mut Operators) -> Result<(), OperatorError> {
    operators.add(ops::RegexExtract)?;
    Ok(())
}

#[test]
fn manifest_ports_that_no_operator_has_stop_the_start_naming_operator_and_port() {
    let error = TestHost::start(
        symphony_operators::embed_manifest!("tests/operators/fixtures/ports.toml"),
        only_extract,
    )
    .unwrap_err();
    let TestError::Setup(message) = error else {
        panic!("expected a setup error, got {error}")
    };
    assert!(
        message.contains("`regex.extract`")
            && message.contains("the manifest declares output `record` (records)")
            && message.contains("output `records` (records) is missing from the manifest"),
        "{message}"
    );
}

#[test]
fn manifest_ports_of_a_served_operator_start() {
    // The sample manifest declares `records` → `records`: `regex.extract`'s ports.
    let host = TestHost::start(
        symphony_operators::embed_manifest!("src/sample.toml"),
        only_extract,
    )
    .expect("starts");
    let run = RunParams::new("regex.extract")
        .param("column", "date")
        .param("pattern", "^(?P<year>\\d{4})")
        .input("records", serde_json::json!([{ "date": "1815-12-10" }]));
    let result = host.request::<methods::Run>(&run).expect("run");
    assert_eq!(
        result.outputs["records"],
        serde_json::json!([{ "date": "1815-12-10", "year": "1815" }])
    );
    host.shutdown().expect("shutdown");
}

#[test]
fn setup_errors_and_misdescribed_operators_stop_the_start() {
    fn twice(operators: &mut Operators) -> Result<(), OperatorError> {
        operators.add(ops::RegexExtract)?;
        operators.add(ops::RegexExtract)?;
        Ok(())
    }
    let error = TestHost::start(
        symphony_operators::embed_manifest!("src/sample.toml"),
        twice,
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("`regex.extract`")
            && error.to_string().contains("already served"),
        "{error}"
    );

    struct Misdescribed(OperatorSpec);
    impl Operator for Misdescribed {
        fn spec(&self) -> &OperatorSpec {
            &self.0
        }
        fn task(
            &self,
            _: &symphony_operators::config::ConfigValues,
        ) -> Result<Box<dyn Task>, OperatorError> {
            Err(OperatorError::failed("never configured"))
        }
    }
    let spec = OperatorSpec::new("acme.typo", OperatorCategory::Custom)
        .input("records", OperatorPortType::Records)
        .output("records", OperatorPortType::Records)
        .param(Param::boolean("strict").default("yes"))
        .param(Param::string("mode"))
        .param(Param::string("mode"));
    let error = Operators::new().add(Misdescribed(spec)).unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with("operator `acme.typo` is described wrongly: parameter `strict`")
            && message.contains("expected a boolean, found a string")
            && message.contains("parameter `mode` is declared twice"),
        "{message}"
    );
}

#[test]
fn typed_steps_and_named_params_fail_at_build_time_naming_the_parameter() {
    let mut builder = Workflow::builder();
    let error = builder
        .node(
            "keep",
            Step::of(ops::RegexFilter)
                .param("pattern", "^a")
                .param("colum", "name"),
        )
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with("node `keep` (regex.filter): invalid parameters")
            && message.contains("colum: unknown configuration key (did you mean `column`?)"),
        "{message}"
    );
    let error = builder
        .then("extract", ops::RegexExtract::on("email", "no groups"))
        .unwrap_err();
    assert!(
        error.to_string().starts_with(
            "node `extract` (regex.extract): parameter `pattern`: has no named capture group"
        ),
        "{error}"
    );
}

/// Every typed method is announced, answered (not "method not found") and strict about its
/// params; its schemas are generated from the types, with every field documented.
#[test]
fn every_typed_method_is_announced_answered_and_described() {
    use symphony_operators::methods::{List, Method, RunWorkflow};
    use symphony_operators::testing::{CallError, ErrorCode, json};

    let host = TestHost::start(
        symphony_operators::embed_manifest!("src/sample.toml"),
        only_extract,
    )
    .expect("starts");
    assert_eq!(
        host.host().initialize_result().capabilities.methods,
        methods::ALL.to_vec()
    );
    let list = host.request::<List>(&Default::default()).expect("list");
    assert_eq!(list.operators.len(), 1);
    assert_eq!(list.operators[0].inputs[0].port_type, "records");
    for name in methods::ALL {
        // A misspelt field is refused by name, so a client's typo is never ignored.
        let error = host
            .host()
            .call::<serde_json::Value, _>(name, &json!({ "operatr": "x" }))
            .unwrap_err();
        let CallError::Remote { error, .. } = error else {
            panic!("{name}: expected an answer, got {error}")
        };
        assert_eq!(error.kind(), Some(ErrorCode::InvalidParams), "{name}");
        assert!(
            error.message.contains("operatr"),
            "{name}: {}",
            error.message
        );
    }
    host.shutdown().expect("shutdown");

    for (name, params, result) in [
        (List::NAME, List::params_schema(), List::result_schema()),
        (
            methods::Run::NAME,
            methods::Run::params_schema(),
            methods::Run::result_schema(),
        ),
        (
            RunWorkflow::NAME,
            RunWorkflow::params_schema(),
            RunWorkflow::result_schema(),
        ),
    ] {
        for schema in [&params, &result] {
            assert_eq!(schema["type"], "object", "{name}: {schema}");
            // Every field says what it is (rustdoc comments become descriptions).
            let fields = schema["properties"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            for (field, property) in fields {
                let described = property["description"]
                    .as_str()
                    .is_some_and(|d| !d.is_empty());
                assert!(
                    described,
                    "{name}: field `{field}` has no description: {schema}"
                );
            }
        }
    }
    let run = methods::Run::params_schema();
    assert_eq!(run["required"], json!(["operator"]));
    assert!(
        run["properties"]["inputs"]["description"]
            .as_str()
            .is_some_and(|d| d.contains("array of objects")),
        "{run}"
    );
}
