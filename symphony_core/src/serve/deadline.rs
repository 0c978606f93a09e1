//! The time limit of a direct call, cheap to set and to check.
//!
//! A direct call reads the clock twice (to set its deadline and to check it afterwards), and a
//! handler reads it each time it polls its token. `Instant::now` costs about 30 ns on a
//! virtual machine, a fifth of a do-nothing call. Linux's coarse monotonic clock costs about
//! 5 ns but moves in ticks (1–10 ms), so it is used only for limits of at least
//! [`COARSE_FROM`], where a tick is under 1 % of the limit; shorter limits keep the precise
//! clock.

// Only direct calls (the `host` feature) set deadlines; without it, tokens never have one.
#![cfg_attr(not(feature = "host"), allow(dead_code))]

use std::time::{Duration, Instant};

/// The shortest limit measured with the coarse clock.
const COARSE_FROM: Duration = Duration::from_secs(1);

/// When a call's time is up.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Deadline {
    /// A short limit, on the precise clock.
    Precise(Instant),
    /// A limit of a second or more, in nanoseconds of the coarse monotonic clock (`u64::MAX`,
    /// which that clock never reaches, for a limit beyond what `Instant` can hold).
    Coarse(u64),
}

impl Deadline {
    /// The deadline `timeout` from now.
    pub(crate) fn after(timeout: Duration) -> Deadline {
        if timeout >= COARSE_FROM
            && let Some(now) = coarse_now()
        {
            let timeout = u64::try_from(timeout.as_nanos()).unwrap_or(u64::MAX);
            return Deadline::Coarse(now.saturating_add(timeout));
        }
        Instant::now()
            .checked_add(timeout)
            .map_or(Deadline::Coarse(u64::MAX), Deadline::Precise)
    }

    /// Whether the deadline has passed.
    pub(crate) fn passed(self) -> bool {
        match self {
            Deadline::Precise(at) => Instant::now() >= at,
            Deadline::Coarse(at) => coarse_now().is_some_and(|now| now >= at),
        }
    }
}

/// The coarse monotonic clock in nanoseconds, where there is one.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn coarse_now() -> Option<u64> {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec; the call only writes to it.
    if unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC_COARSE, &mut now) } != 0 {
        return None;
    }
    let seconds = u64::try_from(now.tv_sec).ok()?;
    let nanos = u64::try_from(now.tv_nsec).ok()?;
    Some(seconds.saturating_mul(1_000_000_000).saturating_add(nanos))
}

#[cfg(not(target_os = "linux"))]
fn coarse_now() -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_limit_uses_the_precise_clock_and_passes_on_time() {
        let deadline = Deadline::after(Duration::from_millis(20));
        assert!(matches!(deadline, Deadline::Precise(_)));
        assert!(!deadline.passed());
        std::thread::sleep(Duration::from_millis(25));
        assert!(deadline.passed());
    }

    #[test]
    fn a_long_limit_does_not_pass_early() {
        let deadline = Deadline::after(Duration::from_secs(1));
        #[cfg(target_os = "linux")]
        assert!(matches!(deadline, Deadline::Coarse(_)));
        std::thread::sleep(Duration::from_millis(900));
        assert!(!deadline.passed(), "a 1 s limit passed within 0.9 s");
        // The coarse clock lags by at most a tick (10 ms at the slowest kernel tick rate).
        std::thread::sleep(Duration::from_millis(200));
        assert!(deadline.passed(), "a 1 s limit had not passed after 1.1 s");
    }

    #[test]
    fn a_limit_beyond_the_clock_never_passes() {
        assert!(!Deadline::after(Duration::MAX).passed());
    }
}
