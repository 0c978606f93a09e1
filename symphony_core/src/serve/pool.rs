//! The serve loop's threads: a leader/follower pool.
//!
//! One thread at a time is the *leader*: it reads and decodes messages, handles protocol
//! messages itself and queues requests as jobs. When it has queued work and another thread can
//! take over reading, it hands the reader role on and runs the first job itself. So a request
//! is handled on the thread that read it — no wake-up of another thread sits between the host's
//! request and the extension's answer — while some thread always keeps reading, so that
//! `$/cancelRequest` and `exit` are seen during long handlers. A burst of requests that arrived
//! in one read is queued whole and handed off once, and its responses leave in one write.
//!
//! Handing the reader role on must not cost a wake-up on the request's path either: on a busy
//! machine a third runnable thread delays the host's own wake-up. So an idle thread that served
//! recently sleeps in short ticks and takes the reader role by itself when it finds it free;
//! only after a quiet spell do idle threads sleep until woken, and the first request after it
//! pays one wake-up. Cancellation is therefore noticed within a tick while a request runs.
//!
//! The pool holds at most `concurrency + 1` threads: up to `concurrency` running handlers and
//! one leader. Threads are created on demand and live until the session ends.

use std::collections::VecDeque;
use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use crate::protocol::{
    ErrorCode, ErrorObject, Id, InitializeResult, Notification, PROTOCOL_VERSION, Request, Response,
};
use crate::transport::MessageReader;

use super::peer::Outbox;
use super::session::{Action, Session};
use super::{Call, CancelToken, Context, Exit, Handler, Peer, ServeOptions};

/// How often an idle thread checks whether the reader role is free, while requests flow.
const TICK: Duration = Duration::from_millis(5);
/// How long after the last request idle threads keep ticking before sleeping until woken.
const ACTIVE: Duration = Duration::from_millis(50);

/// A request waiting for (or being run by) a thread.
struct Job {
    request: Request,
    cancel: CancelToken,
}

struct PoolState {
    session: Session,
    jobs: VecDeque<Job>,
    /// Threads running a handler.
    busy: usize,
    /// Threads asleep, waiting for work or for the reader role.
    idle: usize,
    /// Of those, the ones sleeping in ticks (they will take the reader role unasked).
    ticking: usize,
    /// When the last request arrived.
    last_request: Instant,
    /// Threads in the pool.
    threads: usize,
    /// Whether some thread holds the reader role.
    leading: bool,
    /// The `shutdown` request to answer once all work is done.
    shutdown: Option<Id>,
    exit: Option<Exit>,
}

pub(crate) struct Server<H> {
    handler: H,
    options: ServeOptions,
    /// Handlers allowed to run at once.
    workers: usize,
    state: Mutex<PoolState>,
    /// `state.jobs.len()`, readable without the lock.
    queued: AtomicUsize,
    wake: Condvar,
    reader: Mutex<MessageReader<Box<dyn Read + Send>>>,
    outbox: Arc<Outbox>,
    peer: Peer,
    session: OnceLock<Context>,
}

