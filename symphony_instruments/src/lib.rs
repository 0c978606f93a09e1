//! The Symphony extension SDK for Instruments: extensions that wrap AI/ML models.
//!
//! - [`Instrument`]: the async trait a model wrapper implements (object safe: hosts pool
//!   `Arc<dyn Instrument>`), with [`InferenceInput`] / [`InferenceOutput`] for text, chat,
//!   embeddings and typed [`Tensor`]s, and [`Usage`] per call;
//! - [`ModelConfig`]: the validated `[instrument.model]` table and host config values;
//! - [`Pipeline`]: queueing with backpressure, dynamic batching, a concurrency limit,
//!   timeouts, cancellation on drop, retries with backoff, metrics;
//! - `onnx` (feature `onnx`): local ONNX models through `ort`, on tract or ONNX Runtime;
//! - `http` (feature `http`): OpenAI-compatible endpoints through `reqwest`;
//! - [`methods`]: the `instrument/…` methods, typed, with their JSON Schema;
//! - [`main!`] / [`run`]: an extension's whole `main`; [`serve`]: the async extension loop on
//!   tokio, speaking the Orchestra Kit protocol;
//! - `testing` (feature `testing`, for `[dev-dependencies]`): an async test host that runs an
//!   instrument in-process or as its own binary.
//!
//! It re-exports what an instrument author needs of the shared foundation ([`manifest`],
//! [`permission`], [`config`], [`Context`]) so that an instrument depends on this crate alone.
//!
//! # Features
// docs.rs marks the feature-gated modules (`--cfg docsrs`, nightly).
#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(feature = "document-features", doc = document_features::document_features!())]
#![cfg_attr(
    not(feature = "document-features"),
    doc = "(Build the docs with the `document-features` feature to list them here; docs.rs does.)"
)]

pub mod config;
mod entry;
mod error;
#[cfg(any(feature = "onnx", feature = "http"))]
mod grant;
mod instrument;
mod io;
pub mod manifest;
pub mod methods;
mod micros;
pub mod model;
pub mod permission;
pub mod pipeline;
pub mod prelude;
#[cfg(any(feature = "onnx", feature = "http"))]
mod probe;
pub mod serve;
mod tensor;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;

#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub mod http;
#[cfg(feature = "onnx")]
#[cfg_attr(docsrs, doc(cfg(feature = "onnx")))]
pub mod onnx;

pub use entry::run;
pub use error::InstrumentError;
pub use instrument::{ChunkStream, Health, Instrument, Modality, ModelCapabilities, ModelInfo};
pub use io::{ChatMessage, Inference, InferenceInput, InferenceOutput, StreamChunk, Usage};
pub use model::{Limits, ModelConfig, ModelConfigError, ModelSource, OnnxRuntime};
pub use pipeline::Pipeline;
pub use tensor::{DataType, Tensor, TensorData, TensorError};

/// The terms of a session, settled during `initialize` and handed to the extension's setup
/// function: the host's params, the permission [`Policy`](permission::Policy) (check every
/// resource against it before touching it), the validated config values and the manifest.
#[doc(inline)]
pub use symphony_core::serve::Context;

#[doc(inline)]
pub use symphony_core::embed_manifest;
