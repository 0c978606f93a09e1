//! The last lines an extension wrote to stderr, kept for crash reports.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

/// Longest line kept, in bytes; longer lines are cut (a crash report needs the gist).
const MAX_LINE: usize = 2048;

/// A bounded ring of stderr lines, filled by a thread that drains the pipe.
#[derive(Debug)]
pub(crate) struct StderrTail {
    state: Mutex<TailState>,
    closed: Condvar,
}

#[derive(Debug)]
struct TailState {
    lines: VecDeque<String>,
    capacity: usize,
    eof: bool,
}

impl StderrTail {
    /// Starts draining `stderr` on a thread; `name` labels the lines in the host's log.
    pub(crate) fn drain(
        stderr: impl Read + Send + 'static,
        capacity: usize,
        name: String,
    ) -> std::io::Result<Arc<StderrTail>> {
        let tail = Arc::new(StderrTail {
            state: Mutex::new(TailState {
                lines: VecDeque::with_capacity(capacity.min(1024)),
                capacity,
                eof: false,
            }),
            closed: Condvar::new(),
        });
        let filler = Arc::clone(&tail);
        thread::Builder::new()
            .name("symphony-stderr".into())
            .spawn(move || filler.fill(stderr, &name))?;
        Ok(tail)
    }

    fn lock(&self) -> MutexGuard<'_, TailState> {
        self.state
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    fn fill(&self, stderr: impl Read, name: &str) {
        let mut reader = BufReader::new(stderr);
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_end();
            let text = match text.char_indices().nth(MAX_LINE) {
                Some((cut, _)) => format!("{}…", &text[..cut]),
                None => text.to_owned(),
            };
            tracing::debug!(target: "symphony::extension", extension = name, "{text}");
            let mut state = self.lock();
            if state.capacity == 0 {
                continue;
            }
            if state.lines.len() == state.capacity {
                state.lines.pop_front();
            }
            state.lines.push_back(text);
        }
        self.lock().eof = true;
        self.closed.notify_all();
    }

    /// The kept lines, oldest first.
    pub(crate) fn lines(&self) -> Vec<String> {
        self.lock().lines.iter().cloned().collect()
    }

    /// Waits until the extension's stderr is closed (so the tail is complete), at most
    /// `timeout`.
    pub(crate) fn wait_closed(&self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        let mut state = self.lock();
        while !state.eof {
            let now = Instant::now();
            if now >= deadline {
                return;
            }
            state = self
                .closed
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|poison| poison.into_inner())
                .0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_lines_and_cuts_long_ones() {
        let long = "é".repeat(MAX_LINE + 10);
        let text = format!("one\ntwo\r\nthree\n{long}\nfive");
        let tail = StderrTail::drain(std::io::Cursor::new(text.into_bytes()), 3, "t".into())
            .expect("thread");
        tail.wait_closed(Duration::from_secs(5));
        let lines = tail.lines();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0], "three");
        assert_eq!(lines[1].chars().count(), MAX_LINE + 1);
        assert_eq!(lines[2], "five");
    }
}
