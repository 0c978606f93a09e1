//! The async serve loop of an instrument extension binary, on tokio.
//!
//! It is the tokio twin of `symphony_core::serve`: the same sans-IO codec
//! ([`symphony_core::codec`]) and protocol types, the same handshake and shutdown rules, with
//! requests running as tasks so that many inferences are in flight at once (and batch).
//!
//! | method | params | result |
//! |---|---|---|
//! | `instrument/info` | — | [`ModelInfo`](crate::ModelInfo) |
//! | `instrument/infer` | `{"input": InferenceInput}` | [`Inference`](crate::Inference) |
//! | `instrument/stream` | `{"input": InferenceInput}` | `{"chunks": n, "usage": …}` after `$/progress {token: <request id>, value: Chunk}` per chunk |
//! | `instrument/health` | — | [`Health`](crate::Health) |
//! | `instrument/warmUp` | — | `null` |
//! | `instrument/metrics` | — | [`MetricsSnapshot`](crate::pipeline::MetricsSnapshot) |
//!
//! `$/cancelRequest` stops a request: queued work is dropped, a stream stops, and the request
//! is answered with the `Cancelled` error. A failing request is answered with an error; the
//! extension keeps serving.

mod methods;
mod outbox;

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use symphony_core::codec::Decoder;
use symphony_core::config::ConfigValues;
use symphony_core::manifest::Manifest;
use symphony_core::permission::Policy;
use symphony_core::protocol::{
    CancelParams, Capabilities, DEFAULT_MAX_MESSAGE_SIZE, ErrorCode, ErrorObject, Id,
    InitializeParams, InitializeResult, Message, Notification, PROTOCOL_VERSION, Request, Response,
    method,
};
pub use symphony_core::serve::{Exit, log};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite};
use tokio::sync::oneshot;
use tokio::task::JoinSet;

use crate::error::InstrumentError;
use crate::model::ModelConfig;
use crate::pipeline::Pipeline;
use outbox::Outbox;

/// What the extension's start function receives once the host said `initialize`.
#[derive(Debug)]
#[non_exhaustive]
pub struct Start {
    /// The host's `initialize` params (grants, workspace roots …).
    pub params: InitializeParams,
    /// The host's config values, validated against the manifest's `[config]` schema.
    pub values: ConfigValues,
    /// The extension's manifest.
    pub manifest: Manifest,
    /// The permission policy of the session: the manifest's request, the host's grants and
    /// workspace roots; check every resource against it before touching it.
    pub policy: Arc<Policy>,
}

impl Start {
    /// The model configuration from the manifest's `[instrument.model]` table and the host's
    /// values; relative paths resolve against `base_dir` (typically the directory of the
    /// extension's `symphony.toml`).
    ///
    /// # Errors
    ///
    /// [`InstrumentError::Config`] naming the field.
    pub fn model_config(
        &self,
        base_dir: impl Into<PathBuf>,
    ) -> Result<ModelConfig, InstrumentError> {
        let section =
            self.manifest
                .instrument()
                .ok_or(crate::model::ModelConfigError::Missing {
                    field: "backend",
                    hint: "the manifest has no [instrument] section",
                })?;
        Ok(ModelConfig::from_section(
            section,
            &self.values,
            &base_dir.into(),
        )?)
    }
}

/// Serves an instrument over stdin/stdout until the host says `exit`; returns the exit code.
///
/// `start` runs during `initialize` and builds the [`Pipeline`] (loading the model); its
/// error fails the handshake with a message the host shows the user.
///
/// ```no_run
/// use std::sync::Arc;
/// use symphony_instruments::serve::{Start, serve};
/// use symphony_instruments::{Instrument, InstrumentError, Pipeline};
///
/// # async fn load(_: &Start) -> Result<Arc<dyn Instrument>, InstrumentError> { unimplemented!() }
/// #[tokio::main]
/// async fn main() -> std::process::ExitCode {
///     let manifest = symphony_instruments::manifest::Manifest::from_toml_str("…").unwrap();
///     serve(manifest, |start: Start| async move {
///         let instrument = load(&start).await?;
///         Ok(Pipeline::new(instrument, start.model_config(".")?.limits))
///     })
///     .await
/// }
/// ```
pub async fn serve<F, Fut>(manifest: Manifest, start: F) -> ExitCode
where
    F: FnOnce(Start) -> Fut,
    Fut: Future<Output = Result<Pipeline, InstrumentError>>,
{
    let exit = serve_io(manifest, start, tokio::io::stdin(), tokio::io::stdout()).await;
    if let Exit::ReadFailed { error } = &exit {
        tracing::error!(%error, "reading from the host failed");
    }
    ExitCode::from(exit.code())
}

