//! Each built-in operator on real files.

use std::sync::Arc;

use serde_json::{Value, json};
use symphony_operators::ops;
use symphony_operators::prelude::*;

use super::support::run_chain;

const PEOPLE: &[u8] = b"name,email,joined,age\nada,ada@example.com,2021-03-04,36\nalan,alan at example,2020-11-30,41\nada,ada@example.com,2021-03-04,36\ngrace,,2019-01-02,x\n";

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).expect("utf-8")
}

#[test]
fn extract_named_captures_become_columns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = run_chain(
        dir.path(),
        PEOPLE,
        json!({}),
        vec![
            (
                "dates",
                Arc::new(ops::RegexExtract),
                json!({
                    "pattern": "(?P<year>\\d{4})-(?P<month>\\d{2})", "column": "joined"
                }),
            ),
            (
                "pick",
                Arc::new(ops::SelectColumns),
                json!({ "columns": ["name", "year", "month"] }),
            ),
        ],
    )
    .expect("runs");
    assert_eq!(
        text(output),
        "name,year,month\nada,2021,03\nalan,2020,11\nada,2021,03\ngrace,2019,01\n"
    );
}

#[test]
fn replace_rename_and_dedupe() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = run_chain(
        dir.path(),
        PEOPLE,
        json!({}),
        vec![
            (
                "mask",
                Arc::new(ops::RegexReplace),
                json!({
                    "pattern": "^[^@]+@", "column": "email", "replacement": "***@"
                }),
            ),
            (
                "rename",
                Arc::new(ops::RenameColumns),
                json!({ "renames": [{ "from": "name", "to": "who" }] }),
            ),
            (
                "unique",
                Arc::new(ops::Dedupe),
                json!({ "columns": ["who"] }),
            ),
            (
                "pick",
                Arc::new(ops::SelectColumns),
                json!({ "columns": ["who", "email"] }),
            ),
        ],
    )
    .expect("runs");
    assert_eq!(
        text(output),
        "who,email\nada,***@example.com\nalan,alan at example\ngrace,\n"
    );
}

#[test]
fn filter_invert_keeps_the_non_matching() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = run_chain(
        dir.path(),
        PEOPLE,
        json!({}),
        vec![(
            "bad_email",
            Arc::new(ops::RegexFilter),
            json!({ "pattern": "@", "column": "email", "invert": true }),
        )],
    )
    .expect("runs");
    assert_eq!(
        text(output),
        "name,email,joined,age\nalan,alan at example,2020-11-30,41\ngrace,,2019-01-02,x\n"
    );
}

#[test]
fn validate_reports_every_problem_by_row_line_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("people.csv");
    std::fs::write(&input, PEOPLE).expect("write");
    let valid = dir.path().join("valid.csv");
    let report = dir.path().join("errors.csv");
    let mut builder = Workflow::builder();
    builder
        .node(
            "read",
            Step::with_json(Arc::new(ops::CsvRead), json!({ "path": input })),
        )
        .and_then(|b| {
            b.node(
                "check",
                Step::with_json(
                    Arc::new(ops::Validate),
                    json!({
                        "required": ["email"],
                        "types": [{ "column": "age", "type": "integer" }],
                        "patterns": [{ "column": "email", "pattern": "^[^@ ]+@[^@ ]+$" }],
                    }),
                ),
            )
        })
        .and_then(|b| {
            b.node(
                "valid",
                Step::with_json(Arc::new(ops::CsvWrite), json!({ "path": valid })),
            )
        })
        .and_then(|b| {
            b.node(
                "report",
                Step::with_json(Arc::new(ops::CsvWrite), json!({ "path": report })),
            )
        })
        .and_then(|b| b.connect("read", "check"))
        .and_then(|b| b.connect("check.valid", "valid"))
        .and_then(|b| b.connect("check.errors", "report"))
        .expect("builds");
    builder
        .build()
        .expect("valid")
        .run(&RunOptions::default())
        .expect("runs");
    assert_eq!(
        std::fs::read_to_string(&valid).expect("valid"),
        "name,email,joined,age\nada,ada@example.com,2021-03-04,36\nada,ada@example.com,2021-03-04,36\n"
    );
    assert_eq!(
        std::fs::read_to_string(&report).expect("report"),
        "row,line,column,value,problem\n\
         2,3,email,alan at example,does not match `^[^@ ]+@[^@ ]+$`\n\
         4,5,email,,required value is empty\n\
         4,5,age,x,not an integer\n"
    );
}

#[test]
fn csv_to_json_array_and_lines_and_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "id,text\n1,\"multi\nline\"\n2,☃\n").expect("write");
    for (format, expected) in [
        (
            "array",
            "[\n{\"id\":\"1\",\"text\":\"multi\\nline\"},\n{\"id\":\"2\",\"text\":\"☃\"}\n]\n",
        ),
        (
            "lines",
            "{\"id\":\"1\",\"text\":\"multi\\nline\"}\n{\"id\":\"2\",\"text\":\"☃\"}\n",
        ),
    ] {
        let json_path = dir.path().join(format!("out.{format}.json"));
        let mut builder = Workflow::builder();
        builder
            .then(
                "read",
                Step::with_json(Arc::new(ops::CsvRead), json!({ "path": input })),
            )
            .and_then(|b| {
                b.then(
                    "json",
                    Step::with_json(Arc::new(ops::RecordsToJson), json!({})),
                )
            })
            .and_then(|b| {
                b.then(
                    "write",
                    Step::with_json(
                        Arc::new(ops::JsonWrite),
                        json!({ "path": json_path, "format": format }),
                    ),
                )
            })
            .expect("builds");
        builder
            .build()
            .expect("valid")
            .run(&RunOptions::default())
            .expect("runs");
        assert_eq!(std::fs::read_to_string(&json_path).expect("json"), expected);

        let back = dir.path().join(format!("back.{format}.csv"));
        let mut builder = Workflow::builder();
        builder
            .then(
                "read",
                Step::with_json(
                    Arc::new(ops::JsonRead),
                    json!({ "path": json_path, "format": format }),
                ),
            )
            .and_then(|b| {
                b.then(
                    "records",
                    Step::with_json(Arc::new(ops::JsonToRecords), json!({})),
                )
            })
            .and_then(|b| {
                b.then(
                    "write",
                    Step::with_json(Arc::new(ops::CsvWrite), json!({ "path": back })),
                )
            })
            .expect("builds");
        builder
            .build()
            .expect("valid")
            .run(&RunOptions::default())
            .expect("runs");
        assert_eq!(
            std::fs::read_to_string(&back).expect("csv"),
            "id,text\n1,\"multi\nline\"\n2,☃\n"
        );
    }
}

#[test]
fn record_batches_convert_to_and_from_json() {
    let values = vec![json!({"a": "1", "b": 2}), json!({"b": null, "c": [1]})];
    let batch = RecordBatch::from_json(&values).expect("objects");
    assert_eq!(batch.headers().names(), ["a", "b", "c"]);
    assert_eq!(
        Value::Array(batch.to_json().expect("utf-8")),
        json!([{"a": "1", "b": "2", "c": ""}, {"a": "", "b": "", "c": "[1]"}])
    );
    let error = RecordBatch::from_json(&[json!({}), json!(3)]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "JSON value 1 is not an object but a number; records are JSON objects"
    );
}

#[test]
fn every_builtin_spec_parses_and_has_unique_name() {
    let all = ops::all();
    for op in &all {
        op.spec()
            .check()
            .expect("a built-in spec is described rightly");
    }
    let mut names: Vec<&str> = all.iter().map(|op| op.spec().name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), all.len());
}
