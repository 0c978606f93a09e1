//! One connection to a running extension: requests from many threads, without a thread hop.
//!
//! Callers take turns reading. A caller waiting for its answer becomes the *leader* if nobody
//! is reading: it reads and routes messages until its own answer arrives, handing other
//! callers' answers to them and notifications to the handler, then passes the role on. So in
//! the common case the thread that sent a request is the one that reads its answer: no other
//! thread has to wake up in between. A background [monitor](super::monitor) covers the rest:
//! it reads when nobody waits (pipelined calls, notifications while idle, noticing a crash)
//! and enforces the deadline of a leader blocked in a read.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::error::{CallError, Ended};
use super::options::{HostOptions, NotificationHandler};
use super::peer::{PeerEnd, Reaped};
use crate::codec::{DecodeError, Decoder, Encoder};
use crate::protocol::{
    CancelParams, ErrorCode, ErrorObject, Id, LogLevel, LogParams, Message, Notification, RawValue,
    Request, Response, method,
};
use crate::transport::{MessageReader, MessageWriter, SendError, Transport};

/// How long the stderr tail may take to complete when the extension ends.
const STDERR_WAIT: Duration = Duration::from_millis(200);

pub(crate) struct Connection {
    /// The extension's name, for messages.
    pub(crate) name: String,
    state: Mutex<State>,
    /// Wakes the monitor thread.
    pub(super) monitor_wake: Condvar,
    reader: Mutex<MessageReader<Box<dyn Read + Send>>>,
    writer: Mutex<MessageWriter<Box<dyn Write + Send>>>,
    next_id: AtomicI64,
    peer: PeerEnd,
    on_notification: Option<NotificationHandler>,
    pub(super) cancel_grace: Duration,
}

pub(super) struct State {
    pub(super) pending: HashMap<i64, Slot>,
    /// Callers asleep waiting for their answer, in arrival order.
    pub(super) followers: Vec<i64>,
    pub(super) leader: Leader,
    /// When the last request was sent.
    pub(super) last_activity: Instant,
    pub(super) monitor_parked: bool,
    /// Why the host killed the extension, if it did.
    kill_reason: Option<String>,
    /// Set once the connection is over.
    pub(super) ended: Option<Ended>,
}

/// Who is reading the extension's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Leader {
    Nobody,
    Caller(i64),
    Monitor,
}

/// A request in flight.
#[derive(Default)]
pub(super) struct Slot {
    result: Option<Result<Box<RawValue>, ErrorObject>>,
    /// Set while the caller sleeps, so that whoever completes the slot can wake it.
    waiter: Option<Arc<Condvar>>,
    pub(super) deadline: Option<Instant>,
    /// Set when the deadline passed and `$/cancelRequest` was sent: the extension must
    /// acknowledge before then, or it is killed.
    pub(super) kill_at: Option<Instant>,
    pub(super) killed: bool,
    cancelled: bool,
}

/// What a waiting caller does next.
enum Step {
    Answered(Result<Box<RawValue>, ErrorObject>, Slot),
    Ended(Ended, Slot),
    Cancel,
    Kill,
    Lead,
    Sleep(Arc<Condvar>, Option<Instant>),
}

impl Slot {
    pub(super) fn answered(&self) -> bool {
        self.result.is_some()
    }
}

