//! What a host does when an extension process crashes: the [`RestartPolicy`].
//!
//! Everything here is pure: [`RestartPolicy::decide`] and [`RestartTracker::on_crash`] answer
//! *whether* and *after how long* to restart, and the host does the waiting. That keeps the
//! policy testable without clocks and usable from blocking and async hosts alike.
//!
//! Restarts are counted per *streak*: consecutive crashes, where a process that ran for at
//! least [`RestartLimit::reset_after`] before crashing starts a new streak. A streak resets
//! both the restart budget and the backoff curve. One counter is all the state this needs
//! (a sliding window would need every crash time), and it answers the question a user asks:
//! "is this extension crash-looping right now?".

mod backoff;
mod duration_text;
mod repr;
mod tracker;

use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use backoff::Backoff;
pub use tracker::RestartTracker;

/// How a host restarts a crashed extension process.
///
/// Serialisable so a host configuration can carry it; durations are written as text
/// (`"250ms"`, `"30s"`, `"10m"`):
///
/// ```
/// use std::time::Duration;
/// use symphony_core::lifecycle::{RestartDecision, RestartPolicy};
///
/// let policy: RestartPolicy = toml::from_str(
///     r#"
///     policy = "backoff"
///     initial = "100ms"
///     max = "30s"
///     multiplier = 2.0
///     max_restarts = 5
///     reset_after = "10m"
///     "#,
/// )?;
/// assert_eq!(policy.decide(0), RestartDecision::Restart { after: Duration::from_millis(100) });
/// assert_eq!(policy.decide(3), RestartDecision::Restart { after: Duration::from_millis(800) });
/// assert_eq!(policy.decide(5), RestartDecision::GiveUp { restarts: 5 });
/// # Ok::<(), toml::de::Error>(())
/// ```
///
/// `policy = "never"` takes no other field; `policy = "immediate"` takes `max_restarts` and
/// `reset_after`; `policy = "backoff"` requires `initial`, `max` and `multiplier` as well.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "repr::RestartPolicyRepr", into = "repr::RestartPolicyRepr")]
#[non_exhaustive]
pub enum RestartPolicy {
    /// Never restart; a crash leaves the extension failed.
    Never,
    /// Restart at once, within `limit`.
    Immediate {
        /// How many restarts in a row are allowed.
        limit: RestartLimit,
    },
    /// Restart after a delay that grows with each restart in the streak, within `limit`.
    Backoff {
        /// The delay curve.
        backoff: Backoff,
        /// How many restarts in a row are allowed.
        limit: RestartLimit,
    },
}

/// How many restarts in a row a policy allows, and what counts as "in a row".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RestartLimit {
    /// Most restarts in one streak; `None` means no limit.
    pub max_restarts: Option<u32>,
    /// A process that ran at least this long before crashing starts a new streak (budget and
    /// backoff start over); `None` means the streak never resets.
    pub reset_after: Option<Duration>,
}

impl RestartLimit {
    /// No limit, and streaks never reset.
    pub const UNLIMITED: RestartLimit = RestartLimit {
        max_restarts: None,
        reset_after: None,
    };
}

/// What the host should do about a crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RestartDecision {
    /// Restart the process once `after` has elapsed (zero: at once).
    Restart {
        /// How long to wait before restarting.
        after: Duration,
    },
    /// Leave the extension failed.
    GiveUp {
        /// How many restarts the current streak had already made.
        restarts: u32,
    },
}

