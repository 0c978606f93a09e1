//! The instrument extension: the `onnx-classifier` example's iris classifier, served by the
//! same code as that example's own binary.

use std::process::ExitCode;

use symphony_instruments::serve::serve_embedded;

/// Starts no runtime itself: `serve_embedded` confines the process to its grants first (when
/// the host asks), then starts the tokio runtime, so that every thread of it is confined.
pub(super) fn serve() -> ExitCode {
    serve_embedded(onnx_classifier::MANIFEST, onnx_classifier::start)
}
