//! The iris classifier in `model/` (trained and exported by `model/train.py`) as an
//! instrument: the setup function of its serve loop.
//!
//! The host sends rows of 4 float features as the `X` tensor to
//! [`Infer`](symphony_instruments::methods::Infer) and gets
//! back `label` and `probabilities`; concurrent requests are batched. The ONNX engine is the
//! built-in tract unless the host's config (`runtime`, `library`) or `ORT_DYLIB_PATH` names
//! an ONNX Runtime library. The host's config can also replace the model file (`path`) and
//! the batching limits (`max_batch`, `max_wait_ms`, `max_concurrency`).
//!
//! This crate's binary serves it (`symphony_instruments::main!(onnx_classifier::setup)`);
//! other hosts (the `quickstart` example) serve the same code from their own binary.

use std::path::Path;
use std::sync::Arc;

use symphony_instruments::manifest::EmbeddedManifest;
use symphony_instruments::onnx::OnnxInstrument;
use symphony_instruments::{Context, Instrument, InstrumentError, ModelConfig, Pipeline};

/// The directory of this crate's `symphony.toml`, against which the manifest's relative
/// model path (`model/iris.onnx`) resolves; a host makes it the workspace root it grants
/// `model/iris.onnx` in.
pub const BASE_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// The classes of the model's `label` output, by index.
pub const CLASSES: [&str; 3] = ["setosa", "versicolor", "virginica"];

/// The manifest, embedded from `symphony.toml` at compile time, for hosts that serve this
/// instrument from their own binary ([`run`](symphony_instruments::run)).
pub static MANIFEST: &EmbeddedManifest = symphony_instruments::embed_manifest!();

/// Loads the model (on the engine the host's config chooses) and warms it up: the setup
/// function for [`main!`](symphony_instruments::main) and [`run`](symphony_instruments::run).
///
/// # Errors
///
/// The config is invalid, or the model or the ONNX Runtime library cannot be loaded.
pub async fn setup(context: Context) -> Result<Pipeline, InstrumentError> {
    let config = ModelConfig::from_context(&context, Path::new(BASE_DIR))?;
    let model = OnnxInstrument::from_config(&config, context.policy()).await?;
    model.warm_up().await?;
    tracing::info!(engine = ?model.engine(), "iris classifier ready");
    Ok(Pipeline::new(Arc::new(model), config.limits))
}
