//! The `onnx-classifier` example extension: answers like Python onnxruntime on both engines,
//! batches concurrent requests, cancels queued ones, names a missing or corrupt model, and
//! keeps serving after bad input.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use symphony_core::host::{CallError, Extension, ExtensionOptions, HostError};
use symphony_core::permission::Permissions;
use symphony_core::protocol::{ErrorCode, LogLevel, LogParams, method};
use symphony_core::testing::require_or_skip;
use symphony_instruments::methods::{self, InferParams, Method};
use symphony_instruments::testing::TestHost;
use symphony_instruments::{Inference, InferenceInput, InferenceOutput, Tensor, TensorData};

use super::workspace;
use symphony_tests::extension::example_binary;
use symphony_tests::raw::RawChild;

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

/// The example's directory: the workspace root its manifest's `model/*.onnx` resolves in.
fn example_dir() -> PathBuf {
    workspace().join("examples/onnx-classifier")
}

/// What the classifier needs granted: reading its model (and `extra` files, e.g. the ONNX
/// Runtime library) and invoking it.
fn grants(extra: &[&Path]) -> Permissions {
    let mut filesystem = vec![json!({"path": "model/*.onnx", "access": ["read"]})];
    filesystem.extend(
        extra
            .iter()
            .map(|path| json!({"path": path.to_string_lossy(), "access": ["read"]})),
    );
    serde_json::from_value(json!({"filesystem": filesystem, "model": ["invoke"]})).expect("grants")
}

/// Options without grants: the extension may touch nothing.
fn bare_options() -> ExtensionOptions {
    ExtensionOptions::default()
        .with_request_timeout(Some(Duration::from_secs(30)))
        .with_handshake_timeout(Duration::from_secs(30))
        .with_workspace_root(example_dir())
}

fn options() -> ExtensionOptions {
    bare_options().with_grants(grants(&[]))
}

fn reference() -> Value {
    let path = workspace().join("examples/onnx-classifier/model/reference.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("reference.json")).expect("JSON")
}

fn rows_params(rows: &[Value]) -> InferParams {
    let values: Vec<f32> = rows
        .iter()
        .flat_map(|row| row.as_array().expect("a row").clone())
        .map(|value| value.as_f64().expect("a number") as f32)
        .collect();
    let x = Tensor::new(vec![rows.len(), 4], TensorData::Float32(values)).expect("a tensor");
    InferParams::new(InferenceInput::Tensors([("X".to_owned(), x)].into()))
}

/// Checks one answer for reference row `i`.
fn assert_row(reference: &Value, i: usize, answer: &Inference) {
    let InferenceOutput::Tensors(tensors) = &answer.output else {
        panic!("row {i}: expected tensors, got {answer:?}");
    };
    assert_eq!(
        tensors["label"].data(),
        &TensorData::Int64(vec![reference["label"][i].as_i64().expect("a label")]),
        "row {i}"
    );
    let TensorData::Float32(actual) = tensors["probabilities"].data() else {
        panic!("row {i}: probabilities are not float32: {answer:?}");
    };
    let expected = reference["probabilities"][i]
        .as_array()
        .expect("reference row");
    assert_eq!(actual.len(), expected.len());
    for (a, e) in actual.iter().zip(expected) {
        let (a, e) = (f64::from(*a), e.as_f64().unwrap());
        assert!(
            (a - e).abs() <= TOLERANCE,
            "row {i}: {a} vs onnxruntime's {e}"
        );
    }
}

/// Every reference row as its own request, 4 threads at once so that the extension batches.
fn check_against_reference(host: &Extension) {
    let reference = reference();
    let rows = reference["inputs"].as_array().expect("inputs").clone();
    std::thread::scope(|scope| {
        for t in 0..4 {
            let (host, rows, reference) = (host, &rows, &reference);
            scope.spawn(move || {
                for i in (t..rows.len()).step_by(4) {
                    let answer = host
                        .request::<methods::Infer>(&rows_params(&rows[i..=i]))
                        .expect("infer");
                    assert_row(reference, i, &answer);
                }
            });
        }
    });
}

#[test]
fn on_tract_answers_like_python_onnxruntime() {
    let host = Extension::spawn(command(), options().with_config("runtime", json!("tract")))
        .expect("the classifier starts");
    let info = host.request::<methods::Info>(&()).expect("info");
    assert_eq!(info.id, "iris");
    assert!(info.capabilities.batching);
    check_against_reference(&host);
    let metrics = host.request::<methods::Metrics>(&()).expect("metrics");
    assert_eq!(
        metrics.completed,
        reference()["inputs"].as_array().unwrap().len() as u64
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
            let found = found.ok_or_else(|| {
                format!(
                    "{ORT_LIBRARY_VAR} is unset and .venv has no onnxruntime wheel \
                     (`cargo xtask ci` installs it)"
                )
            });
            // Missing, the test fails unless SYMPHONY_SKIP_ORT says why it is skipped.
            let Some(found) = require_or_skip("ONNX Runtime", "SYMPHONY_SKIP_ORT", found) else {
                return;
            };
            found
        }
    };
    let host = Extension::spawn(
        command(),
        bare_options()
            .with_grants(grants(&[&library
                .canonicalize()
                .unwrap_or(library.clone())]))
            .with_config("runtime", json!("onnxruntime"))
            .with_config("library", json!(library.to_string_lossy())),
    )
    .unwrap_or_else(|error| panic!("{ORT_LIBRARY_VAR}={}: {error}", library.display()));
    check_against_reference(&host);
    host.shutdown().expect("clean shutdown");
}

