//! One connection to a running extension: requests from many threads, without a thread hop.
//!
//! Callers take turns reading. A caller waiting for its answer becomes the *leader* if nobody
//! is reading: it reads and routes messages until its own answer arrives, handing other
//! callers' answers to them and notifications to the handler, then passes the role on. So in
//! the common case the thread that sent a request is the one that reads its answer: no other
//! thread has to wake up in between. A background [monitor](super::monitor) covers the rest:
//! it reads when nobody waits (pipelined calls, notifications while idle, noticing a crash)
//! and kills an extension that does not acknowledge a cancellation in time.
//!
//! Every call ends by its deadline. Writes go through the [outbox](super::outbox), which never
//! blocks a caller on the pipe; a leader reads a child's output through
//! [`ChildStdoutSource`](super::child_io), which gives up at the leader's deadline. When the
//! deadline passes, the call fails at once with [`CallError::TimedOut`]: a request the
//! extension never received is withdrawn; one it did receive is cancelled, and the extension
//! must acknowledge (answer) within [`ExtensionOptions::cancel_grace`] or it is killed as hung.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::io::Read;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

#[cfg(unix)]
use super::child_io::Wake;
use super::error::{CallError, Ended};
use super::extension_end::{ExtensionEnd, Reaped};
use super::options::{ExtensionOptions, NotificationHandler};
use super::outbox::{Outbox, Room, Sink, Unsent, Withdrawn};
use crate::codec::{DecodeError, Decoder};
use crate::protocol::{
    CancelParams, ErrorCode, ErrorObject, Id, LogLevel, LogParams, Message, Notification, RawValue,
    Request, Response, method,
};
use crate::transport::MessageReader;

/// How long the stderr tail may take to complete when the extension ends.
const STDERR_WAIT: Duration = Duration::from_millis(200);

/// After the child exits, how long its output may take to reach its end (answers written
/// just before the exit are still read); longer means something else holds the pipe.
const EXIT_DRAIN: Duration = Duration::from_millis(100);

pub(crate) struct Connection {
    /// The extension's name, for messages.
    pub(crate) name: String,
    state: Mutex<State>,
    /// Wakes the monitor thread.
    pub(super) monitor_wake: Condvar,
    /// Wakes threads waiting for the connection to end.
    ended_wake: Condvar,
    reader: Mutex<MessageReader<Box<dyn Read + Send>>>,
    outbox: Arc<Outbox>,
    /// Releases threads blocked on a child's pipes (`None` in-process).
    #[cfg(unix)]
    wake: Option<Arc<Wake>>,
    next_id: AtomicI64,
    peer: ExtensionEnd,
    on_notification: Option<NotificationHandler>,
    pub(super) cancel_grace: Duration,
    /// Time limit of a notification waiting for room in the outbox.
    notify_timeout: Option<Duration>,
}

/// The byte streams of a connection, as the host uses them.
pub(crate) struct Streams {
    pub(crate) reader: Box<dyn Read + Send>,
    pub(crate) sink: Arc<dyn Sink>,
    #[cfg(unix)]
    pub(crate) wake: Option<Arc<Wake>>,
}

pub(super) struct State {
    pub(super) pending: HashMap<i64, Slot>,
    /// Callers asleep waiting for their answer, in arrival order.
    pub(super) followers: Vec<i64>,
    pub(super) leader: Leader,
    /// When the last request was sent.
    pub(super) last_activity: Instant,
    pub(super) monitor_parked: bool,
    /// Cancelled requests whose acknowledgement is due by then, earliest first.
    pub(super) hang_watch: BinaryHeap<Reverse<(Instant, i64)>>,
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
pub(super) struct Slot {
    method: String,
    result: Option<Result<Box<RawValue>, ErrorObject>>,
    /// Set while the caller sleeps, so that whoever completes the slot can wake it.
    waiter: Option<Arc<Condvar>>,
    pub(super) deadline: Option<Instant>,
    /// Given up on at its deadline (and cancelled, if the extension received it): the slot
    /// stays until the extension answers (acknowledges), or the hang watch kills it.
    pub(super) abandoned: bool,
    /// The caller has returned: an answer is only an acknowledgement.
    orphan: bool,
    cancelled: bool,
}

/// What a waiting caller does next.
enum Step {
    Answered(Result<Box<RawValue>, ErrorObject>, Slot),
    Ended(Ended),
    TimedOut,
    Lead(Option<Instant>),
    Sleep(Arc<Condvar>, Option<Instant>),
}

impl Slot {
    pub(super) fn answered(&self) -> bool {
        self.result.is_some()
    }

