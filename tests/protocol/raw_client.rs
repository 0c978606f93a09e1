//! Foreign clients: raw JSON lines written to the extension's pipes, with no SDK host code.

use std::process::Command;

use serde_json::{Value, json};
use symphony_core::protocol::ErrorCode;
use symphony_tests::extension::{echo_binary, echo_command};
use symphony_tests::raw::RawChild;

fn echo() -> RawChild {
    RawChild::start(echo_command())
}

fn code(answer: &Value) -> i64 {
    answer["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("not an error: {answer}"))
}

#[test]
fn malformed_input_is_answered_and_the_extension_keeps_serving() {
    let mut raw = echo();
    assert_eq!(
        raw.initialize("1.0", json!({}))["result"]["protocolVersion"],
        "1.0"
    );
    raw.send(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":[");
    let answer = raw.recv();
    assert_eq!((code(&answer), &answer["id"]), (-32700, &Value::Null));
    raw.send(b"\xff\xfe not even utf-8");
    assert_eq!(code(&raw.recv()), -32700);
    // A batch of one is answered with an array of one.
    raw.send(br#"[{"jsonrpc":"2.0","id":2,"method":"echo","params":[2]}]"#);
    assert_eq!(
        raw.recv(),
        json!([{"jsonrpc": "2.0", "id": 2, "result": [2]}])
    );
    raw.send(br#"{"jsonrpc":"2.0","id":3,"method":"echo","params":"a string"}"#);
    let answer = raw.recv();
    assert_eq!((code(&answer), &answer["id"]), (-32600, &json!(3)));
    raw.send(br#"{"jsonrpc":"2.0","id":4,"method":"no/such/method"}"#);
    assert_eq!(code(&raw.recv()), -32601);
    raw.send(br#"{"jsonrpc":"2.0","id":5,"method":"echo","params":{"still":"alive"}}"#);
    assert_eq!(raw.recv()["result"], json!({"still": "alive"}));
}

#[test]
fn oversized_request_is_answered_with_its_id_and_the_stream_resynchronises() {
    let mut raw = echo();
    raw.initialize("1.0", json!({}));
    let mut big = br#"{"jsonrpc":"2.0","id":"huge","method":"echo","params":[""#.to_vec();
    big.extend(std::iter::repeat_n(b'z', 17 * 1024 * 1024));
    big.extend(br#""]}"#);
    raw.send(&big);
    let answer = raw.recv();
    assert_eq!(answer["id"], "huge");
    assert_eq!(code(&answer), ErrorCode::MessageTooLarge.code());
    raw.send(br#"{"jsonrpc":"2.0","id":6,"method":"echo","params":[6]}"#);
    assert_eq!(raw.recv()["result"], json!([6]));
}

#[test]
fn version_mismatch_names_both_versions() {
    let mut raw = echo();
    let answer = raw.initialize("2.0", json!({}));
    assert_eq!(code(&answer), ErrorCode::IncompatibleVersion.code());
    let message = answer["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("2.0") && message.contains("1.0"),
        "{message}"
    );
    // The handshake can be retried with a compatible version.
    assert_eq!(
        raw.initialize("1.7", json!({}))["result"]["protocolVersion"],
        "1.0"
    );
}

#[test]
fn exit_without_shutdown_exits_with_code_1_and_with_it_0() {
    let mut raw = echo();
    raw.initialize("1.0", json!({}));
    raw.send(br#"{"jsonrpc":"2.0","method":"exit"}"#);
    assert_eq!(raw.wait().code(), Some(1));

    let mut raw = echo();
    raw.initialize("1.0", json!({}));
    raw.send(br#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#);
    assert_eq!(raw.recv()["result"], Value::Null);
    raw.send(br#"{"jsonrpc":"2.0","method":"exit"}"#);
    assert_eq!(raw.wait().code(), Some(0));
}

#[test]
fn python_client_with_no_sdk_code_talks_to_the_extension() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/raw_client.py");
    let output = Command::new("python3")
        .arg(script)
        .arg(echo_binary())
        .output()
        .expect("python3 is needed to run tests/scripts/raw_client.py");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{}\n{stdout}\n{stderr}",
        output.status
    );
    assert_eq!(stdout.trim(), "ok: 6 exchanges", "{stderr}");
}
