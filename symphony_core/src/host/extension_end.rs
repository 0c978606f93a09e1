//! The other end of a host connection: a child process, or a serve loop on a thread.

use std::process::{Child, ExitStatus};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use super::stderr::StderrTail;
use crate::serve::Exit;
use crate::transport::memory::HangUp;

/// How long to wait for an extension that closed its output to finish exiting.
const REAP_WAIT: Duration = Duration::from_millis(500);

/// A running extension the host can kill and reap.
pub(crate) enum ExtensionEnd {
    Process {
        child: Mutex<Child>,
        stderr: Arc<StderrTail>,
        /// Whether the child was started in a process group of its own.
        own_group: bool,
    },
    Thread {
        /// Both directions of the in-memory transport.
        hang_up: [HangUp; 2],
        finished: Arc<ThreadExit>,
    },
}

/// Where an in-process serve loop reports how it ended.
#[derive(Debug, Default)]
pub(crate) struct ThreadExit {
    exit: Mutex<Option<Exit>>,
    done: Condvar,
}

impl ThreadExit {
    pub(crate) fn set(&self, exit: Exit) {
        *self.exit.lock().unwrap_or_else(|p| p.into_inner()) = Some(exit);
        self.done.notify_all();
    }

    fn wait(&self, timeout: Duration) -> Option<Exit> {
        let deadline = Instant::now() + timeout;
        let mut exit = self.exit.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(exit) = exit.as_ref() {
                return Some(exit.clone());
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            exit = self
                .done
                .wait_timeout(exit, deadline - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }
}

/// How the extension ended, in words, and whether that was a clean exit.
pub(crate) struct Reaped {
    pub(crate) what: String,
    pub(crate) clean: bool,
}

impl ExtensionEnd {
    fn child(&self) -> Option<MutexGuard<'_, Child>> {
        match self {
            ExtensionEnd::Process { child, .. } => {
                Some(child.lock().unwrap_or_else(|p| p.into_inner()))
            }
            ExtensionEnd::Thread { .. } => None,
        }
    }

    /// The child's process id (`None` in-process).
    pub(crate) fn process_id(&self) -> Option<u32> {
        self.child().map(|child| child.id())
    }

    /// Kills the extension (for a thread: hangs up its transport, which ends its loop), and
    /// every process it started that stayed in its process group.
    pub(crate) fn kill(&self) {
        match self {
            ExtensionEnd::Process { .. } => {
                if let Some(mut child) = self.child() {
                    // The group first, while the unreaped child keeps its id from reuse.
                    self.kill_group_of(&child);
                    // Fails only if it already exited, which is what we want anyway.
                    let _ = child.kill();
                }
            }
            ExtensionEnd::Thread { hang_up, .. } => {
                for pipe in hang_up {
                    pipe.hang_up();
                }
            }
        }
    }

    /// Kills the processes left in the extension's process group (the child leads it), if it
    /// is a child process.
    pub(crate) fn kill_group(&self) {
        if let Some(child) = self.child() {
            self.kill_group_of(&child);
        }
    }

    fn kill_group_of(&self, child: &Child) {
        // Only once the child is known to have been started as a group leader: the group id
        // is then its pid, which stays reserved while any member (or the unreaped child)
        // lives, so the signal cannot reach anything else.
        #[cfg(unix)]
        if let ExtensionEnd::Process {
            own_group: true, ..
        } = self
        {
            // ESRCH (no one left in the group) is the usual and harmless answer.
            let _ = super::os::kill_group(child.id());
        }
        #[cfg(not(unix))]
        let _ = child;
    }

    /// Waits up to `timeout` for the extension to end, then describes how it ended; `None`
    /// if it is still running.
    pub(crate) fn reap(&self, timeout: Duration) -> Option<Reaped> {
        match self {
            ExtensionEnd::Process { .. } => {
                let deadline = Instant::now() + timeout;
                loop {
                    let status = self.child()?.try_wait();
                    match status {
                        Ok(Some(status)) => return Some(describe(status)),
                        Ok(None) if Instant::now() < deadline => {
                            thread::sleep(Duration::from_millis(2));
                        }
                        Ok(None) => return None,
                        Err(error) => {
                            return Some(Reaped {
                                what: format!("could not be waited for: {error}"),
                                clean: false,
                            });
                        }
                    }
                }
            }
            ExtensionEnd::Thread { finished, .. } => finished.wait(timeout).map(|exit| Reaped {
                clean: exit.code() == 0,
                what: match exit {
                    Exit::Clean => "exited cleanly".to_owned(),
                    other => format!("ended its serve loop ({other:?})"),
                },
            }),
        }
    }

    /// Kills the extension if it is still running and reaps it: no zombie is left behind.
    pub(crate) fn kill_and_reap(&self) -> Reaped {
        if let Some(reaped) = self.reap(Duration::ZERO) {
            return reaped;
        }
        self.kill();
        match self {
            ExtensionEnd::Process { child, .. } => {
                let status = child.lock().unwrap_or_else(|p| p.into_inner()).wait();
                match status {
                    Ok(status) => describe(status),
                    Err(error) => Reaped {
                        what: format!("was killed but could not be waited for: {error}"),
                        clean: false,
                    },
                }
            }
            ExtensionEnd::Thread { .. } => self.reap(REAP_WAIT).unwrap_or(Reaped {
                what: "was disconnected; its serve loop is still finishing a handler".into(),
                clean: false,
            }),
        }
    }

    /// How the extension ended after its output closed, killing it if it lingers.
    pub(crate) fn reap_after_eof(&self) -> Reaped {
        self.reap(REAP_WAIT).unwrap_or_else(|| {
            let mut reaped = self.kill_and_reap();
            reaped.what = format!("closed its output and was killed ({})", reaped.what);
            reaped
        })
    }

    /// The extension's last stderr lines (empty for an in-process extension).
    pub(crate) fn stderr_tail(&self, wait: Duration) -> Vec<String> {
        match self {
            ExtensionEnd::Process { stderr, .. } => {
                stderr.wait_closed(wait);
                stderr.lines()
            }
            ExtensionEnd::Thread { .. } => Vec::new(),
        }
    }
}

fn describe(status: ExitStatus) -> Reaped {
    Reaped {
        clean: status.success(),
        what: format!("exited with {status}"),
    }
}
