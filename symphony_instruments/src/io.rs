//! What goes into an instrument and what comes out: text, chat messages, embeddings and
//! named tensors, plus the usage of each call. All of it travels as JSON in the protocol.

use std::collections::BTreeMap;
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tensor::Tensor;

/// One message of a chat conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ChatMessage {
    /// `system`, `user`, `assistant` or `tool`.
    pub role: String,
    /// The message text.
    pub content: String,
}

impl ChatMessage {
    /// A message with `role` and `content`.
    pub fn new(role: impl Into<String>, content: impl Into<String>) -> Self {
        ChatMessage {
            role: role.into(),
            content: content.into(),
        }
    }
}

/// The input of one inference call.
///
/// # On the wire
///
/// `{"type": <kind>, "value": <value>}`, one of:
///
/// ```json
/// {"type": "text", "value": "Is this email spam?"}
/// {"type": "chat", "value": [{"role": "user", "content": "hello"}]}
/// {"type": "embed", "value": ["first text", "second text"]}
/// {"type": "tensors", "value": {"X": {"shape": [1, 4], "dtype": "float32", "values": [5.1, 3.5, 1.4, 0.2]}}}
/// ```
///
/// `tensors` maps each of the model's input names to a [`Tensor`]. The JSON Schema is
/// [`Infer::params_schema`](crate::methods::Infer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", content = "value", rename_all = "camelCase")]
#[non_exhaustive]
pub enum InferenceInput {
    /// A prompt or a text to classify.
    Text(String),
    /// A chat conversation.
    Chat(Vec<ChatMessage>),
    /// Texts to embed, one vector each.
    Embed(Vec<String>),
    /// Named input tensors (`{"X": {"shape": [1, 4], "dtype": "float32", "values": [...]}}`);
    /// for a batching model each tensor holds one item (batch dimension 1 or absent, as the
    /// model's inputs declare).
    Tensors(BTreeMap<String, Tensor>),
}

impl InferenceInput {
    /// The variant's name as used on the wire, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            InferenceInput::Text(_) => "text",
            InferenceInput::Chat(_) => "chat",
            InferenceInput::Embed(_) => "embed",
            InferenceInput::Tensors(_) => "tensors",
        }
    }
}

/// The output of one inference call: `{"type": "text" | "embeddings" | "tensors", "value": …}`,
/// tensors in the same form as [`InferenceInput`]'s.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", content = "value", rename_all = "camelCase")]
#[non_exhaustive]
pub enum InferenceOutput {
    /// Generated text.
    Text(String),
    /// One vector per input text.
    Embeddings(Vec<Vec<f32>>),
    /// Named output tensors.
    Tensors(BTreeMap<String, Tensor>),
}

/// What one call cost.
///
/// Times travel as whole microseconds, in fields whose names end in `Us` (as
/// [`MetricsSnapshot::total_latency`](crate::pipeline::MetricsSnapshot::total_latency) does).
/// [`Usage::default`] is one unbatched item that took no measurable time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    /// Tokens read (remote models report these).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_tokens: Option<u64>,
    /// Tokens generated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_tokens: Option<u64>,
    /// Time spent computing this item (for a batch: the batch's time divided among its
    /// items); `computeTimeUs` on the wire, in whole microseconds.
    #[serde(default, rename = "computeTimeUs", with = "crate::micros")]
    #[schemars(with = "u64")]
    pub compute_time: Duration,
    /// How many items ran together in the model call that computed this one: 1 for an
    /// unbatched call. A [`Pipeline`](crate::Pipeline) sets it from the batch it formed.
    #[serde(default = "one")]
    pub batch_size: usize,
    /// Estimated cost in US dollars, when the model has a price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_usd: Option<f64>,
}

fn one() -> usize {
    1
}

impl Default for Usage {
    fn default() -> Self {
        Usage {
            prompt_tokens: None,
            completion_tokens: None,
            compute_time: Duration::ZERO,
            batch_size: one(),
            cost_usd: None,
        }
    }
}

/// A finished inference: its output and what it cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Inference {
    /// The result.
    pub output: InferenceOutput,
    /// What it cost.
    pub usage: Usage,
}

impl Inference {
    /// An inference with `output` and `usage`.
    pub fn new(output: InferenceOutput, usage: Usage) -> Self {
        Inference { output, usage }
    }
}

/// One piece of a streamed inference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StreamChunk {
    /// The text generated since the previous chunk.
    pub delta: String,
    /// Usage, on the last chunk when the model reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::TensorData;

    #[test]
    fn input_wire_form() {
        let mut tensors = BTreeMap::new();
        tensors.insert(
            "x".to_owned(),
            Tensor::new(vec![1], TensorData::Float32(vec![0.5])).unwrap(),
        );
        let json = serde_json::to_value(InferenceInput::Tensors(tensors)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"type": "tensors", "value": {"x": {"shape": [1], "dtype": "float32", "values": [0.5]}}})
        );
        let chat: InferenceInput = serde_json::from_value(
            serde_json::json!({"type": "chat", "value": [{"role": "user", "content": "hi"}]}),
        )
        .unwrap();
        assert_eq!(
            chat,
            InferenceInput::Chat(vec![ChatMessage::new("user", "hi")])
        );
    }
}
