//! The operator extension: the SDK's built-in operators, unchanged.
//!
//! The quickstart is one binary serving three kinds, so it calls [`symphony_operators::run`]
//! (what `symphony_operators::main!` expands to) with its own manifest file.

use std::process::ExitCode;

use symphony_operators::{OperatorError, Operators};

pub(super) fn serve() -> ExitCode {
    symphony_operators::run(
        symphony_operators::embed_manifest!("extensions/operator.toml"),
        builtins,
    )
}

fn builtins(operators: &mut Operators) -> Result<(), OperatorError> {
    operators.add_builtins()?;
    Ok(())
}
