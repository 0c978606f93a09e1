//! `cargo xtask ci`: exactly what CI runs, in order, stopping at the first failure.
//!
//! A step is a name and a function; adding one (installing system packages, a Python venv
//! for onnxruntime, a `cargo hack` feature check) is one more entry in [`STEPS`].

use std::path::Path;
use std::time::{Duration, Instant};

use crate::disk::{self, Usage};
use crate::error::Error;
use crate::{cmd, doc, features, fuzz, guides, isolation, provision, soak, toolchain, workspace};

/// One thing CI does.
struct Step {
    name: &'static str,
    run: fn(&Path) -> Result<(), Error>,
}

/// The steps, in order. Each receives the workspace root.
const STEPS: &[Step] = &[
    Step {
        name: "toolchain",
        run: |_| toolchain::ensure_components(),
    },
    Step {
        name: "debian-packages",
        run: |_| provision::debian::ensure_packages(),
    },
    Step {
        name: "fmt",
        run: |root| {
            cmd::run(
                cmd::cargo()
                    .current_dir(root)
                    .args(["fmt", "--all", "--check"]),
            )
        },
    },
    Step {
        name: "clippy",
        run: |root| {
            cmd::run(cmd::cargo().current_dir(root).args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--features",
                PREVIEW,
                "--",
                "-D",
                "warnings",
            ]))
        },
    },
    Step {
        // Every feature on, as docs.rs builds each published crate (`cargo xtask doc`).
        name: "doc",
        run: |root| doc::run(root, false),
    },
    Step {
        name: "python",
        run: provision::python::ensure,
    },
    Step {
        name: "node",
        run: provision::node::ensure,
    },
    Step {
        name: "tauri-driver",
        run: provision::tauri_driver::ensure,
    },
    Step {
        // The example binaries the integration tests run, built before they start so that
        // no timed test runs beside a compiler: the same `cargo build` the tests make on
        // first use (tests/support/extension.rs), which then finds them up to date.
        name: "examples",
        run: |root| {
            let mut command = cmd::cargo();
            command.current_dir(root).args(["build", "--quiet"]);
            for name in workspace::test_examples(root)? {
                command.args(["-p", &name]);
            }
            cmd::run(&mut command)
        },
    },
    Step {
        // No `--all-targets`: it would skip doc tests. The default targets are lib, bins,
        // examples, tests and doc tests.
        name: "test",
        run: |root| {
            cmd::run(
                cmd::cargo()
                    .current_dir(root)
                    .envs(provision::python::test_env(root))
                    .envs(provision::node::test_env(root))
                    .envs(provision::tauri_driver::test_env(root))
                    .args(["test", "--workspace", "--features", PREVIEW]),
            )
        },
    },
    Step {
        // Each guide's code, written into a crate outside the workspace as its reader would.
        name: "guides",
        run: guides::run,
    },
    Step {
        // Every criterion benchmark once, so that none can rot between the turns that measure
        // it: `cargo test` runs them without criterion's `--bench` flag, that is in criterion's
        // test mode, on the test step's debug build. (`--benches` also reruns the libraries'
        // unit tests, a minute; `--bench '*'` would not, but resolves other features and
        // compiles Tauri again, several minutes.)
        name: "benches",
        run: |root| {
            cmd::run(
                cmd::cargo()
                    .current_dir(root)
                    .envs(provision::python::test_env(root))
                    .envs(provision::node::test_env(root))
                    .envs(provision::tauri_driver::test_env(root))
                    .args(["test", "--workspace", "--benches", "--features", PREVIEW]),
            )
        },
    },
    Step {
        name: "isolation",
        run: |root| isolation::run(&root.join("Cargo.toml")),
    },
    Step {
        name: "features",
        run: features::run,
    },
    Step {
        name: "styles",
        run: crate::styles::run,
    },
    Step {
        // A short run of every target (5 x 15 s), on top of the stable replay of their
        // corpora and past crashes in the test step.
        name: "fuzz",
        run: |root| {
            fuzz::run(
                root,
                &fuzz::Options {
                    seconds: 15,
                    target: None,
                },
            )
        },
    },
    Step {
        name: "soak",
        run: |root| soak::run(root, &soak::Options::ci()),
    },
];

