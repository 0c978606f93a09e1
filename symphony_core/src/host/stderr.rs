//! The last lines an extension wrote to stderr, kept for crash reports.

use std::collections::VecDeque;
use std::io::Read;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

/// Longest line kept, in bytes; longer lines are cut as they arrive (a crash report needs the
/// gist, and an extension must not make the host buffer a line without end).
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

    /// Reads stderr to its end. Memory stays bounded whatever arrives: of each line only the
    /// first [`MAX_LINE`] bytes are kept, the rest is counted as it arrives and dropped.
    fn fill(&self, mut stderr: impl Read, name: &str) {
        let mut chunk = vec![0; 8192];
        let mut line = Line::default();
        loop {
            let n = match stderr.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => n,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            };
            let mut rest = &chunk[..n];
            while let Some(end) = memchr::memchr(b'\n', rest) {
                line.push(&rest[..end]);
                self.keep(line.take(), name);
                rest = &rest[end + 1..];
            }
            line.push(rest);
        }
        if !line.is_empty() {
            self.keep(line.take(), name);
        }
        self.lock().eof = true;
        self.closed.notify_all();
    }

    fn keep(&self, text: String, name: &str) {
        tracing::debug!(target: "symphony::extension", extension = name, "{text}");
        let mut state = self.lock();
        if state.capacity == 0 {
            return;
        }
        if state.lines.len() == state.capacity {
            state.lines.pop_front();
        }
        state.lines.push_back(text);
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

/// The line being received: its first [`MAX_LINE`] bytes, and how many more were dropped.
#[derive(Default)]
struct Line {
    kept: Vec<u8>,
    dropped: u64,
}

impl Line {
    fn push(&mut self, bytes: &[u8]) {
        let room = MAX_LINE - self.kept.len();
        let (keep, drop) = bytes.split_at(bytes.len().min(room));
        self.kept.extend_from_slice(keep);
        self.dropped += drop.len() as u64;
    }

    fn is_empty(&self) -> bool {
        self.kept.is_empty() && self.dropped == 0
    }

    /// The line as text (invalid UTF-8 replaced, a character cut at the limit dropped, a cut
    /// marked with how much is missing); the line is reset.
    fn take(&mut self) -> String {
        let dropped = std::mem::take(&mut self.dropped);
        let mut kept = std::mem::take(&mut self.kept);
        if dropped > 0
            && let Err(error) = std::str::from_utf8(&kept)
            && error.error_len().is_none()
        {
            kept.truncate(error.valid_up_to());
        }
        let text = String::from_utf8_lossy(&kept);
        let text = text.trim_end();
        if dropped == 0 {
            text.to_owned()
        } else {
            format!("{text}… ({dropped} more bytes not kept)")
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
        // Cut at the byte limit, on a character boundary, with what was dropped said.
        let cut = "é".repeat(MAX_LINE / 2);
        assert_eq!(
            lines[1],
            format!(
                "{cut}… ({} more bytes not kept)",
                2 * (MAX_LINE + 10) - MAX_LINE
            )
        );
        assert_eq!(lines[2], "five");
    }

    /// A reader of endless bytes without a newline, counting what it handed out.
    struct Endless {
        left: u64,
    }

    impl Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf
                .len()
                .min(usize::try_from(self.left).unwrap_or(usize::MAX));
            buf[..n].fill(b'z');
            self.left -= n as u64;
            Ok(n)
        }
    }

    #[test]
    fn a_line_without_end_is_not_buffered() {
        // 64 MiB in one line: kept is the first MAX_LINE bytes, whatever the length.
        let total = 64 * 1024 * 1024;
        let tail = StderrTail::drain(Endless { left: total }, 2, "t".into()).expect("thread");
        tail.wait_closed(Duration::from_secs(60));
        let lines = tail.lines();
        assert_eq!(lines.len(), 1);
        assert!(
            lines[0].starts_with(&"z".repeat(MAX_LINE)),
            "{}",
            &lines[0][..40]
        );
        assert!(
            lines[0].ends_with(&format!(
                "… ({} more bytes not kept)",
                total - MAX_LINE as u64
            )),
            "{}",
            &lines[0][MAX_LINE..]
        );
    }
}
