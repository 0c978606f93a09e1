//! The instrument extension: the `onnx-classifier` example's iris classifier, served by the
//! same code as that example's own binary.

use std::process::ExitCode;

use symphony_instruments::serve::serve_embedded;

pub(super) fn serve() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("quickstart instrument: cannot start the tokio runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(serve_embedded(
        onnx_classifier::MANIFEST,
        onnx_classifier::start,
    ))
}
