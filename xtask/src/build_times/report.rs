//! The table of measurements, with the two ratios README's *Performance targets* sets:
//! umbrella-with-one-feature / direct (target ≤ 1.03) and direct / umbrella-with-`full`
//! (target ≤ 0.50, i.e. the specialized build at least 50 % faster; the ADR asked 30 %).

use std::fmt::Write as _;
use std::time::Duration;

use super::kinds::{Config, Kind};
use super::measure::Measurement;

/// One kind's three builds (those that were measured).
#[derive(Debug, Clone)]
pub(crate) struct KindResult {
    /// The kind.
    pub(crate) kind: Kind,
    /// Each configuration built, in [`Config::ALL`] order.
    pub(crate) builds: Vec<(Config, Measurement)>,
}

impl KindResult {
    pub(crate) fn get(&self, config: Config) -> Option<&Measurement> {
        self.builds
            .iter()
            .find(|(built, _)| *built == config)
            .map(|(_, measurement)| measurement)
    }

    /// Umbrella-with-one-feature time over direct: wall, and CPU where measured.
    pub(crate) fn one_feature_ratio(&self) -> Option<Ratio> {
        Ratio::of(self.get(Config::OneFeature)?, self.get(Config::Direct)?)
    }

    /// Direct time over umbrella-with-`full`: wall, and CPU where measured.
    pub(crate) fn direct_vs_full_ratio(&self) -> Option<Ratio> {
        Ratio::of(self.get(Config::Direct)?, self.get(Config::Full)?)
    }
}

/// One build's time over another's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Ratio {
    /// Of wall times: what the targets are set on.
    pub(crate) wall: f64,
    /// Of CPU times: the cross-check that load from other processes cannot skew.
    pub(crate) cpu: Option<f64>,
}

impl Ratio {
    fn of(numerator: &Measurement, denominator: &Measurement) -> Option<Self> {
        let wall = divide(numerator.wall, denominator.wall)?;
        let cpu = numerator
            .cpu
            .zip(denominator.cpu)
            .and_then(|(numerator, denominator)| divide(numerator, denominator));
        Some(Self { wall, cpu })
    }

    fn describe(self) -> String {
        match self.cpu {
            Some(cpu) => format!("wall {:.3}, cpu {cpu:.3}", self.wall),
            None => format!("wall {:.3}", self.wall),
        }
    }
}

/// The most the umbrella with one feature may cost over direct.
pub(crate) const ONE_FEATURE_LIMIT: f64 = 1.03;
/// The most a specialized build may cost relative to `full` (50 % faster).
pub(crate) const DIRECT_VS_FULL_LIMIT: f64 = 0.50;

fn divide(numerator: Duration, denominator: Duration) -> Option<f64> {
    let denominator = denominator.as_secs_f64();
    (denominator > 0.0).then(|| numerator.as_secs_f64() / denominator)
}

