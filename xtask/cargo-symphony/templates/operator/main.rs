//! An operator extension: serves its operators to Symphony over stdin and stdout.

use std::process::ExitCode;

fn main() -> ExitCode {
    let manifest = match symphony_operators::embed_manifest!().get() {
        Ok(manifest) => manifest.clone(),
        Err(errors) => {
            eprintln!("{errors}");
            return ExitCode::FAILURE;
        }
    };
    // The SDK's built-in CSV and regex operators; push your own `Arc<dyn Operator>`s here.
    let operators = symphony_operators::ops::all();
    symphony_operators::serve::serve_operators(manifest, operators)
}
