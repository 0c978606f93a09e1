use symphony_operators::prelude::*;

struct Shout(OperatorSpec);

impl Operator for Shout {
    fn spec(&self) -> &OperatorSpec {
        &self.0
    }

    fn task(&self, params: &ConfigValues) -> Result<Box<dyn Task>, OperatorError> {
        Ok(Box::new(ShoutTask {
            column: params.require("column")?,
        }))
    }
}

struct ShoutTask {
    column: String,
}

impl Task for ShoutTask {
    fn run(&self, io: &mut Io<'_>) -> Result<(), OperatorError> {
        while let Some(mut batch) = io.recv_records("records")? {
            batch.update_column(&self.column, |field| field.to_ascii_uppercase())?;
            io.send_records("records", batch)?;
        }
        Ok(())
    }
}

fn setup(operators: &mut Operators) -> Result<(), OperatorError> {
    let spec = OperatorSpec::new("text.shout", OperatorCategory::Transform)
        .describe("Upper-cases a column")
        .input("records", OperatorPortType::Records)
        .output("records", OperatorPortType::Records)
        .param(Param::string("column").required().describe("The column to shout"));
    operators.add(Shout(spec))
}

symphony_operators::main!(setup);
