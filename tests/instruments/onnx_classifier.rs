//! The `onnx-classifier` example extension: answers like Python onnxruntime on both engines,
//! batches concurrent requests, and keeps serving after bad input.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};
use symphony_core::host::{CallError, Host, HostError, HostOptions};
use symphony_core::protocol::ErrorCode;

use super::workspace;
use symphony_tests::extension::example_binary;

/// Agreement required with Python onnxruntime.
const TOLERANCE: f64 = 1e-5;
/// The variable `cargo xtask ci` sets to the wheel's `libonnxruntime`.
const ORT_LIBRARY_VAR: &str = "SYMPHONY_ORT_LIBRARY";

fn command() -> Command {
    let mut command = Command::new(example_binary("onnx-classifier"));
    // The engine is chosen by the host's config in these tests, never by the environment.
    command.env_remove("ORT_DYLIB_PATH");
    command
}

fn options() -> HostOptions {
    HostOptions::default()
        .with_request_timeout(Some(Duration::from_secs(30)))
        .with_handshake_timeout(Duration::from_secs(30))
}

fn reference() -> Value {
    let path = workspace().join("examples/onnx-classifier/model/reference.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("reference.json")).expect("JSON")
}

fn rows_params(rows: &[Value]) -> Value {
    let values: Vec<Value> = rows
        .iter()
        .flat_map(|row| row.as_array().expect("a row").clone())
        .collect();
    json!({"input": {"type": "tensors", "value": {
        "X": {"shape": [rows.len(), 4], "dtype": "float32", "values": values}
    }}})
}

/// Checks one answer for reference row `i`.
fn assert_row(reference: &Value, i: usize, answer: &Value) {
    let tensors = &answer["output"]["value"];
    assert_eq!(
        tensors["label"]["values"],
        json!([reference["label"][i]]),
        "row {i}"
    );
    let actual = tensors["probabilities"]["values"]
        .as_array()
        .expect("probabilities");
    let expected = reference["probabilities"][i]
        .as_array()
        .expect("reference row");
    assert_eq!(actual.len(), expected.len());
    for (a, e) in actual.iter().zip(expected) {
        let (a, e) = (a.as_f64().unwrap(), e.as_f64().unwrap());
        assert!(
            (a - e).abs() <= TOLERANCE,
            "row {i}: {a} vs onnxruntime's {e}"
        );
    }
}

/// Every reference row as its own request, 4 threads at once so that the extension batches.
fn check_against_reference(host: &Host) {
    let reference = reference();
    let rows = reference["inputs"].as_array().expect("inputs").clone();
    std::thread::scope(|scope| {
        for t in 0..4 {
            let (host, rows, reference) = (host, &rows, &reference);
            scope.spawn(move || {
                for i in (t..rows.len()).step_by(4) {
                    let answer: Value = host
                        .call("instrument/infer", &rows_params(&rows[i..=i]))
                        .expect("infer");
                    assert_row(reference, i, &answer);
                }
            });
        }
    });
}

#[test]
fn on_tract_answers_like_python_onnxruntime() {
    let host = Host::spawn(command(), options().with_config("runtime", json!("tract")))
        .expect("the classifier starts");
    let info: Value = host.call("instrument/info", &()).expect("info");
    assert_eq!(info["id"], "iris");
    assert_eq!(info["capabilities"]["batching"], true);
    check_against_reference(&host);
    let metrics: Value = host.call("instrument/metrics", &()).expect("metrics");
    assert_eq!(
        metrics["completed"],
        reference()["inputs"].as_array().unwrap().len()
    );
    host.shutdown().expect("clean shutdown");
}

#[test]
fn on_onnxruntime_answers_like_python_onnxruntime() {
    let library = match std::env::var_os(ORT_LIBRARY_VAR) {
        Some(path) => PathBuf::from(path),
        None => {
            let lib = workspace().join(".venv/lib");
            let found = std::fs::read_dir(lib).ok().and_then(|entries| {
                entries.filter_map(Result::ok).find_map(|entry| {
                    let path = entry
                        .path()
                        .join("site-packages/onnxruntime/capi/libonnxruntime.so.1.31.1");
                    path.is_file().then_some(path)
                })
            });
            let Some(found) = found else {
                eprintln!(
                    "SKIPPED: {ORT_LIBRARY_VAR} is unset and .venv has no onnxruntime wheel; \
                     `cargo xtask ci` installs it"
                );
                return;
            };
            found
        }
    };
    let host = Host::spawn(
        command(),
        options()
            .with_config("runtime", json!("onnxruntime"))
            .with_config("library", json!(library.to_string_lossy())),
    )
    .unwrap_or_else(|error| panic!("{ORT_LIBRARY_VAR}={}: {error}", library.display()));
    check_against_reference(&host);
    host.shutdown().expect("clean shutdown");
}

#[test]
fn bad_requests_are_answered_clearly_and_the_extension_keeps_serving() {
    let host = Host::spawn(command(), options().with_config("runtime", json!("tract")))
        .expect("the classifier starts");
    let tensor = |shape: Value, dtype: &str, values: Value| {
        json!({"input": {"type": "tensors", "value": {
            "X": {"shape": shape, "dtype": dtype, "values": values}
        }}})
    };
    let cases = [
        (
            tensor(json!([1, 3]), "float32", json!([1.0, 2.0, 3.0])),
            ErrorCode::InvalidInput,
            "input `X`: expected shape [?, 4], got [1, 3]",
        ),
        (
            tensor(json!([1, 4]), "int64", json!([1, 2, 3, 4])),
            ErrorCode::InvalidInput,
            "input `X`: expected float32, got int64",
        ),
        (
            tensor(json!([2, 4]), "float32", json!([1.0])),
            ErrorCode::InvalidParams,
            "shape [2, 4] holds 8 elements, but 1 values were given",
        ),
        (
            json!({"input": {"type": "text", "value": "setosa?"}}),
            ErrorCode::InvalidInput,
            "takes tensors, got text",
        ),
        (json!({"rows": []}), ErrorCode::InvalidParams, "input"),
    ];
    for (params, code, message) in cases {
        match host.call::<Value, _>("instrument/infer", &params) {
            Err(CallError::Remote { error, .. }) => {
                assert_eq!(error.kind(), Some(code), "{params}: {error:?}");
                assert!(
                    error.message.contains(message),
                    "{params}: {}",
                    error.message
                );
            }
            other => panic!("{params}: expected an error, got {other:?}"),
        }
    }
    // Still serving.
    let reference = reference();
    let rows = reference["inputs"].as_array().unwrap();
    let answer: Value = host
        .call("instrument/infer", &rows_params(&rows[..1]))
        .expect("infer after errors");
    assert_row(&reference, 0, &answer);
    host.shutdown().expect("clean shutdown");
}

#[test]
fn bad_configuration_fails_the_handshake_naming_the_problem() {
    let handshake_error = |options: HostOptions| match Host::spawn(command(), options) {
        Err(HostError::Handshake {
            source: CallError::Remote { error, .. },
            ..
        }) => error,
        Err(other) => panic!("expected a refused handshake, got {other}"),
        Ok(_) => panic!("expected a refused handshake, got a running extension"),
    };
    let error = handshake_error(
        options()
            .with_config("runtime", json!("onnxruntime"))
            .with_config("library", json!("/nonexistent/libonnxruntime.so")),
    );
    assert_eq!(error.kind(), Some(ErrorCode::ExtensionFailed));
    assert!(
        error.message.contains("/nonexistent/libonnxruntime.so")
            && error.message.contains("does not exist"),
        "{}",
        error.message
    );
    let error = handshake_error(options().with_config("max_batch", json!(0)));
    assert_eq!(error.kind(), Some(ErrorCode::InvalidConfig));
    assert!(error.message.contains("max_batch"), "{}", error.message);
}
