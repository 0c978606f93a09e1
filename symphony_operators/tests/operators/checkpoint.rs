//! Checkpoint and resume, including a run killed with SIGKILL in a real child process.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use serde_json::json;
use symphony_operators::config::ConfigValues;
use symphony_operators::ops;
use symphony_operators::prelude::*;
use symphony_operators::workflow::{NodeOutcome, WorkflowError};

use super::support::FailAfter;

const CHILD_ENV: &str = "SYMPHONY_OPERATORS_CHECKPOINT_CHILD";

/// `test.gate`: passes records through, then waits for a `release` file in `dir` before
/// finishing — a node still running when the process is killed.
struct Gate;

static GATE_SPEC: LazyLock<OperatorSpec> = LazyLock::new(|| {
    OperatorSpec::new("test.gate", OperatorCategory::Custom)
        .describe("Waits for a file before finishing")
        .input("records", OperatorPortType::Records)
        .output("records", OperatorPortType::Records)
        .param(Param::path("release").required())
});

impl Operator for Gate {
    fn spec(&self) -> &OperatorSpec {
        &GATE_SPEC
    }
    fn task(&self, params: &ConfigValues) -> Result<Box<dyn Task>, OperatorError> {
        let release: Option<PathBuf> = params.get("release").ok().flatten();
        Ok(Box::new(GateTask(release.unwrap_or_default())))
    }
}

struct GateTask(PathBuf);

impl Task for GateTask {
    fn run(&self, io: &mut Io<'_>) -> Result<(), OperatorError> {
        while let Some(batch) = io.recv_records("records")? {
            io.send_records("records", batch)?;
        }
        while !self.0.exists() {
            io.check_cancelled()?;
            std::thread::sleep(Duration::from_millis(5));
        }
        Ok(())
    }
}

/// read → extract → gate → write, and read → dedupe → write_unique.
fn killable(dir: &Path, out: &str) -> Workflow {
    let mut builder = Workflow::builder();
    builder
        .node(
            "read",
            Step::with_json(
                Arc::new(ops::CsvRead),
                json!({ "path": dir.join("in.csv"), "batch_rows": 64 }),
            ),
        )
        .and_then(|b| {
            b.node(
                "extract",
                Step::with_json(
                    Arc::new(ops::RegexExtract),
                    json!({ "pattern": "(?P<digit>\\d)$", "column": "n" }),
                ),
            )
        })
        .and_then(|b| {
            b.node(
                "gate",
                Step::with_json(Arc::new(Gate), json!({ "release": dir.join("release") })),
            )
        })
        .and_then(|b| {
            b.node(
                "write",
                Step::with_json(Arc::new(ops::CsvWrite), json!({ "path": dir.join(out) })),
            )
        })
        .and_then(|b| {
            b.node(
                "dedupe",
                Step::with_json(Arc::new(ops::Dedupe), json!({ "columns": ["group"] })),
            )
        })
        .and_then(|b| {
            b.node(
                "write_unique",
                Step::with_json(
                    Arc::new(ops::CsvWrite),
                    json!({ "path": dir.join(format!("unique-{out}")) }),
                ),
            )
        })
        .and_then(|b| b.connect("read", "extract"))
        .and_then(|b| b.connect("extract", "gate"))
        .and_then(|b| b.connect("gate", "write"))
        .and_then(|b| b.connect("read", "dedupe"))
        .and_then(|b| b.connect("dedupe", "write_unique"))
        .expect("builds");
    builder.build().expect("valid")
}

fn write_input(dir: &Path) {
    let mut input = String::from("n,group\n");
    for n in 0..5000 {
        input.push_str(&format!("{n},g{}\n", n % 7));
    }
    std::fs::write(dir.join("in.csv"), input).expect("write input");
}

/// Runs only as the child of `killed_run_resumes_from_its_checkpoint`.
#[test]
fn checkpoint_child() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let dir = PathBuf::from(dir);
    let options = RunOptions::default().with_checkpoint(dir.join("checkpoint"));
    // Never returns: the gate waits for a release that only comes after the kill.
    let _ = killable(&dir, "out.csv").run(&options);
}

