//! Example: an instrument extension serving the iris classifier in `model/` (see the
//! library: [`onnx_classifier`]).

use std::process::ExitCode;

use symphony_instruments::serve::log::{LogOptions, init};
use symphony_instruments::serve::serve;

#[tokio::main]
async fn main() -> ExitCode {
    init(LogOptions::from_env());
    let manifest = match onnx_classifier::manifest() {
        Ok(manifest) => manifest.clone(),
        Err(errors) => {
            eprintln!("{errors}");
            return ExitCode::FAILURE;
        }
    };
    serve(manifest, onnx_classifier::start).await
}
