//! How a connection ends: end of output, the child's exit, a kill, and the [`Ended`] every
//! caller then gets, with the extension's last stderr lines.

use super::Connection;
use std::time::{Duration, Instant};

use crate::host::error::Ended;
use crate::host::extension_end::Reaped;

/// How long the stderr tail may take to complete when the extension ends.
const STDERR_WAIT: Duration = Duration::from_millis(200);

/// After the child exits, how long its output may take to reach its end (answers written
/// just before the exit are still read); longer means something else holds the pipe.
const EXIT_DRAIN: Duration = Duration::from_millis(100);

impl Connection {
    /// The extension's output ended: find out how, and fail every call in flight with that.
    pub(super) fn end_of_output(&self, read_error: Option<std::io::Error>) {
        if self.lock().ended.is_some() {
            // Already ended (the reader was released by the hang-up that followed).
            return;
        }
        let reaped = self.peer.reap_after_eof();
        let kill_reason = self.lock().kill_reason.clone();
        let what = match (kill_reason, read_error) {
            (Some(reason), _) => format!("{reason} ({})", reaped.what),
            (None, Some(error)) => format!("could not be read from ({error}) and {}", reaped.what),
            (None, None) => reaped.what,
        };
        self.set_ended(what);
    }

    /// The child process has exited (its output may still be open: a process it started can
    /// hold the pipe). Ends the connection from the exit itself, so nothing waits on the pipe.
    pub(crate) fn child_exited(&self) {
        // The extension's other processes go with it.
        self.peer.kill_group();
        // Answers written just before the exit are still in the pipe: give the reader a
        // moment to reach the end of the output, which ends the connection as usual.
        if self.wait_ended(EXIT_DRAIN).is_some() {
            return;
        }
        let reaped = self.peer.kill_and_reap();
        let kill_reason = self.lock().kill_reason.clone();
        let what = match kill_reason {
            Some(reason) => format!("{reason} ({})", reaped.what),
            None => format!(
                "{}; its output was still held open (by a process it started) and was abandoned",
                reaped.what
            ),
        };
        self.set_ended(what);
    }

    /// Waits up to `timeout` for the connection to end.
    pub(crate) fn wait_ended(&self, timeout: Duration) -> Option<Ended> {
        let deadline = Instant::now() + timeout;
        let mut state = self.lock();
        loop {
            if let Some(ended) = &state.ended {
                return Some(ended.clone());
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            state = self
                .ended_wake
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    pub(super) fn set_ended(&self, what: String) {
        let stderr = self.peer.stderr_tail(STDERR_WAIT);
        let mut state = self.lock();
        if state.ended.is_none() {
            state.ended = Some(Ended {
                extension: self.name.clone(),
                what,
                stderr,
            });
        }
        for slot in state.pending.values() {
            if let Some(waiter) = &slot.waiter {
                waiter.notify_one();
            }
        }
        drop(state);
        // Nothing is written or read any more: release the writer thread and any reader
        // still blocked on a pipe that something else holds open.
        self.outbox.close("has ended");
        #[cfg(unix)]
        if let Some(wake) = &self.wake {
            wake.hang_up();
        }
        self.monitor_wake.notify_all();
        self.ended_wake.notify_all();
    }

    pub(super) fn ended_now(&self, what: &str) -> Ended {
        Ended {
            extension: self.name.clone(),
            what: what.to_owned(),
            stderr: Vec::new(),
        }
    }

    pub(super) fn ended_or(&self, broken: &str) -> Ended {
        self.lock()
            .ended
            .clone()
            .unwrap_or_else(|| self.ended_now(broken))
    }

    pub(in crate::host) fn hung_reason(&self, method: &str) -> String {
        format!(
            "was killed as hung: it did not acknowledge the cancellation of {method} within {:?}",
            self.cancel_grace
        )
    }

    /// Kills the extension, remembering why for the error every waiting call gets.
    pub(in crate::host) fn kill(&self, reason: String) {
        self.lock().kill_reason.get_or_insert(reason);
        self.peer.kill();
    }

    /// Ends the connection now: kills the extension if it still runs, and reaps it.
    pub(crate) fn teardown(&self, reason: &str) -> Reaped {
        self.lock()
            .kill_reason
            .get_or_insert_with(|| reason.to_owned());
        let reaped = self.peer.kill_and_reap();
        self.set_ended(format!("{reason} ({})", reaped.what));
        reaped
    }

    /// Waits up to `timeout` for the extension to exit by itself, then kills it; returns how
    /// it ended.
    pub(crate) fn finish(&self, timeout: Duration) -> Reaped {
        match self.peer.reap(timeout) {
            Some(reaped) => {
                self.set_ended(format!("was shut down ({})", reaped.what));
                reaped
            }
            None => self.teardown("was killed: it did not exit after `shutdown`"),
        }
    }

    /// How the connection ended, if it has.
    pub(crate) fn ended(&self) -> Option<Ended> {
        self.lock().ended.clone()
    }

    /// The child's process id (`None` in-process).
    pub(crate) fn process_id(&self) -> Option<u32> {
        self.peer.process_id()
    }

    /// The extension's last stderr lines so far.
    pub(crate) fn stderr_tail(&self) -> Vec<String> {
        self.peer.stderr_tail(Duration::ZERO)
    }
}
