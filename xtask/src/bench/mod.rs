//! `cargo xtask bench`: every benchmark of the workspace, briefly, then one table of the
//! figures against `DESIGN.md`'s performance targets, with the machine's load, and an SVG
//! chart of it in `target/bench-report/`.
//!
//! Each bench target runs once (`cargo bench -p <crate> --bench <name>`) with criterion's
//! short settings; criterion's estimates go to `target/bench-report/criterion` (emptied
//! first, so that no figure comes from an earlier run), each bench's printed output to
//! `target/bench-report/<crate>-<bench>.txt`. Ratios are between benchmarks of the same run.

mod chart;
mod contract;
mod estimates;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::Path;

use contract::{Figure, ORT_INFERENCE, TARGETS, Target};

use crate::error::Error;
use crate::provision::python::ORT_LIBRARY_VAR;
use crate::{build_times, cmd, provision, workspace};

/// Criterion's settings for a brief run.
const BRIEF: &[&str] = &[
    "--warm-up-time",
    "0.5",
    "--measurement-time",
    "1",
    "--noplot",
];

/// What to run.
#[derive(Debug, Default)]
pub(crate) struct Options {
    /// Only these bench targets (by name); all when empty.
    only: Vec<String>,
}

impl Options {
    /// `[--bench NAME]…`
    pub(crate) fn parse(args: &[OsString]) -> Result<Self, Error> {
        let mut options = Self::default();
        let mut args = args.iter().map(|arg| arg.to_string_lossy());
        while let Some(arg) = args.next() {
            match (arg.as_ref(), args.next()) {
                ("--bench", Some(name)) => options.only.push(name.into_owned()),
                _ => return Err(Error::Usage(format!("`bench` does not take {arg:?}"))),
            }
        }
        Ok(options)
    }
}

/// A bench target of the workspace.
struct Bench {
    package: String,
    name: String,
    features: Vec<String>,
}

/// One target with its figure (`None` when its benches did not run or did not report it).
pub(super) struct Row {
    target: &'static Target,
    value: Option<f64>,
}

impl Row {
    fn shown(&self) -> String {
        match self.value {
            Some(value) => format!("{value:.2}{}", self.target.unit),
            None => "-".to_owned(),
        }
    }

    fn verdict(&self) -> &'static str {
        match self.value {
            Some(value) if self.target.limit.met(value) => "met",
            Some(_) => "MISSED",
            None => "not measured",
        }
    }
}

