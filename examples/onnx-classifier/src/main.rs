//! Example: an instrument extension serving the iris classifier in `model/` (see the
//! library: [`onnx_classifier`]).

use std::process::ExitCode;

use symphony_instruments::serve::serve_embedded;

#[tokio::main]
async fn main() -> ExitCode {
    serve_embedded(onnx_classifier::MANIFEST, onnx_classifier::start).await
}
