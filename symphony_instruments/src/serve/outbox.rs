//! The writing half: messages are encoded by the task that sends them (through core's
//! sans-IO encoder) and written, in order, by one writer task.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Serialize;
use symphony_core::codec::{EncodeError, Encoder};
use symphony_core::protocol::{
    DEFAULT_MAX_MESSAGE_SIZE, ErrorCode, ErrorObject, Notification, Response,
};
use symphony_core::serve::Peer;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

/// A cheap handle for sending messages to the host.
#[derive(Debug, Clone)]
pub(super) struct Outbox {
    lines: mpsc::UnboundedSender<Vec<u8>>,
    /// The largest message the host accepts (from its `initialize`).
    limit: Arc<AtomicUsize>,
}

impl Outbox {
    /// An outbox writing to `writer` from a new task; the task ends when every handle is gone.
    pub(super) fn spawn<W: AsyncWrite + Unpin + Send + 'static>(
        writer: W,
    ) -> (Self, tokio::task::JoinHandle<()>) {
        let (lines, mut queue) = mpsc::unbounded_channel::<Vec<u8>>();
        let task = tokio::spawn(async move {
            let mut writer = writer;
            while let Some(line) = queue.recv().await {
                if writer.write_all(&line).await.is_err() {
                    return;
                }
                // Flush once the burst is written, not after every message.
                while let Ok(line) = queue.try_recv() {
                    if writer.write_all(&line).await.is_err() {
                        return;
                    }
                }
                if writer.flush().await.is_err() {
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

    fn send<M: Serialize + ?Sized>(&self, message: &M) -> Result<(), EncodeError> {
        let mut encoder = Encoder::with_limit(self.limit.load(Ordering::Relaxed));
        encoder.encode(message)?;
        // The writer has gone only when the host closed the connection; the read side
        // notices that and ends the session.
        let _ = self.lines.send(encoder.bytes().to_vec());
        Ok(())
    }

    /// Sends the response to a `method` request; one that cannot be encoded is replaced by
    /// an error response saying why, so the host is never left waiting.
    pub(super) fn respond(&self, response: Response, method: &str) {
        let error = match self.send(&response) {
            Ok(()) => return,
            Err(EncodeError::TooLarge { size, limit }) => ErrorObject::new(
                ErrorCode::MessageTooLarge,
                format!(
                    "the response to `{method}` is {size} bytes, over the host's limit of \
                     {limit} bytes"
                ),
            ),
            Err(error) => ErrorObject::new(
                ErrorCode::ExtensionFailed,
                format!("the response to `{method}` cannot be encoded: {error}"),
            ),
        };
        if let Err(error) = self.send(&Response::error(response.id, error)) {
            tracing::error!(%error, "cannot encode even an error response");
        }
    }

    /// A [`Peer`] sending notifications (`$/progress`, `$/log`) through this outbox.
    pub(super) fn peer(&self) -> Peer {
        let outbox = self.clone();
        Peer::from_fn(move |notification: &Notification| {
            if let Err(error) = outbox.send(notification) {
                tracing::warn!(%error, method = %notification.method, "notification dropped");
            }
        })
    }
}
