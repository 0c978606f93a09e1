//! Durations written as text in host configuration: `"250ms"`, `"30s"`, `"10m"`.
//!
//! Integer plus unit, so a value reads the same in TOML, JSON and logs and converts to a
//! [`Duration`] and back without rounding.

use std::time::Duration;

/// Units from largest to smallest, with their length in nanoseconds.
const UNITS: [(&str, u128); 6] = [
    ("h", 3_600_000_000_000),
    ("m", 60_000_000_000),
    ("s", 1_000_000_000),
    ("ms", 1_000_000),
    ("us", 1_000),
    ("ns", 1),
];

const NANOS_PER_SEC: u128 = 1_000_000_000;

/// Why a duration text was rejected; the caller adds which field it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum DurationTextError {
    /// Not `<integer><unit>`.
    Malformed,
    /// Longer than a [`Duration`] can hold.
    TooLarge,
}

impl DurationTextError {
    pub(super) fn reason(&self) -> &'static str {
        match self {
            DurationTextError::Malformed => {
                "expected an integer followed by a unit (h, m, s, ms, us, ns), e.g. \"250ms\" or \"30s\""
            }
            DurationTextError::TooLarge => "it is longer than the largest representable duration",
        }
    }
}

/// Parses `"<integer><unit>"`.
pub(super) fn parse(text: &str) -> Result<Duration, DurationTextError> {
    let digits_end = text
        .find(|c: char| !c.is_ascii_digit())
        .ok_or(DurationTextError::Malformed)?;
    let (number, unit) = text.split_at(digits_end);
    if number.is_empty() {
        return Err(DurationTextError::Malformed);
    }
    let unit_nanos = UNITS
        .iter()
        .find(|(name, _)| *name == unit)
        .map(|&(_, nanos)| nanos)
        .ok_or(DurationTextError::Malformed)?;
    let count: u128 = number.parse().map_err(|_| DurationTextError::TooLarge)?;
    let total = count
        .checked_mul(unit_nanos)
        .ok_or(DurationTextError::TooLarge)?;
    let secs = u64::try_from(total / NANOS_PER_SEC).map_err(|_| DurationTextError::TooLarge)?;
    // The remainder of a division by 10^9 always fits in u32.
    let nanos = u32::try_from(total % NANOS_PER_SEC).map_err(|_| DurationTextError::TooLarge)?;
    Ok(Duration::new(secs, nanos))
}

/// Formats with the largest unit that represents `duration` exactly.
pub(super) fn format(duration: Duration) -> String {
    let total = duration.as_nanos();
    if total == 0 {
        return "0s".to_owned();
    }
    for (name, nanos) in UNITS {
        if total.is_multiple_of(nanos) {
            return format!("{}{name}", total / nanos);
        }
    }
    // "ns" divides everything, so the loop always returns.
    format!("{total}ns")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_unit() {
        assert_eq!(parse("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse("1500us"), Ok(Duration::from_micros(1500)));
        assert_eq!(parse("7ns"), Ok(Duration::from_nanos(7)));
        assert_eq!(parse("0s"), Ok(Duration::ZERO));
    }

    #[test]
    fn rejects_malformed_text() {
        for text in [
            "", "10", "ms", "1.5s", "-1s", " 1s", "1s ", "1 s", "1sec", "1S", "१s",
        ] {
            assert_eq!(parse(text), Err(DurationTextError::Malformed), "{text:?}");
        }
    }

    #[test]
    fn rejects_overflow_instead_of_wrapping() {
        let huge = format!("{}h", u64::MAX);
        assert_eq!(parse(&huge), Err(DurationTextError::TooLarge));
        assert_eq!(
            parse("999999999999999999999999999999999999999999h"),
            Err(DurationTextError::TooLarge)
        );
    }

    #[test]
    fn formats_with_the_largest_exact_unit() {
        assert_eq!(format(Duration::ZERO), "0s");
        assert_eq!(format(Duration::from_secs(3600)), "1h");
        assert_eq!(format(Duration::from_secs(90)), "90s");
        assert_eq!(format(Duration::from_millis(1500)), "1500ms");
        assert_eq!(format(Duration::new(1, 1)), "1000000001ns");
    }

    #[test]
    fn format_then_parse_is_lossless() {
        for d in [
            Duration::ZERO,
            Duration::from_nanos(1),
            Duration::from_millis(100),
            Duration::new(59, 999_999_999),
            Duration::from_secs(86_400),
            Duration::MAX,
        ] {
            assert_eq!(parse(&format(d)), Ok(d), "{d:?}");
        }
    }
}
