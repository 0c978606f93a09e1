//! The iris classifier in `model/` (trained and exported by `model/train.py`) as an
//! instrument: its manifest and the start function of its serve loop.
//!
//! The host sends rows of 4 float features as the `X` tensor to `instrument/infer` and gets
//! back `label` and `probabilities`; concurrent requests are batched. The ONNX engine is the
//! embedded tract unless the host's config (`runtime`, `library`) or `ORT_DYLIB_PATH` names
//! an ONNX Runtime library. The host's config can also replace the model file (`path`) and
//! the batching limits (`max_batch`, `max_wait_ms`, `max_concurrency`).
//!
//! This crate's binary serves it; other hosts (the `quickstart` example) serve the same code
//! from their own binary.

use std::path::Path;
use std::sync::Arc;

use symphony_instruments::manifest::EmbeddedManifest;
use symphony_instruments::onnx::OnnxInstrument;
use symphony_instruments::serve::Start;
use symphony_instruments::{Instrument, InstrumentError, Pipeline};

/// The directory of this crate's `symphony.toml`, against which the manifest's relative
/// model path (`model/iris.onnx`) resolves; a host makes it the workspace root it grants
/// `model/iris.onnx` in.
pub const BASE_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// The classes of the model's `label` output, by index.
pub const CLASSES: [&str; 3] = ["setosa", "versicolor", "virginica"];

/// The manifest, embedded from `symphony.toml` at compile time.
pub static MANIFEST: &EmbeddedManifest = symphony_instruments::manifest::embed_manifest!();

/// Loads the model (on the engine the host's config chooses) and warms it up: the start
/// function for [`serve_embedded`](symphony_instruments::serve::serve_embedded).
///
/// # Errors
///
/// The config is invalid, or the model or the ONNX Runtime library cannot be loaded.
pub async fn start(start: Start) -> Result<Pipeline, InstrumentError> {
    let config = start.model_config(Path::new(BASE_DIR))?;
    let model = OnnxInstrument::from_config(&config, &start.policy).await?;
    model.warm_up().await?;
    tracing::info!(engine = ?model.engine(), "iris classifier ready");
    Ok(Pipeline::new(Arc::new(model), config.limits))
}
