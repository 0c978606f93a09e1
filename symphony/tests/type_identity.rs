//! Both import styles name the same types: an extension written against `symphony::<kind>`
//! is accepted wherever the focused crate's types are expected, and the reverse. Each test
//! mixes the two styles in one real run, so a type that were merely *similar* would fail to
//! compile and a behaviour that differed would fail the assertions.

#[cfg(feature = "instruments")]
mod instruments {
    use std::sync::Arc;

    /// Written in the umbrella style, through the combined prelude.
    mod umbrella_style {
        use symphony::instruments::{Modality, ModelCapabilities};
        use symphony::prelude::*;

        pub(super) struct Shout(pub(super) ModelInfo);

        impl Shout {
            pub(super) fn new(id: &str) -> Self {
                Shout(ModelInfo {
                    id: id.to_owned(),
                    inputs: vec![Modality::Text],
                    outputs: vec![Modality::Text],
                    capabilities: ModelCapabilities::default(),
                })
            }
        }

        #[async_trait]
        impl Instrument for Shout {
            fn info(&self) -> &ModelInfo {
                &self.0
            }
            async fn infer(&self, input: InferenceInput) -> Result<Inference, InstrumentError> {
                match input {
                    InferenceInput::Text(text) => Ok(Inference::new(
                        InferenceOutput::Text(text.to_uppercase()),
                        Usage::default(),
                    )),
                    other => Err(InstrumentError::invalid_input(other.kind())),
                }
            }
        }
    }

    /// Written in the split style, through the focused prelude.
    mod split_style {
        use symphony_instruments::prelude::*;
        use symphony_instruments::{Modality, ModelCapabilities};

        pub(super) struct Reverse(pub(super) ModelInfo);

        impl Reverse {
            pub(super) fn new(id: &str) -> Self {
                Reverse(ModelInfo {
                    id: id.to_owned(),
                    inputs: vec![Modality::Text],
                    outputs: vec![Modality::Text],
                    capabilities: ModelCapabilities::default(),
                })
            }
        }

        #[async_trait]
        impl Instrument for Reverse {
            fn info(&self) -> &ModelInfo {
                &self.0
            }
            async fn infer(&self, input: InferenceInput) -> Result<Inference, InstrumentError> {
                match input {
                    InferenceInput::Text(text) => Ok(Inference::new(
                        InferenceOutput::Text(text.chars().rev().collect()),
                        Usage::default(),
                    )),
                    other => Err(InstrumentError::invalid_input(other.kind())),
                }
            }
        }
    }

    fn text(inference: symphony::instruments::Inference) -> String {
        match inference.output {
            symphony_instruments::InferenceOutput::Text(text) => text,
            other => panic!("expected text, got {other:?}"),
        }
    }

    #[test]
    fn an_instrument_of_either_style_runs_in_a_pipeline_of_the_other() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a current-thread runtime");
        runtime.block_on(async {
            // Umbrella-style instrument, focused crate's pipeline and limits.
            let shout: Arc<dyn symphony_instruments::Instrument> =
                Arc::new(umbrella_style::Shout::new("shout"));
            let pipeline =
                symphony_instruments::Pipeline::new(shout, symphony_instruments::Limits::default());
            let output = pipeline
                .infer(symphony::instruments::InferenceInput::Text("hi".into()))
                .await
                .expect("shout answers text");
            assert_eq!(text(output), "HI");

            // Focused-style instrument, umbrella's pipeline and limits.
            let reverse: Arc<dyn symphony::instruments::Instrument> =
                Arc::new(split_style::Reverse::new("reverse"));
            let pipeline = symphony::instruments::Pipeline::new(
                reverse,
                symphony::instruments::Limits::default(),
            );
            let output = pipeline
                .infer(symphony_instruments::InferenceInput::Text("abc".into()))
                .await
                .expect("reverse answers text");
            assert_eq!(text(output), "cba");

            // An error of one style is the error type of the other.
            let error: symphony_instruments::InstrumentError = pipeline
                .infer(symphony::instruments::InferenceInput::Embed(vec![]))
                .await
                .expect_err("reverse refuses embeddings");
            assert!(error.to_string().contains("embed"), "{error}");
        });
    }
}

#[cfg(feature = "operators")]
mod operators {
    use std::sync::Arc;

    use serde_json::json;
    use symphony_operators::workflow::Step;

    /// Upper-cases every field: written in the umbrella style.
    mod umbrella_style {
        use symphony::operators::config::ConfigValues;
        use symphony::prelude::*;

        pub(super) struct Upper(pub(super) OperatorSpec);

        impl Upper {
            pub(super) fn new() -> Self {
                Upper(super::records_spec("test.upper"))
            }
        }

        struct UpperTask;

        impl Operator for Upper {
            fn spec(&self) -> &OperatorSpec {
                &self.0
            }
            fn task(&self, _: &ConfigValues) -> Result<Box<dyn Task>, OperatorError> {
                Ok(Box::new(UpperTask))
            }
        }

        impl Task for UpperTask {
            fn run(&self, io: &mut Io<'_>) -> Result<(), OperatorError> {
                while let Some(batch) = io.recv_records("in")? {
                    let mut upper = batch.sibling();
                    for record in batch.records() {
                        upper.push_fields(record.iter().map(|field| field.to_ascii_uppercase()));
                    }
                    io.send_records("out", upper)?;
                }
                Ok(())
            }
        }
    }

    /// Reverses every field: written in the split style.
    mod split_style {
        use symphony_operators::config::ConfigValues;
        use symphony_operators::prelude::*;

        pub(super) struct Reverse(pub(super) OperatorSpec);

