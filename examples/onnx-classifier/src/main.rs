//! Example: an instrument extension serving the iris classifier in `model/` (trained and
//! exported by `model/train.py`).
//!
//! The host sends rows of 4 float features as the `X` tensor to `instrument/infer` and gets
//! back `label` and `probabilities`; concurrent requests are batched. The ONNX engine is the
//! embedded tract unless the host's config (`runtime`, `library`) or `ORT_DYLIB_PATH` names
//! an ONNX Runtime library. The host's config can also replace the model file (`path`) and
//! the batching limits (`max_batch`, `max_wait_ms`, `max_concurrency`).

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use symphony_instruments::onnx::OnnxInstrument;
use symphony_instruments::serve::{Start, serve_embedded};
use symphony_instruments::{Instrument, InstrumentError, Pipeline};

/// Where `model/iris.onnx` is: beside this crate's `Cargo.toml`.
const BASE_DIR: &str = env!("CARGO_MANIFEST_DIR");

async fn start(start: Start) -> Result<Pipeline, InstrumentError> {
    let config = start.model_config(Path::new(BASE_DIR))?;
    let model = OnnxInstrument::from_config(&config).await?;
    model.warm_up().await?;
    tracing::info!(engine = ?model.engine(), "iris classifier ready");
    Ok(Pipeline::new(Arc::new(model), config.limits))
}

#[tokio::main]
async fn main() -> ExitCode {
    serve_embedded(symphony_instruments::manifest::embed_manifest!(), start).await
}