impl Connection {
    pub(crate) fn new(
        name: String,
        transport: Transport,
        peer: PeerEnd,
        options: &HostOptions,
    ) -> Arc<Self> {
        Arc::new(Connection {
            name,
            state: Mutex::new(State {
                pending: HashMap::new(),
                followers: Vec::new(),
                leader: Leader::Nobody,
                last_activity: Instant::now(),
                monitor_parked: false,
                kill_reason: None,
                ended: None,
            }),
            monitor_wake: Condvar::new(),
            reader: Mutex::new(MessageReader::with_decoder(
                transport.reader,
                Decoder::with_limit(options.max_message_size),
            )),
            writer: Mutex::new(MessageWriter::with_encoder(
                transport.writer,
                Encoder::new(),
            )),
            next_id: AtomicI64::new(0),
            peer,
            on_notification: options.on_notification.clone(),
            cancel_grace: options.cancel_grace,
        })
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        // The state is only changed in small steps that cannot panic half-way.
        self.state
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Sets the largest message the extension accepts.
    pub(crate) fn set_send_limit(&self, limit: usize) {
        self.writer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .encoder_mut()
            .set_limit(limit);
    }

    /// Sends a request and registers it; `pipelined` means the caller will not wait at once,
    /// so the monitor should read the answer.
    pub(crate) fn send_request(
        &self,
        method: &str,
        params: Option<Box<RawValue>>,
        timeout: Option<Duration>,
        pipelined: bool,
    ) -> Result<i64, CallError> {
        let id = self.register(method, timeout)?;
        let request = Request::new(id, method, params);
        let sent = self
            .writer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .send(&request);
        match sent {
            Ok(()) => {}
            Err(SendError::Encode(source)) => {
                self.lock().pending.remove(&id);
                return Err(CallError::Encode {
                    method: method.to_owned(),
                    source,
                });
            }
            // The extension has gone away: reading will find out how, and `wait` reports it.
            Err(error) => tracing::debug!(%error, "cannot write to the extension"),
        }
        if pipelined {
            self.wake_monitor_for_answers();
        }
        Ok(id)
    }

    /// Registers a request about to be sent; returns its id.
    pub(crate) fn register(
        &self,
        method: &str,
        timeout: Option<Duration>,
    ) -> Result<i64, CallError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let now = Instant::now();
        let mut state = self.lock();
        if let Some(ended) = &state.ended {
            return Err(CallError::Ended {
                method: method.to_owned(),
                ended: ended.clone(),
            });
        }
        state.pending.insert(
            id,
            Slot {
                deadline: timeout.map(|timeout| now + timeout),
                ..Slot::default()
            },
        );
        state.last_activity = now;
        Ok(id)
    }

    /// Writes requests encoded by the caller (registered with [`register`](Self::register)),
    /// whose answers nobody waits for yet.
    pub(crate) fn send_encoded(&self, bytes: &[u8]) {
        let mut writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(error) = writer.flush().and_then(|()| writer.write_raw(bytes)) {
            // The extension has gone away: reading will find out how, and `wait` reports it.
            tracing::debug!(%error, "cannot write to the extension");
        }
        drop(writer);
        self.wake_monitor_for_answers();
    }

    /// The largest message the extension accepts.
    pub(crate) fn send_limit(&self) -> usize {
        self.writer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .encoder_mut()
            .limit()
    }

    /// Answers are coming that no caller waits for yet: if nobody reads, the monitor must,
    /// or a full pipe would stall both sides.
    fn wake_monitor_for_answers(&self) {
        let state = self.lock();
        if state.leader == Leader::Nobody && state.followers.is_empty() && state.monitor_parked {
            self.monitor_wake.notify_one();
        }
    }

    /// Sends a notification.
    pub(crate) fn notify(
        &self,
        method: &str,
        params: Option<Box<RawValue>>,
    ) -> Result<(), CallError> {
        let sent = self
            .writer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .send(&Notification::new(method, params));
        match sent {
            Ok(()) => Ok(()),
            Err(SendError::Encode(source)) => Err(CallError::Encode {
                method: method.to_owned(),
                source,
            }),
            Err(_) => Err(CallError::Ended {
                method: method.to_owned(),
                ended: self.ended_or_broken(),
            }),
        }
    }

