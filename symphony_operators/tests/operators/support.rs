//! Helpers: running a chain on a file, and a test operator that fails on demand.

use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use serde_json::{Value, json};
use symphony_operators::config::ConfigValues;
use symphony_operators::ops;
use symphony_operators::prelude::*;
use symphony_operators::workflow::WorkflowError;

/// Runs `read(input) → steps… → write(output)` and returns the output's text.
pub(crate) fn run_chain(
    dir: &Path,
    input: &[u8],
    read_params: Value,
    steps: Vec<(&str, Arc<dyn Operator>, Value)>,
) -> Result<Vec<u8>, WorkflowError> {
    let input_path = dir.join("input.csv");
    std::fs::write(&input_path, input).expect("write input");
    let output = dir.join("output.csv");
    let mut read = read_params;
    read["path"] = json!(input_path);
    let mut builder = Workflow::builder();
    builder.then("read", Step::with_json(Arc::new(ops::CsvRead), read))?;
    for (name, operator, params) in steps {
        builder.then(name, Step::with_json(operator, params))?;
    }
    builder.then(
        "write",
        Step::with_json(Arc::new(ops::CsvWrite), json!({ "path": output })),
    )?;
    builder.build()?.run(&RunOptions::default())?;
    Ok(std::fs::read(&output).expect("output exists"))
}

pub(crate) fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("list dir")
        .map(|e| e.expect("entry").path())
        .collect();
    names.sort();
    names
}

/// `test.fail_after`: passes records through and fails after `batches` batches — a
/// crashing operator in the middle of a stream — unless the file `unless_exists` exists.
pub(crate) struct FailAfter;

static FAIL_SPEC: LazyLock<OperatorSpec> = LazyLock::new(|| {
    OperatorSpec::new("test.fail_after", OperatorCategory::Custom)
        .describe("Fails after some batches")
        .input("records", OperatorPortType::Records)
        .output("records", OperatorPortType::Records)
        .param(Param::integer("batches").required())
        .param(Param::boolean("panic").default(false))
        .param(Param::path("unless_exists"))
});

impl Operator for FailAfter {
    fn spec(&self) -> &OperatorSpec {
        &FAIL_SPEC
    }
    fn task(&self, params: &ConfigValues) -> Result<Box<dyn Task>, OperatorError> {
        Ok(Box::new(FailTask {
            batches: params.get("batches").ok().flatten().unwrap_or(0),
            panic: params.get("panic").ok().flatten().unwrap_or(false),
            unless_exists: params.get("unless_exists").ok().flatten(),
        }))
    }
}

struct FailTask {
    batches: usize,
    panic: bool,
    // The "fix": once this file exists, the operator no longer fails.
    unless_exists: Option<PathBuf>,
}

impl Task for FailTask {
    fn run(&self, io: &mut Io<'_>) -> Result<(), OperatorError> {
        let mut seen = 0;
        while let Some(batch) = io.recv_records("records")? {
            let fixed = self
                .unless_exists
                .as_ref()
                .is_some_and(|path| path.exists());
            if seen == self.batches && !fixed {
                if self.panic {
                    panic!("deliberate panic after {seen} batches");
                }
                return Err(OperatorError::failed(format!(
                    "deliberate failure after {seen} batches"
                )));
            }
            seen += 1;
            io.send_records("records", batch)?;
        }
        Ok(())
    }
}
