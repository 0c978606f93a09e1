//! The `instrument/…` methods: params in, result out.

use crate::io::{InferenceInput, Usage};
use crate::pipeline::Pipeline;
use futures_util::StreamExt;
use serde::Deserialize;
use symphony_core::protocol::{
    ErrorCode, ErrorObject, ProgressParams, RawValue, Request, method, to_raw,
};

use super::outbox::Outbox;

/// The methods an instrument extension implements.
pub(super) const NAMES: &[&str] = &[
    "instrument/info",
    "instrument/infer",
    "instrument/stream",
    "instrument/health",
    "instrument/warmUp",
    "instrument/metrics",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InputParams {
    input: InferenceInput,
}

pub(super) fn null() -> Box<RawValue> {
    // `null` is valid JSON, so this cannot fail.
    to_raw(&()).unwrap_or_default()
}

fn result<T: serde::Serialize>(value: &T) -> Result<Box<RawValue>, ErrorObject> {
    to_raw(value).map_err(|error| {
        ErrorObject::new(
            ErrorCode::ExtensionFailed,
            format!("the result cannot be serialised: {error}"),
        )
    })
}

pub(super) async fn handle(
    pipeline: &Pipeline,
    request: &Request,
    outbox: &Outbox,
) -> Result<Box<RawValue>, ErrorObject> {
    let instrument = pipeline.instrument();
    match request.method.as_str() {
        "instrument/info" => result(instrument.info()),
        "instrument/health" => result(&instrument.health().await),
        "instrument/metrics" => result(&pipeline.metrics()),
        "instrument/warmUp" => {
            instrument
                .warm_up()
                .await
                .map_err(|error| error.to_error_object())?;
            Ok(null())
        }
        "instrument/infer" => {
            let InputParams { input } = request.params_as()?;
            let inference = pipeline
                .infer(input)
                .await
                .map_err(|error| error.to_error_object())?;
            result(&inference)
        }
        "instrument/stream" => {
            let InputParams { input } = request.params_as()?;
            let mut stream = pipeline
                .stream(input)
                .await
                .map_err(|error| error.to_error_object())?;
            let mut chunks = 0u64;
            let mut usage: Option<Usage> = None;
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|error| error.to_error_object())?;
                chunks += 1;
                if chunk.usage.is_some() {
                    usage.clone_from(&chunk.usage);
                }
                let cannot_send = |error: &dyn std::fmt::Display| {
                    ErrorObject::new(
                        ErrorCode::ExtensionFailed,
                        format!("chunk {chunks} cannot be sent: {error}"),
                    )
                };
                let value = serde_json::to_value(&chunk).map_err(|e| cannot_send(&e))?;
                let progress = ProgressParams {
                    token: request.id.clone(),
                    value,
                };
                // Waits while the host is not reading: the stream is held back, not buffered.
                outbox
                    .notify(method::PROGRESS, &progress)
                    .await
                    .map_err(|e| cannot_send(&e))?;
            }
            result(&serde_json::json!({ "chunks": chunks, "usage": usage }))
        }
        other => Err(ErrorObject::method_not_found(other)),
    }
}
