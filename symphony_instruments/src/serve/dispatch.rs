//! The dispatch of requests to the [`methods`](crate::methods): each arm decodes the method's
//! params type and answers with its result type.

use futures_util::StreamExt;
use symphony_core::protocol::method::Method;
use symphony_core::protocol::{
    ErrorCode, ErrorObject, ProgressParams, RawValue, Request, method, to_raw,
};

use super::outbox::Outbox;
use crate::io::Usage;
use crate::methods::{Health, Infer, InferParams, Info, Metrics, Stream, StreamEnd, WarmUp};
use crate::pipeline::Pipeline;

pub(super) fn null() -> Box<RawValue> {
    // `null` is valid JSON, so this cannot fail.
    to_raw(&()).unwrap_or_default()
}

/// Serialises `M`'s result: the type checks that each arm answers what its method promises.
fn reply<M: Method>(value: &M::Result) -> Result<Box<RawValue>, ErrorObject> {
    to_raw(value).map_err(|error| {
        ErrorObject::new(
            ErrorCode::ExtensionFailed,
            format!("the result cannot be serialised: {error}"),
        )
    })
}

/// `M`'s params, or the `InvalidParams` error naming what is wrong with them.
fn params<M: Method>(request: &Request) -> Result<M::Params, ErrorObject> {
    request.params_as()
}

pub(super) async fn handle(
    pipeline: &Pipeline,
    request: &Request,
    outbox: &Outbox,
) -> Result<Box<RawValue>, ErrorObject> {
    let instrument = pipeline.instrument();
    // The methods without params ignore whatever params a host sends, as they always have.
    match request.method.as_str() {
        Info::NAME => reply::<Info>(instrument.info()),
        Health::NAME => reply::<Health>(&instrument.health().await),
        Metrics::NAME => reply::<Metrics>(&pipeline.metrics()),
        WarmUp::NAME => {
            instrument
                .warm_up()
                .await
                .map_err(|error| error.to_error_object())?;
            reply::<WarmUp>(&())
        }
        Infer::NAME => {
            let InferParams { input } = params::<Infer>(request)?;
            let inference = pipeline
                .infer(input)
                .await
                .map_err(|error| error.to_error_object())?;
            reply::<Infer>(&inference)
        }
        Stream::NAME => {
            let InferParams { input } = params::<Stream>(request)?;
            reply::<Stream>(&stream(pipeline, request, input, outbox).await?)
        }
        other => Err(ErrorObject::method_not_found(other)),
    }
}

/// Sends each chunk as `$/progress` (token: the request's id) and returns the summary.
async fn stream(
    pipeline: &Pipeline,
    request: &Request,
    input: crate::InferenceInput,
    outbox: &Outbox,
) -> Result<StreamEnd, ErrorObject> {
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
    Ok(StreamEnd::new(chunks, usage))
}
