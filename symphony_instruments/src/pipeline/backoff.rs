//! Retry delays: capped exponential backoff with full jitter, never shorter than the delay a
//! server asked for with `Retry-After`.

use std::time::Duration;

/// Delays between retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The delay ceiling before the first retry.
    pub base: Duration,
    /// The largest delay ceiling.
    pub cap: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base: Duration::from_millis(50),
            cap: Duration::from_secs(5),
        }
    }
}

impl Backoff {
    /// The delay before retry number `attempt` (0 for the first): uniformly random up to
    /// `min(cap, base · 2^attempt)` so that clients failing together do not retry together,
    /// and at least `retry_after` when the server sent one.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let ceiling = self
            .base
            .saturating_mul(2u32.saturating_pow(attempt))
            .min(self.cap);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        let jittered = Duration::from_nanos(fastrand::u64(0..=nanos));
        retry_after.map_or(jittered, |after| jittered.max(after))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_are_capped_and_honour_retry_after() {
        let backoff = Backoff {
            base: Duration::from_millis(10),
            cap: Duration::from_millis(40),
        };
        for _ in 0..200 {
            assert!(backoff.delay(0, None) <= Duration::from_millis(10));
            assert!(backoff.delay(1, None) <= Duration::from_millis(20));
            assert!(backoff.delay(30, None) <= Duration::from_millis(40));
            assert!(backoff.delay(0, Some(Duration::from_secs(2))) >= Duration::from_secs(2));
        }
        // Jitter: not every delay is the ceiling.
        let distinct: std::collections::HashSet<_> =
            (0..50).map(|_| backoff.delay(3, None)).collect();
        assert!(distinct.len() > 1);
    }
}
