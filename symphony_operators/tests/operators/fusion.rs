//! Streaming nodes fused into the node feeding them: one thread for a linear chain, and
//! failures, panics and cancellation still named and contained.

use std::sync::{Arc, LazyLock, Mutex};
use std::thread::ThreadId;

use symphony_core::serve::CancelToken;
use symphony_operators::config::ConfigValues;
use symphony_operators::ops;
use symphony_operators::prelude::*;
use symphony_operators::workflow::{RunReport, WorkflowError};

use super::support::files_in;

static SPEC: LazyLock<OperatorSpec> = LazyLock::new(|| {
    OperatorSpec::new("test.probe", OperatorCategory::Custom)
        .describe("Forwards records, noting its thread; fails, panics or cancels on demand")
        .input("records", OperatorPortType::Records)
        .output("records", OperatorPortType::Records)
});

/// What a probe does at its `at`-th chunk.
#[derive(Clone, Copy)]
enum Act {
    Pass,
    Fail,
    Panic,
    Cancel,
}

/// `test.probe`: a streaming operator that notes the thread of every chunk it handles.
struct Probe {
    threads: Arc<Mutex<Vec<ThreadId>>>,
    act: Act,
    at: usize,
    cancel: CancelToken,
}

impl Operator for Probe {
    fn spec(&self) -> &OperatorSpec {
        &SPEC
    }
    fn task(&self, _: &ConfigValues) -> Result<Box<dyn Task>, OperatorError> {
        Ok(Box::new(ProbeTask {
            threads: Arc::clone(&self.threads),
            act: self.act,
            at: self.at,
            cancel: self.cancel.clone(),
        }))
    }
}

struct ProbeTask {
    threads: Arc<Mutex<Vec<ThreadId>>>,
    act: Act,
    at: usize,
    cancel: CancelToken,
}

impl Task for ProbeTask {
    fn run(&self, io: &mut Io<'_>) -> Result<(), OperatorError> {
        symphony_operators::stage::drive(self, io)
    }
    fn streaming(&self) -> Option<&dyn Streaming> {
        Some(self)
    }
}

impl Streaming for ProbeTask {
    fn open(&self, _: &mut Io<'_>) -> Result<Box<dyn Stage + '_>, OperatorError> {
        Ok(Box::new(ProbeStage {
            task: self,
            seen: 0,
        }))
    }
}

struct ProbeStage<'t> {
    task: &'t ProbeTask,
    seen: usize,
}

impl Stage for ProbeStage<'_> {
    fn chunk(&mut self, chunk: Chunk, io: &mut Io<'_>) -> Result<(), OperatorError> {
        self.task
            .threads
            .lock()
            .expect("lock")
            .push(std::thread::current().id());
        if self.seen == self.task.at {
            match self.task.act {
                Act::Pass => {}
                Act::Fail => return Err(OperatorError::failed("deliberate failure")),
                Act::Panic => panic!("deliberate panic"),
                Act::Cancel => self.task.cancel.cancel(),
            }
        }
        self.seen += 1;
        io.send("records", chunk)
    }
}

fn probe(threads: &Arc<Mutex<Vec<ThreadId>>>, act: Act, cancel: &CancelToken) -> Arc<Probe> {
    Arc::new(Probe {
        threads: Arc::clone(threads),
        act,
        at: 3,
        cancel: cancel.clone(),
    })
}

/// `read → first → second → write` on 2 000 rows in batches of 100; `act` applies to
/// `second`.
fn run(dir: &std::path::Path, act: Act) -> (Result<RunReport, WorkflowError>, Vec<ThreadId>) {
    let input = dir.join("input.csv");
    let mut text = String::from("n\n");
    for n in 0..2_000 {
        text.push_str(&format!("{n}\n"));
    }
    std::fs::write(&input, text).expect("write");
    let threads = Arc::new(Mutex::new(Vec::new()));
    let options = RunOptions::default();
    let mut builder = Workflow::builder();
    builder
        .then("read", ops::CsvRead::path(&input).batch_rows(100))
        .and_then(|b| {
            b.then(
                "first",
                Step::shared(probe(&threads, Act::Pass, &options.cancel)),
            )
        })
        .and_then(|b| {
            b.then(
                "second",
                Step::shared(probe(&threads, act, &options.cancel)),
            )
        })
        .and_then(|b| b.then("write", ops::CsvWrite::path(dir.join("output.csv"))))
        .expect("builds");
    let result = builder.build().expect("valid").run(&options);
    let threads = threads.lock().expect("lock").clone();
    (result, threads)
}

#[test]
fn a_streaming_chain_runs_on_the_calling_thread() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (result, threads) = run(dir.path(), Act::Pass);
    let report = result.expect("runs");
    // 20 batches and the empty last one, through two probes.
    assert_eq!(threads.len(), 42);
    let here = std::thread::current().id();
    assert!(threads.iter().all(|&thread| thread == here), "{threads:?}");
    let output = std::fs::read_to_string(dir.path().join("output.csv")).expect("output");
    assert_eq!(output.lines().count(), 2_001);
    assert_eq!(
        report.node("second").expect("second").sent,
        [("records".to_owned(), 2_000)]
    );
    let names: Vec<&str> = report.nodes.iter().map(|node| node.node.as_str()).collect();
    assert_eq!(names, ["read", "first", "second", "write"]);
}

#[test]
fn a_failing_fused_node_is_named_and_leaves_no_output() {
    for act in [Act::Fail, Act::Panic] {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("output.csv"), "previous\n").expect("write");
        let (result, _) = run(dir.path(), act);
        match (result.unwrap_err(), act) {
            (WorkflowError::Node { node, source }, Act::Fail) => {
                assert_eq!(node, "second");
                assert!(
                    source.to_string().contains("deliberate failure"),
                    "{source}"
                );
            }
            (WorkflowError::Panicked { node, message }, Act::Panic) => {
                assert_eq!(node, "second");
                assert!(message.contains("deliberate panic"), "{message}");
            }
            (error, _) => panic!("unexpected error: {error}"),
        }
        assert_eq!(
            std::fs::read_to_string(dir.path().join("output.csv")).expect("output"),
            "previous\n"
        );
        assert_eq!(
            files_in(dir.path()),
            [dir.path().join("input.csv"), dir.path().join("output.csv")],
            "no temporary file left behind"
        );
    }
}

#[test]
fn cancelling_a_fused_chain_stops_it_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (result, threads) = run(dir.path(), Act::Cancel);
    let error = result.unwrap_err();
    assert!(error.to_string().ends_with("cancelled"), "{error}");
    assert!(
        threads.len() < 42,
        "the chain stopped early: {}",
        threads.len()
    );
    assert!(!dir.path().join("output.csv").exists());
    assert_eq!(files_in(dir.path()), [dir.path().join("input.csv")]);
}
