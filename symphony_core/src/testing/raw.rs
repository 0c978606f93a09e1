//! A raw JSON-lines session with an in-process extension.

use std::io::{BufRead, BufReader, Write};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use serde_json::Value;

use crate::serve::{Exit, Handler, ServeOptions, serve_transport};
use crate::transport::memory;

/// How long [`RawSession::recv`] waits for a line.
const RECV_TIMEOUT: Duration = Duration::from_secs(10);

/// An in-process extension driven line by line, exactly as a foreign JSON-RPC client would.
///
/// ```
/// # use symphony_core::testing::RawSession;
/// # use symphony_core::protocol::{ErrorObject, RawValue};
/// # use symphony_core::serve::{Call, Handler};
/// # struct Nothing;
/// # impl Handler for Nothing {
/// #     fn manifest(&self) -> &symphony_core::manifest::Manifest {
/// #         symphony_core::embed_manifest!("src/testing/example.toml").get().expect("valid")
/// #     }
/// #     fn handle(&self, call: &Call<'_>) -> Result<Box<RawValue>, ErrorObject> {
/// #         Err(ErrorObject::method_not_found(call.method()))
/// #     }
/// # }
/// let mut session = RawSession::start(Nothing);
/// session.send("{not json")?;
/// let answer = session.recv()?;
/// assert_eq!(answer["error"]["code"], -32700);
/// assert_eq!(answer["id"], serde_json::Value::Null);
/// # Ok::<(), symphony_core::testing::RawError>(())
/// ```
pub struct RawSession {
    to_extension: Option<Box<dyn Write + Send>>,
    lines: Receiver<String>,
    serve: Option<JoinHandle<Exit>>,
}

impl std::fmt::Debug for RawSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawSession")
            .field("open", &self.to_extension.is_some())
            .finish_non_exhaustive()
    }
}

impl RawSession {
    /// Starts `handler`'s serve loop on a thread.
    pub fn start<H: Handler>(handler: H) -> RawSession {
        RawSession::start_with(handler, ServeOptions::default())
    }

    /// Starts `handler`'s serve loop on a thread, with `options`.
    pub fn start_with<H: Handler>(handler: H, options: ServeOptions) -> RawSession {
        RawSession::start_serve(move |transport| serve_transport(handler, transport, options))
    }

    /// Runs `serve` (any serve loop, such as an async kind's) on a thread, over the
    /// extension's end of an in-memory transport.
    pub fn start_serve<F>(serve: F) -> RawSession
    where
        F: FnOnce(crate::transport::Transport) -> Exit + Send + 'static,
    {
        let (client, extension) = memory::pair();
        let serve = thread::spawn(move || serve(extension));
        let (sender, lines) = channel();
        let output = client.reader;
        thread::spawn(move || {
            for line in BufReader::new(output).lines() {
                let Ok(line) = line else { return };
                if sender.send(line).is_err() {
                    return;
                }
            }
        });
        RawSession {
            to_extension: Some(client.writer),
            lines,
            serve: Some(serve),
        }
    }

    /// Sends `line` (a newline is appended).
    ///
    /// # Errors
    ///
    /// The extension has stopped reading.
    pub fn send(&mut self, line: &str) -> Result<(), RawError> {
        let writer = self.to_extension.as_mut().ok_or(RawError::Closed)?;
        writer
            .write_all(line.as_bytes())
            .and_then(|()| writer.write_all(b"\n"))
            .map_err(|_| RawError::Closed)
    }

    /// The next line from the extension, unparsed.
    ///
    /// # Errors
    ///
    /// No line within 10 s, or the extension closed its output.
    pub fn recv_line(&mut self) -> Result<String, RawError> {
        self.lines
            .recv_timeout(RECV_TIMEOUT)
            .map_err(|error| match error {
                RecvTimeoutError::Timeout => RawError::Timeout(RECV_TIMEOUT),
                RecvTimeoutError::Disconnected => RawError::Closed,
            })
    }

    /// The next line from the extension, parsed as JSON.
    ///
    /// # Errors
    ///
    /// As for [`recv_line`](Self::recv_line), or the line is not JSON.
    pub fn recv(&mut self) -> Result<Value, RawError> {
        let line = self.recv_line()?;
        serde_json::from_str(&line).map_err(|error| RawError::NotJson {
            line,
            reason: error.to_string(),
        })
    }

    /// Sends `initialize` (protocol 1.0, nothing granted) and `initialized`; returns the
    /// extension's answer.
    ///
    /// # Errors
    ///
    /// As for [`send`](Self::send) and [`recv`](Self::recv).
    pub fn initialize(&mut self) -> Result<Value, RawError> {
        self.send(
            r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"1.0","host":{"name":"raw-session","version":"0"}}}"#,
        )?;
        let answer = self.recv()?;
        self.send(r#"{"jsonrpc":"2.0","method":"initialized"}"#)?;
        Ok(answer)
    }

    /// Closes the extension's input and waits for its serve loop to end.
    ///
    /// # Errors
    ///
    /// The serve loop panicked.
    pub fn close(mut self) -> Result<Exit, RawError> {
        self.to_extension = None;
        self.serve
            .take()
            .ok_or(RawError::Closed)?
            .join()
            .map_err(|_| RawError::Panicked)
    }
}

/// A raw session could not send or receive.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum RawError {
    /// The extension closed the connection.
    #[error("the extension closed the connection")]
    Closed,
    /// Nothing arrived in time.
    #[error("the extension wrote no line within {0:?}")]
    Timeout(Duration),
    /// The extension wrote a line that is not JSON.
    #[error("the extension wrote a line that is not JSON ({reason}): {line}")]
    NotJson {
        /// The line.
        line: String,
        /// The parser's complaint.
        reason: String,
    },
    /// The serve loop panicked.
    #[error("the extension's serve loop panicked")]
    Panicked,
}