impl<H: Handler> Server<H> {
    pub(crate) fn new(
        handler: H,
        reader: MessageReader<Box<dyn Read + Send>>,
        outbox: Arc<Outbox>,
        options: ServeOptions,
    ) -> Self {
        let workers = handler.concurrency().max(1);
        Server {
            handler,
            options,
            workers,
            state: Mutex::new(PoolState {
                session: Session::new(),
                jobs: VecDeque::new(),
                busy: 0,
                idle: 0,
                ticking: 0,
                last_request: Instant::now(),
                threads: 1,
                leading: false,
                shutdown: None,
                exit: None,
            }),
            queued: AtomicUsize::new(0),
            wake: Condvar::new(),
            reader: Mutex::new(reader),
            peer: Peer::new(Arc::clone(&outbox)),
            outbox,
            session: OnceLock::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, PoolState> {
        // Handlers run outside this lock and their panics are caught, so it is never poisoned
        // with the state half-updated.
        self.state
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Serves on the calling thread until the session ends; returns how it ended.
    pub(crate) fn run(self: Arc<Self>) -> Exit {
        self.work();
        let exit = self.lock().exit.clone();
        exit.unwrap_or(Exit::EndOfInput {
            after_shutdown: false,
        })
    }

    /// The loop of every pool thread.
    fn work(self: &Arc<Self>) {
        let mut state = self.lock();
        loop {
            if state.exit.is_some() {
                state.threads -= 1;
                return;
            }
            if !state.leading {
                state.leading = true;
                drop(state);
                if let Some(job) = self.lead() {
                    self.run_job(job);
                }
                state = self.lock();
                continue;
            }
            if state.busy < self.workers
                && let Some(job) = state.jobs.pop_front()
            {
                self.queued.store(state.jobs.len(), Ordering::Release);
                state.busy += 1;
                drop(state);
                self.run_job(job);
                state = self.lock();
                continue;
            }
            // Nothing to do. Never sleep with answers unwritten.
            drop(state);
            self.outbox.flush();
            state = self.lock();
            let runnable = state.busy < self.workers && !state.jobs.is_empty();
            if state.exit.is_some() || !state.leading || runnable {
                continue;
            }
            state.idle += 1;
            if state.last_request.elapsed() < ACTIVE {
                state.ticking += 1;
                state = self
                    .wake
                    .wait_timeout(state, TICK)
                    .unwrap_or_else(|poison| poison.into_inner())
                    .0;
                state.ticking -= 1;
            } else {
                state = self
                    .wake
                    .wait(state)
                    .unwrap_or_else(|poison| poison.into_inner());
            }
            state.idle -= 1;
        }
    }

    /// Reads and routes messages until this thread hands the reader role on (returning the
    /// job it will run) or the session ends (returning `None`).
    fn lead(self: &Arc<Self>) -> Option<Job> {
        let mut reader = self
            .reader
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        loop {
            let message = match reader.read_buffered() {
                Some(message) => message,
                None => {
                    if let Some(job) = self.hand_off() {
                        return Some(job);
                    }
                    self.outbox.flush();
                    match reader.read() {
                        Ok(Some(message)) => message,
                        Ok(None) => {
                            let after_shutdown = self.lock().session.was_shut_down();
                            self.stop(Exit::EndOfInput { after_shutdown });
                            return None;
                        }
                        Err(error) => {
                            self.stop(Exit::ReadFailed {
                                error: error.to_string(),
                            });
                            return None;
                        }
                    }
                }
            };
            let mut state = self.lock();
            match state.session.on_message(message) {
                Action::Dispatch(request, cancel) => {
                    state.last_request = Instant::now();
                    state.jobs.push_back(Job { request, cancel });
                    self.queued.store(state.jobs.len(), Ordering::Release);
                }
                Action::Reply(response) => {
                    drop(state);
                    self.outbox.queue_response(response, "a malformed message");
                }
                Action::Initialize(request) => {
                    drop(state);
                    self.initialize(&request);
                }
                Action::Notify(notification) => {
                    drop(state);
                    self.notify_handler(&notification);
                }
                Action::Shutdown(id) => {
                    state.shutdown = Some(id);
                    self.answer_shutdown_when_idle(&mut state);
                }
                Action::Exit(code) => {
                    drop(state);
                    self.stop(if code == 0 {
                        Exit::Clean
                    } else {
                        Exit::WithoutShutdown
                    });
                    return None;
                }
                Action::Ignore => {}
            }
        }
    }

    /// Gives up the reader role if there is a job to run and another thread can read.
    fn hand_off(self: &Arc<Self>) -> Option<Job> {
        if self.queued.load(Ordering::Acquire) == 0 {
            return None;
        }
        let mut state = self.lock();
        if state.jobs.is_empty() || state.busy >= self.workers {
            return None;
        }
        // A ticking idle thread will find the reader role free and take it unasked.
        let reader_covered = state.ticking > 0;
        if !reader_covered && state.idle == 0 && state.threads > self.workers {
            // Every other thread is running a handler: keep reading.
            return None;
        }
        let job = state.jobs.pop_front()?;
        self.queued.store(state.jobs.len(), Ordering::Release);
        state.busy += 1;
        state.leading = false;
        // A thread to read (unless one is ticking), plus one per job that may run now.
        let wanted = usize::from(!reader_covered) + state.jobs.len().min(self.workers - state.busy);
        let wake = wanted.min(state.idle);
        let spawn = (wanted - wake).min(self.workers + 1 - state.threads);
        state.threads += spawn;
        drop(state);
        for _ in 0..wake {
            self.wake.notify_one();
        }
        for _ in 0..spawn {
            self.spawn_thread();
        }
        Some(job)
    }

    fn spawn_thread(self: &Arc<Self>) {
        let server = Arc::clone(self);
        let spawned = thread::Builder::new()
            .name("symphony-serve".into())
            .spawn(move || server.work());
        if let Err(error) = spawned {
            // Degrade: whichever thread comes free first takes the reader role.
            tracing::warn!(%error, "cannot start a serve thread; continuing with fewer");
            self.lock().threads -= 1;
        }
    }

    fn run_job(&self, job: Job) {
        let Job { request, cancel } = job;
        let result = if cancel.is_cancelled() {
            Err(ErrorObject::cancelled())
        } else {
            self.call_handler(&request, &cancel)
        };
        // However the handler ended, a cancelled request answers "cancelled".
        let result = if cancel.is_cancelled() {
            Err(ErrorObject::cancelled())
        } else {
            result
        };
        let Request { id, method, .. } = request;
        self.outbox.queue_response(
            Response {
                id: Some(id.clone()),
                result,
            },
            &method,
        );
        // Answer at once unless another job is waiting to be run (its answer will follow in
        // the same write); bookkeeping comes after, off the request's path.
        if self.queued.load(Ordering::Acquire) == 0 {
            self.outbox.flush();
        }
        let mut state = self.lock();
        state.session.finish(&id);
        state.busy -= 1;
        self.answer_shutdown_when_idle(&mut state);
    }

    fn call_handler(
        &self,
        request: &Request,
        cancel: &CancelToken,
    ) -> Result<Box<crate::protocol::RawValue>, ErrorObject> {
        let Some(session) = self.session.get() else {
            return Err(ErrorObject::from_code(ErrorCode::NotInitialized));
        };
        let call = Call {
            id: &request.id,
            method: &request.method,
            params: request.params.as_deref(),
            cancel,
            peer: &self.peer,
            context: session,
        };
        catch_unwind(AssertUnwindSafe(|| self.handler.handle(&call))).unwrap_or_else(|panic| {
            let what = panic_message(panic.as_ref());
            tracing::error!(method = %request.method, panic = what, "handler panicked");
            Err(ErrorObject::new(
                ErrorCode::ExtensionFailed,
                format!(
                    "the extension panicked while handling `{}`: {what}",
                    request.method
                ),
            ))
        })
    }

    fn notify_handler(&self, notification: &Notification) {
        if catch_unwind(AssertUnwindSafe(|| self.handler.notification(notification))).is_err() {
            tracing::error!(method = %notification.method, "notification handler panicked");
        }
    }

    fn initialize(&self, request: &Request) {
        let result = self.handshake(request);
        let result = match result {
            Ok((context, result)) => {
                if let Some(limit) = context.params().max_message_size {
                    self.outbox
                        .set_limit(usize::try_from(limit).unwrap_or(usize::MAX));
                }
                let _ = self.session.set(context);
                self.lock().session.initialized();
                crate::protocol::to_raw(&result).map_err(|error| {
                    ErrorObject::new(ErrorCode::ExtensionFailed, error.to_string())
                })
            }
            Err(error) => Err(error),
        };
        self.outbox.queue_response(
            Response {
                id: Some(request.id.clone()),
                result,
            },
            &request.method,
        );
    }

    fn handshake(&self, request: &Request) -> Result<(Context, InitializeResult), ErrorObject> {
        let context = Context::handshake(
            request,
            self.handler.manifest(),
            self.options.sandbox.as_ref(),
        )?;
        let max_message_size = u64::try_from(self.options.max_message_size).ok();
        let result = handshake_result(&self.handler, &context, self.workers, max_message_size)?;
        Ok((context, result))
    }

    /// Answers a pending `shutdown` once no request is queued or running.
    fn answer_shutdown_when_idle(&self, state: &mut PoolState) {
        if state.busy == 0
            && state.jobs.is_empty()
            && let Some(id) = state.shutdown.take()
        {
            let null = crate::protocol::to_raw(&())
                .map_err(|error| ErrorObject::new(ErrorCode::ExtensionFailed, error.to_string()));
            self.outbox.queue_response(
                Response {
                    id: Some(id),
                    result: null,
                },
                "shutdown",
            );
        }
    }

    /// Ends the session: every request in flight is cancelled and every thread stops.
    fn stop(&self, exit: Exit) {
        let mut state = self.lock();
        state.session.end();
        for job in &state.jobs {
            job.cancel.cancel();
        }
        state.exit.get_or_insert(exit);
        state.jobs.clear();
        self.queued.store(0, Ordering::Release);
        drop(state);
        self.wake.notify_all();
        self.outbox.flush();
    }
}

/// Lets the handler accept the session, and builds the answer to `initialize`.
pub(super) fn handshake_result<H: Handler>(
    handler: &H,
    context: &Context,
    workers: usize,
    max_message_size: Option<u64>,
) -> Result<InitializeResult, ErrorObject> {
    catch_unwind(AssertUnwindSafe(|| handler.initialize(context))).unwrap_or_else(|panic| {
        Err(ErrorObject::new(
            ErrorCode::ExtensionFailed,
            format!(
                "the extension panicked during `initialize`: {}",
                panic_message(panic.as_ref())
            ),
        ))
    })?;
    let mut capabilities = handler.capabilities();
    capabilities.concurrency = workers;
    let mut result = InitializeResult::new(handler.manifest().clone(), capabilities);
    result.protocol_version = PROTOCOL_VERSION;
    result.max_message_size = max_message_size;
    result.sandbox = context.sandbox().cloned();
    Ok(result)
}

pub(super) fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    if let Some(text) = panic.downcast_ref::<&str>() {
        text
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text
    } else {
        "a panic with a non-string payload"
    }
}
