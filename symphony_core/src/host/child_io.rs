//! The host's ends of a child's stdin and stdout, made so that nothing blocks on them for
//! longer than the host allows.
//!
//! A blocking `read` or `write` on a pipe waits for the process at the other end, and the
//! other end may be a child that stopped reading, was stopped (SIGSTOP), or a grandchild that
//! inherited the pipe and outlives the child. So: stdin is non-blocking (the
//! [outbox](super::outbox) queues what does not fit), and a read of stdout waits in `poll`
//! together with two wake-up pipes, so a reader can be given a deadline, nudged to look at the
//! connection's state again, or released for good when the host abandons the child.

use std::io::{self, PipeReader, PipeWriter, Read, Write};
use std::os::fd::AsFd;
use std::process::{ChildStdin, ChildStdout};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::os;
use super::outbox::Sink;

/// Wakes threads blocked on a child's pipes: a repeatable nudge for the reader, and a final
/// hang-up for everyone.
#[derive(Debug)]
pub(crate) struct Wake {
    nudge_rx: PipeReader,
    nudge_tx: PipeWriter,
    /// Set while a nudge byte is unread, so nudges never fill the pipe.
    nudged: AtomicBool,
    /// Closing the write end makes the read end readable for good.
    hang_up_rx: PipeReader,
    hang_up_tx: Mutex<Option<PipeWriter>>,
    /// Set by the hang-up, so a reader can look before trying a read without `poll`.
    hung_up: AtomicBool,
    /// When the current reader must give up waiting for bytes.
    read_deadline: Mutex<Option<Instant>>,
}

impl Wake {
    pub(crate) fn new() -> io::Result<Arc<Wake>> {
        let (nudge_rx, nudge_tx) = io::pipe()?;
        let (hang_up_rx, hang_up_tx) = io::pipe()?;
        os::set_nonblocking(nudge_tx.as_fd())?;
        os::set_nonblocking(nudge_rx.as_fd())?;
        Ok(Arc::new(Wake {
            nudge_rx,
            nudge_tx,
            nudged: AtomicBool::new(false),
            hang_up_rx,
            hang_up_tx: Mutex::new(Some(hang_up_tx)),
            hung_up: AtomicBool::new(false),
            read_deadline: Mutex::new(None),
        }))
    }

    /// Makes a reader blocked in [`ChildStdoutSource::read`] return (with `WouldBlock`), so
    /// that it looks at the connection's state again.
    pub(crate) fn nudge(&self) {
        if !self.nudged.swap(true, Ordering::AcqRel) {
            // A full pipe means a nudge is already pending; a closed one cannot happen.
            let _ = (&self.nudge_tx).write(&[1]);
        }
    }

    fn take_nudge(&self) {
        self.nudged.store(false, Ordering::Release);
        let mut sink = [0; 64];
        while matches!((&self.nudge_rx).read(&mut sink), Ok(n) if n > 0) {}
    }

    /// Releases every thread blocked on the child's pipes, now and later: the host is done
    /// with them (the child ended, or was killed, and something else may still hold them).
    pub(crate) fn hang_up(&self) {
        self.hung_up.store(true, Ordering::Release);
        self.hang_up_tx
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
    }

    /// Sets when the reader gives up waiting (`None`: it waits until bytes, a nudge or the
    /// hang-up arrive).
    pub(crate) fn set_read_deadline(&self, deadline: Option<Instant>) {
        *self.read_deadline.lock().unwrap_or_else(|p| p.into_inner()) = deadline;
    }

    fn read_deadline(&self) -> Option<Instant> {
        *self.read_deadline.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The error a read returns once the host has abandoned the child's output.
pub(crate) fn abandoned() -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionAborted,
        "the host stopped reading the extension's output",
    )
}

/// The child's stdout, read at once when bytes are there, else once `poll` says they are.
///
/// A read returns `TimedOut` at the [read deadline](Wake::set_read_deadline) (even while
/// bytes keep coming: a flood must not hold a reader past it), `WouldBlock` when
/// [nudged](Wake::nudge), and [`abandoned`] after the [hang-up](Wake::hang_up).
pub(crate) struct ChildStdoutSource {
    stdout: ChildStdout,
    wake: Arc<Wake>,
    /// Whether stdout is non-blocking, so a read can be tried before `poll`.
    nonblocking: bool,
}

impl ChildStdoutSource {
    pub(crate) fn new(stdout: ChildStdout, wake: Arc<Wake>) -> Self {
        // Without it, every read waits in `poll` first, as it must for a blocking pipe.
        let nonblocking = os::set_nonblocking(stdout.as_fd()).is_ok();
        ChildStdoutSource {
            stdout,
            wake,
            nonblocking,
        }
    }

    /// A read that does not wait: `None` when nothing is there yet. Answers often are (the
    /// child answered while this thread was writing, or sent many at once), and then the
    /// `poll` on three pipes costs more than the read: about a microsecond per answer.
    fn read_ready(&mut self, buf: &mut [u8]) -> Option<io::Result<usize>> {
        if !self.nonblocking
            || self.wake.hung_up.load(Ordering::Acquire)
            || self.wake.nudged.load(Ordering::Acquire)
        {
            return None;
        }
        match self.stdout.read(buf) {
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                ) =>
            {
                None
            }
            other => Some(other),
        }
    }
}

impl Read for ChildStdoutSource {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let deadline = self.wake.read_deadline();
        if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
            return Err(io::ErrorKind::TimedOut.into());
        }
        if let Some(read) = self.read_ready(buf) {
            return read;
        }
        let fds = [
            Some((self.wake.hang_up_rx.as_fd(), libc::POLLIN)),
            Some((self.wake.nudge_rx.as_fd(), libc::POLLIN)),
            Some((self.stdout.as_fd(), libc::POLLIN)),
        ];
        let Some(ready) = os::poll(fds, deadline)? else {
            return Err(io::ErrorKind::TimedOut.into());
        };
        match ready.ready {
            [true, _, _] => Err(abandoned()),
            [_, true, _] => {
                self.wake.take_nudge();
                Err(io::ErrorKind::WouldBlock.into())
            }
            // Readable, hung up (EOF) or in error: the read says which, without blocking.
            // (`WouldBlock` cannot follow a readable `poll` with one reader; if it did, the
            // caller would look at the connection's state and read again, as after a nudge.)
            _ => self.stdout.read(buf),
        }
    }
}

/// The child's stdin, written without ever blocking.
pub(crate) struct ChildStdinSink {
    stdin: ChildStdin,
    wake: Arc<Wake>,
}

impl ChildStdinSink {
    pub(crate) fn new(stdin: ChildStdin, wake: Arc<Wake>) -> io::Result<Self> {
        os::set_nonblocking(stdin.as_fd())?;
        Ok(ChildStdinSink { stdin, wake })
    }
}

impl Sink for ChildStdinSink {
    fn try_write(&self, bytes: &[u8]) -> io::Result<usize> {
        loop {
            match (&self.stdin).write(bytes) {
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => return Ok(0),
                other => return other,
            }
        }
    }

    fn wait_writable(&self) -> io::Result<bool> {
        let fds = [
            Some((self.wake.hang_up_rx.as_fd(), libc::POLLIN)),
            Some((self.stdin.as_fd(), libc::POLLOUT)),
            None,
        ];
        match os::poll(fds, None)? {
            Some(ready) => Ok(!ready.ready[0]),
            None => Ok(true),
        }
    }
}
