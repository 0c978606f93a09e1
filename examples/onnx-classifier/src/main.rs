//! Example: an instrument extension serving the iris classifier in `model/` (see the
//! library: [`onnx_classifier`]).

use std::process::ExitCode;

use symphony_instruments::serve::serve_embedded;

// A plain `main`: `serve_embedded` applies the sandbox before it starts the tokio runtime.
fn main() -> ExitCode {
    serve_embedded(onnx_classifier::MANIFEST, onnx_classifier::start)
}
