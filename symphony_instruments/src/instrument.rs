//! The [`Instrument`] trait: what a model wrapper implements.

use std::pin::Pin;

use async_trait::async_trait;
use futures_core::Stream;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::InstrumentError;
use crate::io::{Inference, InferenceInput, StreamChunk};

/// A stream of generated chunks; dropping it stops the generation.
pub type ChunkStream = Pin<Box<dyn Stream<Item = Result<StreamChunk, InstrumentError>> + Send>>;

/// A kind of data a model reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum Modality {
    /// Plain text.
    Text,
    /// Chat conversations.
    Chat,
    /// Embedding vectors.
    Embedding,
    /// Typed tensors.
    Tensor,
}

/// What the pipeline may ask of a model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModelCapabilities {
    /// Whether [`Instrument::infer_stream`] produces chunks.
    pub streaming: bool,
    /// Whether [`Instrument::infer_batch`] runs several inputs in one pass.
    pub batching: bool,
    /// The largest batch the model accepts (1 when it does not batch).
    pub max_batch: usize,
}

impl Default for ModelCapabilities {
    fn default() -> Self {
        ModelCapabilities {
            streaming: false,
            batching: false,
            max_batch: 1,
        }
    }
}

/// Who a model is and what it can do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModelInfo {
    /// The model's id (a file stem, or the remote model's name).
    pub id: String,
    /// What it reads.
    pub inputs: Vec<Modality>,
    /// What it writes.
    pub outputs: Vec<Modality>,
    /// What the pipeline may ask of it.
    pub capabilities: ModelCapabilities,
}

impl ModelInfo {
    /// A model called `id` that reads `inputs` and writes `outputs`, with the default
    /// capabilities (no streaming, no batching).
    pub fn new(
        id: impl Into<String>,
        inputs: impl IntoIterator<Item = Modality>,
        outputs: impl IntoIterator<Item = Modality>,
    ) -> Self {
        ModelInfo {
            id: id.into(),
            inputs: inputs.into_iter().collect(),
            outputs: outputs.into_iter().collect(),
            capabilities: ModelCapabilities::default(),
        }
    }

    /// This model with `capabilities`.
    #[must_use]
    pub fn with_capabilities(mut self, capabilities: ModelCapabilities) -> Self {
        self.capabilities = capabilities;
        self
    }
}

/// Whether a model can serve requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "status", rename_all = "camelCase")]
#[non_exhaustive]
pub enum Health {
    /// Ready for requests.
    Ready,
    /// Serving, but impaired.
    Degraded {
        /// Why.
        reason: String,
    },
    /// Cannot serve.
    Unavailable {
        /// Why.
        reason: String,
    },
}

/// A model wrapped for Symphony.
///
/// Object safe, so a host can pool instruments as `Arc<dyn Instrument>`. Implement
/// [`infer`](Self::infer); override [`infer_batch`](Self::infer_batch) when the model runs a
/// batch faster than its items one by one, and [`infer_stream`](Self::infer_stream) when it
/// generates incrementally. Calls normally go through a [`Pipeline`](crate::Pipeline), which
/// adds queueing, batching, limits, timeouts and retries.
///
/// ```
/// use async_trait::async_trait;
/// use symphony_instruments::{
///     Inference, InferenceInput, InferenceOutput, Instrument, InstrumentError, ModelInfo, Usage,
/// };
///
/// struct Shout(ModelInfo);
///
/// #[async_trait]
/// impl Instrument for Shout {
///     fn info(&self) -> &ModelInfo {
///         &self.0
///     }
///     async fn infer(&self, input: InferenceInput) -> Result<Inference, InstrumentError> {
///         match input {
///             InferenceInput::Text(text) => Ok(Inference::new(
///                 InferenceOutput::Text(text.to_uppercase()),
///                 Usage::default(),
///             )),
///             other => Err(InstrumentError::invalid_input(format!(
///                 "expected text, got {}",
///                 other.kind()
///             ))),
///         }
///     }
/// }
/// ```
#[async_trait]
pub trait Instrument: Send + Sync {
    /// The model's identity and capabilities.
    fn info(&self) -> &ModelInfo;

    /// Prepares the model (loads weights, runs a first inference) so that the first real
    /// request is not slow. The default does nothing.
    ///
    /// # Errors
    ///
    /// Why the model cannot be made ready.
    async fn warm_up(&self) -> Result<(), InstrumentError> {
        Ok(())
    }

    /// Runs one inference.
    ///
    /// # Errors
    ///
    /// Invalid input, or a backend failure.
    async fn infer(&self, input: InferenceInput) -> Result<Inference, InstrumentError>;

    /// Runs several inferences, returning one result per input in order. The default runs
    /// them one by one.
    ///
    /// # Errors
    ///
    /// A failure of the whole batch; the pipeline then reports it to every caller.
    async fn infer_batch(
        &self,
        inputs: Vec<InferenceInput>,
    ) -> Result<Vec<Result<Inference, InstrumentError>>, InstrumentError> {
        let mut results = Vec::with_capacity(inputs.len());
        for input in inputs {
            results.push(self.infer(input).await);
        }
        Ok(results)
    }

    /// Starts a streamed inference. The default says streaming is unsupported.
    ///
    /// # Errors
    ///
    /// Invalid input, a backend failure, or [`InstrumentError::Unsupported`].
    async fn infer_stream(&self, input: InferenceInput) -> Result<ChunkStream, InstrumentError> {
        let _ = input;
        Err(InstrumentError::Unsupported {
            model: self.info().id.clone(),
            operation: "streaming",
        })
    }

    /// Whether the model can serve. The default says it can.
    async fn health(&self) -> Health {
        Health::Ready
    }

    /// Releases the model's resources; called once, after the last request.
    ///
    /// # Errors
    ///
    /// What could not be released cleanly.
    async fn shutdown(&self) -> Result<(), InstrumentError> {
        Ok(())
    }
}
