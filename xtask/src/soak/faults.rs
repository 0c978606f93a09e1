//! The faults the soak injects into `echo` processes, and the deadline by which the host
//! must report each as an error.

use std::process::Command;
use std::sync::Arc;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use symphony_core::host::{CallError, Extension};

use crate::cmd;

/// How long the host waits for a cancelled request's acknowledgement before killing the
/// extension as hung.
pub(crate) const CANCEL_GRACE: Duration = Duration::from_secs(1);

/// The time limit of the requests that meet a fault.
const FAULT_TIMEOUT: Duration = Duration::from_secs(1);

/// Large requests written to a stopped extension: together far more than a pipe holds, so the
/// host's writes block unless it copes with a child that does not read.
const STALLED_REQUESTS: usize = 8;
const STALLED_REQUEST_BYTES: usize = 256 * 1024;

/// A way an extension fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Exits with code 3 in the middle of a request (`crash`).
    Crash,
    /// A handler sleeps and ignores cancellation (`hang`).
    Hang,
    /// The process is stopped with SIGSTOP: it reads nothing and answers nothing, while
    /// large requests are written to it.
    Stop,
}

impl Fault {
    /// Every fault, in the order processes get them.
    pub(crate) const ALL: [Fault; 3] = [Fault::Crash, Fault::Hang, Fault::Stop];

    /// The fault of process `process`: the last three of every ten.
    pub(crate) fn of(process: usize) -> Option<Fault> {
        match process % 10 {
            7 => Some(Fault::Crash),
            8 => Some(Fault::Hang),
            9 => Some(Fault::Stop),
            _ => None,
        }
    }

    /// By when the host must have reported the fault to the caller.
    pub(crate) fn deadline(self) -> Duration {
        // A margin for a machine loaded by a hundred other extensions.
        let margin = Duration::from_secs(5);
        match self {
            Fault::Crash => margin,
            Fault::Hang | Fault::Stop => FAULT_TIMEOUT + CANCEL_GRACE + margin,
        }
    }

    /// Injects the fault into `host`'s extension and waits (at most the deadline, plus as much
    /// again for a thread stuck in the host) for every call it hits to fail. Returns how long
    /// the slowest took, or what went wrong.
    pub(crate) fn inject(self, host: &Arc<Extension>) -> Result<Duration, String> {
        let started = Instant::now();
        let calls: Vec<(&'static str, Value)> = match self {
            Fault::Crash => vec![("crash", json!([3, "soak: injected crash"]))],
            Fault::Hang => vec![("hang", json!([600_000]))],
            Fault::Stop => {
                let pid = host.process_id().ok_or("the extension has no process id")?;
                if !cmd::probe(Command::new("kill").args(["-STOP", &pid.to_string()])) {
                    return Err(format!("`kill -STOP {pid}` failed"));
                }
                let pad = "x".repeat(STALLED_REQUEST_BYTES);
                (0..STALLED_REQUESTS)
                    .map(|seq| ("echo", json!({ "stalled": seq, "pad": pad })))
                    .collect()
            }
        };
        // Each call on its own thread, so that one stuck in the host is reported as stuck
        // rather than stopping the soak.
        let (sender, receiver) = mpsc::channel();
        for (method, params) in calls.iter().cloned() {
            let host = Arc::clone(host);
            let sender = sender.clone();
            thread::spawn(move || {
                let result =
                    host.call_with_timeout::<Value, _>(method, &params, Some(FAULT_TIMEOUT));
                let _ = sender.send((method, result, Instant::now()));
            });
        }
        drop(sender);
        let give_up = started + self.deadline() * 2;
        let mut slowest = Duration::ZERO;
        for _ in 0..calls.len() {
            let left = give_up.saturating_duration_since(Instant::now());
            let Ok((method, result, at)) = receiver.recv_timeout(left) else {
                return Err(format!(
                    "a `{}` call was still blocked in the host after {:.1} s",
                    calls[0].0,
                    started.elapsed().as_secs_f64()
                ));
            };
            self.check(method, &result)?;
            slowest = slowest.max(at - started);
        }
        if slowest > self.deadline() {
            return Err(format!(
                "reported after {:.2} s, past its deadline of {} s",
                slowest.as_secs_f64(),
                self.deadline().as_secs()
            ));
        }
        Ok(slowest)
    }

    /// Whether `result` is the error this fault should give.
    fn check(self, method: &str, result: &Result<Value, CallError>) -> Result<(), String> {
        let fits = match (self, result) {
            (Fault::Crash, Err(CallError::Ended { ended, .. })) => {
                // The report must carry the exit status and the extension's last words.
                ended.what.contains("exit status: 3")
                    && ended
                        .stderr
                        .iter()
                        .any(|line| line.contains("soak: injected crash"))
            }
            // The call ends at its deadline; the kill as hung follows it (after the cancel
            // grace), and the restart after the fault finds the extension gone.
            (Fault::Hang, Err(CallError::TimedOut { .. })) => true,
            // Whichever of the stalled calls times out first gets the kill; the others see
            // the connection end.
            (Fault::Stop, Err(CallError::TimedOut { .. } | CallError::Ended { .. })) => true,
            _ => false,
        };
        if fits {
            Ok(())
        } else {
            Err(format!(
                "`{method}` gave {result:?}, not the error a {self:?} should give"
            ))
        }
    }
}