/// The motif preview binary and its window test (Tauri + WebKitGTK under Xvfb), and the
/// tests crate's Tauri plugin tests (off in a plain `cargo test`, which then needs no
/// WebKitGTK). Enabled together in the clippy and test steps' cargo invocations so that
/// Tauri is compiled once, with the same features.
const PREVIEW: &str = "counter-panel/preview,csv-editor/preview,symphony_tests/tauri";

/// How a step ended, and the disk after it.
enum Outcome {
    Passed(Duration, Usage),
    Failed(Duration, Usage),
    Skipped,
}

/// Runs every step in order; on the first failure prints the summary and returns it.
pub(crate) fn run(root: &Path) -> Result<(), Error> {
    let started = Instant::now();
    let target = workspace::target_dir(root);
    let mut outcomes = Vec::with_capacity(STEPS.len());
    let mut failure = None;
    for step in STEPS {
        if failure.is_some() {
            outcomes.push((step.name, Outcome::Skipped));
            continue;
        }
        eprintln!("\nci: == {} ==", step.name);
        let step_started = Instant::now();
        let result = (step.run)(root);
        let elapsed = step_started.elapsed();
        let usage = Usage::of(&target);
        eprintln!(
            "ci: after {}: {} free on the target's disk, target {} ({})",
            step.name,
            disk::gib(usage.free),
            disk::gib(usage.target),
            target.display()
        );
        match result {
            Ok(()) => outcomes.push((step.name, Outcome::Passed(elapsed, usage))),
            Err(error) => {
                outcomes.push((step.name, Outcome::Failed(elapsed, usage)));
                failure = Some(Error::Step {
                    step: step.name,
                    source: Box::new(error),
                });
            }
        }
    }
    eprint!("\n{}", summary(&outcomes, started.elapsed()));
    match failure {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

fn summary(outcomes: &[(&str, Outcome)], total: Duration) -> String {
    let width = outcomes
        .iter()
        .map(|(name, _)| name.len())
        .max()
        .unwrap_or(0);
    let mut text = String::from("ci: summary (disk after each step: free, target)\n");
    for (name, outcome) in outcomes {
        let (time, result, usage) = match outcome {
            Outcome::Passed(time, usage) => (format_duration(*time), "ok", Some(usage)),
            Outcome::Failed(time, usage) => (format_duration(*time), "FAILED", Some(usage)),
            Outcome::Skipped => (String::from("-"), "skipped", None),
        };
        let disk = usage
            .map(|usage| {
                format!(
                    "  {:>6} {:>6}",
                    disk::gib(usage.free),
                    disk::gib(usage.target)
                )
            })
            .unwrap_or_default();
        text.push_str(&format!("  {name:width$}  {time:>8}  {result:<7}{disk}\n"));
    }
    let passed = outcomes
        .iter()
        .filter(|(_, outcome)| matches!(outcome, Outcome::Passed(..)))
        .count();
    text.push_str(&format!(
        "ci: {passed} of {} steps passed in {}\n",
        outcomes.len(),
        format_duration(total)
    ));
    text
}

fn format_duration(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1}s")
    } else {
        format!(
            "{}m{:02}s",
            duration.as_secs() / 60,
            duration.as_secs() % 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_run_in_the_documented_order() {
        let names: Vec<&str> = STEPS.iter().map(|step| step.name).collect();
        assert_eq!(
            names,
            [
                "toolchain",
                "debian-packages",
                "fmt",
                "clippy",
                "doc",
                "python",
                "node",
                "tauri-driver",
                "examples",
                "test",
                "guides",
                "benches",
                "isolation",
                "features",
                "styles",
                "fuzz",
                "soak"
            ]
        );
    }

    #[test]
    fn summary_lists_every_step_with_time_and_result() {
        let usage = |free: u64, target: Option<u64>| Usage {
            free: Some(free << 30),
            target: target.map(|gib| gib << 30),
        };
        let outcomes = [
            (
                "fmt",
                Outcome::Passed(Duration::from_millis(1_300), usage(20, Some(0))),
            ),
            (
                "clippy",
                Outcome::Failed(Duration::from_secs(75), usage(17, None)),
            ),
            ("test", Outcome::Skipped),
        ];
        assert_eq!(
            summary(&outcomes, Duration::from_secs(77)),
            "ci: summary (disk after each step: free, target)\n\
             \x20 fmt         1.3s  ok        20.0G   0.0G\n\
             \x20 clippy     1m15s  FAILED    17.0G      ?\n\
             \x20 test           -  skipped\n\
             ci: 1 of 3 steps passed in 1m17s\n"
        );
    }
}
