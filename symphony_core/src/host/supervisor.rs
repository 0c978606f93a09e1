//! Restarting a crashed extension by its restart policy, and recording its lifecycle.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::{Ended, Extension, HostError};
use crate::lifecycle::{Lifecycle, RestartDecision, RestartPolicy, RestartTracker, State};

/// An [`Extension`] whose extension is restarted after a crash as its [`RestartPolicy`] says, with
/// its [`Lifecycle`] recorded: `Loading → Loaded → Activating → Active` for every start (the
/// spawn, the handshake, then the `initialized` notification, which is all the activation
/// protocol v1 has), `Failed` with the exit status as the reason for every crash.
///
/// A watcher thread notices the end of the extension from the connection itself (no call is
/// needed) and restarts it after the policy's delay; [`recover`](Self::recover) reports what
/// it did, waiting for a restart in progress. Dropping the supervisor stops the watcher and
/// the extension.
///
/// ```
/// use std::time::Duration;
/// use symphony_core::host::{Extension, ExtensionOptions, Recovery, Supervisor};
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
/// let supervisor =
///     Supervisor::start(|| Extension::in_process(Echo, ExtensionOptions::default()), policy)?;
/// assert_eq!(supervisor.lifecycle().state(), State::Active);
/// // Nothing has crashed: nothing to do.
/// assert_eq!(supervisor.recover()?, Recovery::Running);
/// let back: [u8; 1] = supervisor.host().call("echo", &[7])?;
/// assert_eq!(back, [7]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Supervisor {
    shared: Arc<Shared>,
    watcher: Option<JoinHandle<()>>,
}

/// What the supervisor and its watcher thread share.
struct Shared {
    host: Extension,
    record: Mutex<Record>,
    /// Signalled when the record changes, and to stop the watcher.
    changed: Condvar,
}

struct Record {
    tracker: RestartTracker,
    lifecycle: Lifecycle,
    /// When the current process was started, for the tracker's streak reset.
    started: Instant,
    /// The watcher is handling a crash (waiting the policy's delay, or restarting).
    recovering: bool,
    /// The last restart not yet reported by [`Supervisor::recover`].
    unreported: Option<Recovery>,
    /// The policy gave up: how many restarts the streak made, and the last end.
    gave_up: Option<(u32, Ended)>,
    /// The supervisor is being dropped.
    stopping: bool,
}

impl std::fmt::Debug for Supervisor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Supervisor")
            .field("host", &self.shared.host)
            .field("state", &self.lifecycle().state())
            .finish_non_exhaustive()
    }
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
    /// Starts the extension with `start` (for example `|| Extension::spawn(command, options)`),
    /// recording the lifecycle from `Discovered`, and starts watching it: `policy` governs
    /// every later crash, without anyone having to call.
    ///
    /// # Errors
    ///
    /// [`SupervisorError::Start`] if the extension cannot be started (the lifecycle is then
    /// `Failed` with the error as the reason), or the watcher thread cannot be started.
    pub fn start(
        start: impl FnOnce() -> Result<Extension, HostError>,
        policy: RestartPolicy,
    ) -> Result<Self, SupervisorError> {
        let mut lifecycle = Lifecycle::new();
        step(&mut lifecycle, State::Loading);
        let started = Instant::now();
        let host = match start() {
            Ok(host) => host,
            Err(error) => {
                lifecycle.fail(error.to_string());
                return Err(SupervisorError::Start(error));
            }
        };
        activate(&mut lifecycle);
        let shared = Arc::new(Shared {
            host,
            record: Mutex::new(Record {
                tracker: RestartTracker::new(policy),
                lifecycle,
                started,
                recovering: false,
                unreported: None,
                gave_up: None,
                stopping: false,
            }),
            changed: Condvar::new(),
        });
        let watched = Arc::clone(&shared);
        let watcher = thread::Builder::new()
            .name("symphony-supervisor".into())
            .spawn(move || watched.watch())
            .map_err(|source| {
                SupervisorError::Start(HostError::Spawn {
                    program: "the supervisor's watcher thread".into(),
                    source,
                })
            })?;
        Ok(Supervisor {
            shared,
            watcher: Some(watcher),
        })
    }

    /// The extension's host, to call it.
    pub fn host(&self) -> &Extension {
        &self.shared.host
    }

    /// The lifecycle so far, with its history (a snapshot: the watcher keeps recording).
    pub fn lifecycle(&self) -> Lifecycle {
        self.shared.lock().lifecycle.clone()
    }

    /// Restarts made in the current crash streak.
    pub fn restarts(&self) -> u32 {
        self.shared.lock().tracker.restarts()
    }

    /// Reports what the supervisor did since the last call: if the extension has ended, waits
    /// until the watcher has restarted it (after the policy's delay) or given up. The restart
    /// itself never waits for this call.
    ///
    /// # Errors
    ///
    /// [`SupervisorError::GaveUp`] when the policy does not restart (any more), with how the
    /// extension last ended; the lifecycle stays `Failed`.
    pub fn recover(&self) -> Result<Recovery, SupervisorError> {
        let mut record = self.shared.lock();
        loop {
            if let Some((restarts, ended)) = &record.gave_up {
                return Err(SupervisorError::GaveUp {
                    restarts: *restarts,
                    ended: ended.clone(),
                });
            }
            // A crash the watcher has not picked up yet counts as being handled.
            if record.recovering || self.shared.host.ended().is_some() {
                record = self
                    .shared
                    .changed
                    .wait_timeout(record, WATCH_TICK)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
                continue;
            }
            return Ok(record.unreported.take().unwrap_or(Recovery::Running));
        }
    }
}