/// Why a restart policy was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RestartPolicyError {
    /// A backoff's `initial` delay is zero.
    #[error(
        "restart policy: backoff `initial` must be greater than zero (use policy = \"immediate\" to restart without delay)"
    )]
    ZeroInitialDelay,
    /// A backoff's `initial` delay is longer than its `max`.
    #[error("restart policy: backoff `initial` ({initial:?}) must not exceed `max` ({max:?})")]
    InitialExceedsMax {
        /// The initial delay given.
        initial: Duration,
        /// The cap given.
        max: Duration,
    },
    /// A backoff's `multiplier` is below 1, infinite or not a number.
    #[error(
        "restart policy: backoff `multiplier` must be a finite number >= 1.0 (delays never shrink), got {multiplier}"
    )]
    InvalidMultiplier {
        /// The multiplier given.
        multiplier: f64,
    },
    /// A field the chosen policy needs is missing.
    #[error("restart policy: policy = \"{policy}\" requires `{field}`")]
    MissingField {
        /// The policy named in the configuration.
        policy: &'static str,
        /// The missing field.
        field: &'static str,
    },
    /// A field was given that the chosen policy does not use.
    #[error("restart policy: `{field}` does not apply to policy = \"{policy}\"; remove it")]
    FieldNotAllowed {
        /// The policy named in the configuration.
        policy: &'static str,
        /// The field that does not apply.
        field: &'static str,
    },
    /// A duration field is not `<integer><unit>` or is too large.
    #[error("restart policy: `{field}` = {text:?} is not a duration: {reason}")]
    InvalidDuration {
        /// The field holding the duration.
        field: &'static str,
        /// The text given.
        text: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl RestartPolicy {
    /// The restart limit, or `None` for [`RestartPolicy::Never`].
    pub fn limit(&self) -> Option<&RestartLimit> {
        match self {
            RestartPolicy::Never => None,
            RestartPolicy::Immediate { limit } | RestartPolicy::Backoff { limit, .. } => {
                Some(limit)
            }
        }
    }

    /// What to do about a crash when the current streak has already made `restarts` restarts
    /// (0 for the first crash of a streak).
    ///
    /// Pure: the host keeps the count (or lets a [`RestartTracker`] keep it) and does the
    /// waiting.
    ///
    /// ```
    /// use std::time::Duration;
    /// use symphony_core::lifecycle::{RestartDecision, RestartLimit, RestartPolicy};
    ///
    /// let policy = RestartPolicy::Immediate {
    ///     limit: RestartLimit { max_restarts: Some(2), reset_after: None },
    /// };
    /// assert_eq!(policy.decide(1), RestartDecision::Restart { after: Duration::ZERO });
    /// assert_eq!(policy.decide(2), RestartDecision::GiveUp { restarts: 2 });
    /// assert_eq!(RestartPolicy::Never.decide(0), RestartDecision::GiveUp { restarts: 0 });
    /// ```
    pub fn decide(&self, restarts: u32) -> RestartDecision {
        let (limit, after) = match self {
            RestartPolicy::Never => return RestartDecision::GiveUp { restarts },
            RestartPolicy::Immediate { limit } => (limit, Duration::ZERO),
            RestartPolicy::Backoff { backoff, limit } => (limit, backoff.delay(restarts)),
        };
        match limit.max_restarts {
            Some(max) if restarts >= max => RestartDecision::GiveUp { restarts },
            _ => RestartDecision::Restart { after },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn backoff(max_restarts: Option<u32>) -> RestartPolicy {
        RestartPolicy::Backoff {
            backoff: Backoff::new(ms(100), ms(1_000), 2.0).expect("valid"),
            limit: RestartLimit {
                max_restarts,
                reset_after: None,
            },
        }
    }

    #[test]
    fn never_always_gives_up() {
        for n in [0, 1, u32::MAX] {
            assert_eq!(
                RestartPolicy::Never.decide(n),
                RestartDecision::GiveUp { restarts: n }
            );
        }
    }

    #[test]
    fn immediate_restarts_without_delay_until_the_limit() {
        let policy = RestartPolicy::Immediate {
            limit: RestartLimit {
                max_restarts: Some(3),
                reset_after: None,
            },
        };
        let decisions: Vec<_> = (0..5).map(|n| policy.decide(n)).collect();
        let restart = RestartDecision::Restart {
            after: Duration::ZERO,
        };
        assert_eq!(
            decisions,
            [
                restart,
                restart,
                restart,
                RestartDecision::GiveUp { restarts: 3 },
                RestartDecision::GiveUp { restarts: 4 },
            ]
        );
    }

    #[test]
    fn backoff_sequence_grows_then_caps_then_gives_up() {
        let policy = backoff(Some(6));
        let decisions: Vec<_> = (0..7).map(|n| policy.decide(n)).collect();
        let after = |n| RestartDecision::Restart { after: ms(n) };
        assert_eq!(
            decisions,
            [
                after(100),
                after(200),
                after(400),
                after(800),
                after(1_000),
                after(1_000),
                RestartDecision::GiveUp { restarts: 6 },
            ]
        );
    }

    #[test]
    fn unlimited_backoff_never_gives_up_and_stays_capped() {
        let policy = backoff(None);
        assert_eq!(
            policy.decide(u32::MAX),
            RestartDecision::Restart { after: ms(1_000) }
        );
    }

    #[test]
    fn zero_max_restarts_gives_up_on_the_first_crash() {
        assert_eq!(
            backoff(Some(0)).decide(0),
            RestartDecision::GiveUp { restarts: 0 }
        );
    }

    #[test]
    fn limit_is_exposed_for_every_restarting_policy() {
        assert_eq!(RestartPolicy::Never.limit(), None);
        assert_eq!(
            backoff(Some(4)).limit().and_then(|l| l.max_restarts),
            Some(4)
        );
    }
}
