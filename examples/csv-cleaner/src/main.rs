//! Example: an operator extension, the CSV cleaner.
//!
//! It serves the SDK's built-in operators and one of its own, `cleaner.clean`: read a CSV
//! file, keep the rows whose `column` matches `keep`, add the named captures of `extract`
//! (matched on `extract_column`) as columns, and write the result — a workflow of built-in
//! operators run inside one operator, with the session's file grants and cancellation.

mod clean;

use std::process::ExitCode;
use std::sync::Arc;

use symphony_operators::prelude::*;

fn main() -> ExitCode {
    let manifest = match symphony_operators::embed_manifest!().get() {
        Ok(manifest) => manifest.clone(),
        Err(errors) => {
            eprintln!("{errors}");
            return ExitCode::FAILURE;
        }
    };
    let mut operators = symphony_operators::ops::all();
    operators.push(Arc::new(clean::Clean));
    serve_operators(manifest, operators)
}