impl Drop for Supervisor {
    fn drop(&mut self) {
        self.shared.lock().stopping = true;
        self.shared.changed.notify_all();
        if let Some(watcher) = self.watcher.take() {
            let _ = watcher.join();
        }
    }
}

/// How often the watcher checks whether the supervisor is being dropped while it waits.
const WATCH_TICK: Duration = Duration::from_millis(50);

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Record> {
        // The record changes in steps that cannot panic half-way.
        self.record.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The watcher thread: waits for the extension to end, then applies the policy; returns
    /// when the policy gives up or the supervisor is dropped.
    fn watch(&self) {
        loop {
            if self.lock().stopping {
                return;
            }
            if let Some(ended) = self.host.wait_ended(WATCH_TICK) {
                self.lock().recovering = true;
                let recovered = self.recover(ended);
                let mut record = self.lock();
                record.recovering = false;
                drop(record);
                self.changed.notify_all();
                if !recovered {
                    return;
                }
            }
        }
    }

    /// Records the failure and restarts by the policy, a failed restart counting as another
    /// crash; `false` when it gave up (or the supervisor is being dropped).
    fn recover(&self, mut ended: Ended) -> bool {
        loop {
            let mut record = self.lock();
            record.lifecycle.fail(ended.what.clone());
            let elapsed = record.started.elapsed();
            match record.tracker.on_crash(elapsed) {
                RestartDecision::Restart { after } => {
                    if !self.pause(record, after) {
                        return false;
                    }
                    let mut record = self.lock();
                    step(&mut record.lifecycle, State::Loading);
                    record.started = Instant::now();
                    drop(record);
                    match self.host.restart() {
                        Ok(()) => {
                            let mut record = self.lock();
                            activate(&mut record.lifecycle);
                            let restarts = record.tracker.restarts();
                            record.unreported = Some(Recovery::Restarted { after, restarts });
                            return true;
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
                    record.gave_up = Some((restarts, ended));
                    return false;
                }
            }
        }
    }

    /// Waits the policy's delay; `false` if the supervisor is dropped meanwhile.
    fn pause(&self, mut record: MutexGuard<'_, Record>, delay: Duration) -> bool {
        let until = Instant::now() + delay;
        loop {
            if record.stopping {
                return false;
            }
            let now = Instant::now();
            if now >= until {
                return true;
            }
            record = self
                .changed
                .wait_timeout(record, until - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
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
