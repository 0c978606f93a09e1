//! Extensions driven through raw pipes: JSON lines written and read by the test, with no SDK
//! host code in between (as any JSON-RPC client would).

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

/// How long [`RawChild::recv`] waits for an answer.
const ANSWER_WITHIN: Duration = Duration::from_secs(30);

/// An extension process with its pipes in the test's hands; killed when dropped.
pub struct RawChild {
    child: Child,
    stdin: ChildStdin,
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
            stdin,
            lines,
        }
    }

    /// Writes `bytes` and a newline.
    ///
    /// # Panics
    ///
    /// If the extension's stdin is closed.
    pub fn send(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).expect("write");
        self.stdin.write_all(b"\n").expect("write");
        self.stdin.flush().expect("flush");
    }

    /// The next response, skipping notifications (`$/log`, `$/progress`).
    ///
    /// # Panics
    ///
    /// If none arrives within 30 s, or a line is not JSON.
    pub fn recv(&self) -> Value {
        loop {
            let line = self.lines.recv_timeout(ANSWER_WITHIN).expect("an answer");
            let message: Value =
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            if message.get("id").is_some() {
                return message;
            }
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

impl Drop for RawChild {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
