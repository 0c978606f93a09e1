//! Everything the host writes to an extension, so that no caller ever blocks on the pipe.
//!
//! A message is written at once when nothing is queued and the pipe has room (the common
//! case: no thread hop). What does not fit is queued, and a writer thread (started the first
//! time it is needed) writes the queue out as the extension reads. The queue is bounded: a
//! caller waits for room until its own deadline, never longer, and messages the host cannot
//! wait for (cancellations, answers to the extension's requests) are dropped when there is no
//! room, since an extension that does not read its input would never see them anyway.
//!
//! A message is either wholly queued, being written (its first bytes are in the pipe), or
//! written. A request whose deadline passes while wholly queued is
//! [withdrawn](Outbox::withdraw) without a trace; one partly written stays at the head of the
//! queue (cutting it would break the framing of everything after it) until the connection ends.

use std::collections::VecDeque;
use std::io;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::Instant;

use serde::Serialize;

use crate::codec::{EncodeError, Encoder};

/// Bytes the queue holds before senders wait (one message of any size is always admitted
/// into an empty queue).
pub(crate) const QUEUE_LIMIT: usize = 4 * 1024 * 1024;

/// The byte stream the outbox writes to.
pub(crate) trait Sink: Send + Sync {
    /// Writes a prefix of `bytes` without blocking; `Ok(0)` when the pipe is full.
    fn try_write(&self, bytes: &[u8]) -> io::Result<usize>;
    /// Blocks until the pipe has room (`true`) or the connection is abandoned (`false`).
    fn wait_writable(&self) -> io::Result<bool>;
}

/// A sink over any writer (in-process pipes, platforms without `poll`): writes may block.
pub(crate) struct BlockingSink(Mutex<Box<dyn io::Write + Send>>);

impl BlockingSink {
    pub(crate) fn new(writer: Box<dyn io::Write + Send>) -> Self {
        BlockingSink(Mutex::new(writer))
    }
}

impl Sink for BlockingSink {
    fn try_write(&self, bytes: &[u8]) -> io::Result<usize> {
        let mut writer = self.0.lock().unwrap_or_else(|p| p.into_inner());
        writer.write_all(bytes)?;
        writer.flush()?;
        Ok(bytes.len())
    }

    fn wait_writable(&self) -> io::Result<bool> {
        Ok(true)
    }
}

/// How a sender waits when the queue is full.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Room {
    /// Wait for room until then (`None`: as long as it takes).
    WaitUntil(Option<Instant>),
    /// Never wait: drop the message if there is no room.
    OrDrop,
}

/// Why a message was not sent.
#[derive(Debug)]
pub(crate) enum Unsent {
    /// It could not be encoded (nothing was queued).
    Encode(EncodeError),
    /// No room in the queue before the sender's deadline (or at once, for [`Room::OrDrop`]).
    Full,
    /// The connection cannot be written to any more, for this reason.
    Broken(String),
}

/// What became of a request whose answer is no longer awaited.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Withdrawn {
    /// It was still wholly queued and has been removed: the extension never saw it.
    Unsent,
    /// At least part of it was written.
    Sent,
}

pub(crate) struct Outbox {
    state: Mutex<State>,
    /// Wakes the writer thread.
    work: Condvar,
    /// Wakes senders waiting for room.
    room: Condvar,
    sink: Arc<dyn Sink>,
}

struct State {
    encoder: Encoder,
    queue: VecDeque<Entry>,
    /// Bytes in the queue not yet written.
    queued: usize,
    /// Bytes of the queue's first entry already written.
    head_written: usize,
    broken: Option<String>,
    writer_started: bool,
}

struct Entry {
    bytes: Vec<u8>,
    /// The request it carries, if it is one request (to withdraw it).
    request: Option<i64>,
}

