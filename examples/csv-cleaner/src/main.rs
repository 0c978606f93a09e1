//! Example: an operator extension, the CSV cleaner.
//!
//! It serves the SDK's built-in operators and one of its own, `cleaner.clean`: read a CSV
//! file, keep the rows whose `column` matches `keep`, add the named captures of `extract`
//! (matched on `extract_column`) as columns, and write the result — a workflow of built-in
//! operators run inside one operator, with the session's file grants and cancellation.

mod clean;

use symphony_operators::{OperatorError, Operators};

fn setup(operators: &mut Operators) -> Result<(), OperatorError> {
    operators.add_builtins()?;
    operators.add(clean::Clean)
}

symphony_operators::main!(setup);