    /// Waits for the answer to request `id`, reading the extension's output itself when
    /// nobody else is.
    pub(crate) fn wait(
        &self,
        id: i64,
        method: &str,
        timeout: Option<Duration>,
    ) -> Result<Box<RawValue>, CallError> {
        let mut state = self.lock();
        loop {
            match self.next_step(&mut state, id, Instant::now()) {
                Step::Answered(result, slot) => {
                    self.promote(&mut state);
                    return outcome(method, result, &slot, timeout);
                }
                Step::Ended(ended, slot) => {
                    self.promote(&mut state);
                    if slot.kill_at.is_some() {
                        return Err(timed_out(method, timeout, slot.killed));
                    }
                    return Err(CallError::Ended {
                        method: method.to_owned(),
                        ended,
                    });
                }
                Step::Cancel => {
                    drop(state);
                    self.send_cancel(id);
                    state = self.lock();
                }
                Step::Kill => {
                    drop(state);
                    self.kill(self.hung_reason(&format!("`{method}`")));
                    state = self.lock();
                }
                Step::Lead => {
                    drop(state);
                    self.lead(Some(id));
                    state = self.lock();
                    if state.leader == Leader::Caller(id) {
                        state.leader = Leader::Nobody;
                    }
                }
                Step::Sleep(waiter, wake_at) => {
                    state.followers.push(id);
                    state = match wake_at {
                        Some(at) => {
                            waiter
                                .wait_timeout(state, at.saturating_duration_since(Instant::now()))
                                .unwrap_or_else(|p| p.into_inner())
                                .0
                        }
                        None => waiter.wait(state).unwrap_or_else(|p| p.into_inner()),
                    };
                    state.followers.retain(|follower| *follower != id);
                }
            }
        }
    }

    /// What the caller waiting for `id` must do next (the state changes it implies are made).
    fn next_step(&self, state: &mut State, id: i64, now: Instant) -> Step {
        let Some(slot) = state.pending.get_mut(&id) else {
            let ended = state
                .ended
                .clone()
                .unwrap_or_else(|| self.ended_now("no longer knows the call"));
            return Step::Ended(ended, Slot::default());
        };
        if let Some(result) = slot.result.take() {
            let slot = state.pending.remove(&id).unwrap_or_default();
            return Step::Answered(result, slot);
        }
        if let Some(ended) = state.ended.clone() {
            let slot = state.pending.remove(&id).unwrap_or_default();
            return Step::Ended(ended, slot);
        }
        // Enforce the deadline; a leader blocked in a read has the monitor do it.
        if let Some(deadline) = slot.deadline
            && slot.kill_at.is_none()
            && now >= deadline
        {
            slot.kill_at = Some(now + self.cancel_grace);
            return Step::Cancel;
        }
        if let Some(kill_at) = slot.kill_at
            && !slot.killed
            && now >= kill_at
        {
            slot.killed = true;
            return Step::Kill;
        }
        let wake_at = if slot.killed {
            None
        } else {
            slot.kill_at.or(slot.deadline)
        };
        if state.leader == Leader::Nobody {
            state.leader = Leader::Caller(id);
            return Step::Lead;
        }
        let waiter = Arc::clone(slot.waiter.get_or_insert_with(Default::default));
        Step::Sleep(waiter, wake_at)
    }

    /// Forgets a call whose answer nobody will wait for.
    pub(crate) fn forget(&self, id: i64) {
        let mut state = self.lock();
        state.pending.remove(&id);
        self.promote(&mut state);
    }

    /// Cancels a call at the caller's request.
    pub(crate) fn cancel(&self, id: i64) {
        let in_flight = match self.lock().pending.get_mut(&id) {
            Some(slot) if !slot.answered() => {
                slot.cancelled = true;
                true
            }
            _ => false,
        };
        if in_flight {
            self.send_cancel(id);
        }
    }

    pub(super) fn send_cancel(&self, id: i64) {
        let params = crate::protocol::to_raw(&CancelParams { id: Id::Number(id) }).ok();
        // If this fails the extension is gone, which reading will notice.
        let _ = self.notify(method::CANCEL_REQUEST, params);
    }

    /// If nobody reads, lets a waiting caller (or else the monitor) take over.
    pub(super) fn promote(&self, state: &mut State) {
        if state.leader != Leader::Nobody {
            return;
        }
        if let Some(waiter) = state
            .followers
            .first()
            .and_then(|id| state.pending.get(id))
            .and_then(|slot| slot.waiter.as_ref())
        {
            waiter.notify_one();
        } else if !state.pending.is_empty() && state.monitor_parked {
            self.monitor_wake.notify_one();
        }
    }