impl Outbox {
    pub(crate) fn new(sink: Arc<dyn Sink>) -> Arc<Outbox> {
        Arc::new(Outbox {
            state: Mutex::new(State {
                encoder: Encoder::new(),
                queue: VecDeque::new(),
                queued: 0,
                head_written: 0,
                broken: None,
                writer_started: false,
            }),
            work: Condvar::new(),
            room: Condvar::new(),
            sink,
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state changes in steps that cannot panic half-way.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The largest message the extension accepts.
    pub(crate) fn limit(&self) -> usize {
        self.lock().encoder.limit()
    }

    /// Sets the largest message the extension accepts.
    pub(crate) fn set_limit(&self, limit: usize) {
        self.lock().encoder.set_limit(limit);
    }

    /// Encodes `message` and writes it, or queues it; `request` is its id if it is a request.
    pub(crate) fn send<M: Serialize + ?Sized>(
        self: &Arc<Self>,
        message: &M,
        request: Option<i64>,
        room: Room,
    ) -> Result<(), Unsent> {
        let mut state = self.lock();
        if let Some(reason) = &state.broken {
            return Err(Unsent::Broken(reason.clone()));
        }
        state.encoder.clear();
        state.encoder.encode(message).map_err(Unsent::Encode)?;
        if state.queue.is_empty() {
            // Written from the encoder's buffer, which is lent out meanwhile.
            let encoder = std::mem::take(&mut state.encoder);
            let result = self.write_or_queue(&mut state, encoder.bytes(), request);
            state.encoder = encoder;
            return result;
        }
        let bytes = state.encoder.bytes().to_vec();
        self.enqueue(state, bytes, request, room)
    }

    /// Writes bytes that are already whole encoded messages.
    pub(crate) fn send_encoded(self: &Arc<Self>, bytes: &[u8], room: Room) -> Result<(), Unsent> {
        let mut state = self.lock();
        if let Some(reason) = &state.broken {
            return Err(Unsent::Broken(reason.clone()));
        }
        if state.queue.is_empty() {
            return self.write_or_queue(&mut state, bytes, None);
        }
        self.enqueue(state, bytes.to_vec(), None, room)
    }

    /// With the queue empty: writes what the pipe takes now, queues the rest.
    fn write_or_queue(
        self: &Arc<Self>,
        state: &mut State,
        bytes: &[u8],
        request: Option<i64>,
    ) -> Result<(), Unsent> {
        let written = match self.sink.try_write(bytes) {
            Ok(written) => written,
            Err(error) => return Err(self.break_with(state, &error)),
        };
        if written < bytes.len() {
            state.queued = bytes.len() - written;
            state.head_written = written;
            state.queue.push_back(Entry {
                bytes: bytes.to_vec(),
                request,
            });
            self.start_writer(state);
        }
        Ok(())
    }

    fn enqueue(
        self: &Arc<Self>,
        mut state: MutexGuard<'_, State>,
        bytes: Vec<u8>,
        request: Option<i64>,
        room: Room,
    ) -> Result<(), Unsent> {
        while !state.queue.is_empty() && state.queued + bytes.len() > QUEUE_LIMIT {
            if let Some(reason) = &state.broken {
                return Err(Unsent::Broken(reason.clone()));
            }
            let deadline = match room {
                Room::OrDrop => return Err(Unsent::Full),
                Room::WaitUntil(deadline) => deadline,
            };
            state = match deadline {
                None => self.room.wait(state).unwrap_or_else(|p| p.into_inner()),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return Err(Unsent::Full);
                    }
                    self.room
                        .wait_timeout(state, deadline - now)
                        .unwrap_or_else(|p| p.into_inner())
                        .0
                }
            };
        }
        if let Some(reason) = &state.broken {
            return Err(Unsent::Broken(reason.clone()));
        }
        if state.queue.is_empty() {
            return self.write_or_queue(&mut state, &bytes, request);
        }
        state.queued += bytes.len();
        state.queue.push_back(Entry { bytes, request });
        Ok(())
    }

    /// Takes request `id` out of the queue if none of it was written yet.
    pub(crate) fn withdraw(&self, id: i64) -> Withdrawn {
        let mut state = self.lock();
        let found = state
            .queue
            .iter()
            .position(|entry| entry.request == Some(id));
        match found {
            Some(0) if state.head_written > 0 => Withdrawn::Sent,
            Some(index) => {
                if let Some(entry) = state.queue.remove(index) {
                    let unwritten =
                        entry.bytes.len() - if index == 0 { state.head_written } else { 0 };
                    state.queued -= unwritten;
                    if index == 0 {
                        state.head_written = 0;
                    }
                }
                drop(state);
                self.room.notify_all();
                Withdrawn::Unsent
            }
            None => Withdrawn::Sent,
        }
    }

    /// Stops all writing: queued bytes are dropped and later sends fail with `reason`.
    pub(crate) fn close(&self, reason: &str) {
        let mut state = self.lock();
        state.broken.get_or_insert_with(|| reason.to_owned());
        state.queue.clear();
        state.queued = 0;
        state.head_written = 0;
        drop(state);
        self.work.notify_all();
        self.room.notify_all();
    }

    fn break_with(&self, state: &mut State, error: &io::Error) -> Unsent {
        let reason = format!("cannot be written to ({error})");
        state.broken.get_or_insert_with(|| reason.clone());
        state.queue.clear();
        state.queued = 0;
        state.head_written = 0;
        self.work.notify_all();
        self.room.notify_all();
        Unsent::Broken(reason)
    }

    fn start_writer(self: &Arc<Self>, state: &mut State) {
        if state.writer_started {
            self.work.notify_one();
            return;
        }
        state.writer_started = true;
        let outbox = Arc::clone(self);
        let spawned = thread::Builder::new()
            .name("symphony-host-writer".into())
            .spawn(move || outbox.write_out());
        if let Err(error) = spawned {
            let _ = self.break_with(state, &error);
        }
    }

    /// The writer thread: writes the queue as the pipe takes it, until the connection ends.
    fn write_out(&self) {
        let mut state = self.lock();
        loop {
            if state.broken.is_some() {
                return;
            }
            let Some(head) = state.queue.front() else {
                state = self.work.wait(state).unwrap_or_else(|p| p.into_inner());
                continue;
            };
            match self.sink.try_write(&head.bytes[state.head_written..]) {
                Ok(0) => {
                    drop(state);
                    let writable = self.sink.wait_writable();
                    state = self.lock();
                    match writable {
                        Ok(true) => {}
                        Ok(false) => return,
                        Err(error) => {
                            let _ = self.break_with(&mut state, &error);
                            return;
                        }
                    }
                }
                Ok(written) => {
                    state.head_written += written;
                    state.queued -= written;
                    if state
                        .queue
                        .front()
                        .is_some_and(|head| head.bytes.len() == state.head_written)
                    {
                        state.queue.pop_front();
                        state.head_written = 0;
                        self.room.notify_all();
                    }
                }
                Err(error) => {
                    let _ = self.break_with(&mut state, &error);
                    return;
                }
            }
        }
    }
}