/// The table: one row per build, then each kind's ratios against their targets.
pub(crate) fn table(results: &[KindResult], jobs: Option<usize>) -> String {
    let jobs = jobs.map_or_else(|| "cargo's default".to_owned(), |jobs| jobs.to_string());
    let mut text = format!(
        "build-times: `cargo build` (debug profile), each from an empty target dir, jobs: {jobs}; \
         targets judged on wall time\n"
    );
    let rows: Vec<[String; 6]> = results
        .iter()
        .flat_map(|result| {
            result.builds.iter().map(|(config, measured)| {
                [
                    result.kind.name.to_owned(),
                    describe(result.kind, *config),
                    format_secs(measured.wall),
                    measured.cpu.map_or_else(|| "-".to_owned(), format_secs),
                    measured.crates.to_string(),
                    format_bytes(measured.target_bytes),
                ]
            })
        })
        .collect();
    let header = ["kind", "dependency", "wall", "cpu", "crates", "target"];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 6]| {
        let [kind, dependency, wall, cpu, crates, target] = cells;
        let [w0, w1, w2, w3, w4, w5] = widths;
        format!(
            "  {kind:w0$}  {dependency:w1$}  {wall:>w2$}  {cpu:>w3$}  {crates:>w4$}  {target:>w5$}\n"
        )
    };
    text.push_str(&line(header));
    for row in &rows {
        let [a, b, c, d, e, f] = row;
        text.push_str(&line([a, b, c, d, e, f]));
    }
    for result in results {
        let mut verdicts = Vec::new();
        if let Some(ratio) = result.one_feature_ratio() {
            verdicts.push(format!(
                "one-feature/direct {} (target ≤ {ONE_FEATURE_LIMIT:.2}: {})",
                ratio.describe(),
                verdict(ratio.wall <= ONE_FEATURE_LIMIT)
            ));
        }
        if let Some(ratio) = result.direct_vs_full_ratio() {
            verdicts.push(format!(
                "direct/full {}: {:.0} % faster (target ≥ 50 %: {})",
                ratio.describe(),
                (1.0 - ratio.wall) * 100.0,
                verdict(ratio.wall <= DIRECT_VS_FULL_LIMIT)
            ));
        }
        if !verdicts.is_empty() {
            let _ = writeln!(text, "  {}: {}", result.kind.name, verdicts.join("; "));
        }
    }
    text
}

/// What the configuration depends on, e.g. `symphony [operators]`.
pub(crate) fn describe(kind: Kind, config: Config) -> String {
    match config {
        Config::Direct => kind.focused.to_owned(),
        Config::OneFeature => format!("symphony [{}]", kind.name),
        Config::Full => "symphony [full]".to_owned(),
    }
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

pub(crate) fn format_secs(duration: Duration) -> String {
    format!("{:.1} s", duration.as_secs_f64())
}

pub(crate) fn format_bytes(bytes: u64) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    let mib = bytes as f64 / MIB;
    if mib >= 1024.0 {
        format!("{:.2} GiB", mib / 1024.0)
    } else {
        format!("{mib:.0} MiB")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build_times::kinds::KINDS;

    pub(crate) fn sample() -> Vec<KindResult> {
        let measurement = |secs: u64, crates: usize, mib: u64| Measurement {
            wall: Duration::from_secs(secs),
            cpu: Some(Duration::from_secs(secs * 3 / 2)),
            crates,
            target_bytes: mib * 1024 * 1024,
        };
        vec![KindResult {
            kind: KINDS[0],
            builds: vec![
                (Config::Direct, measurement(40, 58, 300)),
                (Config::OneFeature, measurement(41, 60, 305)),
                (Config::Full, measurement(400, 520, 4096)),
            ],
        }]
    }

    #[test]
    fn the_table_lists_each_build_and_judges_both_ratios() {
        let table = table(&sample(), Some(2));
        assert_eq!(
            table,
            "build-times: `cargo build` (debug profile), each from an empty target dir, jobs: 2; \
             targets judged on wall time\n\
             \x20 kind       dependency               wall      cpu  crates    target\n\
             \x20 operators  symphony_operators     40.0 s   60.0 s      58   300 MiB\n\
             \x20 operators  symphony [operators]   41.0 s   61.0 s      60   305 MiB\n\
             \x20 operators  symphony [full]       400.0 s  600.0 s     520  4.00 GiB\n\
             \x20 operators: one-feature/direct wall 1.025, cpu 1.017 (target ≤ 1.03: met); \
             direct/full wall 0.100, cpu 0.100: 90 % faster (target ≥ 50 %: met)\n"
        );
    }

    #[test]
    fn a_kind_missing_a_build_has_no_ratio_for_it() {
        let mut results = sample();
        results[0]
            .builds
            .retain(|(config, _)| *config != Config::Full);
        assert!(results[0].direct_vs_full_ratio().is_none());
        let table = table(&results, None);
        assert!(table.contains("jobs: cargo's default"), "{table}");
        assert!(!table.contains("direct/full"), "{table}");
        assert!(
            table.contains("one-feature/direct wall 1.025, cpu 1.017"),
            "{table}"
        );
    }
}