/// Serves over any byte streams (in-process hosting, tests); [`serve`] is this over stdio.
pub async fn serve_io<F, Fut, R, W>(manifest: Manifest, start: F, mut reader: R, writer: W) -> Exit
where
    F: FnOnce(Start) -> Fut,
    Fut: Future<Output = Result<Pipeline, InstrumentError>>,
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (outbox, writer_task) = Outbox::spawn(writer);
    let mut session = Session {
        manifest,
        start: Some(start),
        pipeline: None,
        outbox,
        in_flight: Arc::new(Mutex::new(HashMap::new())),
        tasks: JoinSet::new(),
        shutting_down: false,
    };
    let mut decoder = Decoder::with_limit(DEFAULT_MAX_MESSAGE_SIZE);
    let exit = 'session: loop {
        let spare = decoder.spare();
        let read = match reader.read(spare).await {
            Ok(n) => n,
            Err(error) => {
                break Exit::ReadFailed {
                    error: error.to_string(),
                };
            }
        };
        if read == 0 {
            while let Some(message) = decoder.finish() {
                if let Some(exit) = session.on_message(message).await {
                    break 'session exit;
                }
            }
            break Exit::EndOfInput {
                after_shutdown: session.shutting_down,
            };
        }
        decoder.commit(read);
        while let Some(message) = decoder.next() {
            if let Some(exit) = session.on_message(message).await {
                break 'session exit;
            }
        }
    };
    session.end().await;
    drop(session);
    let _ = writer_task.await;
    exit
}

type Cancels = Arc<Mutex<HashMap<Id, oneshot::Sender<()>>>>;

struct Session<F> {
    manifest: Manifest,
    start: Option<F>,
    pipeline: Option<Pipeline>,
    outbox: Outbox,
    in_flight: Cancels,
    tasks: JoinSet<()>,
    shutting_down: bool,
}