#[test]
fn bad_requests_are_answered_clearly_and_the_extension_keeps_serving() {
    let host = Extension::spawn(command(), options().with_config("runtime", json!("tract")))
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
        // Raw JSON: some of these cannot even be built as typed params.
        match host.call::<Value, _>(methods::Infer::NAME, &params) {
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
    let answer = host
        .request::<methods::Infer>(&rows_params(&rows[..1]))
        .expect("infer after errors");
    assert_row(&reference, 0, &answer);
    host.shutdown().expect("clean shutdown");
}

#[test]
fn bad_configuration_fails_the_handshake_naming_the_problem() {
    let handshake_error = |options: ExtensionOptions| match Extension::spawn(command(), options) {
        Err(HostError::Handshake {
            source: CallError::Remote { error, .. },
            ..
        }) => error,
        Err(other) => panic!("expected a refused handshake, got {other}"),
        Ok(_) => panic!("expected a refused handshake, got a running extension"),
    };
    let missing = Path::new("/nonexistent/libonnxruntime.so");
    let error = handshake_error(
        bare_options()
            .with_grants(grants(&[missing]))
            .with_config("runtime", json!("onnxruntime"))
            .with_config("library", json!(missing.to_string_lossy())),
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

#[test]
fn cancelling_a_queued_request_answers_it_at_once_and_spares_its_batch_mates() {
    // One model call at a time, and a batch of 3 waits up to a minute for its members: the
    // requests below stay queued until the third arrives, whatever the machine's speed.
    let host = Extension::spawn(
        command(),
        options()
            .with_config("runtime", json!("tract"))
            .with_config("max_concurrency", json!(1))
            .with_config("max_batch", json!(3))
            .with_config("max_wait_ms", json!(60_000)),
    )
    .expect("the classifier starts");
    let reference = reference();
    let rows = reference["inputs"].as_array().expect("inputs");
    let first = host
        .start(methods::Infer::NAME, &rows_params(&rows[0..1]))
        .expect("first");
    let second = host
        .start(methods::Infer::NAME, &rows_params(&rows[1..2]))
        .expect("second");
    let metrics = || host.request::<methods::Metrics>(&()).expect("metrics");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while metrics().running != 2 {
        assert!(std::time::Instant::now() < deadline, "{:?}", metrics());
        std::thread::sleep(Duration::from_millis(5));
    }

    second.cancel();
    match second.wait::<Inference>() {
        Err(CallError::Cancelled { .. }) => {}
        other => panic!("expected the queued request to be cancelled, got {other:?}"),
    }
    // Answered while its batch still waits: nothing has been computed yet.
    let now = metrics();
    assert_eq!((now.completed, now.batches), (0, 0), "{now:?}");

    // The third member completes the batch; the others get their own answers.
    let third = host
        .request::<methods::Infer>(&rows_params(&rows[2..3]))
        .expect("third");
    assert_row(&reference, 2, &third);
    // The cancelled request had joined the batch, so the third completed it; but its row is
    // not computed: one model call ran the two whose callers still wait.
    assert_eq!(third.usage.batch_size, 2, "{third:?}");
    assert_row(&reference, 0, &first.wait::<Inference>().expect("first"));
    let after = metrics();
    assert_eq!(
        (after.completed, after.cancelled, after.batches),
        (2, 1, 1),
        "{after:?}"
    );
    host.shutdown().expect("clean shutdown");
}

#[test]
fn tracing_records_reach_the_host_as_log_notifications() {
    let logs: Arc<Mutex<Vec<LogParams>>> = Arc::default();
    let sink = Arc::clone(&logs);
    let host = Extension::spawn(
        command(),
        options()
            .with_config("runtime", json!("tract"))
            .on_notification(move |notification| {
                if notification.method == method::LOG {
                    let log = notification.params_as().expect("log params");
                    sink.lock().expect("lock").push(log);
                }
            }),
    )
    .expect("the classifier starts");
    // Logged by the start function, during `initialize`.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let ready = loop {
        let found = logs
            .lock()
            .expect("lock")
            .iter()
            .find(|log| log.message.contains("iris classifier ready"))
            .cloned();
        if let Some(log) = found {
            break log;
        }
        assert!(std::time::Instant::now() < deadline, "{:?}", logs.lock());
        std::thread::sleep(Duration::from_millis(5));
    };
    assert_eq!(ready.level, LogLevel::Info);
    assert_eq!(ready.target.as_deref(), Some("onnx_classifier"));
    host.shutdown().expect("clean shutdown");
}

#[test]
fn a_missing_or_corrupt_model_fails_the_handshake_naming_the_file() {
    // In a second workspace root's `model/`, where the manifest's `model/*.onnx` reaches.
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("model")).expect("mkdir");
    let missing = dir.path().join("model/absent.onnx");
    let corrupt = dir.path().join("model/corrupt.onnx");
    std::fs::write(&corrupt, b"this is not a protobuf model").expect("write");
    let cases = [
        (&missing, "cannot read the model file"),
        (&corrupt, "is not a model tract (built in) can load"),
    ];
    for (path, reason) in cases {
        let started = Extension::spawn(
            command(),
            options()
                .with_workspace_root(dir.path())
                .with_config("runtime", json!("tract"))
                .with_config("path", json!(path.to_string_lossy())),
        );
        match started {
            Err(HostError::Handshake {
                source: CallError::Remote { error, .. },
                ..
            }) => {
                assert_eq!(error.kind(), Some(ErrorCode::ExtensionFailed), "{error:?}");
                assert!(
                    error.message.contains(&path.display().to_string())
                        && error.message.contains(reason),
                    "{}",
                    error.message
                );
            }
            Err(other) => panic!(
                "{}: expected a refused handshake, got {other}",
                path.display()
            ),
            Ok(_) => panic!("{}: expected a refused handshake", path.display()),
        }
    }
}

#[test]
fn an_oversized_request_is_refused_with_its_id_and_the_next_one_is_served() {
    let mut raw = RawChild::start(command());
    let init = raw.request(
        &json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "1.0", "host": {"name": "raw", "version": "0"},
        "grants": grants(&[]), "workspaceRoots": [example_dir()],
        "config": {"runtime": "tract"}}}),
    );
    assert_eq!(init["result"]["maxMessageSize"], 16 * 1024 * 1024, "{init}");
    raw.send(br#"{"jsonrpc":"2.0","method":"initialized"}"#);

    // 17 MiB of rows, over the 16 MiB the extension announced.
    let row = "[5.1,3.5,1.4,0.2],";
    let mut huge = format!(
        r#"{{"jsonrpc":"2.0","id":"huge","method":"{}","params":{{"input":{{"type":"tensors","value":{{"X":{{"shape":[1,4],"dtype":"float32","values":["#,
        methods::Infer::NAME
    );
    huge.push_str(&row.repeat(17 * 1024 * 1024 / row.len()));
    huge.push_str("0]}}}}}");
    raw.send(huge.as_bytes());
    let answer = raw.recv();
    assert_eq!(answer["id"], "huge", "{answer}");
    assert_eq!(
        answer["error"]["code"],
        ErrorCode::MessageTooLarge.code(),
        "{answer}"
    );

    let reference = reference();
    let rows = reference["inputs"].as_array().expect("inputs");
    let answer = raw.request(
        &json!({"jsonrpc": "2.0", "id": 1, "method": methods::Infer::NAME,
                                     "params": rows_params(&rows[..1])}),
    );
    let answer: Inference = serde_json::from_value(answer["result"].clone()).expect("inference");
    assert_row(&reference, 0, &answer);
}

