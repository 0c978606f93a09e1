//! The HTTP backend: a remote OpenAI-compatible endpoint (chat completions, with SSE
//! streaming, and embeddings) through `reqwest` with rustls.
//!
//! Every request is checked against the session's permission [`Policy`] first, and so is every
//! hop after it: each redirect before it is followed, and each address a host name resolves to
//! (against the host's deny rules), so neither a redirect nor a name can reach what the grant
//! does not. System proxies are not used (they would be a hop the policy never sees). Bodies
//! and stream events are counted as they arrive and refused past a limit. HTTP 429 and 5xx, and
//! connection failures, are retryable errors (with `Retry-After` when the server sent one),
//! which the [`Pipeline`](crate::Pipeline) retries with backoff; its timeout bounds each call.

mod body;
mod guard;
mod sse;

use std::time::{Duration, Instant};

use async_trait::async_trait;
use futures_util::StreamExt;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde_json::{Value, json};
use std::sync::Arc;
use symphony_core::config::Secret;

use symphony_core::permission::Policy;

use crate::error::InstrumentError;
use crate::instrument::{ChunkStream, Health, Instrument, Modality, ModelCapabilities, ModelInfo};
use crate::io::{ChatMessage, Inference, InferenceInput, InferenceOutput, StreamChunk, Usage};
use crate::model::{ModelConfig, ModelConfigError, ModelSource};
use crate::probe::HealthProbe;
use body::BodyError;
use guard::{Guard, GuardedResolver};
use sse::SseDecoder;

/// The largest response body read, so that a misbehaving server cannot exhaust memory.
const MAX_BODY: usize = 64 * 1024 * 1024;
/// How long a health probe waits for the endpoint.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);
/// The largest line or event of a stream.
const MAX_EVENT: usize = 4 * 1024 * 1024;
/// How much of an error response's body is read for its message.
const MAX_ERROR_SNIPPET: usize = 4 * 1024;

/// A model behind an OpenAI-compatible HTTP API.
#[derive(Debug)]
pub struct HttpInstrument {
    info: ModelInfo,
    client: reqwest::Client,
    endpoint: reqwest::Url,
    model: String,
    api_key: Option<Secret>,
    host: String,
    port: u16,
    guard: Arc<Guard>,
    health: HealthProbe,
}

impl HttpInstrument {
    /// A client for `model` at `endpoint` (the API base, e.g. `https://api.openai.com/v1`),
    /// allowed to connect where `policy` (the session's permission policy) allows, each call
    /// bounded by `timeout`.
    ///
    /// # Errors
    ///
    /// [`InstrumentError::Config`] when the endpoint is not an http(s) URL with a host.
    pub fn new(
        endpoint: &str,
        model: impl Into<String>,
        api_key: Option<Secret>,
        policy: Arc<Policy>,
        timeout: Duration,
    ) -> Result<Self, InstrumentError> {
        let invalid = |reason: String| ModelConfigError::Invalid {
            field: "endpoint",
            reason,
        };
        let mut url = reqwest::Url::parse(endpoint)
            .map_err(|error| invalid(format!("`{endpoint}` is not a URL: {error}")))?;
        let host = url
            .host_str()
            .ok_or_else(|| invalid(format!("`{endpoint}` has no host")))?
            .to_owned();
        let port = url
            .port_or_known_default()
            .ok_or_else(|| invalid(format!("`{endpoint}` has no port")))?;
        // `join` treats the last segment as a file unless the path ends with `/`.
        if !url.path().ends_with('/') {
            url.set_path(&format!("{}/", url.path()));
        }
        let guard = Guard::new(policy);
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .no_proxy()
            .redirect(guard.redirect_policy())
            .dns_resolver(Arc::new(GuardedResolver(Arc::clone(&guard))))
            .build()
            .map_err(|error| InstrumentError::backend("http", error.to_string()))?;
        let model = model.into();
        Ok(HttpInstrument {
            info: ModelInfo {
                id: model.clone(),
                inputs: vec![Modality::Text, Modality::Chat],
                outputs: vec![Modality::Text, Modality::Embedding],
                capabilities: ModelCapabilities {
                    streaming: true,
                    batching: false,
                    max_batch: 1,
                },
            },
            client,
            endpoint: url,
            model,
            api_key,
            host,
            port,
            guard,
            health: HealthProbe::default(),
        })
    }

    /// The instrument a [`ModelConfig`] with a remote source describes.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new); [`InstrumentError::Config`] when the source is not remote.
    pub fn from_config(config: &ModelConfig, policy: &Policy) -> Result<Self, InstrumentError> {
        match &config.source {
            ModelSource::Remote {
                endpoint,
                model,
                api_key,
            } => Self::new(
                endpoint,
                model.clone(),
                api_key.clone(),
                Arc::new(policy.clone()),
                config.limits.timeout,
            ),
            _ => Err(ModelConfigError::Invalid {
                field: "backend",
                reason: "the HTTP backend needs `backend = \"http\"`".into(),
            }
            .into()),
        }
    }

