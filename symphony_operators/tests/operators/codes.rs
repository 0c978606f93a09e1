//! A refused permission keeps its code, and names the permission and the resource, however
//! deeply it is wrapped: a node of a chain or a DAG, a workflow run inside an operator, a run
//! resumed from its checkpoint; the JSON-RPC error built from it says the same.

use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use serde_json::json;
use symphony_core::protocol::{ErrorCode, ErrorObject};
use symphony_operators::config::ConfigValues;
use symphony_operators::files::Files;
use symphony_operators::ops;
use symphony_operators::permission::{Permissions, Policy};
use symphony_operators::prelude::*;
use symphony_operators::workflow::WorkflowError;

use super::support::FailAfter;

/// Reading `root/data/**` and writing `root/out/**`, nothing else.
fn files(root: &Path) -> Files {
    let root = root.display();
    let rules: Permissions = serde_json::from_value(json!({
        "filesystem": [
            { "path": format!("{root}/data/**"), "access": ["read"] },
            { "path": format!("{root}/out/**"), "access": ["read", "write", "delete"] },
        ]
    }))
    .expect("rules");
    Files::new(Arc::new(
        Policy::builder(&rules, &rules).build().expect("policy"),
    ))
}

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for sub in ["data", "out", "private"] {
        std::fs::create_dir(dir.path().join(sub)).expect("dir");
    }
    let mut input = String::from("n\n");
    for n in 0..3000 {
        input.push_str(&format!("{n}\n"));
    }
    std::fs::write(dir.path().join("data/in.csv"), &input).expect("write");
    std::fs::write(dir.path().join("private/in.csv"), &input).expect("write");
    dir
}

/// Checks that `error` is "permission denied" for `access` to `path`, as a code and as the
/// JSON-RPC error a host receives.
fn assert_denied(error: WorkflowError, access: &str, path: &Path) {
    let message = error.to_string();
    assert_eq!(error.code(), ErrorCode::PermissionDenied, "{message}");
    let resource = path.display().to_string();
    let object = ErrorObject::from(error);
    assert_eq!(
        object.kind(),
        Some(ErrorCode::PermissionDenied),
        "{message}"
    );
    assert_eq!(object.message, message);
    assert!(
        message.contains(&format!("filesystem {access} permission denied"))
            && message.contains(&resource),
        "{message}"
    );
    assert_eq!(
        object.data,
        Some(json!({ "permission": "filesystem", "access": access, "resource": resource })),
        "{message}"
    );
}

fn chain(read: &Path, write: &Path) -> Workflow {
    let mut builder = Workflow::builder();
    builder
        .then(
            "read",
            Step::with_json(Arc::new(ops::CsvRead), json!({ "path": read })),
        )
        .and_then(|b| {
            b.then(
                "write",
                Step::with_json(Arc::new(ops::CsvWrite), json!({ "path": write })),
            )
        })
        .expect("builds");
    builder.build().expect("valid")
}

#[test]
fn chains_and_dags_keep_the_code_of_a_refused_file() {
    let dir = workspace();
    let root = dir.path();
    let options = RunOptions::default().with_files(files(root));

    let secret = root.join("private/in.csv");
    let error = chain(&secret, &root.join("out/a.csv"))
        .run(&options)
        .unwrap_err();
    assert_denied(error, "read", &secret);

    // A DAG: one branch writes inside the grants, the other outside.
    let outside = root.join("private/b.csv");
    let mut builder = Workflow::builder();
    builder
        .node(
            "read",
            Step::with_json(
                Arc::new(ops::CsvRead),
                json!({ "path": root.join("data/in.csv") }),
            ),
        )
        .and_then(|b| {
            b.node(
                "inside",
                Step::with_json(
                    Arc::new(ops::CsvWrite),
                    json!({ "path": root.join("out/b.csv") }),
                ),
            )
        })
        .and_then(|b| {
            b.node(
                "outside",
                Step::with_json(Arc::new(ops::CsvWrite), json!({ "path": outside })),
            )
        })
        .and_then(|b| b.connect("read", "inside"))
        .and_then(|b| b.connect("read", "outside"))
        .expect("builds");
    let error = builder.build().expect("valid").run(&options).unwrap_err();
    assert!(
        matches!(&error, WorkflowError::Node { node, .. } if node == "outside"),
        "{error}"
    );
    assert_denied(error, "write", &outside);
    assert!(!outside.exists());
}

/// `test.inner`: runs read(`input`) → write(`output`) as a workflow of its own, with the
/// session's files, and propagates its error with `?` as an author would.
struct Inner;

static INNER_SPEC: LazyLock<OperatorSpec> = LazyLock::new(|| {
    OperatorSpec::new("test.inner", OperatorCategory::Custom)
        .describe("Copies a CSV file through an inner workflow")
        .output("file", OperatorPortType::File)
        .param(Param::path("input").required())
        .param(Param::path("output").required())
});