    /// Reads and routes messages until `own` is answered (or, for the monitor, `own` being
    /// `None`, until a caller is waiting or activity suggests one will soon), or the
    /// connection ends.
    pub(super) fn lead(&self, own: Option<i64>) {
        let mut reader = self.reader.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            match reader.read() {
                Ok(Some(Ok(message))) => self.route(message),
                Ok(Some(Err(error))) => self.route_garbage(&error),
                Ok(None) => {
                    drop(reader);
                    self.end_of_output(None);
                    return;
                }
                Err(error) => {
                    drop(reader);
                    self.end_of_output(Some(error));
                    return;
                }
            }
            let state = self.lock();
            if state.ended.is_some() {
                return;
            }
            let done = match own {
                Some(id) => state.pending.get(&id).is_none_or(Slot::answered),
                None => {
                    !state.followers.is_empty()
                        || (state.pending.is_empty()
                            && state.last_activity.elapsed() < super::monitor::IDLE_GRACE)
                }
            };
            if done {
                return;
            }
        }
    }

    fn route(&self, message: Message) {
        match message {
            Message::Response(Response {
                id: Some(Id::Number(id)),
                result,
            }) => self.complete(id, result),
            Message::Response(Response { id, result }) => match result {
                Err(error) => tracing::warn!(
                    extension = %self.name, ?id, %error,
                    "the extension rejected a message from the host"
                ),
                Ok(_) => tracing::warn!(
                    extension = %self.name, ?id,
                    "ignoring a response to no request of this host"
                ),
            },
            Message::Notification(notification) => self.deliver(&notification),
            Message::Request(request) => {
                // Hosts built on this SDK take no requests from extensions (yet).
                let answer = Response::error(
                    Some(request.id),
                    ErrorObject::method_not_found(&request.method),
                );
                let _ = self
                    .writer
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .send(&answer);
            }
        }
    }

    fn complete(&self, id: i64, result: Result<Box<RawValue>, ErrorObject>) {
        let mut state = self.lock();
        match state.pending.get_mut(&id) {
            Some(slot) => {
                slot.result = Some(result);
                if let Some(waiter) = &slot.waiter {
                    waiter.notify_one();
                }
            }
            None => tracing::debug!(id, "dropping the late answer to a call given up on"),
        }
    }

    fn route_garbage(&self, error: &DecodeError) {
        tracing::warn!(
            extension = %self.name, %error,
            "the extension wrote a line that is not a valid message"
        );
        // A broken answer still ends its call, with an error saying what was wrong.
        if let Some(Id::Number(id)) = error.id() {
            let mut object = error.to_error_object();
            object.message = format!("the extension's answer was unusable: {}", object.message);
            self.complete(*id, Err(object));
        }
    }

    fn deliver(&self, notification: &Notification) {
        deliver(&self.name, self.on_notification.as_ref(), notification);
    }

    /// The extension's output ended: find out how, and fail every call in flight with that.
    fn end_of_output(&self, read_error: Option<std::io::Error>) {
        let reaped = self.peer.reap_after_eof();
        let kill_reason = self.lock().kill_reason.clone();
        let what = match (kill_reason, read_error) {
            (Some(reason), _) => format!("{reason} ({})", reaped.what),
            (None, Some(error)) => format!("could not be read from ({error}) and {}", reaped.what),
            (None, None) => reaped.what,
        };
        self.set_ended(what);
    }

    fn set_ended(&self, what: String) {
        let stderr = self.peer.stderr_tail(STDERR_WAIT);
        let mut state = self.lock();
        if state.ended.is_none() {
            state.ended = Some(Ended {
                extension: self.name.clone(),
                what,
                stderr,
            });
        }
        for slot in state.pending.values() {
            if let Some(waiter) = &slot.waiter {
                waiter.notify_one();
            }
        }
        drop(state);
        self.monitor_wake.notify_all();
    }

    fn ended_now(&self, what: &str) -> Ended {
        Ended {
            extension: self.name.clone(),
            what: what.to_owned(),
            stderr: Vec::new(),
        }
    }

    fn ended_or_broken(&self) -> Ended {
        self.lock()
            .ended
            .clone()
            .unwrap_or_else(|| self.ended_now("stopped reading its input"))
    }

    pub(super) fn hung_reason(&self, method: &str) -> String {
        format!(
            "was killed as hung: it did not acknowledge the cancellation of {method} within {:?}",
            self.cancel_grace
        )
    }

    /// Kills the extension, remembering why for the error every waiting call gets.
    pub(super) fn kill(&self, reason: String) {
        self.lock().kill_reason.get_or_insert(reason);
        self.peer.kill();
    }

    /// Ends the connection now: kills the extension if it still runs, and reaps it.
    pub(crate) fn teardown(&self, reason: &str) -> Reaped {
        self.lock()
            .kill_reason
            .get_or_insert_with(|| reason.to_owned());
        let reaped = self.peer.kill_and_reap();
        self.set_ended(format!("{reason} ({})", reaped.what));
        reaped
    }

    /// Waits up to `timeout` for the extension to exit by itself, then kills it; returns how
    /// it ended.
    pub(crate) fn finish(&self, timeout: Duration) -> Reaped {
        match self.peer.reap(timeout) {
            Some(reaped) => {
                self.set_ended(format!("was shut down ({})", reaped.what));
                reaped
            }
            None => self.teardown("was killed: it did not exit after `shutdown`"),
        }
    }

    /// How the connection ended, if it has.
    pub(crate) fn ended(&self) -> Option<Ended> {
        self.lock().ended.clone()
    }

    /// The child's process id (`None` in-process).
    pub(crate) fn process_id(&self) -> Option<u32> {
        self.peer.process_id()
    }

    /// The extension's last stderr lines so far.
    pub(crate) fn stderr_tail(&self) -> Vec<String> {
        self.peer.stderr_tail(Duration::ZERO)
    }
}