    fn fail(
        &self,
        message: String,
        retryable: bool,
        retry_after: Option<Duration>,
    ) -> InstrumentError {
        InstrumentError::Backend {
            model: self.model.clone(),
            message,
            retryable,
            retry_after,
        }
    }

    async fn post(&self, path: &str, body: &Value) -> Result<reqwest::Response, InstrumentError> {
        let url = self
            .endpoint
            .join(path)
            .map_err(|error| self.fail(error.to_string(), false, None))?;
        self.guard.require(&url)?;
        let mut request = self.client.post(url).json(body);
        if let Some(key) = &self.api_key {
            request = request.bearer_auth(key.expose());
        }
        let response = request
            .send()
            .await
            .map_err(|error| self.transport_error(&error))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let retry_after = retry_after(response.headers());
        let body = body::read_prefix(response, MAX_ERROR_SNIPPET).await;
        let snippet: String = body.chars().take(300).collect();
        let retryable = status.as_u16() == 429 || status.is_server_error();
        Err(self.fail(
            format!("{}:{} answered {status}: {snippet}", self.host, self.port),
            retryable,
            retry_after,
        ))
    }

    fn transport_error(&self, error: &reqwest::Error) -> InstrumentError {
        // A hop the policy refused is final, never retried.
        if let Some(refusal) = Guard::refusal(error) {
            return refusal;
        }
        if error.is_timeout() {
            return self.fail(
                format!("{}:{} did not answer in time", self.host, self.port),
                true,
                None,
            );
        }
        // The chain says what actually failed (refused, reset, DNS …).
        let mut message = format!("cannot reach {}:{}: {error}", self.host, self.port);
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            message.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        self.fail(message, true, None)
    }

    async fn json(&self, response: reqwest::Response) -> Result<Value, InstrumentError> {
        let url = response.url().clone();
        let bytes = body::read_limited(response, MAX_BODY)
            .await
            .map_err(|error| match error {
                BodyError::TooLarge => self.fail(
                    format!("the response of {url} is larger than the limit of {MAX_BODY} bytes"),
                    false,
                    None,
                ),
                BodyError::Transport(error) => self.transport_error(&error),
            })?;
        serde_json::from_slice(&bytes).map_err(|error| {
            let snippet: String = String::from_utf8_lossy(&bytes).chars().take(200).collect();
            self.fail(
                format!("the response of {url} is not JSON ({error}): {snippet}"),
                false,
                None,
            )
        })
    }

    fn messages(&self, input: InferenceInput) -> Result<Vec<ChatMessage>, InstrumentError> {
        match input {
            InferenceInput::Text(text) => Ok(vec![ChatMessage::new("user", text)]),
            InferenceInput::Chat(messages) if !messages.is_empty() => Ok(messages),
            InferenceInput::Chat(_) => {
                Err(InstrumentError::invalid_input("the chat has no messages"))
            }
            other => Err(InstrumentError::invalid_input(format!(
                "model `{}` takes text, chat or embed input, got {}",
                self.model,
                other.kind()
            ))),
        }
    }

    async fn chat(&self, messages: Vec<ChatMessage>) -> Result<Inference, InstrumentError> {
        let started = Instant::now();
        let body = json!({"model": self.model, "messages": messages, "stream": false});
        let value = self
            .json(self.post("chat/completions", &body).await?)
            .await?;
        let text = value["choices"][0]["message"]["content"]
            .as_str()
            .ok_or_else(|| {
                self.fail(
                    format!("no choices[0].message.content in {value}"),
                    false,
                    None,
                )
            })?;
        Ok(Inference::new(
            InferenceOutput::Text(text.to_owned()),
            usage(&value["usage"], started.elapsed()),
        ))
    }

    async fn embed(&self, texts: Vec<String>) -> Result<Inference, InstrumentError> {
        let started = Instant::now();
        let body = json!({"model": self.model, "input": texts});
        let value = self.json(self.post("embeddings", &body).await?).await?;
        let missing = || self.fail(format!("no data[].embedding in {value}"), false, None);
        let mut rows: Vec<(u64, Vec<f32>)> = value["data"]
            .as_array()
            .ok_or_else(missing)?
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let vector = item["embedding"].as_array().ok_or_else(missing)?;
                let vector = vector
                    .iter()
                    .map(|x| x.as_f64().map(|x| x as f32).ok_or_else(missing))
                    .collect::<Result<Vec<f32>, _>>()?;
                Ok((item["index"].as_u64().unwrap_or(i as u64), vector))
            })
            .collect::<Result<_, InstrumentError>>()?;
        if rows.len() != texts.len() {
            return Err(self.fail(
                format!("{} embeddings for {} texts", rows.len(), texts.len()),
                false,
                None,
            ));
        }
        rows.sort_by_key(|(index, _)| *index);
        Ok(Inference::new(
            InferenceOutput::Embeddings(rows.into_iter().map(|(_, v)| v).collect()),
            usage(&value["usage"], started.elapsed()),
        ))
    }
}

