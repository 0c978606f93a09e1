//! Exponential backoff between restarts, capped.

use std::time::Duration;

use super::RestartPolicyError;

/// An exponential backoff curve: `initial × multiplier^n`, never more than `max`.
///
/// Built through [`Backoff::new`], which rejects curves that would shrink, stay at zero or
/// start above their cap, so every `Backoff` value is a sensible one.
///
/// ```
/// use std::time::Duration;
/// use symphony_core::lifecycle::Backoff;
///
/// let backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(1), 2.0)?;
/// let delays: Vec<u128> = (0..6).map(|n| backoff.delay(n).as_millis()).collect();
/// assert_eq!(delays, [100, 200, 400, 800, 1000, 1000]);
/// # Ok::<(), symphony_core::lifecycle::RestartPolicyError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    multiplier: f64,
}

impl Backoff {
    /// A curve starting at `initial`, multiplied by `multiplier` after each restart and capped
    /// at `max`.
    ///
    /// Fails if `initial` is zero (use [`RestartPolicy::Immediate`](super::RestartPolicy) for
    /// no delay), if `initial > max`, or if `multiplier` is not a finite number ≥ 1.
    pub fn new(
        initial: Duration,
        max: Duration,
        multiplier: f64,
    ) -> Result<Self, RestartPolicyError> {
        if initial.is_zero() {
            return Err(RestartPolicyError::ZeroInitialDelay);
        }
        if initial > max {
            return Err(RestartPolicyError::InitialExceedsMax { initial, max });
        }
        if !multiplier.is_finite() || multiplier < 1.0 {
            return Err(RestartPolicyError::InvalidMultiplier { multiplier });
        }
        Ok(Backoff {
            initial,
            max,
            multiplier,
        })
    }

    /// The delay before the first restart.
    pub fn initial(&self) -> Duration {
        self.initial
    }

    /// The cap: no delay is ever longer.
    pub fn max(&self) -> Duration {
        self.max
    }

    /// The factor between consecutive delays.
    pub fn multiplier(&self) -> f64 {
        self.multiplier
    }

    /// The delay before a restart when `restarts` restarts have already happened in the
    /// current streak: `min(max, initial × multiplier^restarts)`.
    pub fn delay(&self, restarts: u32) -> Duration {
        // In nanoseconds as f64: exact for integral products below 2^53 ns (about 104 days),
        // so whole-number multipliers give exact delays; overflow to infinity lands on the cap.
        let nanos = self.initial.as_nanos() as f64 * self.multiplier.powf(f64::from(restarts));
        let max_nanos = self.max.as_nanos() as f64;
        if nanos >= max_nanos {
            return self.max;
        }
        if nanos < u64::MAX as f64 {
            return Duration::from_nanos(nanos.round() as u64).min(self.max);
        }
        // Beyond ~584 years only a cap near `Duration::MAX` is left; seconds are exact enough.
        Duration::try_from_secs_f64(nanos / 1e9).map_or(self.max, |d| d.min(self.max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn doubles_until_the_cap_then_stays_there() {
        let backoff = Backoff::new(ms(100), ms(30_000), 2.0).expect("valid");
        let delays: Vec<Duration> = (0..12).map(|n| backoff.delay(n)).collect();
        let expected: Vec<Duration> = [
            100, 200, 400, 800, 1_600, 3_200, 6_400, 12_800, 25_600, 30_000, 30_000, 30_000,
        ]
        .into_iter()
        .map(ms)
        .collect();
        assert_eq!(delays, expected);
    }

    #[test]
    fn fractional_multiplier_grows_by_that_factor() {
        let backoff = Backoff::new(ms(1_000), ms(10_000), 1.5).expect("valid");
        let delays: Vec<u128> = (0..4).map(|n| backoff.delay(n).as_millis()).collect();
        assert_eq!(delays, [1_000, 1_500, 2_250, 3_375]);
    }

    #[test]
    fn multiplier_one_is_a_constant_delay() {
        let backoff = Backoff::new(ms(250), ms(250), 1.0).expect("valid");
        assert!((0..100).all(|n| backoff.delay(n) == ms(250)));
    }

    #[test]
    fn huge_restart_counts_and_caps_never_panic_and_respect_the_cap() {
        let backoff = Backoff::new(ms(1), Duration::MAX, 10.0).expect("valid");
        assert_eq!(backoff.delay(u32::MAX), Duration::MAX);
        let delays: Vec<Duration> = (0..40).map(|n| backoff.delay(n)).collect();
        assert!(delays.windows(2).all(|w| w[0] <= w[1]), "{delays:?}");
        let capped = Backoff::new(ms(1), ms(5), 1e300).expect("valid");
        assert_eq!(capped.delay(1), ms(5));
        assert_eq!(capped.delay(u32::MAX), ms(5));
    }

    #[test]
    fn rejects_curves_that_make_no_sense() {
        assert_eq!(
            Backoff::new(Duration::ZERO, ms(10), 2.0),
            Err(RestartPolicyError::ZeroInitialDelay)
        );
        assert_eq!(
            Backoff::new(ms(20), ms(10), 2.0),
            Err(RestartPolicyError::InitialExceedsMax {
                initial: ms(20),
                max: ms(10)
            })
        );
        for multiplier in [0.5, 0.0, -2.0, f64::INFINITY] {
            assert_eq!(
                Backoff::new(ms(1), ms(10), multiplier),
                Err(RestartPolicyError::InvalidMultiplier { multiplier })
            );
        }
        assert!(matches!(
            Backoff::new(ms(1), ms(10), f64::NAN),
            Err(RestartPolicyError::InvalidMultiplier { multiplier }) if multiplier.is_nan()
        ));
    }
}
