//! Building and running workflows: type checks, cycles, errors naming where, parallel branches.

use std::sync::Arc;

use serde_json::json;
use symphony_operators::ops;
use symphony_operators::prelude::*;
use symphony_operators::workflow::WorkflowError;

use super::support::{FailAfter, files_in, run_chain};

#[test]
fn mismatched_port_types_fail_when_connecting() {
    let mut builder = Workflow::builder();
    builder
        .node(
            "read",
            Step::with_json(Arc::new(ops::CsvRead), json!({ "path": "in.csv" })),
        )
        .expect("node");
    builder
        .node(
            "write",
            Step::with_json(Arc::new(ops::JsonWrite), json!({ "path": "out.json" })),
        )
        .expect("node");
    let error = builder.connect("read", "write").unwrap_err();
    assert_eq!(
        error.to_string(),
        "cannot connect `read.records` (records) to `write.json` (json): the port types differ"
    );
}

#[test]
fn cycles_are_named() {
    let mut builder = Workflow::builder();
    for name in ["a", "b", "c"] {
        builder
            .node(name, Step::with_json(Arc::new(ops::Dedupe), json!({})))
            .expect("node");
    }
    builder
        .connect("a", "b")
        .and_then(|b| b.connect("b", "c"))
        .and_then(|b| b.connect("c", "a"))
        .expect("connect");
    let error = builder.build().unwrap_err();
    assert!(
        matches!(&error, WorkflowError::Cycle { cycle } if cycle.len() == 4),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .starts_with("the connections form a cycle: "),
        "{error}"
    );
}

#[test]
fn bad_parameters_name_the_node_and_parameter() {
    let mut builder = Workflow::builder();
    let error = builder
        .node(
            "keep",
            Step::with_json(Arc::new(ops::RegexFilter), json!({ "pattern": "([a-z" })),
        )
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with(
            "node `keep` (regex.filter): parameter `pattern`: invalid regular expression"
        ),
        "{message}"
    );

    let error = builder
        .node(
            "keep",
            Step::with_json(Arc::new(ops::RegexFilter), json!({ "patern": "x" })),
        )
        .unwrap_err();
    assert!(
        error.to_string().contains("patern") && error.to_string().contains("pattern"),
        "{error}"
    );
}

#[test]
fn unknown_ports_and_unconnected_inputs_are_named() {
    let mut builder = Workflow::builder();
    builder
        .node("check", Step::with_json(Arc::new(ops::Validate), json!({})))
        .expect("node");
    builder
        .node(
            "out",
            Step::with_json(Arc::new(ops::CsvWrite), json!({ "path": "x.csv" })),
        )
        .expect("node");
    let error = builder.connect("check", "out").unwrap_err();
    assert_eq!(
        error.to_string(),
        "node `check` (validate) has no output port ``; its output ports are: valid, errors"
    );
    builder.connect("check.valid", "out").expect("named port");
    let error = builder.build().unwrap_err();
    assert_eq!(error.to_string(), "input `check.records` is not connected");
}

#[test]
fn unknown_column_fails_at_run_naming_node_and_columns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let error = run_chain(
        dir.path(),
        b"a,b\n1,2\n",
        json!({}),
        vec![(
            "pick",
            Arc::new(ops::SelectColumns),
            json!({ "columns": ["a", "nope"] }),
        )],
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "node `pick` failed: unknown column `nope`; the columns are: a, b"
    );
}

#[test]
fn a_crashing_operator_leaves_input_untouched_and_no_partial_output() {
    for panic in [false, true] {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut input = b"n\n".to_vec();
        for n in 0..10_000 {
            input.extend_from_slice(format!("{n}\n").as_bytes());
        }
        // An earlier result is in place: a failed run must leave it as it was.
        std::fs::write(dir.path().join("output.csv"), "previous\n").expect("write");
        let error = run_chain(
            dir.path(),
            &input,
            json!({ "batch_rows": 100 }),
            vec![(
                "crash",
                Arc::new(FailAfter),
                json!({ "batches": 5, "panic": panic }),
            )],
        )
        .unwrap_err();
        match (&error, panic) {
            (WorkflowError::Node { node, .. }, false) => assert_eq!(node, "crash"),
            (WorkflowError::Panicked { node, message }, true) => {
                assert_eq!(node, "crash");
                assert!(message.contains("deliberate panic"));
            }
            _ => panic!("unexpected error: {error}"),
        }
        assert_eq!(
            std::fs::read(dir.path().join("input.csv")).expect("input"),
            input
        );
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
fn dag_fans_out_to_independent_branches() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "id,tag\n1,red\n2,blue\n3,red\n").expect("write");
    let (red, ids) = (dir.path().join("red.csv"), dir.path().join("ids.csv"));
    let mut builder = Workflow::builder();
    builder
        .node(
            "read",
            Step::with_json(Arc::new(ops::CsvRead), json!({ "path": input })),
        )
        .and_then(|b| {
            b.node(
                "red",
                Step::with_json(
                    Arc::new(ops::RegexFilter),
                    json!({ "pattern": "^red$", "column": "tag" }),
                ),
            )
        })
        .and_then(|b| {
            b.node(
                "ids",
                Step::with_json(Arc::new(ops::SelectColumns), json!({ "columns": ["id"] })),
            )
        })
        .and_then(|b| {
            b.node(
                "write_red",
                Step::with_json(Arc::new(ops::CsvWrite), json!({ "path": red })),
            )
        })
        .and_then(|b| {
            b.node(
                "write_ids",
                Step::with_json(Arc::new(ops::CsvWrite), json!({ "path": ids })),
            )
        })
        .and_then(|b| b.connect("read", "red"))
        .and_then(|b| b.connect("read", "ids"))
        .and_then(|b| b.connect("red.records", "write_red"))
        .and_then(|b| b.connect("ids", "write_ids"))
        .expect("builds");
    let workflow = builder.build().expect("valid");
    let report = workflow.run(&RunOptions::default()).expect("runs");
    assert_eq!(
        std::fs::read_to_string(&red).expect("red"),
        "id,tag\n1,red\n3,red\n"
    );
    assert_eq!(std::fs::read_to_string(&ids).expect("ids"), "id\n1\n2\n3\n");
    assert_eq!(report.nodes.len(), 5);
    assert_eq!(
        report.node("red").expect("red").sent,
        [("records".to_owned(), 2), ("rejected".to_owned(), 0)]
    );
    // Runs again from scratch with the same result.
    workflow.run(&RunOptions::default()).expect("runs twice");
    assert_eq!(std::fs::read_to_string(&ids).expect("ids"), "id\n1\n2\n3\n");
}

#[test]
fn cancellation_stops_a_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut input = b"n\n".to_vec();
    for n in 0..200_000 {
        input.extend_from_slice(format!("{n}\n").as_bytes());
    }
    let options = RunOptions::default();
    options.cancel.cancel();
    let path = dir.path().join("in.csv");
    std::fs::write(&path, &input).expect("write");
    let mut builder = Workflow::builder();
    builder
        .then(
            "read",
            Step::with_json(Arc::new(ops::CsvRead), json!({ "path": path })),
        )
        .and_then(|b| {
            b.then(
                "write",
                Step::with_json(
                    Arc::new(ops::CsvWrite),
                    json!({ "path": dir.path().join("out.csv") }),
                ),
            )
        })
        .expect("builds");
    let error = builder.build().expect("valid").run(&options).unwrap_err();
    assert!(error.to_string().ends_with("cancelled"), "{error}");
    assert!(!dir.path().join("out.csv").exists());
}
