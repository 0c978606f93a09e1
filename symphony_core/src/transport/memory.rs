//! In-memory byte pipes: the transport for in-process hosting and tests.
//!
//! They behave like OS pipes: reads block until bytes arrive, writes block while the pipe is
//! full, dropping the writer makes the reader see end of stream, and dropping the reader makes
//! writes fail with [`BrokenPipe`](std::io::ErrorKind::BrokenPipe).

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::Transport;

/// Default capacity of a pipe created by [`pair`].
pub const DEFAULT_CAPACITY: usize = 1024 * 1024;

/// Two connected transports: what one writes, the other reads.
///
/// ```
/// use std::io::{Read, Write};
/// let (mut a, mut b) = symphony_core::transport::memory::pair();
/// a.writer.write_all(b"ping\n").unwrap();
/// let mut buf = [0; 5];
/// b.reader.read_exact(&mut buf).unwrap();
/// assert_eq!(&buf, b"ping\n");
/// ```
pub fn pair() -> (Transport, Transport) {
    let (a_writer, b_reader) = pipe(DEFAULT_CAPACITY);
    let (b_writer, a_reader) = pipe(DEFAULT_CAPACITY);
    (
        Transport::new(a_reader, a_writer),
        Transport::new(b_reader, b_writer),
    )
}

/// A one-way pipe holding at most `capacity` bytes (at least 1).
pub fn pipe(capacity: usize) -> (PipeWriter, PipeReader) {
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            bytes: VecDeque::new(),
            writer_gone: false,
            reader_gone: false,
            hung_up: false,
            reader_waiting: false,
            writer_waiting: false,
        }),
        readable: Condvar::new(),
        writable: Condvar::new(),
        capacity: capacity.max(1),
    });
    (
        PipeWriter {
            shared: Arc::clone(&shared),
        },
        PipeReader { shared },
    )
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    readable: Condvar,
    writable: Condvar,
    capacity: usize,
}

#[derive(Debug)]
struct State {
    bytes: VecDeque<u8>,
    writer_gone: bool,
    reader_gone: bool,
    hung_up: bool,
    // Waking a condition variable costs a system call; only pay it when someone sleeps.
    reader_waiting: bool,
    writer_waiting: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding this lock cannot leave the byte queue inconsistent.
        self.state
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

/// The reading end of a [`pipe`].
#[derive(Debug)]
pub struct PipeReader {
    shared: Arc<Shared>,
}

/// The writing end of a [`pipe`].
#[derive(Debug)]
pub struct PipeWriter {
    shared: Arc<Shared>,
}

/// Hangs up a pipe from outside, like killing the process at its other end.
#[derive(Debug, Clone)]
pub struct HangUp {
    shared: Arc<Shared>,
}

impl PipeReader {
    /// A handle that can hang up this pipe while the reader is blocked in another thread.
    pub fn hang_up_handle(&self) -> HangUp {
        HangUp {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl HangUp {
    /// Ends the pipe now: the reader sees end of stream (buffered bytes are dropped) and
    /// writes fail with `BrokenPipe`.
    pub fn hang_up(&self) {
        let mut state = self.shared.lock();
        state.hung_up = true;
        state.bytes.clear();
        drop(state);
        self.shared.readable.notify_all();
        self.shared.writable.notify_all();
    }
}

impl Read for PipeReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        let mut state = self.shared.lock();
        while state.bytes.is_empty() && !state.writer_gone && !state.hung_up {
            state.reader_waiting = true;
            state = self
                .shared
                .readable
                .wait(state)
                .unwrap_or_else(|poison| poison.into_inner());
        }
        state.reader_waiting = false;
        let n = state.bytes.read(out)?;
        let wake = state.writer_waiting;
        drop(state);
        if wake && n > 0 {
            self.shared.writable.notify_one();
        }
        Ok(n)
    }
}

impl Write for PipeWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if data.is_empty() {
            return Ok(0);
        }
        let mut state = self.shared.lock();
        loop {
            if state.reader_gone || state.hung_up {
                return Err(io::Error::new(
                    io::ErrorKind::BrokenPipe,
                    "the reading end of the in-memory pipe is closed",
                ));
            }
            if state.bytes.len() < self.shared.capacity {
                break;
            }
            state.writer_waiting = true;
            state = self
                .shared
                .writable
                .wait(state)
                .unwrap_or_else(|poison| poison.into_inner());
        }
        state.writer_waiting = false;
        let n = data.len().min(self.shared.capacity - state.bytes.len());
        state.bytes.extend(&data[..n]);
        let wake = state.reader_waiting;
        drop(state);
        if wake {
            self.shared.readable.notify_one();
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for PipeWriter {
    fn drop(&mut self) {
        self.shared.lock().writer_gone = true;
        self.shared.readable.notify_all();
    }
}

impl Drop for PipeReader {
    fn drop(&mut self) {
        self.shared.lock().reader_gone = true;
        self.shared.writable.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use std::thread;

    use super::*;

    #[test]
    fn bytes_flow_through_a_small_pipe_in_order() {
        let (mut writer, mut reader) = pipe(7);
        let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let expected = data.clone();
        let sender = thread::spawn(move || writer.write_all(&data));
        let mut received = Vec::new();
        reader.read_to_end(&mut received).expect("read");
        sender.join().expect("join").expect("write");
        assert_eq!(received, expected);
    }

    #[test]
    fn dropping_the_reader_breaks_the_pipe() {
        let (mut writer, reader) = pipe(4);
        writer.write_all(b"1234").expect("fits");
        let blocked = thread::spawn(move || writer.write_all(b"5"));
        thread::sleep(std::time::Duration::from_millis(20));
        drop(reader);
        let error = blocked.join().expect("join").expect_err("broken");
        assert_eq!(error.kind(), io::ErrorKind::BrokenPipe);
    }

    #[test]
    fn hang_up_wakes_a_blocked_reader() {
        let (writer, mut reader) = pipe(4);
        let handle = reader.hang_up_handle();
        let blocked = thread::spawn(move || {
            let mut buf = [0; 4];
            reader.read(&mut buf)
        });
        thread::sleep(std::time::Duration::from_millis(20));
        handle.hang_up();
        assert_eq!(blocked.join().expect("join").expect("eof"), 0);
        drop(writer);
    }
}
