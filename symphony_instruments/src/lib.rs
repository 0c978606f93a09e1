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
//! - [`serve`]: the async extension loop on tokio, speaking the Orchestra Kit protocol.
//!
//! It re-exports the shared foundation an extension author needs (manifest, permissions,
//! configuration) so that an instrument depends on this crate alone.
//!
//! # Features
#![cfg_attr(feature = "document-features", doc = document_features::document_features!())]
#![cfg_attr(
    not(feature = "document-features"),
    doc = "(Build the docs with the `document-features` feature to list them here; docs.rs does.)"
)]

mod error;
#[cfg(any(feature = "onnx", feature = "http"))]
mod grant;
mod instrument;
mod io;
pub mod model;
pub mod pipeline;
pub mod prelude;
#[cfg(any(feature = "onnx", feature = "http"))]
mod probe;
pub mod serve;
mod tensor;

#[cfg(feature = "http")]
pub mod http;
#[cfg(feature = "onnx")]
pub mod onnx;

pub use error::InstrumentError;
pub use instrument::{ChunkStream, Health, Instrument, Modality, ModelCapabilities, ModelInfo};
pub use io::{ChatMessage, Chunk, Inference, InferenceInput, InferenceOutput, Usage};
pub use model::{Limits, ModelConfig, ModelConfigError, ModelSource, OnnxRuntime};
pub use pipeline::Pipeline;
pub use tensor::{DataType, Tensor, TensorData, TensorError};

pub use symphony_core::{config, embed_manifest, manifest, permission, sandbox, version};
