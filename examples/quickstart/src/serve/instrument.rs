//! The instrument extension: the `onnx-classifier` example's iris classifier, served by the
//! same code as that example's own binary.

use std::process::ExitCode;

/// `run` rather than `main!`: this binary serves the classifier crate's manifest, not its
/// own. Starts no runtime itself: `run` confines the process to its grants first (when the
/// host asks), then starts the tokio runtime, so that every thread of it is confined.
pub(super) fn serve() -> ExitCode {
    symphony_instruments::run(onnx_classifier::MANIFEST, onnx_classifier::setup)
}
