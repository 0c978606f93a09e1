//! The extension's way back to the host: responses and notifications share one writer.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Serialize;

use crate::codec::EncodeError;
use crate::protocol::{Id, LogLevel, LogParams, Notification, ProgressParams, Reply, method};
use crate::transport::{MessageWriter, SendError};

/// Bytes queued beyond this are written even if more responses are about to follow.
const FLUSH_ABOVE: usize = 64 * 1024;

/// The writing half of the connection, shared by every thread of the serve loop.
///
/// Responses are queued and written in batches (one write for a burst of answers);
/// notifications are written at once.
pub(crate) struct Outbox {
    writer: Mutex<MessageWriter<Box<dyn Write + Send>>>,
    /// Whether bytes are queued: lets a thread with nothing to write skip the lock, which the
    /// thread answering a request may be holding.
    dirty: AtomicBool,
}

impl Outbox {
    pub(crate) fn new(writer: Box<dyn Write + Send>) -> Self {
        Outbox {
            writer: Mutex::new(MessageWriter::new(writer)),
            dirty: AtomicBool::new(false),
        }
    }

    fn lock(&self) -> MutexGuard<'_, MessageWriter<Box<dyn Write + Send>>> {
        // A panic cannot happen while the lock is held with the buffer half-written: encoding
        // rolls back on error. So a poisoned lock is still consistent.
        self.writer
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Sets the largest message the host accepts.
    pub(crate) fn set_limit(&self, limit: usize) {
        self.lock().encoder_mut().set_limit(limit);
    }

    /// Writes `message` now, with anything queued before it.
    pub(crate) fn send<M: Serialize + ?Sized>(&self, message: &M) -> Result<(), SendError> {
        self.lock().send(message)
    }

    /// Queues `reply` (to the request `method`, or a batch's answer); one that cannot be
    /// encoded is replaced by errors saying why, so the host is never left waiting.
    pub(crate) fn queue_reply(&self, reply: &Reply, method: &str) {
        let mut writer = self.lock();
        if let Err(error) = writer.encoder_mut().encode_reply(reply, method) {
            tracing::error!(%error, "cannot encode even an error response");
            return;
        }
        if writer.queued() > FLUSH_ABOVE {
            write_out(&mut writer);
        } else {
            self.dirty.store(true, Ordering::Release);
        }
    }

    /// Writes everything queued.
    pub(crate) fn flush(&self) {
        if !self.dirty.load(Ordering::Acquire) {
            return;
        }
        let mut writer = self.lock();
        self.dirty.store(false, Ordering::Release);
        if writer.queued() > 0 {
            write_out(&mut writer);
        }
    }
}

fn write_out(writer: &mut MessageWriter<Box<dyn Write + Send>>) {
    if let Err(error) = writer.flush() {
        // The host is gone; the reading side will see end of input and stop the loop.
        tracing::debug!(%error, "cannot write to the host");
    }
}

/// Receives notifications sent by a direct extension (no wire in between).
pub(crate) type NotificationSink = Arc<dyn Fn(&Notification) + Send + Sync>;

/// Sends notifications to the host: progress, partial results, logs.
///
/// Cheap to clone, and usable from any thread while the connection lasts.
#[derive(Clone)]
pub struct Notifier {
    route: Route,
}

#[derive(Clone)]
enum Route {
    /// Encoded and written to the connection.
    Wire(Arc<Outbox>),
    /// Handed straight to the host (direct extensions).
    Direct(Option<NotificationSink>),
}

impl std::fmt::Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifier").finish_non_exhaustive()
    }
}

impl Notifier {
    pub(crate) fn new(outbox: Arc<Outbox>) -> Self {
        Notifier {
            route: Route::Wire(outbox),
        }
    }

    pub(crate) fn direct(sink: Option<NotificationSink>) -> Self {
        Notifier {
            route: Route::Direct(sink),
        }
    }

    /// A peer that hands every notification to `sink`, for a serve loop that writes its
    /// messages itself (an async one, say): `sink` queues the notification for the wire.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// # use symphony_core::protocol::{LogLevel, Notification};
    /// # use symphony_core::serve::Notifier;
    ///
    /// let sent: Arc<Mutex<Vec<Notification>>> = Arc::default();
    /// let queue = Arc::clone(&sent);
    /// let peer = Notifier::from_fn(move |n: &Notification| queue.lock().unwrap().push(n.clone()));
    /// peer.log(LogLevel::Info, "ready")?;
    /// assert_eq!(sent.lock().unwrap()[0].method, "$/log");
    /// # Ok::<(), symphony_core::transport::SendError>(())
    /// ```
    pub fn from_fn(sink: impl Fn(&Notification) + Send + Sync + 'static) -> Self {
        Notifier::direct(Some(Arc::new(sink)))
    }

    /// Sends the notification `method` with `params` (a JSON object or array).
    ///
    /// # Errors
    ///
    /// The params cannot be encoded, or the host has gone away.
    pub fn notify<P: Serialize + ?Sized>(&self, method: &str, params: &P) -> Result<(), SendError> {
        let notification = Notification::with_params(method, params)
            .map_err(|error| SendError::Encode(EncodeError::Serialize(error)))?;
        match &self.route {
            Route::Wire(outbox) => outbox.send(&notification),
            Route::Direct(sink) => {
                if let Some(sink) = sink {
                    sink(&notification);
                }
                Ok(())
            }
        }
    }

    /// Sends `$/progress` with `value` for the stream `token`.
    ///
    /// # Errors
    ///
    /// The value cannot be encoded, or the host has gone away.
    pub fn progress<V: Serialize + ?Sized>(&self, token: &Id, value: &V) -> Result<(), SendError> {
        let value = serde_json::to_value(value)
            .map_err(|error| SendError::Encode(EncodeError::Serialize(error)))?;
        self.notify(
            method::PROGRESS,
            &ProgressParams {
                token: token.clone(),
                value,
            },
        )
    }

    /// Sends a `$/log` record.
    ///
    /// # Errors
    ///
    /// The host has gone away.
    pub fn log(&self, level: LogLevel, message: &str) -> Result<(), SendError> {
        self.notify(
            method::LOG,
            &LogParams {
                level,
                message: message.to_owned(),
                target: None,
            },
        )
    }
}
