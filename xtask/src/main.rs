//! Project automation for the Symphony SDK workspace, run as `cargo xtask <task>`.
//!
//! Everything CI does is a task here, so a developer runs exactly what CI runs. Tasks take
//! plain arguments (no argument parser needed); `cargo xtask help` lists them.

mod bench;
mod build_times;
mod ci;
mod cmd;
mod disk;
mod doc;
mod doc_paths;
mod error;
mod features;
mod fuzz;
mod guides;
mod install;
mod isolation;
mod provision;
mod release;
mod soak;
mod styles;
mod toolchain;
mod workspace;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use cargo_symphony::migrate;
use error::Error;

/// Each task with its arguments and a one-line description, for `cargo xtask help`.
const TASKS: &[(&str, &str)] = &[
    (
        "ci",
        "run exactly what CI runs: toolchain, debian-packages, fmt, clippy, doc, python, test, guides, benches, isolation, features, styles, fuzz, soak",
    ),
    (
        "isolation [--manifest-path PATH]",
        "check that no crate pulls in a dependency its isolation rules forbid (xtask/src/isolation/rules.rs; README, *Which crate do I depend on?*)",
    ),
    (
        "doc [--open]",
        "build the docs as docs.rs does (every feature on, warnings denied); --open shows them",
    ),
    (
        "guides",
        "write each docs/guides/*.md guide's `file=` blocks into a fresh crate and run `cargo test` in it",
    ),
    (
        "features",
        "check every library crate with each combination of up to two features (cargo hack)",
    ),
    (
        "release <version> [--dry-run] [--manifest-path PATH]",
        "check, bump, package and publish every crate in dependency order (--dry-run: change nothing)",
    ),
    (
        "bench [--bench NAME]…",
        "run every benchmark briefly; print its figures against DESIGN.md's targets with the load, and write target/bench-report/report.{md,svg}",
    ),
    (
        "build-times [--kinds K,…] [--configs C,…] [--jobs N] [--keep]",
        "time clean builds of one example per kind: focused crate, umbrella with one feature, umbrella with full",
    ),
    (
        "migrate <crate-dir> --to split|unified [--dry-run]",
        "move an extension between the umbrella `symphony` and the focused crates",
    ),
    (
        "styles",
        "build and run each primary example in the other import style, and check the round trip",
    ),
    (
        "fuzz [--seconds N] [--target T]",
        "run each cargo-fuzz target for N seconds (default 20) on nightly; a crash fails naming the target and input",
    ),
    (
        "soak [--processes N] [--requests M] [--release]",
        "N extension processes of every kind x M requests each through the host, with faults injected (default 100 x 1000)",
    ),
    ("help", "list the tasks"),
];

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    match dispatch(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error::Usage(message)) => {
            eprintln!("xtask: {message}\n");
            eprint!("{}", help_text());
            ExitCode::from(2)
        }
        Err(error) => {
            eprintln!("xtask: {error}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(args: &[OsString]) -> Result<(), Error> {
    let Some((task, rest)) = args.split_first() else {
        return Err(Error::Usage("no task given".to_owned()));
    };
    match task.to_str() {
        Some("ci") => {
            no_arguments("ci", rest)?;
            ci::run(&workspace::root())
        }
        Some("isolation") => {
            let manifest_path = isolation_manifest_path(rest)?;
            isolation::run(&manifest_path)
        }
        Some("doc") => doc::run(&workspace::root(), doc::parse_open(rest)?),
        Some("guides") => {
            no_arguments("guides", rest)?;
            guides::run(&workspace::root())
        }
        Some("features") => {
            no_arguments("features", rest)?;
            features::run(&workspace::root())
        }
        Some("release") => {
            let request = release::Request::parse(rest, workspace::root().join("Cargo.toml"))?;
            release::run(&request)
        }
        Some("bench") => bench::run(&workspace::root(), &bench::Options::parse(rest)?),
        Some("build-times") => {
            let options = build_times::Options::parse(rest)?;
            build_times::run(&workspace::root(), &options)
        }
        Some("migrate") => {
            let rest: Vec<String> = rest
                .iter()
                .map(|arg| arg.to_string_lossy().into_owned())
                .collect();
            let (dir, style, dry_run) = migrate::parse_args(&rest).map_err(Error::Usage)?;
            Ok(migrate::run(&dir, style, dry_run)?)
        }
        Some("styles") => {
            no_arguments("styles", rest)?;
            styles::run(&workspace::root())
        }
        Some("fuzz") => fuzz::run(&workspace::root(), &fuzz::Options::parse(rest)?),
        Some("soak") => soak::run(&workspace::root(), &soak::Options::parse(rest)?),
        Some("help" | "--help" | "-h") => {
            print!("{}", help_text());
            Ok(())
        }
        _ => Err(Error::Usage(format!(
            "unknown task {:?}",
            task.to_string_lossy()
        ))),
    }
}

fn no_arguments(task: &str, rest: &[OsString]) -> Result<(), Error> {
    match rest.first() {
        None => Ok(()),
        Some(extra) => Err(Error::Usage(format!(
            "`{task}` takes no arguments, got {:?}",
            extra.to_string_lossy()
        ))),
    }
}

/// `--manifest-path PATH` or `--manifest-path=PATH`; the workspace's own manifest by default.
fn isolation_manifest_path(rest: &[OsString]) -> Result<PathBuf, Error> {
    let mut manifest_path = None;
    let mut args = rest.iter();
    while let Some(arg) = args.next() {
        let text = arg.to_string_lossy();
        if text == "--manifest-path" {
            let value = args.next().ok_or_else(|| {
                Error::Usage("`--manifest-path` needs a path to a Cargo.toml".to_owned())
            })?;
            manifest_path = Some(PathBuf::from(value));
        } else if let Some(value) = text.strip_prefix("--manifest-path=") {
            manifest_path = Some(PathBuf::from(value));
        } else {
            return Err(Error::Usage(format!(
                "`isolation` does not understand {text:?}"
            )));
        }
    }
    Ok(manifest_path.unwrap_or_else(|| workspace::root().join("Cargo.toml")))
}

fn help_text() -> String {
    let width = TASKS.iter().map(|(task, _)| task.len()).max().unwrap_or(0);
    let mut text = String::from("usage: cargo xtask <task>\n\ntasks:\n");
    for (task, description) in TASKS {
        text.push_str(&format!("  {task:width$}  {description}\n"));
    }
    text
}
