//! Extensions driven through raw pipes: JSON lines written and read by the test, with no SDK
//! host code in between (as any JSON-RPC client would).

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long [`RawChild::recv`] waits for an answer.
const ANSWER_WITHIN: Duration = Duration::from_secs(30);

/// An extension process with its pipes in the test's hands; killed when dropped.
pub struct RawChild {
    child: Child,
    /// `None` once closed (the extension sees end of input).
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
}

impl RawChild {
    /// Spawns `command` with piped stdin and stdout (stderr discarded).
    ///
    /// # Panics
    ///
    /// If the process cannot be spawned.
    pub fn start(mut command: Command) -> RawChild {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the extension");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if sender.send(line).is_err() {
                    return;
                }
            }
        });
        RawChild {
            child,
            stdin: Some(stdin),
            lines,
        }
    }

    /// Writes `bytes` and a newline.
    ///
    /// # Panics
    ///
    /// If the extension's stdin is closed.
    pub fn send(&mut self, bytes: &[u8]) {
        let mut line = bytes.to_vec();
        line.push(b'\n');
        self.write(&line);
    }

    /// Writes `bytes` as they are, in one write (several lines make a session written at
    /// once).
    ///
    /// # Panics
    ///
    /// If the extension's stdin is closed.
    pub fn write(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin.write_all(bytes).expect("write");
        stdin.flush().expect("flush");
    }

    /// Closes the extension's stdin: it sees end of input.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// The next response, skipping notifications (`$/log`, `$/progress`); the answer to a
    /// batch is a JSON array.
    ///
    /// # Panics
    ///
    /// If none arrives within 30 s, or a line is not JSON.
    pub fn recv(&self) -> Value {
        let line = self.recv_line();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
    }

    /// The next line that is not a notification, exactly as the extension wrote it.
    ///
    /// # Panics
    ///
    /// If none arrives within 30 s, or a line is not JSON.
    pub fn recv_line(&self) -> String {
        loop {
            let line = self.lines.recv_timeout(ANSWER_WITHIN).expect("an answer");
            if !is_notification(&line) {
                return line;
            }
        }
    }

    /// Every line (notifications skipped) until the extension closes its stdout, waiting at
    /// most `within` for that.
    ///
    /// # Panics
    ///
    /// If stdout is still open after `within`.
    pub fn rest(&self, within: Duration) -> Vec<String> {
        let deadline = Instant::now() + within;
        let mut lines = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if is_notification(&line) => {}
                Ok(line) => lines.push(line),
                Err(RecvTimeoutError::Disconnected) => return lines,
                Err(RecvTimeoutError::Timeout) => {
                    panic!("stdout still open after {within:?}; read so far: {lines:?}")
                }
            }
        }
    }

    /// Waits at most `within` for the process to exit.
    ///
    /// # Panics
    ///
    /// If waiting fails.
    pub fn wait_within(&mut self, within: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Sends `message` and returns the next response.
    pub fn request(&mut self, message: &Value) -> Value {
        self.send(message.to_string().as_bytes());
        self.recv()
    }

    /// `initialize` (id 0) speaking protocol `version`, with `config`; returns the answer.
    pub fn initialize(&mut self, version: &str, config: Value) -> Value {
        self.request(
            &json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": version, "host": {"name": "raw", "version": "0"},
            "config": config}}),
        )
    }

    /// Waits for the process to exit.
    ///
    /// # Panics
    ///
    /// If waiting fails.
    pub fn wait(&mut self) -> ExitStatus {
        self.child.wait().expect("wait")
    }
}

/// Whether `line` is a notification (an object with a `method` and no `id`).
fn is_notification(line: &str) -> bool {
    serde_json::from_str::<Value>(line)
        .is_ok_and(|message| message.get("method").is_some() && message.get("id").is_none())
}

impl Drop for RawChild {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
