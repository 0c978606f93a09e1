//! Serving an extension on its host's threads: no transport, no codec, no thread hop.
//!
//! The handshake and the session rules are the serve loop's (the same sans-IO session checks);
//! what differs is that a call runs the handler on the calling thread, and its params and
//! result are passed as values rather than bytes. A time limit becomes a deadline on the
//! call's cancellation token, since a thread of the host cannot be preempted or killed.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use super::handshake::handshake_result;
use super::machine::SessionMachine;
use super::notifier::NotificationSink;
use super::{Call, CancelToken, Context, Handler, Notifier};
use crate::protocol::{
    ErrorCode, ErrorObject, Id, InitializeParams, InitializeResult, Notification, RawValue,
};

/// An extension served in the host's own threads.
pub(crate) trait Direct: Send + Sync {
    /// The handshake: checks the params, lets the handler accept them.
    fn initialize(&self, params: &InitializeParams) -> Result<InitializeResult, ErrorObject>;

    /// Runs one call on the calling thread.
    fn call(
        &self,
        id: Id,
        method: &str,
        params: Option<&RawValue>,
        timeout: Option<Duration>,
    ) -> Result<Box<RawValue>, ErrorObject>;

    /// Gives a notification to the handler.
    fn notify(&self, notification: &Notification);

    /// Waits for the calls in flight and refuses new ones.
    fn shutdown(&self);
}

/// `handler` ready to be called directly; its notifications go to `sink`.
pub(crate) fn embed<H: Handler>(handler: H, sink: Option<NotificationSink>) -> Arc<dyn Direct> {
    Arc::new(Local {
        limit: handler.concurrency().max(1),
        handler,
        peer: Notifier::direct(sink),
        session: OnceLock::new(),
        running: AtomicUsize::new(0),
        waiting: AtomicUsize::new(0),
        shut_down: AtomicBool::new(false),
        gate: Mutex::new(()),
        freed: Condvar::new(),
    })
}

struct Local<H> {
    handler: H,
    peer: Notifier,
    session: OnceLock<Context>,
    /// Calls running, bounded by the handler's concurrency. Counted with atomics so that a
    /// call below the bound takes no lock; `gate` and `freed` are only for waiting.
    running: AtomicUsize,
    /// Threads waiting for a free slot (or for shutdown to drain).
    waiting: AtomicUsize,
    shut_down: AtomicBool,
    gate: Mutex<()>,
    freed: Condvar,
    limit: usize,
}

impl<H> Local<H> {
    fn gate(&self) -> MutexGuard<'_, ()> {
        self.gate.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes a slot for a call; `false` once shut down.
    fn acquire(&self) -> bool {
        if self.try_acquire() {
            return true;
        }
        let mut gate = self.gate();
        self.waiting.fetch_add(1, SeqCst);
        // Registered as waiting before checking again, so a release cannot be missed.
        let acquired = loop {
            if self.try_acquire() {
                break true;
            }
            if self.shut_down.load(SeqCst) {
                break false;
            }
            gate = self.freed.wait(gate).unwrap_or_else(|p| p.into_inner());
        };
        self.waiting.fetch_sub(1, SeqCst);
        acquired
    }

    fn try_acquire(&self) -> bool {
        if self.shut_down.load(SeqCst) {
            return false;
        }
        let taken = self
            .running
            .fetch_update(SeqCst, SeqCst, |running| {
                (running < self.limit).then_some(running + 1)
            })
            .is_ok();
        // Shutdown may have begun in between: it waits for this slot, so give it back.
        taken && (!self.shut_down.load(SeqCst) || self.release_and_refuse())
    }

    fn release_and_refuse(&self) -> bool {
        self.release();
        false
    }

    fn release(&self) {
        self.running.fetch_sub(1, SeqCst);
        if self.waiting.load(SeqCst) > 0 {
            drop(self.gate());
            self.freed.notify_all();
        }
    }
}

impl<H: Handler> Direct for Local<H> {
    fn initialize(&self, params: &InitializeParams) -> Result<InitializeResult, ErrorObject> {
        if self.session.get().is_some() {
            return Err(ErrorObject::new(
                ErrorCode::InvalidRequest,
                "`initialize` was already received; it may only be sent once",
            ));
        }
        if params.sandbox {
            return Err(ErrorObject::new(
                ErrorCode::SandboxUnavailable,
                "a direct extension runs inside the host's process and cannot be sandboxed; \
                 run it as a separate process to sandbox it",
            ));
        }
        SessionMachine::check_version(params)?;
        let context = Context::establish(params.clone(), self.handler.manifest())?;
        let result = handshake_result(&self.handler, &context, self.limit, None)?;
        let _ = self.session.set(context);
        Ok(result)
    }

    fn call(
        &self,
        id: Id,
        method: &str,
        params: Option<&RawValue>,
        timeout: Option<Duration>,
    ) -> Result<Box<RawValue>, ErrorObject> {
        // The limit counts the wait for a free slot too, as a served call's does.
        let cancel = CancelToken::with_timeout(timeout);
        if !self.acquire() {
            return Err(ErrorObject::new(
                ErrorCode::ShuttingDown,
                format!("`{method}` arrived after `shutdown`; no new requests are accepted"),
            ));
        }
        let Some(session) = self.session.get() else {
            self.release();
            return Err(ErrorObject::from_code(ErrorCode::NotInitialized));
        };
        let call = Call {
            id: &id,
            method,
            params,
            cancel: &cancel,
            peer: &self.peer,
            context: session,
        };
        let result =
            catch_unwind(AssertUnwindSafe(|| self.handler.handle(&call))).unwrap_or_else(|panic| {
                Err(ErrorObject::new(
                    ErrorCode::ExtensionFailed,
                    format!(
                        "the extension panicked while handling `{method}`: {}",
                        crate::panic::message(panic.as_ref())
                    ),
                ))
            });
        self.release();
        let timed_out = cancel.deadline_passed();
        cancel.recycle();
        if timed_out {
            return Err(ErrorObject::new(
                ErrorCode::TimedOut,
                format!("`{method}` did not complete within {timeout:?}"),
            ));
        }
        result
    }

    fn notify(&self, notification: &Notification) {
        if self.session.get().is_some()
            && catch_unwind(AssertUnwindSafe(|| self.handler.notification(notification))).is_err()
        {
            tracing::error!(method = %notification.method, "notification handler panicked");
        }
    }

    fn shutdown(&self) {
        let mut gate = self.gate();
        self.shut_down.store(true, SeqCst);
        self.waiting.fetch_add(1, SeqCst);
        while self.running.load(SeqCst) > 0 {
            gate = self.freed.wait(gate).unwrap_or_else(|p| p.into_inner());
        }
        self.waiting.fetch_sub(1, SeqCst);
        drop(gate);
        // Callers waiting for a slot learn that none will come.
        self.freed.notify_all();
    }
}
