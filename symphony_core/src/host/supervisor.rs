//! Restarting a crashed extension by its restart policy, and recording its lifecycle.

use std::thread;
use std::time::{Duration, Instant};

use super::{Ended, Host, HostError};
use crate::lifecycle::{Lifecycle, RestartDecision, RestartPolicy, RestartTracker, State};

/// A [`Host`] whose extension is restarted after a crash as its [`RestartPolicy`] says, with
/// its [`Lifecycle`] recorded: `Loading → Loaded → Activating → Active` for every start (the
/// spawn, the handshake, then the `initialized` notification, which is all the activation
/// protocol v1 has), `Failed` with the exit status as the reason for every crash.
///
/// Supervision is on demand: after a call fails because the extension ended
/// ([`CallError::Ended`](super::CallError::Ended)), or whenever the owner checks,
/// [`recover`](Self::recover) restarts it if the policy allows, waiting the policy's delay on
/// the calling thread.
///
/// ```
/// use std::time::Duration;
/// use symphony_core::host::{Host, HostOptions, Recovery, Supervisor};
/// use symphony_core::lifecycle::{RestartPolicy, State};
/// # use symphony_core::protocol::{ErrorObject, RawValue};
/// # use symphony_core::serve::{Call, Handler};
/// # struct Echo;
/// # impl Handler for Echo {
/// #     fn manifest(&self) -> &symphony_core::manifest::Manifest {
/// #         symphony_core::embed_manifest!("src/testing/example.toml").get().expect("valid")
/// #     }
/// #     fn handle(&self, call: &Call<'_>) -> Result<Box<RawValue>, ErrorObject> {
/// #         Ok(call.raw_params().map(ToOwned::to_owned).unwrap_or_default())
/// #     }
/// # }
///
/// let policy = RestartPolicy::Immediate { limit: Default::default() };
/// let mut supervisor =
///     Supervisor::start(|| Host::in_process(Echo, HostOptions::default()), policy)?;
/// assert_eq!(supervisor.lifecycle().state(), State::Active);
/// // Nothing has crashed: nothing to do.
/// assert_eq!(supervisor.recover()?, Recovery::Running);
/// let back: [u8; 1] = supervisor.host().call("echo", &[7])?;
/// assert_eq!(back, [7]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Supervisor {
    host: Host,
    tracker: RestartTracker,
    lifecycle: Lifecycle,
    /// When the current process was started, for the tracker's streak reset.
    started: Instant,
}

/// What [`Supervisor::recover`] found and did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Recovery {
    /// The extension is running; nothing was done.
    Running,
    /// The extension had ended and was restarted after `after`.
    Restarted {
        /// The delay the policy asked for before the restart.
        after: Duration,
        /// Restarts in the current crash streak, this one included.
        restarts: u32,
    },
}

/// Why a [`Supervisor`] could not keep its extension running.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SupervisorError {
    /// The first start failed (a start after a crash counts as a crash instead).
    #[error("the extension could not be started: {0}")]
    Start(#[source] HostError),
    /// The restart policy says not to restart (any more); the extension stays failed.
    #[error(
        "{ended}\nthe restart policy gave up after {restarts} restart(s) in this crash streak; \
         the extension stays failed until it is started again"
    )]
    GaveUp {
        /// How many restarts the streak had made.
        restarts: u32,
        /// How the extension last ended (exit status and stderr).
        ended: Ended,
    },
}

impl Supervisor {
    /// Starts the extension with `start` (for example `|| Host::spawn(command, options)`),
    /// recording the lifecycle from `Discovered`; `policy` governs later crashes.
    ///
    /// # Errors
    ///
    /// [`SupervisorError::Start`] if the extension cannot be started; the lifecycle is then
    /// `Failed` with the error as the reason.
    pub fn start(
        start: impl FnOnce() -> Result<Host, HostError>,
        policy: RestartPolicy,
    ) -> Result<Self, SupervisorError> {
        let mut lifecycle = Lifecycle::new();
        step(&mut lifecycle, State::Loading);
        let started = Instant::now();
        match start() {
            Ok(host) => {
                activate(&mut lifecycle);
                Ok(Supervisor {
                    host,
                    tracker: RestartTracker::new(policy),
                    lifecycle,
                    started,
                })
            }
            Err(error) => {
                lifecycle.fail(error.to_string());
                Err(SupervisorError::Start(error))
            }
        }
    }

    /// The extension's host, to call it.
    pub fn host(&self) -> &Host {
        &self.host
    }

    /// The lifecycle so far, with its history.
    pub fn lifecycle(&self) -> &Lifecycle {
        &self.lifecycle
    }

    /// Restarts made in the current crash streak.
    pub fn restarts(&self) -> u32 {
        self.tracker.restarts()
    }

    /// If the extension has ended, records the failure and restarts it after the policy's
    /// delay (blocking the calling thread for it); a restart that fails counts as another
    /// crash. Does nothing while the extension runs.
    ///
    /// # Errors
    ///
    /// [`SupervisorError::GaveUp`] when the policy does not restart (any more), with how the
    /// extension last ended; the lifecycle stays `Failed`.
    pub fn recover(&mut self) -> Result<Recovery, SupervisorError> {
        let Some(mut ended) = self.host.ended() else {
            return Ok(Recovery::Running);
        };
        loop {
            self.lifecycle.fail(ended.what.clone());
            match self.tracker.on_crash(self.started.elapsed()) {
                RestartDecision::Restart { after } => {
                    thread::sleep(after);
                    step(&mut self.lifecycle, State::Loading);
                    self.started = Instant::now();
                    match self.host.restart() {
                        Ok(()) => {
                            activate(&mut self.lifecycle);
                            return Ok(Recovery::Restarted {
                                after,
                                restarts: self.tracker.restarts(),
                            });
                        }
                        Err(error) => {
                            tracing::warn!(%error, "restarting the extension failed");
                            ended = Ended {
                                extension: ended.extension,
                                what: format!("could not be restarted: {error}"),
                                stderr: Vec::new(),
                            };
                        }
                    }
                }
                RestartDecision::GiveUp { restarts } => {
                    return Err(SupervisorError::GaveUp { restarts, ended });
                }
            }
        }
    }
}

/// The steps after a successful start: the host has spawned, shaken hands and sent
/// `initialized`.
fn activate(lifecycle: &mut Lifecycle) {
    for state in [State::Loaded, State::Activating, State::Active] {
        step(lifecycle, state);
    }
}

fn step(lifecycle: &mut Lifecycle, to: State) {
    // The supervisor only takes legal edges (Discovered/Failed → Loading → … → Active); a
    // refusal would be a bug here, kept visible in the log rather than panicking.
    if let Err(error) = lifecycle.transition(to) {
        tracing::error!(%error, "supervisor lifecycle bookkeeping");
    }
}
