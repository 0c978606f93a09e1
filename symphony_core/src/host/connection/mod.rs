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
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Read;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

#[cfg(unix)]
use super::child_io::Wake;
use super::error::{CallError, Ended};
use super::extension_end::ExtensionEnd;
use super::options::{ExtensionOptions, NotificationHandler};
use super::outbox::{Outbox, Room, Sink, Unsent};
use crate::codec::Decoder;
use crate::protocol::{ErrorCode, ErrorObject, Notification, RawValue, Request};
use crate::transport::MessageReader;

mod end;
mod route;
mod wait;

pub(super) use route::deliver;
use wait::timed_out;

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
    pub(super) pending: HashMap<i64, Slot, BuildHasherDefault<IdHasher>>,
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
    /// The method of the last call registered, shared by the next call of the same method:
    /// calls mostly repeat one method, and a copy of its name per call (for the slot and the
    /// caller's handle) was two allocations of a pipelined call's few.
    last_method: Option<Arc<str>>,
}

/// Hashes request ids, which this host numbers itself (so no one can pick colliding keys):
/// one multiplication spreads consecutive ids over the table, where SipHash cost more than
/// the rest of a lookup.
#[derive(Default)]
pub(super) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(byte)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_i64(&mut self, id: i64) {
        // The high bits pick the group; the multiplication moves the low bits' changes there.
        self.0 = (id as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
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
    method: Arc<str>,
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
                pending: HashMap::default(),
                followers: Vec::new(),
                leader: Leader::Nobody,
                last_activity: Instant::now(),
                monitor_parked: false,
                hang_watch: BinaryHeap::new(),
                kill_reason: None,
                ended: None,
                last_method: None,
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
    ) -> Result<(i64, Arc<str>), CallError> {
        let (id, shared) = self.register(method, timeout)?;
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
        Ok((id, shared))
    }

    /// Registers a request about to be sent; returns its id and the method's name as the
    /// slot keeps it (for the caller's handle to share).
    pub(crate) fn register(
        &self,
        method: &str,
        timeout: Option<Duration>,
    ) -> Result<(i64, Arc<str>), CallError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let now = Instant::now();
        let mut state = self.lock();
        if let Some(ended) = &state.ended {
            return Err(CallError::Ended {
                method: method.to_owned(),
                ended: ended.clone(),
            });
        }
        let shared = match &state.last_method {
            Some(last) if **last == *method => Arc::clone(last),
            _ => {
                let fresh: Arc<str> = Arc::from(method);
                state.last_method = Some(Arc::clone(&fresh));
                fresh
            }
        };
        state.pending.insert(
            id,
            Slot {
                method: Arc::clone(&shared),
                result: None,
                waiter: None,
                deadline: timeout.map(|timeout| now + timeout),
                abandoned: false,
                orphan: false,
                cancelled: false,
            },
        );
        state.last_activity = now;
        Ok((id, shared))
    }

    /// Writes requests encoded by the caller (registered with [`register`](Self::register)),
    /// whose answers nobody waits for yet; waits for room in the outbox until `deadline`.
    ///
    /// The monitor is woken to read the answers unless `more` requests are coming: while the
    /// caller is still adding calls it would only contend with it for the state, answer by
    /// answer. (It reads within [`IDLE_GRACE`](crate::host::monitor::IDLE_GRACE) anyway, so
    /// answers filling the pipe cannot stall the extension for long.)
    pub(crate) fn send_encoded(
        &self,
        bytes: &[u8],
        ids: &[i64],
        deadline: Option<Instant>,
        more: bool,
    ) {
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
        if !more {
            self.wake_monitor_for_answers();
        }
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
}
