//! The `instrument/…` methods, each defined once: its name, its params type and its result
//! type. The serve loop dispatches on these definitions and a host calls through them
//! (`host.request::<methods::Infer>(&params)`), so neither spells a method name and both
//! agree on the JSON shapes, which are published as JSON Schema
//! ([`Method::params_schema`], [`Method::result_schema`]).
//!
//! | method | params | result |
//! |---|---|---|
//! | [`Info`] | none | [`ModelInfo`] |
//! | [`Infer`] | [`InferParams`] `{"input": InferenceInput}` | [`Inference`] |
//! | [`Stream`] | [`InferParams`] | [`StreamEnd`], after one `$/progress {token: <request id>, value: StreamChunk}` per [`StreamChunk`](crate::StreamChunk) |
//! | [`Health`] | none | [`Health`](crate::Health) |
//! | [`WarmUp`] | none | `null` |
//! | [`Metrics`] | none | [`MetricsSnapshot`] |
//!
//! The input of [`Infer`] and [`Stream`] is an [`InferenceInput`], for example tensors:
//!
//! ```json
//! {"input": {"type": "tensors", "value": {"X": {"shape": [1, 4], "dtype": "float32", "values": [5.1, 3.5, 1.4, 0.2]}}}}
//! ```
//!
//! ```
//! use symphony_instruments::methods::{Infer, Method};
//!
//! assert_eq!(Infer::NAME, "instrument/infer");
//! let schema = Infer::params_schema();
//! // The schema spells out the tensor form, with an example.
//! let text = schema.to_string();
//! assert!(text.contains("\"dtype\"") && text.contains("\"float32\""), "{text}");
//! ```

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[doc(inline)]
pub use symphony_core::protocol::method::Method;

use crate::io::{Inference, InferenceInput, Usage};
use crate::pipeline::MetricsSnapshot;
use crate::{Health as HealthStatus, ModelInfo};

/// `instrument/info`: who the model is and what it can do.
#[derive(Debug)]
pub enum Info {}

impl Method for Info {
    const NAME: &'static str = "instrument/info";
    type Params = ();
    type Result = ModelInfo;
}

/// `instrument/infer`: runs one inference through the pipeline (queued, batched with
/// concurrent requests when the model batches, retried, timed out).
#[derive(Debug)]
pub enum Infer {}

impl Method for Infer {
    const NAME: &'static str = "instrument/infer";
    type Params = InferParams;
    type Result = Inference;
}

/// `instrument/stream`: runs one streamed inference. Each chunk arrives as a `$/progress`
/// notification whose `token` is the request's id and whose `value` is a
/// [`StreamChunk`](crate::StreamChunk); the answer comes after the last one.
#[derive(Debug)]
pub enum Stream {}

impl Method for Stream {
    const NAME: &'static str = "instrument/stream";
    type Params = InferParams;
    type Result = StreamEnd;
}

/// `instrument/health`: whether the model can serve.
#[derive(Debug)]
pub enum Health {}

impl Method for Health {
    const NAME: &'static str = "instrument/health";
    type Params = ();
    type Result = HealthStatus;
}

/// `instrument/warmUp`: prepares the model so that the first real request is not slow.
#[derive(Debug)]
pub enum WarmUp {}

impl Method for WarmUp {
    const NAME: &'static str = "instrument/warmUp";
    type Params = ();
    type Result = ();
}

/// `instrument/metrics`: the pipeline's counters.
#[derive(Debug)]
pub enum Metrics {}

impl Method for Metrics {
    const NAME: &'static str = "instrument/metrics";
    type Params = ();
    type Result = MetricsSnapshot;
}

/// Every method an instrument extension serves, as announced in its capabilities.
pub const ALL: &[&str] = &[
    Info::NAME,
    Infer::NAME,
    Stream::NAME,
    Health::NAME,
    WarmUp::NAME,
    Metrics::NAME,
];

/// The params of [`Infer`] and [`Stream`]: `{"input": InferenceInput}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct InferParams {
    /// What to run the model on: text, a chat, texts to embed, or named tensors.
    pub input: InferenceInput,
}

impl InferParams {
    /// Params carrying `input`.
    pub fn new(input: InferenceInput) -> Self {
        InferParams { input }
    }
}

impl From<InferenceInput> for InferParams {
    fn from(input: InferenceInput) -> Self {
        InferParams::new(input)
    }
}

/// The answer of [`Stream`], once every chunk is sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct StreamEnd {
    /// How many chunks were sent as `$/progress`.
    pub chunks: u64,
    /// The usage the model reported on its last chunk, if it did.
    pub usage: Option<Usage>,
}

impl StreamEnd {
    /// The end of a stream of `chunks` chunks.
    pub fn new(chunks: u64, usage: Option<Usage>) -> Self {
        StreamEnd { chunks, usage }
    }
}