fn outcome(
    method: &str,
    result: Result<Box<RawValue>, ErrorObject>,
    slot: &Slot,
    timeout: Option<Duration>,
) -> Result<Box<RawValue>, CallError> {
    if slot.kill_at.is_some() {
        return Err(timed_out(method, timeout, false));
    }
    match result {
        Ok(result) => Ok(result),
        Err(error) if slot.cancelled && error.kind() == Some(ErrorCode::Cancelled) => {
            Err(CallError::Cancelled {
                method: method.to_owned(),
            })
        }
        Err(error) => Err(CallError::Remote {
            method: method.to_owned(),
            error,
        }),
    }
}

fn timed_out(method: &str, timeout: Option<Duration>, killed: bool) -> CallError {
    CallError::TimedOut {
        method: method.to_owned(),
        timeout: timeout.unwrap_or_default(),
        killed,
    }
}

/// Hands a notification from the extension to the host: `$/log` records are logged, and
/// everything goes to the host's handler.
pub(super) fn deliver(
    extension: &str,
    handler: Option<&NotificationHandler>,
    notification: &Notification,
) {
    if notification.method == method::LOG
        && let Ok(log) = notification.params_as::<LogParams>()
    {
        log_record(extension, &log);
    }
    if let Some(handler) = handler {
        handler(notification);
    }
}

fn log_record(extension: &str, log: &LogParams) {
    let target = log.target.as_deref().unwrap_or("");
    match log.level {
        LogLevel::Error => tracing::error!(extension, target, "{}", log.message),
        LogLevel::Warn => tracing::warn!(extension, target, "{}", log.message),
        LogLevel::Info => tracing::info!(extension, target, "{}", log.message),
        LogLevel::Debug => tracing::debug!(extension, target, "{}", log.message),
        LogLevel::Trace => tracing::trace!(extension, target, "{}", log.message),
    }
}
