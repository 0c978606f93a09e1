//! One connection to the host, driven on tokio: core's sans-IO [`SessionMachine`] decides what each
//! message means; this module only does the I/O and runs the [`Action`]s, with each request
//! as a task so that many inferences are in flight at once (and batch).

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard};

use futures_util::FutureExt;
use symphony_core::codec::{Decoder, Frame};
use symphony_core::manifest::Manifest;
use symphony_core::protocol::{
    Capabilities, ErrorCode, ErrorObject, Id, InitializeResult, RawValue, Request, Response,
    method, to_raw,
};
use symphony_core::serve::{
    Action, CANCEL_GRACE, CancelToken, Context, EXIT_DRAIN, Exit, ServeOptions, SessionMachine,
};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::task::JoinSet;

use super::dispatch;
use super::outbox::Outbox;
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
    session: Arc<Mutex<SessionMachine>>,
    outbox: Outbox,
    tasks: JoinSet<()>,
}

/// How a connection ended.
pub(super) struct Ended {
    pub(super) exit: Exit,
    /// Whether requests were still running when the loop gave up waiting for them (their
    /// handlers ignore cancellation).
    pub(super) abandoned: bool,
}

impl<F, Fut> Connection<F>
where
    F: FnOnce(Context) -> Fut,
    Fut: Future<Output = Result<Pipeline, InstrumentError>>,
{
    pub(super) fn new(manifest: Manifest, options: ServeOptions, start: F, outbox: Outbox) -> Self {
        Connection {
            manifest,
            options,
            start: Some(start),
            pipeline: None,
            session: Arc::new(Mutex::new(SessionMachine::new())),
            outbox,
            tasks: JoinSet::new(),
        }
    }

    /// Serves until the session ends. Then, as core's loop does: after `shutdown`, requests
    /// still running get [`EXIT_DRAIN`] to finish; the rest are cancelled and get
    /// [`CANCEL_GRACE`] to answer; requests still running after that are abandoned.
    pub(super) async fn run<R: AsyncRead + Unpin>(mut self, mut reader: R) -> Ended {
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
                while let Some(frame) = decoder.finish_frame() {
                    if let Some(exit) = self.on_frame(frame).await {
                        break 'session exit;
                    }
                }
                break Exit::EndOfInput {
                    after_shutdown: lock(&self.session).was_shut_down(),
                };
            }
            decoder.commit(read);
            while let Some(frame) = decoder.next_frame() {
                if let Some(exit) = self.on_frame(frame).await {
                    break 'session exit;
                }
            }
        };
        let drain = lock(&self.session).was_shut_down();
        if !drain || !self.settle(EXIT_DRAIN).await {
            lock(&self.session).end();
            self.settle(CANCEL_GRACE).await;
        }
        let abandoned = !self.tasks.is_empty();
        // Dropping the set aborts what is left; a handler blocking its thread stays behind.
        self.tasks.abort_all();
        self.outbox.close().await;
        Ended { exit, abandoned }
    }

    /// Waits up to `grace` for every request task; whether they all ended.
    async fn settle(&mut self, grace: std::time::Duration) -> bool {
        let all = async { while self.tasks.join_next().await.is_some() {} };
        tokio::time::timeout(grace, all).await.is_ok()
    }

    /// Takes one line and carries out the actions it leads to, in order.
    async fn on_frame(&mut self, frame: Frame) -> Option<Exit> {
        // Reap finished request tasks so that the set does not grow.
        while self.tasks.try_join_next().is_some() {}
        lock(&self.session).receive(frame);
        loop {
            let action = lock(&self.session).poll_action()?;
            match action {
                Action::Initialize(request) => {
                    let result = self.initialize(&request).await;
                    let reply = {
                        let mut session = lock(&self.session);
                        if result.is_ok() {
                            session.initialized();
                        }
                        session.complete(Response {
                            id: Some(request.id),
                            result,
                        })
                    };
                    self.outbox.reply(reply, method::INITIALIZE).await;
                }
                Action::Dispatch(request, cancel) => self.dispatch(request, cancel),
                Action::Reply(reply) => self.outbox.reply(Some(reply), "a message").await,
                Action::Shutdown(id) => self.shutdown(id),
                Action::Exit(0) => return Some(Exit::Clean),
                Action::Exit(_) => return Some(Exit::WithoutShutdown),
                Action::Notify(notification) => {
                    tracing::debug!(method = %notification.method, "ignoring a notification");
                }
                other => tracing::warn!(?other, "ignoring an action this serve loop does not know"),
            }
        }
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
        let pipeline = start(context.clone())
            .await
            // Keeps the error's code: a model the grants do not cover is "permission denied".
            .map_err(|error| error.to_error_object())?;
        let mut capabilities = Capabilities::new(crate::methods::ALL.iter().copied());
        capabilities.concurrency = pipeline.limits().max_concurrency;
        let mut result = InitializeResult::new(self.manifest.clone(), capabilities);
        result.max_message_size = u64::try_from(self.options.max_message_size).ok();
        result.sandbox = context.sandbox().cloned();
        let result = to_raw(&result)
            .map_err(|error| ErrorObject::new(ErrorCode::ExtensionFailed, error.to_string()))?;
        if let Some(limit) = context.params().max_message_size {
            self.outbox
                .set_limit(usize::try_from(limit).unwrap_or(usize::MAX));
        }
        self.pipeline = Some(pipeline);
        Ok(result)
    }

    fn dispatch(&mut self, request: Request, cancel: CancelToken) {
        let (outbox, session) = (self.outbox.clone(), Arc::clone(&self.session));
        let Some(pipeline) = self.pipeline.clone() else {
            // The session dispatches only after a successful handshake, which sets it.
            let response = Response::error(
                Some(request.id),
                ErrorObject::from_code(ErrorCode::NotInitialized),
            );
            self.tasks.spawn(async move {
                let reply = lock(&session).complete(response);
                outbox.reply(reply, &request.method).await;
            });
            return;
        };
        self.tasks.spawn(async move {
            let handled = AssertUnwindSafe(dispatch::handle(&pipeline, &request, &outbox))
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
            let Request { id, method, .. } = request;
            // Finished before answering, so that the host may reuse the id at once.
            let reply = lock(&session).complete(Response {
                id: Some(id),
                result,
            });
            outbox.reply(reply, &method).await;
        });
    }

    /// Answers `shutdown` once every request in flight is answered and the pipeline has shut
    /// down; meanwhile the connection is still read (for `$/cancelRequest` and `exit`).
    fn shutdown(&mut self, id: Id) {
        let mut running = std::mem::take(&mut self.tasks);
        let (pipeline, outbox, session) = (
            self.pipeline.clone(),
            self.outbox.clone(),
            Arc::clone(&self.session),
        );
        self.tasks.spawn(async move {
            while running.join_next().await.is_some() {}
            if let Some(pipeline) = pipeline
                && let Err(error) = pipeline.shutdown().await
            {
                tracing::warn!(%error, "the instrument did not shut down cleanly");
            }
            let reply = lock(&session).complete(Response::ok(id, dispatch::null()));
            outbox.reply(reply, method::SHUTDOWN).await;
        });
    }
}

fn lock(session: &Mutex<SessionMachine>) -> MutexGuard<'_, SessionMachine> {
    // The session's methods do not panic halfway through an update, so a poisoned lock still
    // holds a consistent session.
    session.lock().unwrap_or_else(|poison| poison.into_inner())
}

fn panicked(request: &Request, panic: &(dyn std::any::Any + Send)) -> ErrorObject {
    let what = symphony_core::panic::message(panic);
    tracing::error!(method = %request.method, panic = what, "handler panicked");
    ErrorObject::new(
        ErrorCode::ExtensionFailed,
        format!(
            "the extension panicked while handling `{}`: {what}",
            request.method
        ),
    )
}
