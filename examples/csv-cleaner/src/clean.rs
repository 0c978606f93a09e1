//! `cleaner.clean`: read → filter → extract → write, as one operator.

use std::path::PathBuf;
use std::sync::LazyLock;

use symphony_operators::config::ConfigValues;
use symphony_operators::ops;
use symphony_operators::prelude::*;

static SPEC: LazyLock<OperatorSpec> = LazyLock::new(|| {
    OperatorSpec::new("cleaner.clean", OperatorCategory::Transform)
        .describe("Filters a CSV file by a pattern, extracts named captures as columns, writes the result.")
        .output("file", OperatorPortType::File)
        .param(Param::path("input").required().describe("CSV file to read"))
        .param(Param::path("output").required().describe("CSV file to write"))
        .param(Param::string("column").required().describe("Column that `keep` is matched on"))
        .param(Param::string("keep").required().describe("Regular expression rows must match"))
        .param(Param::string("extract_column").describe("Column that `extract` is matched on"))
        .param(Param::string("extract").describe("Regular expression with named captures"))
});

/// The cleaner: a workflow of built-in operators behind one operator.
pub(crate) struct Clean;

impl Operator for Clean {
    fn spec(&self) -> &OperatorSpec {
        &SPEC
    }

    fn task(&self, params: &ConfigValues) -> Result<Box<dyn Task>, OperatorError> {
        let output: PathBuf = params.require("output")?;
        let column: String = params.require("column")?;
        let mut builder = Workflow::builder();
        builder
            .then(
                "read",
                ops::CsvRead::path(params.require::<PathBuf>("input")?),
            )?
            .then(
                "keep",
                ops::RegexFilter::pattern(params.require::<String>("keep")?).column(&column),
            )?;
        if let Some(pattern) = params.optional::<String>("extract")? {
            let on = params.optional("extract_column")?.unwrap_or(column);
            builder.then("extract", ops::RegexExtract::on(on, pattern))?;
        }
        builder.then("write", ops::CsvWrite::path(&output))?;
        Ok(Box::new(CleanTask {
            workflow: builder.build()?,
            output,
        }))
    }
}

struct CleanTask {
    workflow: Workflow,
    output: PathBuf,
}

impl Task for CleanTask {
    fn run(&self, io: &mut Io<'_>) -> Result<(), OperatorError> {
        // The inner workflow runs with this run's file grants, cancellation and progress, and
        // its error keeps its code: a refused read reaches the host as "permission denied".
        self.workflow.run(&io.run_options())?;
        io.send("file", Chunk::File(self.output.clone()))
    }
}
