//! `cargo xtask build-times [--kinds K,…] [--configs C,…] [--jobs N] [--keep]`: how long a clean build of an
//! extension takes on the focused crate, on the umbrella with only that kind's feature, and
//! on the umbrella with `full` — the product's promise that the umbrella with one feature is
//! as lean as the focused crate, and that both are much leaner than everything.
//!
//! For each kind, one example extension is built three ways, each as a generated crate (see
//! [`project`]) with `cargo build` (debug profile: what a developer waits for) into its own
//! empty target dir, both under `target/build-times/<kind>-<config>/`, deleted after
//! measuring unless `--keep`.
//! Prints a table with wall time, crates compiled and target size plus the two ratios, and
//! writes `target/build-times/build-times.svg`.
//!
//! Wall time on a shared machine drifts with load: the load average is printed before and
//! after, and the ratios (same machine, minutes apart) are what to read.

mod error;
mod kinds;
mod measure;
mod project;
mod report;
pub(crate) mod svg;

use std::ffi::OsString;
use std::fs;
use std::path::Path;

pub(crate) use error::BuildTimesError;
use kinds::{Config, KINDS, Kind};
use report::KindResult;

use crate::error::Error;

/// What the command line asked for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Options {
    /// The kinds to measure, in order.
    pub(crate) kinds: Vec<Kind>,
    /// The configurations to build for each kind; all three by default. Rebuilding only
    /// `direct,one-feature` repeats the close comparison without the long `full` build.
    pub(crate) configs: Vec<Config>,
    /// `cargo build --jobs`; cargo's default when `None`.
    pub(crate) jobs: Option<usize>,
    /// Keep each target dir instead of deleting it after measuring.
    pub(crate) keep: bool,
}

impl Options {
    /// Parses `[--kinds K,…] [--configs C,…] [--jobs N] [--keep]`.
    pub(crate) fn parse(args: &[OsString]) -> Result<Self, Error> {
        let mut options = Self {
            kinds: KINDS.to_vec(),
            configs: Config::ALL.to_vec(),
            jobs: None,
            keep: false,
        };
        let mut args = args.iter().map(|arg| arg.to_string_lossy());
        while let Some(arg) = args.next() {
            let (flag, inline_value) = match arg.split_once('=') {
                Some((flag, value)) => (flag.to_owned(), Some(value.to_owned())),
                None => (arg.into_owned(), None),
            };
            let mut value = |what: &str| {
                inline_value
                    .clone()
                    .or_else(|| args.next().map(|value| value.into_owned()))
                    .ok_or_else(|| Error::Usage(format!("`{flag}` needs {what}")))
            };
            match flag.as_str() {
                "--kinds" => {
                    options.kinds =
                        kinds::select(&value("a list of kinds, e.g. operators,motifs")?)
                            .map_err(Error::Usage)?;
                }
                "--configs" => {
                    options.configs =
                        Config::select(&value("a list of configurations, e.g. direct,full")?)
                            .map_err(Error::Usage)?;
                }
                "--jobs" | "-j" => {
                    let text = value("a number of jobs")?;
                    let jobs = text.parse::<usize>().ok().filter(|jobs| *jobs > 0);
                    options.jobs = Some(jobs.ok_or_else(|| {
                        Error::Usage(format!("`--jobs` needs a positive number, got {text:?}"))
                    })?);
                }
                "--keep" if inline_value.is_none() => options.keep = true,
                _ => {
                    return Err(Error::Usage(format!(
                        "`build-times` does not understand {flag:?}"
                    )));
                }
            }
        }
        Ok(options)
    }
}

