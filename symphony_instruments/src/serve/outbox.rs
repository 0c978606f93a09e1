//! The writing half: messages are encoded by the task that sends them (through core's
//! sans-IO encoder) and written, in order, by one writer task.
//!
//! The queue between them is bounded ([`CAPACITY`] lines): a host that stops reading slows
//! the senders down (responses and `$/progress` wait for room) instead of growing memory
//! without end. `$/log` records are the exception: they come from any thread, synchronously,
//! so when the queue is full they are not forwarded (they still go to stderr).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Serialize;
use symphony_core::codec::{EncodeError, Encoder};
use symphony_core::protocol::{DEFAULT_MAX_MESSAGE_SIZE, Notification, Reply};
use symphony_core::serve::Notifier;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

/// Lines queued for the writer at most; senders wait for room beyond.
pub(super) const CAPACITY: usize = 256;

/// What the writer task receives.
#[derive(Debug)]
enum Line {
    /// Encoded messages, newline-terminated.
    Bytes(Vec<u8>),
    /// Write out what came before, then stop.
    Close,
}

/// A cheap handle for sending messages to the host.
#[derive(Debug, Clone)]
pub(super) struct Outbox {
    lines: mpsc::Sender<Line>,
    /// The largest message the host accepts (from its `initialize`).
    limit: Arc<AtomicUsize>,
}

impl Outbox {
    /// An outbox writing to `writer` from a new task; the task ends after
    /// [`close`](Self::close), or when every handle is gone.
    pub(super) fn spawn<W: AsyncWrite + Unpin + Send + 'static>(
        writer: W,
    ) -> (Self, tokio::task::JoinHandle<()>) {
        let (lines, mut queue) = mpsc::channel::<Line>(CAPACITY);
        let task = tokio::spawn(async move {
            let mut writer = writer;
            while let Some(line) = queue.recv().await {
                let mut closing = false;
                let mut next = Some(line);
                // Flush once the burst is written, not after every message.
                while let Some(line) = next {
                    match line {
                        Line::Bytes(bytes) => {
                            if writer.write_all(&bytes).await.is_err() {
                                return;
                            }
                        }
                        Line::Close => closing = true,
                    }
                    next = if closing { None } else { queue.try_recv().ok() };
                }
                if writer.flush().await.is_err() || closing {
                    return;
                }
            }
        });
        let limit = Arc::new(AtomicUsize::new(DEFAULT_MAX_MESSAGE_SIZE));
        (Outbox { lines, limit }, task)
    }

    /// Sets the largest message the host accepts.
    pub(super) fn set_limit(&self, limit: usize) {
        self.limit.store(limit, Ordering::Relaxed);
    }

    fn encoder(&self) -> Encoder {
        Encoder::with_limit(self.limit.load(Ordering::Relaxed))
    }

    async fn write(&self, encoder: Encoder) {
        // The writer has gone only when the host closed the connection; the read side
        // notices that and ends the session.
        let _ = self.lines.send(Line::Bytes(encoder.bytes().to_vec())).await;
    }

    /// Sends `reply` (to a `method` request, or a batch's answer), waiting for room in the
    /// queue; one that cannot be encoded is replaced by errors saying why, so the host is
    /// never left waiting.
    pub(super) async fn reply(&self, reply: Option<Reply>, method: &str) {
        let Some(reply) = reply else { return };
        let mut encoder = self.encoder();
        match encoder.encode_reply(&reply, method) {
            Ok(()) => self.write(encoder).await,
            Err(error) => tracing::error!(%error, "cannot encode even an error response"),
        }
    }

    /// Sends a notification, waiting for room in the queue.
    pub(super) async fn notify<P: Serialize + ?Sized>(
        &self,
        method: &str,
        params: &P,
    ) -> Result<(), EncodeError> {
        let notification =
            Notification::with_params(method, params).map_err(EncodeError::Serialize)?;
        let mut encoder = self.encoder();
        encoder.encode(&notification)?;
        self.write(encoder).await;
        Ok(())
    }

    /// Writes out everything sent so far and stops the writer task.
    pub(super) async fn close(&self) {
        let _ = self.lines.send(Line::Close).await;
    }

    /// A [`Notifier`] forwarding `$/log` records (from any thread, synchronously): a record that
    /// finds the queue full is not forwarded.
    pub(super) fn log_peer(&self) -> Notifier {
        let outbox = self.clone();
        Notifier::from_fn(move |notification: &Notification| {
            let mut encoder = outbox.encoder();
            if encoder.encode(notification).is_ok() {
                // Not logged when dropped: the log record would come straight back here.
                let _ = outbox.lines.try_send(Line::Bytes(encoder.bytes().to_vec()));
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_host_that_does_not_read_holds_senders_back_and_memory_stays_bounded() {
        // A pipe of 64 bytes that nobody reads: the writer task blocks at once.
        let (writer, _unread) = tokio::io::duplex(64);
        let (outbox, _task) = Outbox::spawn(writer);
        let sender = outbox.clone();
        let sending = tokio::spawn(async move {
            for i in 0..10 * CAPACITY {
                sender.notify("$/progress", &[i]).await.expect("encodes");
            }
        });
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!sending.is_finished(), "the sender was not held back");
        // The queue holds its capacity and no more.
        assert_eq!(outbox.lines.capacity(), 0);
        sending.abort();
    }
}
