//! The preview binary as a child process, and the lines it reports on stdout.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// A running preview; it is killed when this is dropped.
pub(super) struct Preview {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    /// Every line read so far, for failure messages.
    seen: Vec<String>,
}

impl Preview {
    /// Starts `binary` with `args` on X display `display`.
    pub(super) fn spawn(binary: &Path, args: &[&Path], display: &str) -> Preview {
        let mut child = Command::new(binary)
            .args(args)
            .env("DISPLAY", display)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|error| panic!("{} starts: {error}", binary.display()));
        let stdin = child.stdin.take().expect("the preview's stdin is piped");
        let stdout = child.stdout.take().expect("the preview's stdout is piped");
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Preview {
            child,
            stdin,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits (at most `timeout`) for the next line that `wanted` accepts and returns it.
    ///
    /// # Panics
    ///
    /// If no such line comes in time or the preview exits first, showing what it printed.
    pub(super) fn wait_for(
        &mut self,
        what: &str,
        timeout: Duration,
        wanted: impl Fn(&str) -> bool,
    ) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if wanted(&line) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) => panic!(
                    "the preview did not report {what} within {timeout:?}; it printed:\n{}",
                    self.seen.join("\n")
                ),
                Err(RecvTimeoutError::Disconnected) => panic!(
                    "the preview exited ({:?}) before reporting {what}; it printed:\n{}",
                    self.child.try_wait(),
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Types a command line into the preview's console (`<handler> [JSON argument]`).
    pub(super) fn send(&mut self, line: &str) {
        writeln!(self.stdin, "{line}")
            .and_then(|()| self.stdin.flush())
            .expect("the preview reads its stdin");
    }

    /// Lines the preview printed that have not been waited for yet.
    pub(super) fn pending(&mut self) -> Vec<String> {
        let pending: Vec<String> = self.lines.try_iter().collect();
        self.seen.extend(pending.iter().cloned());
        pending
    }
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
