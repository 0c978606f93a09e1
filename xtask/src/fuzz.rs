//! `cargo xtask fuzz [--seconds N] [--target T]`: runs the cargo-fuzz targets for a while.
//!
//! The fuzz crates (`symphony_core/fuzz`, `symphony_motifs/fuzz`) are workspaces of their own,
//! built with nightly by cargo-fuzz, which this task installs when it is missing. Each target
//! starts from its committed seed corpus (`fuzz/corpus/<target>`, read-only here) plus every
//! past crash (`fuzz/regressions/<target>`); what it discovers goes to a scratch corpus in the
//! target directory. A crash fails the task naming the target and the input, which is copied
//! to `fuzz/regressions/<target>/` so that, once committed, the stable test `tests/fuzz.rs`
//! replays it forever.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd;
use crate::error::Error;

/// Seconds each target runs for by default.
const DEFAULT_SECONDS: u64 = 20;

/// The toolchain cargo-fuzz needs (`-Z sanitizer`).
const NIGHTLY: &str = "nightly";

/// Each fuzz target: the crate folder holding its `fuzz/` crate, and its name.
pub(crate) const TARGETS: &[(&str, &str)] = &[
    ("symphony_core", "manifest"),
    ("symphony_core", "config"),
    ("symphony_core", "codec_session"),
    ("symphony_core", "permission_path"),
    ("symphony_motifs", "view_html"),
];

/// What to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Options {
    /// Seconds per target.
    pub(crate) seconds: u64,
    /// Only this target, if given.
    pub(crate) target: Option<String>,
}

impl Options {
    /// Parses `--seconds N` and `--target T` (also as `--seconds=N`, `--target=T`).
    pub(crate) fn parse(args: &[OsString]) -> Result<Self, Error> {
        let mut options = Options {
            seconds: DEFAULT_SECONDS,
            target: None,
        };
        let mut args = args.iter().map(|arg| arg.to_string_lossy().into_owned());
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) => (flag.to_owned(), Some(value.to_owned())),
                None => (arg.clone(), None),
            };
            let mut value = || {
                inline
                    .clone()
                    .or_else(|| args.next())
                    .ok_or_else(|| Error::Usage(format!("`{flag}` needs a value")))
            };
            match flag.as_str() {
                "--seconds" => {
                    let text = value()?;
                    options.seconds = text.parse().ok().filter(|&n| n > 0).ok_or_else(|| {
                        Error::Usage(format!("`--seconds` takes a positive number, got {text:?}"))
                    })?;
                }
                "--target" => {
                    let name = value()?;
                    if !TARGETS.iter().any(|(_, target)| *target == name) {
                        return Err(Error::Usage(format!(
                            "no fuzz target {name:?}; the targets are {}",
                            target_names()
                        )));
                    }
                    options.target = Some(name);
                }
                _ => return Err(Error::Usage(format!("`fuzz` does not understand {arg:?}"))),
            }
        }
        Ok(options)
    }
}

