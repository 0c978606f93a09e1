//! Counting the restarts of one extension's current crash streak.

use std::time::Duration;

use super::{RestartDecision, RestartPolicy};

/// Applies a [`RestartPolicy`] to one extension's crashes, keeping the streak count.
///
/// The host reports each crash with how long the process had run; the tracker starts a new
/// streak when that run lasted [`RestartLimit::reset_after`](super::RestartLimit) or longer.
///
/// ```
/// use std::time::Duration;
/// use symphony_core::lifecycle::{Backoff, RestartDecision, RestartLimit, RestartPolicy, RestartTracker};
///
/// let policy = RestartPolicy::Backoff {
///     backoff: Backoff::new(Duration::from_secs(1), Duration::from_secs(60), 2.0)?,
///     limit: RestartLimit { max_restarts: Some(3), reset_after: Some(Duration::from_secs(300)) },
/// };
/// let mut tracker = RestartTracker::new(policy);
/// let secs = |s| RestartDecision::Restart { after: Duration::from_secs(s) };
///
/// // Crash-looping: each run lasts a second.
/// assert_eq!(tracker.on_crash(Duration::from_secs(1)), secs(1));
/// assert_eq!(tracker.on_crash(Duration::from_secs(1)), secs(2));
/// // Then it ran for an hour: a new streak, back to the initial delay.
/// assert_eq!(tracker.on_crash(Duration::from_secs(3600)), secs(1));
/// # Ok::<(), symphony_core::lifecycle::RestartPolicyError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RestartTracker {
    policy: RestartPolicy,
    restarts: u32,
}

impl RestartTracker {
    /// A tracker with an empty streak.
    pub fn new(policy: RestartPolicy) -> Self {
        RestartTracker {
            policy,
            restarts: 0,
        }
    }

    /// The policy being applied.
    pub fn policy(&self) -> &RestartPolicy {
        &self.policy
    }

    /// Restarts made in the current streak.
    pub fn restarts(&self) -> u32 {
        self.restarts
    }

    /// Decides about a crash of a process that had run for `uptime`, and counts the restart
    /// if the decision is to restart.
    pub fn on_crash(&mut self, uptime: Duration) -> RestartDecision {
        let reset_after = self.policy.limit().and_then(|limit| limit.reset_after);
        if reset_after.is_some_and(|reset_after| uptime >= reset_after) {
            self.restarts = 0;
        }
        let decision = self.policy.decide(self.restarts);
        if matches!(decision, RestartDecision::Restart { .. }) {
            self.restarts = self.restarts.saturating_add(1);
        }
        decision
    }

    /// Starts a new streak, e.g. after the user restarted the extension by hand.
    pub fn reset(&mut self) {
        self.restarts = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Backoff, RestartLimit};
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn tracker(max_restarts: Option<u32>, reset_after: Option<Duration>) -> RestartTracker {
        RestartTracker::new(RestartPolicy::Backoff {
            backoff: Backoff::new(ms(100), ms(1_000), 2.0).expect("valid"),
            limit: RestartLimit {
                max_restarts,
                reset_after,
            },
        })
    }

    #[test]
    fn counts_restarts_and_gives_up_at_the_limit() {
        let mut tracker = tracker(Some(2), None);
        assert_eq!(
            tracker.on_crash(ms(5)),
            RestartDecision::Restart { after: ms(100) }
        );
        assert_eq!(
            tracker.on_crash(ms(5)),
            RestartDecision::Restart { after: ms(200) }
        );
        assert_eq!(
            tracker.on_crash(ms(5)),
            RestartDecision::GiveUp { restarts: 2 }
        );
        // Giving up does not count as a restart, and stays given up.
        assert_eq!(tracker.restarts(), 2);
        assert_eq!(
            tracker.on_crash(ms(5)),
            RestartDecision::GiveUp { restarts: 2 }
        );
    }

    #[test]
    fn a_long_enough_run_starts_a_new_streak() {
        let mut tracker = tracker(Some(2), Some(ms(60_000)));
        tracker.on_crash(ms(10));
        tracker.on_crash(ms(10));
        assert_eq!(tracker.restarts(), 2);
        // Just short of the threshold: still the same streak, so the budget is spent.
        assert_eq!(
            tracker.on_crash(ms(59_999)),
            RestartDecision::GiveUp { restarts: 2 }
        );
        // At the threshold: a new streak with the initial delay.
        assert_eq!(
            tracker.on_crash(ms(60_000)),
            RestartDecision::Restart { after: ms(100) }
        );
        assert_eq!(tracker.restarts(), 1);
    }

    #[test]
    fn without_reset_after_a_long_run_does_not_reset() {
        let mut tracker = tracker(None, None);
        tracker.on_crash(ms(1));
        assert_eq!(
            tracker.on_crash(Duration::MAX),
            RestartDecision::Restart { after: ms(200) }
        );
    }

    #[test]
    fn manual_reset_starts_over() {
        let mut tracker = tracker(Some(1), None);
        tracker.on_crash(ms(1));
        assert_eq!(
            tracker.on_crash(ms(1)),
            RestartDecision::GiveUp { restarts: 1 }
        );
        tracker.reset();
        assert_eq!(
            tracker.on_crash(ms(1)),
            RestartDecision::Restart { after: ms(100) }
        );
    }

    #[test]
    fn never_policy_never_counts() {
        let mut tracker = RestartTracker::new(RestartPolicy::Never);
        assert_eq!(
            tracker.on_crash(ms(1)),
            RestartDecision::GiveUp { restarts: 0 }
        );
        assert_eq!(tracker.restarts(), 0);
    }
}