impl HttpInstrument {
    async fn probe(&self) -> Health {
        if let Err(error) = self.guard.require(&self.endpoint) {
            return Health::Unavailable {
                reason: error.to_string(),
            };
        }
        let request = self
            .client
            .head(self.endpoint.clone())
            .timeout(PROBE_TIMEOUT);
        match request.send().await {
            Ok(response) if response.status().is_server_error() => Health::Degraded {
                reason: format!("{} answered {}", self.endpoint, response.status()),
            },
            Ok(_) => Health::Ready,
            Err(error) => Health::Unavailable {
                reason: self.transport_error(&error).to_string(),
            },
        }
    }
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    // Seconds; the HTTP-date form is rare from APIs and treated as absent.
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

fn usage(value: &Value, elapsed: Duration) -> Usage {
    Usage {
        prompt_tokens: value["prompt_tokens"].as_u64(),
        completion_tokens: value["completion_tokens"].as_u64(),
        compute_time: elapsed,
        ..Usage::default()
    }
}

#[async_trait]
impl Instrument for HttpInstrument {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    /// Ready when the endpoint is granted and answers a `HEAD` within a short timeout (any
    /// status below 500); degraded on a 5xx; unavailable, with the reason, when the policy
    /// refuses it or it cannot be reached. The answer is reused for a few seconds.
    async fn health(&self) -> Health {
        self.health.health(self.probe()).await
    }

    async fn infer(&self, input: InferenceInput) -> Result<Inference, InstrumentError> {
        match input {
            InferenceInput::Embed(texts) => self.embed(texts).await,
            other => {
                let messages = self.messages(other)?;
                self.chat(messages).await
            }
        }
    }

    async fn infer_stream(&self, input: InferenceInput) -> Result<ChunkStream, InstrumentError> {
        let messages = self.messages(input)?;
        let body = json!({
            "model": self.model,
            "messages": messages,
            "stream": true,
            "stream_options": {"include_usage": true},
        });
        let response = self.post("chat/completions", &body).await?;
        let model = self.model.clone();
        let url = response.url().to_string();
        let started = Instant::now();
        let state = (response.bytes_stream(), SseDecoder::new(MAX_EVENT), false);
        let chunks = futures_util::stream::unfold(state, move |(mut bytes, mut sse, done)| {
            let model = model.clone();
            let url = url.clone();
            async move {
                if done {
                    return None;
                }
                let fail = |message: String| InstrumentError::backend(model.clone(), message);
                let too_long = |limit: usize| {
                    fail(format!(
                        "a stream event of {url} is longer than the limit of {limit} bytes"
                    ))
                };
                loop {
                    let data = match sse.next_event() {
                        Err(sse::TooLong { limit }) => {
                            return Some((Err(too_long(limit)), (bytes, sse, true)));
                        }
                        Ok(Some(data)) => data,
                        Ok(None) => match bytes.next().await {
                            Some(Ok(more)) => {
                                if let Err(sse::TooLong { limit }) = sse.push(&more) {
                                    return Some((Err(too_long(limit)), (bytes, sse, true)));
                                }
                                continue;
                            }
                            Some(Err(error)) => {
                                let error = fail(format!("the stream broke off: {error}"));
                                return Some((Err(error), (bytes, sse, true)));
                            }
                            None => match sse.finish() {
                                Ok(Some(data)) => data,
                                Ok(None) => return None,
                                Err(sse::TooLong { limit }) => {
                                    return Some((Err(too_long(limit)), (bytes, sse, true)));
                                }
                            },
                        },
                    };
                    if data.trim() == "[DONE]" {
                        return None;
                    }
                    let event: Value = match serde_json::from_str(&data) {
                        Ok(event) => event,
                        Err(error) => {
                            let snippet: String = data.chars().take(200).collect();
                            let error =
                                fail(format!("a stream event is not JSON ({error}): {snippet}"));
                            return Some((Err(error), (bytes, sse, true)));
                        }
                    };
                    let delta = event["choices"][0]["delta"]["content"]
                        .as_str()
                        .unwrap_or("");
                    let usage = event
                        .get("usage")
                        .filter(|usage| usage.is_object())
                        .map(|value| usage(value, started.elapsed()));
                    if delta.is_empty() && usage.is_none() {
                        continue;
                    }
                    let chunk = StreamChunk {
                        delta: delta.to_owned(),
                        usage,
                    };
                    return Some((Ok(chunk), (bytes, sse, false)));
                }
            }
        });
        Ok(Box::pin(chunks))
    }
}
