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
//! one leader. Threads are created on demand and live until the session ends. The thread that
//! called the serve loop runs no handler: it waits for the session to end and then returns
//! promptly, even while a handler that ignores cancellation is still running.
//!
//! Ending: `exit` (or end of input) stops the reading. After `shutdown`, the requests still
//! queued or running are the ones the host asked to have answered, so they get up to
//! [`EXIT_DRAIN`] to finish; without `shutdown` they are cancelled at once. Either way,
//! handlers still running after that are cancelled and get [`CANCEL_GRACE`] to answer; then
//! everything answered is written and the loop returns, leaving any handler that ignores
//! cancellation behind (the process exits under it).

use std::collections::VecDeque;
use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use crate::protocol::{
    ErrorCode, ErrorObject, Id, InitializeResult, Notification, Reply, Request, Response,
};
use crate::transport::MessageReader;

use super::handshake::handshake_result;
use super::machine::{Action, SessionMachine};
use super::notifier::Outbox;
use super::{
    CANCEL_GRACE, Call, CancelToken, Context, EXIT_DRAIN, Exit, Handler, Notifier, ServeOptions,
};

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
    session: SessionMachine,
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
    /// Signalled when the session ends and whenever a job finishes after that.
    settled: Condvar,
    reader: Mutex<MessageReader<Box<dyn Read + Send>>>,
    outbox: Arc<Outbox>,
    peer: Notifier,
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
                session: SessionMachine::new(),
                jobs: VecDeque::new(),
                busy: 0,
                idle: 0,
                ticking: 0,
                last_request: Instant::now(),
                threads: 0,
                leading: false,
                shutdown: None,
                exit: None,
            }),
            queued: AtomicUsize::new(0),
            wake: Condvar::new(),
            settled: Condvar::new(),
            reader: Mutex::new(reader),
            peer: Notifier::new(Arc::clone(&outbox)),
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

    /// Serves until the session ends; returns how it ended. The pool's threads do the work;
    /// the calling thread waits, and returns once the ending's grace periods are over.
    pub(crate) fn run(self: Arc<Self>) -> Exit {
        self.lock().threads += 1;
        if !self.spawn_thread() {
            // No thread could be started: serve on this one (exit then waits for handlers).
            self.lock().threads += 1;
            self.work();
        }
        let mut state = self.lock();
        while state.exit.is_none() {
            state = self
                .settled
                .wait(state)
                .unwrap_or_else(|poison| poison.into_inner());
        }
        if state.session.was_shut_down() {
            state = self.settle(state, EXIT_DRAIN);
        }
        if !idle(&state) {
            state.session.cancel_all();
            state = self.settle(state, CANCEL_GRACE);
        }
        let exit = state.exit.clone();
        drop(state);
        self.outbox.flush();
        exit.unwrap_or(Exit::EndOfInput {
            after_shutdown: false,
        })
    }

    /// Waits up to `grace` for every queued and running request to be answered.
    fn settle<'a>(
        &self,
        mut state: MutexGuard<'a, PoolState>,
        grace: Duration,
    ) -> MutexGuard<'a, PoolState> {
        let deadline = Instant::now() + grace;
        while !idle(&state) {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                break;
            };
            state = self
                .settled
                .wait_timeout(state, left)
                .unwrap_or_else(|poison| poison.into_inner())
                .0;
        }
        state
    }

    /// The loop of every pool thread.
    fn work(self: &Arc<Self>) {
        let mut state = self.lock();
        loop {
            if state.exit.is_some() {
                // Nothing more is read; run what is queued (its tokens say whether it was
                // cancelled), then stop.
                let Some(job) = state.jobs.pop_front() else {
                    state.threads -= 1;
                    return;
                };
                self.queued.store(state.jobs.len(), Ordering::Release);
                state.busy += 1;
                drop(state);
                self.run_job(job);
                state = self.lock();
                continue;
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
            let frame = match reader.read_buffered_frame() {
                Some(frame) => frame,
                None => {
                    if let Some(job) = self.hand_off() {
                        return Some(job);
                    }
                    self.outbox.flush();
                    match reader.read_frame() {
                        Ok(Some(frame)) => frame,
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
            state.session.receive(frame);
            while let Some(action) = state.session.poll_action() {
                match action {
                    Action::Dispatch(request, cancel) => {
                        state.last_request = Instant::now();
                        state.jobs.push_back(Job { request, cancel });
                        self.queued.store(state.jobs.len(), Ordering::Release);
                        continue;
                    }
                    Action::Shutdown(id) => {
                        state.shutdown = Some(id);
                        let reply = self.answer_shutdown_when_idle(&mut state);
                        drop(state);
                        self.queue(reply.as_ref(), "shutdown");
                    }
                    Action::Reply(reply) => {
                        drop(state);
                        self.outbox.queue_reply(&reply, "a message");
                    }
                    Action::Initialize(request) => {
                        drop(state);
                        self.initialize(&request);
                    }
                    Action::Notify(notification) => {
                        drop(state);
                        self.notify_handler(&notification);
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
                }
                state = self.lock();
            }
        }
    }

    fn queue(&self, reply: Option<&Reply>, method: &str) {
        if let Some(reply) = reply {
            self.outbox.queue_reply(reply, method);
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

    /// Starts a pool thread (already counted in `threads`); `false` if none could be.
    fn spawn_thread(self: &Arc<Self>) -> bool {
        let server = Arc::clone(self);
        let spawned = thread::Builder::new()
            .name("symphony-serve".into())
            .spawn(move || server.work());
        if let Err(error) = spawned {
            // Degrade: whichever thread comes free first takes the reader role.
            tracing::warn!(%error, "cannot start a serve thread; continuing with fewer");
            self.lock().threads -= 1;
            return false;
        }
        true
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
        let mut state = self.lock();
        // Finished before answering, so that the host may reuse the id at once.
        let reply = state.session.complete(Response {
            id: Some(id),
            result,
        });
        state.busy -= 1;
        let shutdown = self.answer_shutdown_when_idle(&mut state);
        let ending = state.exit.is_some();
        drop(state);
        self.queue(reply.as_ref(), &method);
        self.queue(shutdown.as_ref(), "shutdown");
        // Answer at once unless another job is waiting to be run (its answer will follow in
        // the same write).
        if self.queued.load(Ordering::Acquire) == 0 {
            self.outbox.flush();
        }
        if ending {
            self.settled.notify_all();
        }
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
            let what = crate::panic::message(panic.as_ref());
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
                crate::protocol::to_raw(&result).map_err(|error| {
                    ErrorObject::new(ErrorCode::ExtensionFailed, error.to_string())
                })
            }
            Err(error) => Err(error),
        };
        let mut state = self.lock();
        if result.is_ok() {
            state.session.initialized();
        }
        let reply = state.session.complete(Response {
            id: Some(request.id.clone()),
            result,
        });
        drop(state);
        self.queue(reply.as_ref(), &request.method);
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

    /// The answer to a pending `shutdown`, once no request is queued or running.
    fn answer_shutdown_when_idle(&self, state: &mut PoolState) -> Option<Reply> {
        if !idle(state) {
            return None;
        }
        let id = state.shutdown.take()?;
        let null = crate::protocol::to_raw(&())
            .map_err(|error| ErrorObject::new(ErrorCode::ExtensionFailed, error.to_string()));
        state.session.complete(Response {
            id: Some(id),
            result: null,
        })
    }

    /// Stops reading: with `shutdown` received the requests in flight may finish (see
    /// [`run`](Self::run)); without, they are cancelled now.
    fn stop(&self, exit: Exit) {
        let mut state = self.lock();
        if !state.session.was_shut_down() {
            state.session.cancel_all();
        }
        state.exit.get_or_insert(exit);
        drop(state);
        self.wake.notify_all();
        self.settled.notify_all();
        self.outbox.flush();
    }
}

/// Whether no request is queued or running.
fn idle(state: &PoolState) -> bool {
    state.busy == 0 && state.jobs.is_empty()
}
