//! The writing half: messages are encoded by the task that sends them (through core's
//! sans-IO encoder) and written, in order, by one writer task.

use serde::Serialize;
use serde_json::Value;
use symphony_core::codec::Encoder;
use symphony_core::protocol::{Id, Notification, ProgressParams, Response, method};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

/// A cheap handle for sending messages to the host.
#[derive(Debug, Clone)]
pub(super) struct Outbox {
    lines: mpsc::UnboundedSender<Vec<u8>>,
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
        (Outbox { lines }, task)
    }

    fn send<M: Serialize>(&self, message: &M) {
        let mut encoder = Encoder::new();
        match encoder.encode(message) {
            Ok(()) => {
                // The writer has gone only when the host closed the connection; the read
                // side notices that and ends the session.
                let _ = self.lines.send(encoder.bytes().to_vec());
            }
            Err(error) => tracing::error!(%error, "cannot encode a message for the host"),
        }
    }

    pub(super) fn respond(&self, response: Response) {
        self.send(&response);
    }

    pub(super) fn progress(&self, token: &Id, value: Value) {
        let params = ProgressParams {
            token: token.clone(),
            value,
        };
        match Notification::with_params(method::PROGRESS, &params) {
            Ok(notification) => self.send(&notification),
            Err(error) => tracing::error!(%error, "cannot encode a progress notification"),
        }
    }
}
