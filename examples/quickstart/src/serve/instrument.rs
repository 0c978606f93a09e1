//! The instrument extension: the `onnx-classifier` example's iris classifier, served by the
//! same code as that example's own binary.

use std::process::ExitCode;

use symphony_instruments::serve::log::{LogOptions, init};

pub(super) fn serve() -> ExitCode {
    init(LogOptions::from_env());
    let manifest = match onnx_classifier::manifest() {
        Ok(manifest) => manifest.clone(),
        Err(errors) => {
            eprintln!("{errors}");
            return ExitCode::FAILURE;
        }
    };
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
    runtime.block_on(symphony_instruments::serve::serve(
        manifest,
        onnx_classifier::start,
    ))
}
