//! Tricky CSV files through read → write.

use serde_json::json;
use symphony_operators::workflow::WorkflowError;

use super::support::run_chain;

#[test]
fn quoted_newlines_delimiters_and_quotes_round_trip() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = b"id,text\n1,\"line one\nline two\"\n2,\"a, b and \"\"c\"\"\"\n3,plain\n";
    let output = run_chain(dir.path(), input, json!({}), vec![]).expect("runs");
    assert_eq!(output, input);
}

#[test]
fn bom_is_dropped_from_the_first_header() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = run_chain(
        dir.path(),
        b"\xEF\xBB\xBFid,name\n1,ada\n",
        json!({}),
        vec![(
            "pick",
            std::sync::Arc::new(symphony_operators::ops::SelectColumns),
            json!({ "columns": ["id"] }),
        )],
    )
    .expect("the BOM is not part of the column name");
    assert_eq!(output, b"id\n1\n");
}

#[test]
fn ragged_row_fails_with_its_line_unless_flexible() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = b"a,b,c\n1,2,3\n4,5\n6,7,8\n";
    let error = run_chain(dir.path(), input, json!({}), vec![]).unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, WorkflowError::Node { ref node, .. } if node == "read"),
        "{message}"
    );
    assert!(
        message.contains("line 3") && message.contains("2 fields"),
        "{message}"
    );
    assert!(
        !dir.path().join("output.csv").exists(),
        "no output from a failed run"
    );

    let output =
        run_chain(dir.path(), input, json!({ "flexible": true }), vec![]).expect("flexible");
    assert_eq!(output, b"a,b,c\n1,2,3\n4,5,\n6,7,8\n");
}

#[test]
fn invalid_utf8_fields_pass_through_byte_for_byte() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = b"id,blob\n1,caf\xE9\n2,\xFF\xFE\n";
    let output = run_chain(
        dir.path(),
        input,
        json!({}),
        vec![(
            "keep",
            std::sync::Arc::new(symphony_operators::ops::RegexFilter),
            json!({ "pattern": "(?-u)\\xFF", "column": "blob" }),
        )],
    )
    .expect("runs");
    assert_eq!(output, b"id,blob\n2,\xFF\xFE\n");
}

#[test]
fn malformed_header_that_is_not_utf8_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let error = run_chain(dir.path(), b"id,\xFFname\n1,2\n", json!({}), vec![]).unwrap_err();
    assert!(
        error.to_string().contains("header 1 is not valid UTF-8"),
        "{error}"
    );
}

#[test]
fn tab_delimited_without_headers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = run_chain(
        dir.path(),
        b"1\tada\n2\talan\n",
        json!({ "delimiter": "\\t", "has_headers": false }),
        vec![],
    )
    .expect("runs");
    assert_eq!(output, b"column_1,column_2\n1,ada\n2,alan\n");
}