#[test]
fn without_grants_the_model_is_not_read_and_the_refusal_names_permission_and_file() {
    let model = example_dir().join("model/iris.onnx");
    let no_invoke: Permissions = serde_json::from_value(
        json!({"filesystem": [{"path": "model/*.onnx", "access": ["read"]}]}),
    )
    .expect("grants");
    let cases = [
        (
            bare_options().with_config("runtime", json!("tract")),
            "filesystem read",
            model.display().to_string(),
        ),
        (
            bare_options()
                .with_grants(no_invoke)
                .with_config("runtime", json!("tract")),
            "model invoke",
            "model `invoke`".into(),
        ),
        (
            // The library is requested by the manifest but not granted.
            options()
                .with_config("runtime", json!("onnxruntime"))
                .with_config("library", json!("/opt/ort/libonnxruntime.so")),
            "filesystem read",
            "/opt/ort/libonnxruntime.so".into(),
        ),
    ];
    for (options, permission, resource) in cases {
        match Extension::spawn(command(), options) {
            Err(HostError::Handshake {
                source: CallError::Remote { error, .. },
                ..
            }) => {
                assert_eq!(error.kind(), Some(ErrorCode::PermissionDenied), "{error:?}");
                assert!(
                    error.message.contains(permission) && error.message.contains(&resource),
                    "{permission} {resource}: {}",
                    error.message
                );
            }
            Err(other) => panic!("expected a refused handshake, got {other}"),
            Ok(_) => panic!("{permission} {resource}: expected a refused handshake"),
        }
    }
}

/// Through the instrument crate's own test host, as an author's test spawns their binary.
#[tokio::test]
async fn health_reports_a_loaded_model_ready() {
    let host = TestHost::builder()
        .grants(grants(&[]))
        .workspace_root(example_dir())
        .config("runtime", json!("tract"))
        .spawn(example_binary("onnx-classifier"))
        .await
        .expect("the classifier starts");
    let health = host.request::<methods::Health>(&()).await.expect("health");
    assert_eq!(health, symphony_instruments::Health::Ready);
    let reference = reference();
    let rows = reference["inputs"].as_array().expect("inputs");
    let answer = host
        .request::<methods::Infer>(&rows_params(&rows[..1]))
        .await
        .expect("infer");
    assert_row(&reference, 0, &answer);
    host.shutdown().await.expect("clean shutdown");
}
