//! `cleaner.clean`: read → filter → extract → write, as one operator.

use std::sync::{Arc, LazyLock};

use serde_json::{Value, json};
use symphony_operators::config::ConfigValues;
use symphony_operators::ops;
use symphony_operators::prelude::*;

static SPEC: LazyLock<OperatorSpec> = LazyLock::new(|| {
    OperatorSpec {
    name: "cleaner.clean".to_owned(),
    description: "Filters a CSV file by a pattern, extracts named captures as columns, writes the result.".to_owned(),
    category: OperatorCategory::Transform,
    inputs: Vec::new(),
    outputs: vec![PortSpec::new("file", OperatorPortType::File)],
    params: serde_json::from_value(json!({
        "input": { "type": "path", "required": true, "description": "CSV file to read" },
        "output": { "type": "path", "required": true, "description": "CSV file to write" },
        "column": { "type": "string", "required": true, "description": "Column that `keep` is matched on" },
        "keep": { "type": "string", "required": true, "description": "Regular expression rows must match" },
        "extract_column": { "type": "string", "description": "Column that `extract` is matched on" },
        "extract": { "type": "string", "description": "Regular expression with named captures" },
    }))
    .unwrap_or_default(),
}
});

/// The cleaner: a workflow of built-in operators behind one operator.
pub(crate) struct Clean;

impl Operator for Clean {
    fn spec(&self) -> &OperatorSpec {
        &SPEC
    }

    fn task(&self, params: &ConfigValues) -> Result<Box<dyn Task>, OperatorError> {
        let get = |name: &str| params.value(name).cloned().unwrap_or(Value::Null);
        let mut builder = Workflow::builder();
        builder
            .then(
                "read",
                Arc::new(ops::CsvRead),
                json!({ "path": get("input") }),
            )
            .and_then(|b| {
                b.then(
                    "keep",
                    Arc::new(ops::RegexFilter),
                    json!({ "pattern": get("keep"), "column": get("column") }),
                )
            })?;
        if let Some(pattern) = params.value("extract") {
            let column = params
                .value("extract_column")
                .cloned()
                .unwrap_or_else(|| get("column"));
            builder.then(
                "extract",
                Arc::new(ops::RegexExtract),
                json!({ "pattern": pattern, "column": column }),
            )?;
        }
        builder.then(
            "write",
            Arc::new(ops::CsvWrite),
            json!({ "path": get("output") }),
        )?;
        let output = params
            .get::<std::path::PathBuf>("output")
            .ok()
            .flatten()
            .unwrap_or_default();
        Ok(Box::new(CleanTask {
            workflow: builder.build()?,
            output,
        }))
    }
}

struct CleanTask {
    workflow: Workflow,
    output: std::path::PathBuf,
}

impl Task for CleanTask {
    fn run(&self, io: &mut Io<'_>) -> Result<(), OperatorError> {
        let mut options = RunOptions::default()
            .with_files(io.files().clone())
            .with_cancel(io.cancel_token().clone());
        if let Some(progress) = io.progress() {
            options = options.with_progress(progress);
        }
        // The inner workflow's error keeps its code: a refused read reaches the host as
        // "permission denied", naming the permission and the file.
        self.workflow.run(&options)?;
        io.send("file", Chunk::File(self.output.clone()))
    }
}