fn target_names() -> String {
    TARGETS
        .iter()
        .map(|(_, target)| *target)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs the selected targets in turn, stopping at the first crash.
pub(crate) fn run(root: &Path, options: &Options) -> Result<(), Error> {
    ensure_cargo_fuzz()?;
    let scratch = crate::workspace::target_dir(root).join("fuzz");
    for &(krate, target) in TARGETS {
        if options.target.as_deref().is_some_and(|only| only != target) {
            continue;
        }
        run_target(root, &scratch, krate, target, options.seconds)?;
    }
    Ok(())
}

fn run_target(
    root: &Path,
    scratch: &Path,
    krate: &str,
    target: &str,
    seconds: u64,
) -> Result<(), Error> {
    let fuzz_dir = root.join(krate).join("fuzz");
    let seeds = fuzz_dir.join("corpus").join(target);
    let regressions = fuzz_dir.join("regressions").join(target);
    let corpus = scratch.join("corpus").join(target);
    let artifacts = scratch.join("artifacts").join(target);
    for dir in [&corpus, &artifacts] {
        fs::create_dir_all(dir).map_err(|source| io_error(dir, source))?;
    }
    let before = crash_files(&artifacts);
    eprintln!("\nfuzz: == {target} ({seconds} s) ==");
    let mut command = nightly_cargo();
    command
        .current_dir(&fuzz_dir)
        .args(["fuzz", "run", "--target-dir"])
        .arg(scratch.join("build"))
        .arg(target)
        .arg(&corpus)
        .arg(&seeds);
    if regressions.is_dir() {
        command.arg(&regressions);
    }
    command
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        // Deep JSON and TOML nest quickly; keep single inputs small and fast.
        .arg("-max_len=65536")
        .arg("-timeout=10")
        .arg("-rss_limit_mb=2048")
        .arg("-print_final_stats=1");
    let result = cmd::run(&mut command);
    let new: Vec<PathBuf> = crash_files(&artifacts)
        .into_iter()
        .filter(|file| !before.contains(file))
        .collect();
    if result.is_ok() && new.is_empty() {
        return Ok(());
    }
    let mut kept = Vec::new();
    for file in &new {
        let name = file.file_name().unwrap_or_default();
        let dest = regressions.join(name);
        fs::create_dir_all(&regressions).map_err(|source| io_error(&regressions, source))?;
        fs::copy(file, &dest).map_err(|source| io_error(&dest, source))?;
        kept.push(dest.display().to_string());
    }
    Err(Error::FuzzCrash {
        target: target.to_owned(),
        inputs: if kept.is_empty() {
            "none written (see the output above)".to_owned()
        } else {
            kept.join(", ")
        },
        reproduce: format!(
            "cd {} && cargo +{NIGHTLY} fuzz run {target} <input>",
            fuzz_dir.display()
        ),
    })
}

/// Files libFuzzer wrote for failures: `crash-*`, `leak-*`, `timeout-*`, `oom-*`.
fn crash_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| {
                    ["crash-", "leak-", "timeout-", "oom-"]
                        .iter()
                        .any(|prefix| name.starts_with(prefix))
                })
        })
        .collect();
    files.sort();
    files
}

/// `cargo +nightly`, through rustup's proxy: `$CARGO` is the toolchain running this task,
/// and the environment rustup set for it must not pin the children to that toolchain.
fn nightly_cargo() -> Command {
    let mut command = Command::new("cargo");
    command
        .arg(format!("+{NIGHTLY}"))
        .env("RUSTUP_TOOLCHAIN", NIGHTLY)
        .env_remove("CARGO")
        .env_remove("RUSTC")
        .env_remove("RUSTDOC");
    command
}

/// Installs cargo-fuzz with `cargo +nightly install cargo-fuzz` when `cargo fuzz` is missing.
fn ensure_cargo_fuzz() -> Result<(), Error> {
    let installed = || cmd::probe(nightly_cargo().args(["fuzz", "--version"]));
    if installed() {
        return Ok(());
    }
    eprintln!(
        "fuzz: `cargo fuzz` is missing; installing it with `cargo +{NIGHTLY} install cargo-fuzz`"
    );
    cmd::run(nightly_cargo().args(["install", "--locked", "cargo-fuzz"]))?;
    if installed() {
        Ok(())
    } else {
        Err(Error::ToolMissing {
            subcommand: "fuzz",
            package: "cargo-fuzz",
        })
    }
}

fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source,
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
    fn options_default_and_parse() {
        assert_eq!(
            parse(&[]).unwrap(),
            Options {
                seconds: DEFAULT_SECONDS,
                target: None
            }
        );
        assert_eq!(
            parse(&["--seconds", "5", "--target=manifest"]).unwrap(),
            Options {
                seconds: 5,
                target: Some("manifest".to_owned())
            }
        );
    }

    #[test]
    fn bad_options_are_refused_by_name() {
        let message = |args: &[&str]| parse(args).unwrap_err().to_string();
        assert!(message(&["--seconds", "0"]).contains("positive"));
        assert!(message(&["--seconds"]).contains("needs a value"));
        assert!(message(&["--target", "nope"]).contains("codec_session"));
        assert!(message(&["--fast"]).contains("--fast"));
    }

    #[test]
    fn every_target_has_a_fuzz_crate_binary_and_seeds() {
        let root = crate::workspace::root();
        for (krate, target) in TARGETS {
            let fuzz = root.join(krate).join("fuzz");
            let manifest = fs::read_to_string(fuzz.join("Cargo.toml")).unwrap();
            assert!(
                manifest.contains(&format!("name = \"{target}\"")),
                "{krate}/fuzz/Cargo.toml has no [[bin]] {target}"
            );
            assert!(
                fuzz.join("fuzz_targets")
                    .join(format!("{target}.rs"))
                    .is_file()
            );
            assert!(
                fs::read_dir(fuzz.join("corpus").join(target))
                    .is_ok_and(|mut entries| entries.next().is_some()),
                "{target} has no seed corpus"
            );
        }
    }
}
