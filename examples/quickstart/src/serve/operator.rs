//! The operator extension: the SDK's built-in operators, unchanged.

use std::process::ExitCode;

use symphony_operators::ops;
use symphony_operators::serve::serve_operators;

pub(super) fn serve() -> ExitCode {
    match symphony_operators::embed_manifest!("extensions/operator.toml").get() {
        Ok(manifest) => serve_operators(manifest.clone(), ops::all()),
        Err(errors) => {
            // build.rs checks the manifest, so this is only reached if that check was skipped.
            eprintln!("{errors}");
            ExitCode::FAILURE
        }
    }
}