#[cfg(unix)]
#[test]
fn killed_run_resumes_from_its_checkpoint() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_input(dir.path());
    // Reference: an uninterrupted run without checkpoint.
    std::fs::write(dir.path().join("release"), "").expect("release");
    killable(dir.path(), "reference.csv")
        .run(&RunOptions::default())
        .expect("reference run");
    std::fs::remove_file(dir.path().join("release")).expect("unrelease");

    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "operators::checkpoint::checkpoint_child",
            "--nocapture",
        ])
        .env(CHILD_ENV, dir.path())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("spawn child");
    let checkpoint = dir.path().join("checkpoint");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !["read", "extract", "dedupe", "write_unique"]
        .iter()
        .all(|n| checkpoint.join(format!("{n}.done")).exists())
    {
        assert!(
            Instant::now() < deadline,
            "the child never reached the gate"
        );
        assert!(
            child.try_wait().expect("poll").is_none(),
            "the child exited early"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // SIGKILL: no destructor, no flush, nothing of the child's runs after this.
    child.kill().expect("SIGKILL");
    let status = child.wait().expect("reap");
    assert!(!status.success());
    assert!(!checkpoint.join("gate.done").exists());
    assert!(
        !dir.path().join("out.csv").exists(),
        "the killed run wrote no output"
    );

    std::fs::write(dir.path().join("release"), "").expect("release");
    let report = killable(dir.path(), "out.csv")
        .run(&RunOptions::default().with_checkpoint(&checkpoint))
        .expect("resumed run");
    let outcome = |node: &str| report.node(node).expect("node").outcome;
    assert_eq!(outcome("read"), NodeOutcome::Skipped);
    assert_eq!(outcome("dedupe"), NodeOutcome::Skipped);
    assert_eq!(outcome("write_unique"), NodeOutcome::Skipped);
    assert_eq!(outcome("extract"), NodeOutcome::Replayed);
    assert_eq!(outcome("gate"), NodeOutcome::Ran);
    assert_eq!(outcome("write"), NodeOutcome::Ran);
    let expected = std::fs::read(dir.path().join("reference.csv")).expect("reference");
    assert_eq!(
        std::fs::read(dir.path().join("out.csv")).expect("resumed output"),
        expected
    );
    assert_eq!(
        std::fs::read(dir.path().join("unique-out.csv")).expect("written by the killed run"),
        std::fs::read(dir.path().join("unique-reference.csv")).expect("reference")
    );
}

#[test]
fn failed_run_resumes_after_the_fix_and_a_different_workflow_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_input(dir.path());
    let checkpoint = dir.path().join("checkpoint");
    let build = |batches: usize, out: &str| {
        let mut builder = Workflow::builder();
        builder
            .then(
                "read",
                Step::with_json(
                    Arc::new(ops::CsvRead),
                    json!({ "path": dir.path().join("in.csv"), "batch_rows": 100 }),
                ),
            )
            .and_then(|b| {
                b.then(
                    "odd",
                    Step::with_json(
                        Arc::new(ops::RegexFilter),
                        json!({ "pattern": "[13579]$", "column": "n" }),
                    ),
                )
            })
            .and_then(|b| {
                b.then(
                    "flaky",
                    Step::with_json(
                        Arc::new(FailAfter),
                        json!({ "batches": batches, "unless_exists": dir.path().join("fixed") }),
                    ),
                )
            })
            .and_then(|b| {
                b.then(
                    "write",
                    Step::with_json(
                        Arc::new(ops::CsvWrite),
                        json!({ "path": dir.path().join(out) }),
                    ),
                )
            })
            .expect("builds");
        builder.build().expect("valid")
    };
    let error = build(3, "out.csv")
        .run(&RunOptions::default().with_checkpoint(&checkpoint))
        .unwrap_err();
    assert!(
        matches!(&error, WorkflowError::Node { node, .. } if node == "flaky"),
        "{error}"
    );
    assert!(checkpoint.join("odd.done").exists());
    assert!(!checkpoint.join("flaky.done").exists());
    assert!(!dir.path().join("out.csv").exists());

    // Another parameter is another workflow: its checkpoint is refused, not misused.
    let error = build(1000, "out.csv")
        .run(&RunOptions::default().with_checkpoint(&checkpoint))
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("belongs to a different workflow"),
        "{error}"
    );

    std::fs::write(dir.path().join("fixed"), "").expect("fix");
    build(3, "reference.csv")
        .run(&RunOptions::default())
        .expect("reference run");
    let report = build(3, "out.csv")
        .run(&RunOptions::default().with_checkpoint(&checkpoint))
        .expect("resumed");
    assert_eq!(
        report.node("read").expect("read").outcome,
        NodeOutcome::Skipped
    );
    assert_eq!(
        report.node("odd").expect("odd").outcome,
        NodeOutcome::Replayed
    );
    assert_eq!(
        report.node("flaky").expect("flaky").outcome,
        NodeOutcome::Ran
    );
    assert_eq!(
        std::fs::read(dir.path().join("out.csv")).expect("out"),
        std::fs::read(dir.path().join("reference.csv")).expect("reference")
    );
}