    /// Whether the caller is still waiting for this slot past its deadline.
    pub(super) fn overdue(&self, now: Instant) -> bool {
        !self.abandoned && !self.answered() && self.deadline.is_some_and(|at| now >= at)
    }
}

impl Connection {
    pub(crate) fn new(
        name: String,
        streams: Streams,
        peer: ExtensionEnd,
        options: &ExtensionOptions,
    ) -> Arc<Self> {
        Arc::new(Connection {
            name,
            state: Mutex::new(State {
                pending: HashMap::new(),
                followers: Vec::new(),
                leader: Leader::Nobody,
                last_activity: Instant::now(),
                monitor_parked: false,
                hang_watch: BinaryHeap::new(),
                kill_reason: None,
                ended: None,
            }),
            monitor_wake: Condvar::new(),
            ended_wake: Condvar::new(),
            reader: Mutex::new(MessageReader::with_decoder(
                streams.reader,
                Decoder::with_limit(options.max_message_size),
            )),
            outbox: Outbox::new(streams.sink),
            #[cfg(unix)]
            wake: streams.wake,
            next_id: AtomicI64::new(0),
            peer,
            on_notification: options.on_notification.clone(),
            cancel_grace: options.cancel_grace,
            notify_timeout: options.request_timeout,
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
        self.outbox.set_limit(limit);
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
        let deadline = timeout.map(|timeout| Instant::now() + timeout);
        let request = Request::new(id, method, params);
        match self
            .outbox
            .send(&request, Some(id), Room::WaitUntil(deadline))
        {
            Ok(()) => {}
            Err(Unsent::Encode(source)) => {
                self.lock().pending.remove(&id);
                return Err(CallError::Encode {
                    method: method.to_owned(),
                    source,
                });
            }
            Err(Unsent::Full) => {
                self.lock().pending.remove(&id);
                return Err(timed_out(method, timeout, false));
            }
            // The extension has gone away: `wait` reports how once the connection has ended.
            Err(Unsent::Broken(reason)) => {
                tracing::debug!(%reason, "cannot write to the extension");
            }
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
                method: method.to_owned(),
                result: None,
                waiter: None,
                deadline: timeout.map(|timeout| now + timeout),
                abandoned: false,
                orphan: false,
                cancelled: false,
            },
        );
        state.last_activity = now;
        Ok(id)
    }

    /// Writes requests encoded by the caller (registered with [`register`](Self::register)),
    /// whose answers nobody waits for yet; waits for room in the outbox until `deadline`.
    pub(crate) fn send_encoded(&self, bytes: &[u8], ids: &[i64], deadline: Option<Instant>) {
        match self.outbox.send_encoded(bytes, Room::WaitUntil(deadline)) {
            Ok(()) => {}
            Err(Unsent::Full) => {
                // Never written: the calls fail at once rather than wait for answers.
                let mut state = self.lock();
                for id in ids {
                    if let Some(slot) = state.pending.get_mut(id) {
                        slot.result = Some(Err(ErrorObject::new(
                            ErrorCode::TimedOut,
                            "the host could not queue the request before its deadline: \
                             the extension is not reading its input",
                        )));
                    }
                }
            }
            Err(error) => tracing::debug!(?error, "cannot write to the extension"),
        }
        self.wake_monitor_for_answers();
    }

    /// The largest message the extension accepts.
    pub(crate) fn send_limit(&self) -> usize {
        self.outbox.limit()
    }

    /// Answers are coming that no caller waits for yet: if nobody reads, the monitor must,
    /// or a full pipe would stall both sides.
    fn wake_monitor_for_answers(&self) {
        let state = self.lock();
        if state.leader == Leader::Nobody && state.followers.is_empty() && state.monitor_parked {
            self.monitor_wake.notify_one();
        }
    }

    /// Sends a notification, waiting for room in the outbox at most the default request
    /// time limit.
    pub(crate) fn notify(
        &self,
        method: &str,
        params: Option<Box<RawValue>>,
    ) -> Result<(), CallError> {
        let deadline = self.notify_timeout.map(|timeout| Instant::now() + timeout);
        self.notify_until(method, params, Room::WaitUntil(deadline))
    }

    /// Sends a notification, waiting for room in the outbox until `deadline` at most.
    pub(crate) fn notify_by(
        &self,
        method: &str,
        params: Option<Box<RawValue>>,
        deadline: Option<Instant>,
    ) -> Result<(), CallError> {
        self.notify_until(method, params, Room::WaitUntil(deadline))
    }

    fn notify_until(
        &self,
        method: &str,
        params: Option<Box<RawValue>>,
        room: Room,
    ) -> Result<(), CallError> {
        match self
            .outbox
            .send(&Notification::new(method, params), None, room)
        {
            Ok(()) => Ok(()),
            Err(Unsent::Encode(source)) => Err(CallError::Encode {
                method: method.to_owned(),
                source,
            }),
            Err(Unsent::Full) => Err(timed_out(method, self.notify_timeout, false)),
            Err(Unsent::Broken(reason)) => Err(CallError::Ended {
                method: method.to_owned(),
                ended: self.ended_or(&reason),
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
                    return outcome(method, result, &slot);
                }
                Step::Ended(ended) => {
                    self.promote(&mut state);
                    return Err(CallError::Ended {
                        method: method.to_owned(),
                        ended,
                    });
                }
                Step::TimedOut => {
                    let killed = state.kill_reason.is_some();
                    drop(state);
                    self.abandon(id, true);
                    return Err(timed_out(method, timeout, killed));
                }
                Step::Lead(deadline) => {
                    drop(state);
                    self.lead(Some(id), deadline);
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
            return Step::Ended(ended);
        };
        // The monitor gave up for a leader that could not be interrupted.
        if slot.abandoned {
            return Step::TimedOut;
        }
        if let Some(result) = slot.result.take() {
            let slot = state.pending.remove(&id).unwrap_or_else(|| unreachable!());
            return Step::Answered(result, slot);
        }
        if let Some(ended) = state.ended.clone() {
            state.pending.remove(&id);
            return Step::Ended(ended);
        }
        if slot.deadline.is_some_and(|deadline| now >= deadline) {
            return Step::TimedOut;
        }
        let deadline = slot.deadline;
        if state.leader == Leader::Nobody {
            state.leader = Leader::Caller(id);
            return Step::Lead(deadline);
        }
        let waiter = Arc::clone(slot.waiter.get_or_insert_with(Default::default));
        Step::Sleep(waiter, deadline)
    }

    /// Gives up on `id` at its deadline: a request the extension never received is
    /// withdrawn; one it did is cancelled and watched (see [`monitor`](super::monitor)).
    /// `by_caller`: the caller is returning now (else the monitor acts for a caller that is
    /// blocked reading, which returns when it sees the slot abandoned).
    pub(super) fn abandon(&self, id: i64, by_caller: bool) {
        let withdrawn = self.outbox.withdraw(id);
        let mut state = self.lock();
        let mut cancel = false;
        if let Some(slot) = state.pending.get_mut(&id) {
            if withdrawn == Withdrawn::Sent && !slot.answered() && !slot.abandoned {
                cancel = true;
            }
            slot.abandoned = true;
            if by_caller {
                slot.orphan = true;
                slot.waiter = None;
            }
            if by_caller && (withdrawn == Withdrawn::Unsent || slot.answered()) {
                // Nothing more will come for it that matters.
                state.pending.remove(&id);
            }
        }
        if cancel {
            let due = Instant::now() + self.cancel_grace;
            state.hang_watch.push(Reverse((due, id)));
        }
        self.promote(&mut state);
        let monitor_leads = state.leader == Leader::Monitor;
        drop(state);
        if cancel {
            self.send_cancel(id);
            // The monitor enforces the watch: wake it, or have it stop reading to look.
            self.monitor_wake.notify_all();
            if monitor_leads {
                self.nudge_reader();
            }
        }
    }

    fn nudge_reader(&self) {
        #[cfg(unix)]
        if let Some(wake) = &self.wake {
            wake.nudge();
        }
    }

    /// The earliest acknowledgement due, if any.
    pub(super) fn next_hang_check(state: &State) -> Option<Instant> {
        state.hang_watch.peek().map(|Reverse((due, _))| *due)
    }

    /// Kills the extension if a cancelled request was not acknowledged in time; returns
    /// whether it did.
    pub(super) fn enforce_hang_watch(&self, mut state: MutexGuard<'_, State>) -> bool {
        let now = Instant::now();
        while let Some(Reverse((due, id))) = state.hang_watch.peek().copied() {
            if due > now {
                return false;
            }
            state.hang_watch.pop();
            let Some(slot) = state.pending.get(&id).filter(|slot| !slot.answered()) else {
                continue; // acknowledged
            };
            let reason = self.hung_reason(&format!("`{}`", slot.method));
            drop(state);
            self.kill(reason);
            return true;
        }
        false
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
        if !in_flight {
            return;
        }
        if self.outbox.withdraw(id) == Withdrawn::Unsent {
            // The extension never saw it: cancelled here, as it would have answered.
            self.complete(id, Err(ErrorObject::cancelled()));
        } else {
            self.send_cancel(id);
        }
    }

    pub(super) fn send_cancel(&self, id: i64) {
        let params = crate::protocol::to_raw(&CancelParams { id: Id::Number(id) }).ok();
        // Never waits: with no room the extension is not reading, and the hang watch kills it
        // if it does not answer. If it is gone, reading notices.
        let _ = self.notify_until(method::CANCEL_REQUEST, params, Room::OrDrop);
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
    /// `None`, until a caller is waiting or activity suggests one will soon), the deadline
    /// passes (a read of a child's output gives up then), or the connection ends.
    pub(super) fn lead(&self, own: Option<i64>, mut deadline: Option<Instant>) {
        let mut reader = self.reader.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            self.set_read_deadline(deadline);
            match reader.read() {
                Ok(Some(Ok(message))) => self.route(message),
                Ok(Some(Err(error))) => self.route_garbage(&error),
                Ok(None) => {
                    drop(reader);
                    self.end_of_output(None);
                    return;
                }
                // The deadline passed, or the reader was nudged: look at the state again.
                Err(error)
                    if matches!(
                        error.kind(),
                        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                    ) =>
                {
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
            let now = Instant::now();
            let done = match own {
                Some(id) => state
                    .pending
                    .get(&id)
                    .is_none_or(|slot| slot.answered() || slot.abandoned || slot.overdue(now)),
                None => {
                    deadline = Connection::next_hang_check(&state);
                    !state.followers.is_empty()
                        || deadline.is_some_and(|due| now >= due)
                        || (state.pending.is_empty()
                            && state.last_activity.elapsed() < super::monitor::IDLE_GRACE)
                }
            };
            if done {
                return;
            }
        }
    }

    fn set_read_deadline(&self, deadline: Option<Instant>) {
        #[cfg(unix)]
        if let Some(wake) = &self.wake {
            wake.set_read_deadline(deadline);
        }
        #[cfg(not(unix))]
        let _ = deadline;
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
                // Hosts built on this SDK take no requests from extensions (yet). The answer
                // goes through the outbox without waiting: the reader never blocks on a write,
                // and an extension that sends requests without reading the answers loses them.
                let answer = Response::error(
                    Some(request.id),
                    ErrorObject::method_not_found(&request.method),
                );
                if let Err(error) = self.outbox.send(&answer, None, Room::OrDrop) {
                    tracing::debug!(
                        extension = %self.name, ?error,
                        "dropped the answer to a request from the extension"
                    );
                }
            }
        }
    }

    fn complete(&self, id: i64, result: Result<Box<RawValue>, ErrorObject>) {
        let mut state = self.lock();
        match state.pending.get_mut(&id) {
            // The acknowledgement of a cancellation the caller no longer waits for.
            Some(slot) if slot.orphan => {
                state.pending.remove(&id);
            }
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
        if self.lock().ended.is_some() {
            // Already ended (the reader was released by the hang-up that followed).
            return;
        }
        let reaped = self.peer.reap_after_eof();
        let kill_reason = self.lock().kill_reason.clone();
        let what = match (kill_reason, read_error) {
            (Some(reason), _) => format!("{reason} ({})", reaped.what),
            (None, Some(error)) => format!("could not be read from ({error}) and {}", reaped.what),
            (None, None) => reaped.what,
        };
        self.set_ended(what);
    }

    /// The child process has exited (its output may still be open: a process it started can
    /// hold the pipe). Ends the connection from the exit itself, so nothing waits on the pipe.
    pub(crate) fn child_exited(&self) {
        // The extension's other processes go with it.
        self.peer.kill_group();
        // Answers written just before the exit are still in the pipe: give the reader a
        // moment to reach the end of the output, which ends the connection as usual.
        if self.wait_ended(EXIT_DRAIN).is_some() {
            return;
        }
        let reaped = self.peer.kill_and_reap();
        let kill_reason = self.lock().kill_reason.clone();
        let what = match kill_reason {
            Some(reason) => format!("{reason} ({})", reaped.what),
            None => format!(
                "{}; its output was still held open (by a process it started) and was abandoned",
                reaped.what
            ),
        };
        self.set_ended(what);
    }

    /// Waits up to `timeout` for the connection to end.
    pub(crate) fn wait_ended(&self, timeout: Duration) -> Option<Ended> {
        let deadline = Instant::now() + timeout;
        let mut state = self.lock();
        loop {
            if let Some(ended) = &state.ended {
                return Some(ended.clone());
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            state = self
                .ended_wake
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
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
        // Nothing is written or read any more: release the writer thread and any reader
        // still blocked on a pipe that something else holds open.
        self.outbox.close("has ended");
        #[cfg(unix)]
        if let Some(wake) = &self.wake {
            wake.hang_up();
        }
        self.monitor_wake.notify_all();
        self.ended_wake.notify_all();
    }

    fn ended_now(&self, what: &str) -> Ended {
        Ended {
            extension: self.name.clone(),
            what: what.to_owned(),
            stderr: Vec::new(),
        }
    }

    fn ended_or(&self, broken: &str) -> Ended {
        self.lock()
            .ended
            .clone()
            .unwrap_or_else(|| self.ended_now(broken))
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
) -> Result<Box<RawValue>, CallError> {
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