        impl Reverse {
            pub(super) fn new() -> Self {
                Reverse(super::records_spec("test.reverse"))
            }
        }

        struct ReverseTask;

        impl Operator for Reverse {
            fn spec(&self) -> &OperatorSpec {
                &self.0
            }
            fn task(&self, _: &ConfigValues) -> Result<Box<dyn Task>, OperatorError> {
                Ok(Box::new(ReverseTask))
            }
        }

        impl Task for ReverseTask {
            fn run(&self, io: &mut Io<'_>) -> Result<(), OperatorError> {
                while let Some(batch) = io.recv_records("in")? {
                    let mut reversed = batch.sibling();
                    for record in batch.records() {
                        reversed.push_fields(record.iter().map(|field| {
                            let mut field = field.to_vec();
                            field.reverse();
                            field
                        }));
                    }
                    io.send_records("out", reversed)?;
                }
                Ok(())
            }
        }
    }

    /// One `Records` input `in`, one `Records` output `out`, no parameters. Built with the
    /// focused crate's types and used by both styles.
    fn records_spec(name: &str) -> symphony_operators::OperatorSpec {
        use symphony::operators::manifest::{OperatorCategory, OperatorPortType};
        symphony_operators::OperatorSpec::new(name, OperatorCategory::Transform)
            .describe("test operator")
            .input("in", OperatorPortType::Records)
            .output("out", OperatorPortType::Records)
    }

    /// An extension's `main` written through the umbrella: `symphony::operators::main!`
    /// expands (this module compiling is the check).
    #[allow(dead_code)]
    mod main_through_the_umbrella {
        use symphony::operators::{OperatorError, Operators};

        fn setup(operators: &mut Operators) -> Result<(), OperatorError> {
            operators.add_builtins()?;
            Ok(())
        }

        symphony::operators::main!(setup, "../symphony_operators/src/sample.toml");
    }

    #[test]
    fn operators_of_both_styles_chain_in_one_workflow_of_either_style() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let input = dir.path().join("in.csv");
        std::fs::write(&input, "name,city\nada,london\nalan,wilmslow\n").expect("write input");

        for (round, umbrella_builder) in [(0, true), (1, false)] {
            let output = dir.path().join(format!("out-{round}.csv"));
            let mut builder = if umbrella_builder {
                symphony::operators::workflow::Workflow::builder()
            } else {
                symphony_operators::workflow::Workflow::builder()
            };
            builder
                .then(
                    "read",
                    Step::with_json(
                        Arc::new(symphony::operators::ops::CsvRead),
                        json!({ "path": input }),
                    ),
                )
                .and_then(|b| {
                    b.then(
                        "upper",
                        Step::with_json(Arc::new(umbrella_style::Upper::new()), json!({})),
                    )
                })
                .and_then(|b| {
                    b.then(
                        "reverse",
                        Step::with_json(Arc::new(split_style::Reverse::new()), json!({})),
                    )
                })
                .and_then(|b| {
                    b.then(
                        "write",
                        Step::with_json(
                            Arc::new(symphony_operators::ops::CsvWrite),
                            json!({ "path": output }),
                        ),
                    )
                })
                .expect("every node configures");
            let workflow = builder.build().expect("the chain type-checks");
            workflow
                .run(&symphony::operators::workflow::RunOptions::default())
                .expect("the chain runs");
            assert_eq!(
                std::fs::read_to_string(&output).expect("read output"),
                "name,city\nADA,NODNOL\nNALA,WOLSMLIW\n"
            );
        }
    }
}

#[cfg(feature = "motifs")]
mod motifs {
    /// A counter, written in the umbrella style.
    mod umbrella_style {
        use symphony::prelude::*;

        pub(super) struct Counter;

        impl Motif for Counter {
            type State = u32;
            fn placement(&self) -> Placement {
                Placement::Panel
            }
            fn initial_state(&self) -> u32 {
                0
            }
            fn render(&self, state: &u32) -> Node {
                el("button")
                    .on("click", "inc")
                    .child(text(state.to_string()))
                    .into()
            }
            fn update(&self, state: &mut u32, event: &Event) -> Effects {
                if event.handler == "inc" {
                    *state += 1;
                    Effects::changed()
                } else {
                    Effects::none()
                }
            }
        }
    }

    /// The same counter, written in the split style.
    mod split_style {
        use symphony_motifs::prelude::*;

        pub(super) struct Counter;

        impl Motif for Counter {
            type State = u32;
            fn placement(&self) -> Placement {
                Placement::Panel
            }
            fn initial_state(&self) -> u32 {
                0
            }
            fn render(&self, state: &u32) -> Node {
                el("button")
                    .on("click", "inc")
                    .child(text(state.to_string()))
                    .into()
            }
            fn update(&self, state: &mut u32, event: &Event) -> Effects {
                if event.handler == "inc" {
                    *state += 1;
                    Effects::changed()
                } else {
                    Effects::none()
                }
            }
        }
    }

    #[test]
    fn a_motif_of_either_style_runs_in_the_other_styles_runtime_identically() {
        let umbrella_in_focused =
            symphony_motifs::runtime::MotifInstance::new(umbrella_style::Counter)
                .expect("the umbrella-style counter renders");
        let focused_in_umbrella =
            symphony::motifs::runtime::MotifInstance::new(split_style::Counter)
                .expect("the split-style counter renders");
        assert_eq!(umbrella_in_focused.html(), focused_in_umbrella.html());
        assert!(
            umbrella_in_focused.html().contains(">0<"),
            "{}",
            umbrella_in_focused.html()
        );

        // A view of one style is a view of the other.
        let view: &symphony::motifs::view::View = umbrella_in_focused.view();
        let _: &symphony_motifs::view::View = view;
    }
}