impl<F, Fut> Session<F>
where
    F: FnOnce(Start) -> Fut,
    Fut: Future<Output = Result<Pipeline, InstrumentError>>,
{
    async fn on_message(
        &mut self,
        message: Result<Message, symphony_core::codec::DecodeError>,
    ) -> Option<Exit> {
        // Reap finished request tasks so the set does not grow.
        while self.tasks.try_join_next().is_some() {}
        match message {
            Err(error) => self.outbox.respond(error.to_response()),
            Ok(Message::Request(request)) => self.on_request(request).await,
            Ok(Message::Notification(notification)) => return self.on_notification(&notification),
            Ok(Message::Response(response)) => {
                tracing::warn!(id = ?response.id, "ignoring a response to no request");
            }
        }
        None
    }

    async fn on_request(&mut self, request: Request) {
        let fail = |code: ErrorCode, message: String| {
            Response::error(Some(request.id.clone()), ErrorObject::new(code, message))
        };
        let response = match (request.method.as_str(), &self.pipeline) {
            (method::INITIALIZE, None) if self.start.is_some() => {
                Some(self.initialize(&request).await)
            }
            (method::INITIALIZE, _) => Some(fail(
                ErrorCode::InvalidRequest,
                "`initialize` was already received; it may only be sent once".into(),
            )),
            (name, None) => Some(fail(
                ErrorCode::NotInitialized,
                format!("`{name}` arrived before `initialize`; send `initialize` first"),
            )),
            (name, Some(_)) if self.shutting_down => Some(fail(
                ErrorCode::ShuttingDown,
                format!("`{name}` arrived after `shutdown`; no new requests are accepted"),
            )),
            (method::SHUTDOWN, Some(pipeline)) => {
                self.shutting_down = true;
                let pipeline = pipeline.clone();
                while self.tasks.join_next().await.is_some() {}
                if let Err(error) = pipeline.shutdown().await {
                    tracing::warn!(%error, "the instrument did not shut down cleanly");
                }
                Some(Response::ok(request.id, methods::null()))
            }
            (_, Some(pipeline)) => {
                self.dispatch(pipeline.clone(), request);
                None
            }
        };
        if let Some(response) = response {
            self.outbox.respond(response);
        }
    }

    async fn initialize(&mut self, request: &Request) -> Response {
        let id = Some(request.id.clone());
        let params: InitializeParams = match request.params_as() {
            Ok(params) => params,
            Err(error) => return Response::error(id, error),
        };
        if let Err(error) = params.protocol_version.negotiate(PROTOCOL_VERSION) {
            return Response::error(
                id,
                ErrorObject::new(ErrorCode::IncompatibleVersion, error.to_string()),
            );
        }
        let values = match self
            .manifest
            .config()
            .validate(&Value::Object(params.config.clone()))
        {
            Ok(values) => values,
            Err(errors) => {
                return Response::error(
                    id,
                    ErrorObject::new(ErrorCode::InvalidConfig, errors.to_string()),
                );
            }
        };
        let policy = Policy::builder(self.manifest.permissions(), &params.grants)
            .workspace_roots(params.workspace_roots.iter().cloned())
            .build();
        let policy = match policy {
            Ok(policy) => Arc::new(policy),
            Err(error) => {
                return Response::error(
                    id,
                    ErrorObject::new(
                        ErrorCode::InvalidConfig,
                        format!("the grants are unusable: {error}"),
                    ),
                );
            }
        };
        let Some(start) = self.start.take() else {
            return Response::error(
                id,
                ErrorObject::new(ErrorCode::InvalidRequest, "already initialised"),
            );
        };
        let started = start(Start {
            params,
            values,
            manifest: self.manifest.clone(),
            policy,
        })
        .await;
        let pipeline = match started {
            Ok(pipeline) => pipeline,
            Err(error) => {
                let code = match error {
                    InstrumentError::Config(_) => ErrorCode::InvalidConfig,
                    _ => ErrorCode::ExtensionFailed,
                };
                return Response::error(id, ErrorObject::new(code, error.to_string()));
            }
        };
        let mut capabilities = Capabilities::new(methods::NAMES.iter().copied());
        capabilities.concurrency = pipeline.limits().max_concurrency;
        self.pipeline = Some(pipeline);
        let result = InitializeResult::new(self.manifest.clone(), capabilities);
        match symphony_core::protocol::to_raw(&result) {
            Ok(raw) => Response::ok(request.id.clone(), raw),
            Err(error) => Response::error(
                id,
                ErrorObject::new(ErrorCode::ExtensionFailed, error.to_string()),
            ),
        }
    }

    fn dispatch(&mut self, pipeline: Pipeline, request: Request) {
        let id = request.id.clone();
        let (cancel, cancelled) = oneshot::channel();
        {
            let mut in_flight = self
                .in_flight
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if in_flight.contains_key(&id) {
                drop(in_flight);
                self.outbox.respond(Response::error(
                    Some(id.clone()),
                    ErrorObject::new(
                        ErrorCode::InvalidRequest,
                        format!("id {id} is already used by a request in flight"),
                    ),
                ));
                return;
            }
            in_flight.insert(id.clone(), cancel);
        }
        let outbox = self.outbox.clone();
        let in_flight = Arc::clone(&self.in_flight);
        self.tasks.spawn(async move {
            // Dropping the handler's future on cancel drops the pipeline call, which removes
            // queued work and stops streams.
            let result = tokio::select! {
                result = methods::handle(&pipeline, &request, &outbox) => result,
                _ = cancelled => Err(InstrumentError::Cancelled.to_error_object()),
            };
            in_flight
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .remove(&id);
            outbox.respond(match result {
                Ok(raw) => Response::ok(id, raw),
                Err(error) => Response::error(Some(id), error),
            });
        });
    }

    fn on_notification(&mut self, notification: &Notification) -> Option<Exit> {
        match notification.method.as_str() {
            method::EXIT => Some(if self.shutting_down {
                Exit::Clean
            } else {
                Exit::WithoutShutdown
            }),
            method::CANCEL_REQUEST => {
                match notification.params_as::<CancelParams>() {
                    Ok(CancelParams { id }) => {
                        // Unknown ids are normal: the request may have just finished.
                        let cancel = self
                            .in_flight
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .remove(&id);
                        if let Some(cancel) = cancel {
                            let _ = cancel.send(());
                        }
                    }
                    Err(error) => tracing::warn!(%error, "ignoring a malformed $/cancelRequest"),
                }
                None
            }
            _ => None,
        }
    }

    /// The connection is over: requests still running are cancelled.
    async fn end(&mut self) {
        let cancels: Vec<_> = self
            .in_flight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .drain()
            .collect();
        for (_, cancel) in cancels {
            let _ = cancel.send(());
        }
        while self.tasks.join_next().await.is_some() {}
    }
}
