//! One connection to the host, driven on tokio: core's sans-IO [`Session`] decides what each
//! message means; this module only does the I/O and runs the [`Action`]s, with each request
//! as a task so that many inferences are in flight at once (and batch).

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard};

use futures_util::FutureExt;
use symphony_core::codec::{DecodeError, Decoder};
use symphony_core::manifest::Manifest;
use symphony_core::protocol::{
    Capabilities, ErrorCode, ErrorObject, Id, InitializeResult, Message, RawValue, Request,
    Response, method, to_raw,
};
use symphony_core::serve::{Action, CancelToken, Context, Exit, Peer, ServeOptions, Session};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::task::JoinSet;

use super::outbox::Outbox;
use super::{Start, methods};
use crate::error::InstrumentError;
use crate::pipeline::Pipeline;

/// The extension's side of one connection.
pub(super) struct Connection<F> {
    manifest: Manifest,
    options: ServeOptions,
    /// The extension's start function, until `initialize` runs it.
    start: Option<F>,
    pipeline: Option<Pipeline>,
    /// Shared with the request tasks, which tell it when they are done.
    session: Arc<Mutex<Session>>,
    outbox: Outbox,
    peer: Peer,
    tasks: JoinSet<()>,
}

impl<F, Fut> Connection<F>
where
    F: FnOnce(Start) -> Fut,
    Fut: Future<Output = Result<Pipeline, InstrumentError>>,
{
    pub(super) fn new(manifest: Manifest, options: ServeOptions, start: F, outbox: Outbox) -> Self {
        Connection {
            manifest,
            options,
            start: Some(start),
            pipeline: None,
            session: Arc::new(Mutex::new(Session::new())),
            peer: outbox.peer(),
            outbox,
            tasks: JoinSet::new(),
        }
    }

    /// Serves until the session ends; every request still running is cancelled and answered
    /// before this returns.
    pub(super) async fn run<R: AsyncRead + Unpin>(mut self, mut reader: R) -> Exit {
        let mut decoder = Decoder::with_limit(self.options.max_message_size);
        let exit = 'session: loop {
            let read = match reader.read(decoder.spare()).await {
                Ok(read) => read,
                Err(error) => {
                    break Exit::ReadFailed {
                        error: error.to_string(),
                    };
                }
            };
            if read == 0 {
                while let Some(message) = decoder.finish() {
                    if let Some(exit) = self.on_message(message).await {
                        break 'session exit;
                    }
                }
                break Exit::EndOfInput {
                    after_shutdown: lock(&self.session).was_shut_down(),
                };
            }
            decoder.commit(read);
            while let Some(message) = decoder.next() {
                if let Some(exit) = self.on_message(message).await {
                    break 'session exit;
                }
            }
        };
        lock(&self.session).end();
        while self.tasks.join_next().await.is_some() {}
        exit
    }

    async fn on_message(&mut self, message: Result<Message, DecodeError>) -> Option<Exit> {
        // Reap finished request tasks so that the set does not grow.
        while self.tasks.try_join_next().is_some() {}
        let action = lock(&self.session).on_message(message);
        match action {
            Action::Initialize(request) => {
                let result = self.initialize(&request).await;
                self.outbox.respond(
                    Response {
                        id: Some(request.id),
                        result,
                    },
                    method::INITIALIZE,
                );
            }
            Action::Dispatch(request, cancel) => self.dispatch(request, cancel),
            Action::Reply(response) => self.outbox.respond(response, "a malformed message"),
            Action::Shutdown(id) => self.shutdown(id),
            Action::Exit(0) => return Some(Exit::Clean),
            Action::Exit(_) => return Some(Exit::WithoutShutdown),
            Action::Notify(notification) => {
                tracing::debug!(method = %notification.method, "ignoring a notification");
            }
            Action::Ignore => {}
            other => tracing::warn!(?other, "ignoring an action this serve loop does not know"),
        }
        None
    }

    /// The handshake: core settles the session's context (version, grants, config, sandbox),
    /// then the extension's start function builds the pipeline.
    async fn initialize(&mut self, request: &Request) -> Result<Box<RawValue>, ErrorObject> {
        let context = Context::handshake(request, &self.manifest, self.options.sandbox.as_ref())?;
        let Some(start) = self.start.take() else {
            return Err(ErrorObject::new(
                ErrorCode::ExtensionFailed,
                "the extension failed to start in an earlier `initialize` and cannot start \
                 again; restart its process",
            ));
        };
        let pipeline = start(Start::new(&context, &self.manifest))
            .await
            // Keeps the error's code: a model the grants do not cover is "permission denied".
            .map_err(|error| error.to_error_object())?;
        let mut capabilities = Capabilities::new(methods::NAMES.iter().copied());
        capabilities.concurrency = pipeline.limits().max_concurrency;
        let mut result = InitializeResult::new(self.manifest.clone(), capabilities);
        result.max_message_size = u64::try_from(self.options.max_message_size).ok();
        let result = to_raw(&result)
            .map_err(|error| ErrorObject::new(ErrorCode::ExtensionFailed, error.to_string()))?;
        if let Some(limit) = context.params().max_message_size {
            self.outbox
                .set_limit(usize::try_from(limit).unwrap_or(usize::MAX));
        }
        self.pipeline = Some(pipeline);
        lock(&self.session).initialized();
        Ok(result)
    }

    fn dispatch(&mut self, request: Request, cancel: CancelToken) {
        let Some(pipeline) = self.pipeline.clone() else {
            // The session dispatches only after a successful handshake, which sets it.
            let response = Response::error(
                Some(request.id),
                ErrorObject::from_code(ErrorCode::NotInitialized),
            );
            self.outbox.respond(response, &request.method);
            return;
        };
        let (outbox, peer, session) = (
            self.outbox.clone(),
            self.peer.clone(),
            Arc::clone(&self.session),
        );
        self.tasks.spawn(async move {
            let handled = AssertUnwindSafe(methods::handle(&pipeline, &request, &peer))
                .catch_unwind()
                .map(|result| result.unwrap_or_else(|panic| Err(panicked(&request, &*panic))));
            // Dropping the handler's future on cancel drops the pipeline call, which removes
            // queued work and stops streams.
            let result = tokio::select! {
                result = handled => result,
                () = cancel.cancelled() => Err(ErrorObject::cancelled()),
            };
            // However the handler ended, a cancelled request answers "cancelled".
            let result = if cancel.is_cancelled() {
                Err(ErrorObject::cancelled())
            } else {
                result
            };
            // Finished before answering, so that the host may reuse the id at once.
            lock(&session).finish(&request.id);
            let Request { id, method, .. } = request;
            outbox.respond(
                Response {
                    id: Some(id),
                    result,
                },
                &method,
            );
        });
    }

    /// Answers `shutdown` once every request in flight is answered and the pipeline has shut
    /// down; meanwhile the connection is still read (for `$/cancelRequest` and `exit`).
    fn shutdown(&mut self, id: Id) {
        let mut running = std::mem::take(&mut self.tasks);
        let (pipeline, outbox) = (self.pipeline.clone(), self.outbox.clone());
        self.tasks.spawn(async move {
            while running.join_next().await.is_some() {}
            if let Some(pipeline) = pipeline
                && let Err(error) = pipeline.shutdown().await
            {
                tracing::warn!(%error, "the instrument did not shut down cleanly");
            }
            outbox.respond(Response::ok(id, methods::null()), method::SHUTDOWN);
        });
    }
}

fn lock(session: &Mutex<Session>) -> MutexGuard<'_, Session> {
    // The session's methods do not panic halfway through an update, so a poisoned lock still
    // holds a consistent session.
    session.lock().unwrap_or_else(|poison| poison.into_inner())
}

fn panicked(request: &Request, panic: &(dyn std::any::Any + Send)) -> ErrorObject {
    let what = crate::panic::message(panic);
    tracing::error!(method = %request.method, panic = what, "handler panicked");
    ErrorObject::new(
        ErrorCode::ExtensionFailed,
        format!(
            "the extension panicked while handling `{}`: {what}",
            request.method
        ),
    )
}