impl Operator for Inner {
    fn spec(&self) -> &OperatorSpec {
        &INNER_SPEC
    }
    fn task(&self, params: &ConfigValues) -> Result<Box<dyn Task>, OperatorError> {
        let path = |name: &str| -> PathBuf { params.get(name).ok().flatten().unwrap_or_default() };
        let mut builder = Workflow::builder();
        builder.then(
            "copy-read",
            Step::with_json(Arc::new(ops::CsvRead), json!({ "path": path("input") })),
        )?;
        builder.then(
            "copy-write",
            Step::with_json(Arc::new(ops::CsvWrite), json!({ "path": path("output") })),
        )?;
        Ok(Box::new(InnerTask(builder.build()?, path("output"))))
    }
}

struct InnerTask(Workflow, PathBuf);

impl Task for InnerTask {
    fn run(&self, io: &mut Io<'_>) -> Result<(), OperatorError> {
        let options = RunOptions::default()
            .with_files(io.files().clone())
            .with_cancel(io.cancel_token().clone());
        self.0.run(&options)?;
        io.send("file", Chunk::File(self.1.clone()))
    }
}

#[test]
fn a_workflow_inside_an_operator_keeps_the_code_of_a_refused_file() {
    let dir = workspace();
    let root = dir.path();
    let secret = root.join("private/in.csv");
    let mut builder = Workflow::builder();
    builder
        .node(
            "outer",
            Step::with_json(
                Arc::new(Inner),
                json!({ "input": secret, "output": root.join("out/c.csv") }),
            ),
        )
        .expect("builds");
    let error = builder
        .build()
        .expect("valid")
        .run(&RunOptions::default().with_files(files(root)))
        .unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("node `outer` failed: node `copy-read` failed: "),
        "{error}"
    );
    assert_denied(error, "read", &secret);

    // A workflow's build errors keep their code too when an operator passes them on with `?`.
    let error = Workflow::builder()
        .then("read", Step::with_json(Arc::new(ops::CsvRead), json!({})))
        .map(|_| ())
        .unwrap_err();
    let error = OperatorError::from(error);
    assert_eq!(error.code(), ErrorCode::InvalidParams, "{error}");
    assert_eq!(
        ErrorObject::from(error).kind(),
        Some(ErrorCode::InvalidParams)
    );
}

#[test]
fn a_cancelled_run_is_cancelled_through_an_inner_workflow() {
    let dir = workspace();
    let root = dir.path();
    let mut builder = Workflow::builder();
    builder
        .node(
            "outer",
            Step::with_json(
                Arc::new(Inner),
                json!({ "input": root.join("data/in.csv"), "output": root.join("out/d.csv") }),
            ),
        )
        .expect("builds");
    let options = RunOptions::default().with_files(files(root));
    options.cancel.cancel();
    let error = builder.build().expect("valid").run(&options).unwrap_err();
    assert_eq!(error.code(), ErrorCode::Cancelled, "{error}");
    assert_eq!(ErrorObject::from(error).kind(), Some(ErrorCode::Cancelled));
}

#[test]
fn a_resumed_run_keeps_the_code_of_a_refused_file() {
    let dir = workspace();
    let root = dir.path();
    let checkpoint = root.join("out/checkpoint");
    let target = root.join("private/e.csv");
    let workflow = || {
        let mut builder = Workflow::builder();
        builder
            .then(
                "read",
                Step::with_json(
                    Arc::new(ops::CsvRead),
                    json!({ "path": root.join("data/in.csv"), "batch_rows": 100 }),
                ),
            )
            .and_then(|b| {
                b.then(
                    "flaky",
                    Step::with_json(
                        Arc::new(FailAfter),
                        json!({ "batches": 3, "unless_exists": root.join("fixed") }),
                    ),
                )
            })
            .and_then(|b| {
                b.then(
                    "write",
                    Step::with_json(Arc::new(ops::CsvWrite), json!({ "path": target })),
                )
            })
            .expect("builds");
        builder.build().expect("valid")
    };
    // First run, with every file allowed: `flaky` fails after `read` completed.
    let error = workflow()
        .run(&RunOptions::default().with_checkpoint(&checkpoint))
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::ExtensionFailed, "{error}");
    assert!(checkpoint.join("read.done").exists());

    // Resumed under the session's grants: `read` is replayed, and the write is refused.
    std::fs::write(root.join("fixed"), "").expect("fix");
    let error = workflow()
        .run(
            &RunOptions::default()
                .with_checkpoint(&checkpoint)
                .with_files(files(root)),
        )
        .unwrap_err();
    assert_denied(error, "write", &target);
    assert!(!target.exists());
}