/// Runs the benches and writes the report.
///
/// # Errors
///
/// When the bench list cannot be read or a bench fails (the report is still written, from
/// the benches that ran).
pub(crate) fn run(root: &Path, options: &Options) -> Result<(), Error> {
    let report_dir = workspace::target_dir(root).join("bench-report");
    let criterion_dir = report_dir.join("criterion");
    let _ = std::fs::remove_dir_all(&criterion_dir);
    std::fs::create_dir_all(&criterion_dir).map_err(|source| io_error(&criterion_dir, source))?;
    let load_before = build_times::load_average();
    let mut outputs: BTreeMap<String, String> = BTreeMap::new();
    let mut failed = Vec::new();
    let test_env = provision::python::test_env(root);
    let has_ort = test_env.iter().any(|(name, _)| *name == ORT_LIBRARY_VAR);
    for bench in benches(root)? {
        if !options.only.is_empty() && !options.only.contains(&bench.name) {
            continue;
        }
        // The inference targets are ONNX Runtime's (the real engine a host ships); the
        // built-in tract engine runs too, as the default an author gets.
        let mut runs = vec![(bench.name.clone(), None)];
        if bench.name == "inference" && has_ort {
            runs.push((ORT_INFERENCE.to_owned(), Some("onnxruntime")));
        }
        for (key, engine) in runs {
            let mut command = cmd::cargo();
            command
                .current_dir(root)
                .envs(test_env.iter().cloned())
                .env("CRITERION_HOME", &criterion_dir)
                // The memory curve at two sizes a brief run can afford.
                .env("MEMORY_BENCH_MB", "10,100")
                .args(["bench", "-p", &bench.package, "--bench", &bench.name]);
            if let Some(engine) = engine {
                command.env("SYMPHONY_BENCH_ENGINE", engine);
            }
            if !bench.features.is_empty() {
                command.args(["--features", &bench.features.join(",")]);
            }
            command.arg("--").args(BRIEF);
            match cmd::read(&mut command) {
                Ok(output) => {
                    print!("{output}");
                    let file = report_dir.join(format!("{}-{key}.txt", bench.package));
                    std::fs::write(&file, &output).map_err(|source| io_error(&file, source))?;
                    outputs.insert(key, output);
                }
                Err(error) => {
                    eprintln!("xtask bench: {error}");
                    failed.push(format!("{}/{key}", bench.package));
                }
            }
        }
    }
    let load = format!(
        "load average {} before, {} after",
        load_before,
        build_times::load_average()
    );
    let medians = estimates::medians(&criterion_dir);
    let rows: Vec<Row> = TARGETS
        .iter()
        .map(|target| Row {
            target,
            value: figure(target.figure, &medians, &outputs),
        })
        .collect();
    let table = table(&rows, &load);
    print!("\n{table}");
    let text = report_dir.join("report.md");
    std::fs::write(&text, &table).map_err(|source| io_error(&text, source))?;
    let svg = report_dir.join("report.svg");
    std::fs::write(&svg, chart::svg(&rows, &load)).map_err(|source| io_error(&svg, source))?;
    println!("written: {} and {}", text.display(), svg.display());
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Error::BenchesFailed(failed.join(", ")))
    }
}

/// Every bench target of the workspace's packages, with the features it requires.
fn benches(root: &Path) -> Result<Vec<Bench>, Error> {
    let metadata = cmd::read(cmd::cargo().current_dir(root).args([
        "metadata",
        "--no-deps",
        "--format-version",
        "1",
    ]))?;
    let metadata: serde_json::Value = serde_json::from_str(&metadata)
        .map_err(|error| Error::Usage(format!("cannot read `cargo metadata`: {error}")))?;
    let mut found = Vec::new();
    for package in metadata["packages"].as_array().into_iter().flatten() {
        for target in package["targets"].as_array().into_iter().flatten() {
            let is_bench = target["kind"]
                .as_array()
                .is_some_and(|kinds| kinds.iter().any(|kind| kind == "bench"));
            if !is_bench {
                continue;
            }
            found.push(Bench {
                package: package["name"].as_str().unwrap_or_default().to_owned(),
                name: target["name"].as_str().unwrap_or_default().to_owned(),
                features: target["required-features"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|feature| feature.as_str().map(str::to_owned))
                    .collect(),
            });
        }
    }
    Ok(found)
}

fn figure(
    figure: Figure,
    medians: &BTreeMap<String, f64>,
    outputs: &BTreeMap<String, String>,
) -> Option<f64> {
    match figure {
        Figure::SlowestMicros { prefix } => medians
            .iter()
            .filter(|(id, _)| id.starts_with(prefix))
            .map(|(_, &ns)| ns / 1e3)
            .reduce(f64::max),
        Figure::Printed {
            bench,
            line_with,
            after,
        } => estimates::printed(outputs.get(bench)?, line_with, after),
    }
}

fn table(rows: &[Row], load: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Performance targets ({load})\n");
    let _ = writeln!(out, "| what | baseline | measured | target | verdict |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    for row in rows {
        let target = match row.target.limit {
            contract::Limit::AtMost(limit) => format!("≤ {limit}{}", row.target.unit),
            contract::Limit::AtLeast(limit) => format!("≥ {limit}{}", row.target.unit),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            row.target.what,
            row.target.baseline,
            row.shown(),
            target,
            row.verdict()
        );
    }
    out
}

fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source,
    }
}
