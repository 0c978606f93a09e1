//! What an instrument author needs, in one import: `use symphony_instruments::prelude::*;`.
//!
//! Free of name clashes with the other kinds' preludes, so that the umbrella `symphony`
//! can glob all three.

pub use crate::{
    ChatMessage, ChunkStream, Context, Health, Inference, InferenceInput, InferenceOutput,
    Instrument, InstrumentError, Limits, Modality, ModelCapabilities, ModelConfig, ModelInfo,
    Pipeline, StreamChunk, Tensor, Usage,
};
/// The attribute every `impl Instrument` carries: the trait has `async fn`s and is object
/// safe, which native `async fn` in traits is not yet.
pub use async_trait::async_trait;
/// [`Pipeline::new`](crate::Pipeline::new) takes the instrument as an `Arc<dyn Instrument>`.
pub use std::sync::Arc;