/// Measures every selected kind in every configuration, prints the table and writes the
/// chart.
pub(crate) fn run(root: &Path, options: &Options) -> Result<(), Error> {
    let base = root.join("target").join("build-times");
    create_dir(&base)?;
    eprintln!("build-times: load average before: {}", load_average());

    let total = options.kinds.len() * options.configs.len();
    let mut step = 0;
    let mut results = Vec::new();
    // A failed configuration is reported and skipped: the rest of a long run still counts.
    let mut failed = Vec::new();
    for &kind in &options.kinds {
        let mut builds = Vec::new();
        for &config in &options.configs {
            step += 1;
            let label = format!("{}/{config}", kind.name);
            eprintln!(
                "build-times: [{step}/{total}] {} on {} …",
                kind.example,
                report::describe(kind, config)
            );
            let measured = match measure_one(root, &base, kind, config, &label, options) {
                Ok(measured) => measured,
                Err(error) => {
                    eprintln!("build-times: [{step}/{total}] {label}: FAILED: {error}");
                    failed.push(label);
                    continue;
                }
            };
            eprintln!(
                "build-times: [{step}/{total}] {label}: {}, {} crates, {}",
                report::format_secs(measured.wall),
                measured.crates,
                report::format_bytes(measured.target_bytes)
            );
            builds.push((config, measured));
        }
        results.push(KindResult { kind, builds });
    }

    eprintln!("build-times: load average after: {}", load_average());
    print!("{}", report::table(&results, options.jobs));
    let chart = base.join("build-times.svg");
    fs::write(&chart, svg::chart(&results)).map_err(|source| BuildTimesError::Io {
        action: "write",
        path: chart.clone(),
        source,
    })?;
    println!("build-times: chart written to {}", chart.display());
    if failed.is_empty() {
        Ok(())
    } else {
        Err(BuildTimesError::Incomplete { labels: failed }.into())
    }
}

/// Generates, builds and measures one configuration in `target/build-times/<kind>-<config>`
/// (the crate in `crate/`, cargo's output in `target/`), then removes that dir unless
/// `--keep`, so the disk holds one build at a time.
fn measure_one(
    root: &Path,
    base: &Path,
    kind: Kind,
    config: Config,
    label: &str,
    options: &Options,
) -> Result<measure::Measurement, Error> {
    let dir = project::build_dir(base, kind, config);
    remove_dir(&dir)?;
    let crate_dir = dir.join("crate");
    create_dir(&crate_dir)?;
    project::generate(root, kind, config, &crate_dir)?;
    let measured = measure::build(
        &crate_dir.join("Cargo.toml"),
        &dir.join("target"),
        options.jobs,
        label,
    );
    if !options.keep {
        remove_dir(&dir)?;
    }
    Ok(measured?)
}

/// `/proc/loadavg`'s first three fields, or why there are none.
pub(crate) fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| "unknown (no /proc/loadavg)".to_owned())
}

fn create_dir(path: &Path) -> Result<(), BuildTimesError> {
    fs::create_dir_all(path).map_err(|source| BuildTimesError::Io {
        action: "create",
        path: path.to_owned(),
        source,
    })
}

fn remove_dir(path: &Path) -> Result<(), BuildTimesError> {
    match fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(BuildTimesError::Io {
            action: "remove",
            path: path.to_owned(),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, Error> {
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        Options::parse(&args)
    }

    #[test]
    fn defaults_measure_every_kind_with_cargo_s_jobs_and_clean_up() {
        let options = parse(&[]).expect("no options");
        assert_eq!(options.kinds, KINDS);
        assert_eq!(options.jobs, None);
        assert!(!options.keep);
    }

    #[test]
    fn options_take_separate_or_inline_values() {
        let options = parse(&["--kinds", "operators", "--jobs=2", "--keep"]).expect("valid");
        assert_eq!(options.configs, Config::ALL);
        assert_eq!(options.kinds.len(), 1);
        assert_eq!(options.kinds[0].name, "operators");
        assert_eq!(options.jobs, Some(2));
        assert!(options.keep);
        let options = parse(&[
            "--kinds=motifs,operators",
            "-j",
            "1",
            "--configs=full,direct",
        ])
        .expect("valid");
        assert_eq!(options.configs, [Config::Direct, Config::Full]);
        assert_eq!(options.kinds.len(), 2);
        assert_eq!(options.jobs, Some(1));
    }

    #[test]
    fn an_incomplete_run_names_each_failed_configuration() {
        let error = BuildTimesError::Incomplete {
            labels: vec!["motifs/full".to_owned(), "instruments/full".to_owned()],
        };
        assert_eq!(
            error.to_string(),
            "2 configuration(s) could not be measured: motifs/full, instruments/full; \
             the errors are printed above"
        );
    }

    #[test]
    fn bad_options_are_usage_errors_naming_the_problem() {
        for (args, expected) in [
            (&["--jobs", "0"][..], "positive number, got \"0\""),
            (&["--jobs"][..], "`--jobs` needs a number of jobs"),
            (&["--kinds", "widgets"][..], "unknown kind \"widgets\""),
            (&["--keep=yes"][..], "does not understand \"--keep\""),
            (&["--release"][..], "does not understand \"--release\""),
        ] {
            match parse(args) {
                Err(Error::Usage(message)) => {
                    assert!(message.contains(expected), "{args:?}: {message}")
                }
                other => panic!("{args:?} gave {other:?}"),
            }
        }
    }
}
