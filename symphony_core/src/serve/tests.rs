//! The serve loop driven over an in-memory transport by raw JSON lines.

use std::sync::{Arc, Barrier, LazyLock};
use std::thread;
use std::time::Duration;

use serde_json::{Value, json};

use crate::manifest::Manifest;

use super::*;
use crate::testing::RawSession;

struct Probe;

impl Handler for Probe {
    fn manifest(&self) -> &Manifest {
        static MANIFEST: LazyLock<Manifest> =
            LazyLock::new(|| crate::testing::manifest("test.probe", ""));
        &MANIFEST
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::new(["echo", "panic", "wait_cancel", "meet"])
    }

    fn handle(&self, call: &Call<'_>) -> Result<Box<RawValue>, ErrorObject> {
        match call.method() {
            "echo" => Ok(call
                .raw_params()
                .map_or_else(|| reply(&()), |raw| Ok(raw.to_owned()))?),
            "panic" => panic!("boom"),
            "wait_cancel" => {
                for _ in 0..500 {
                    call.check_cancelled()?;
                    thread::sleep(Duration::from_millis(10));
                }
                reply("never cancelled")
            }
            "meet" => {
                let barrier = MEET.get_or_init(|| Arc::new(Barrier::new(2)));
                barrier.wait();
                reply("met")
            }
            other => Err(ErrorObject::method_not_found(other)),
        }
    }

    fn concurrency(&self) -> usize {
        2
    }
}

static MEET: std::sync::OnceLock<Arc<Barrier>> = std::sync::OnceLock::new();

/// A raw session with a few shortcuts for these tests.
struct Raw(RawSession);

impl Raw {
    fn start(options: ServeOptions) -> Raw {
        Raw(RawSession::start_with(Probe, options))
    }

    fn send(&mut self, line: &str) {
        self.0.send(line).expect("send");
    }

    fn recv(&mut self) -> Value {
        self.0.recv().expect("an answer")
    }

    fn initialize(&mut self) {
        let answer = self.0.initialize().expect("handshake");
        assert_eq!(answer["result"]["protocolVersion"], "1.0", "{answer}");
    }

    fn finish(mut self) -> Exit {
        self.send(r#"{"jsonrpc":"2.0","id":"end","method":"shutdown"}"#);
        assert_eq!(
            self.recv(),
            json!({"jsonrpc":"2.0","id":"end","result":null})
        );
        self.send(r#"{"jsonrpc":"2.0","method":"exit"}"#);
        self.0.close().expect("serve loop")
    }
}

const INIT: &str = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"1.0","host":{"name":"test","version":"0"}}}"#;

fn error_code(answer: &Value) -> i64 {
    answer["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("not an error: {answer}"))
}

#[test]
fn handshake_reports_manifest_capabilities_and_limit() {
    let mut raw = Raw::start(ServeOptions::default().with_max_message_size(4096));
    raw.send(INIT);
    let answer = raw.recv();
    assert_eq!(answer["id"], 0);
    assert_eq!(answer["result"]["manifest"]["id"], "test.probe");
    assert_eq!(answer["result"]["capabilities"]["concurrency"], 2);
    assert_eq!(answer["result"]["maxMessageSize"], 4096);
    assert_eq!(raw.finish(), Exit::Clean);
}

#[test]
fn echo_panic_unknown_method_and_malformed_input() {
    let mut raw = Raw::start(ServeOptions::default());
    raw.initialize();
    raw.send(r#"{"jsonrpc":"2.0","id":1,"method":"echo","params":{"a":[1,"x"]}}"#);
    assert_eq!(
        raw.recv(),
        json!({"jsonrpc":"2.0","id":1,"result":{"a":[1,"x"]}})
    );

    raw.send(r#"{"jsonrpc":"2.0","id":2,"method":"panic"}"#);
    let answer = raw.recv();
    assert_eq!(error_code(&answer), ErrorCode::ExtensionFailed.code());
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("boom")
    );

    raw.send(r#"{"jsonrpc":"2.0","id":3,"method":"nope"}"#);
    assert_eq!(error_code(&raw.recv()), -32601);

    raw.send("{this is not json");
    let answer = raw.recv();
    assert_eq!((error_code(&answer), &answer["id"]), (-32700, &Value::Null));

    raw.send(r#"{"jsonrpc":"2.0","id":4,"method":7}"#);
    let answer = raw.recv();
    assert_eq!((error_code(&answer), &answer["id"]), (-32600, &json!(4)));

    // Still serving after all of that.
    raw.send(r#"{"jsonrpc":"2.0","id":5,"method":"echo","params":[5]}"#);
    assert_eq!(raw.recv()["result"], json!([5]));
    assert_eq!(raw.finish(), Exit::Clean);
}

#[test]
fn cancel_request_answers_cancelled() {
    let mut raw = Raw::start(ServeOptions::default());
    raw.initialize();
    raw.send(r#"{"jsonrpc":"2.0","id":"slow","method":"wait_cancel"}"#);
    thread::sleep(Duration::from_millis(30));
    raw.send(r#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"slow"}}"#);
    let answer = raw.recv();
    assert_eq!(answer["id"], "slow");
    assert_eq!(error_code(&answer), ErrorCode::Cancelled.code());
    assert_eq!(raw.finish(), Exit::Clean);
}

#[test]
fn requests_run_concurrently_up_to_the_handler_limit() {
    let mut raw = Raw::start(ServeOptions::default());
    raw.initialize();
    // Each `meet` blocks until the other arrives: both answer only if they run at once.
    raw.send(r#"{"jsonrpc":"2.0","id":1,"method":"meet"}"#);
    raw.send(r#"{"jsonrpc":"2.0","id":2,"method":"meet"}"#);
    let mut ids = [raw.recv()["id"].clone(), raw.recv()["id"].clone()];
    ids.sort_by_key(|id| id.as_i64());
    assert_eq!(ids, [json!(1), json!(2)]);
    assert_eq!(raw.finish(), Exit::Clean);
}

#[test]
fn shutdown_waits_for_requests_in_flight() {
    let mut raw = Raw::start(ServeOptions::default());
    raw.initialize();
    raw.send(r#"{"jsonrpc":"2.0","id":1,"method":"wait_cancel"}"#);
    raw.send(r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#);
    raw.send(r#"{"jsonrpc":"2.0","id":3,"method":"echo"}"#);
    assert_eq!(error_code(&raw.recv()), ErrorCode::ShuttingDown.code());
    raw.send(r#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":1}}"#);
    let first = raw.recv();
    assert_eq!(
        (first["id"].clone(), error_code(&first)),
        (json!(1), -32002)
    );
    assert_eq!(raw.recv(), json!({"jsonrpc":"2.0","id":2,"result":null}));
    raw.send(r#"{"jsonrpc":"2.0","method":"exit"}"#);
    assert_eq!(raw.0.close().expect("join"), Exit::Clean);
}

#[test]
fn handshake_failures_are_explained() {
    let mut raw = Raw::start(ServeOptions::default());
    raw.send(&INIT.replace("\"1.0\"", "\"2.0\""));
    let answer = raw.recv();
    assert_eq!(error_code(&answer), ErrorCode::IncompatibleVersion.code());
    assert_eq!(
        answer["error"]["data"],
        json!({"host": "2.0", "extension": "1.0"})
    );

    raw.send(&INIT.replace(
        "\"protocolVersion\"",
        "\"sandbox\":true,\"protocolVersion\"",
    ));
    assert_eq!(
        error_code(&raw.recv()),
        ErrorCode::SandboxUnavailable.code()
    );

    raw.send(r#"{"jsonrpc":"2.0","id":1,"method":"echo"}"#);
    assert_eq!(error_code(&raw.recv()), ErrorCode::NotInitialized.code());
    assert_eq!(
        raw.0.close().expect("join"),
        Exit::EndOfInput {
            after_shutdown: false
        }
    );
}

#[test]
fn sandbox_hook_runs_when_asked_for() {
    let seen = Arc::new(std::sync::Mutex::new(None));
    let record = Arc::clone(&seen);
    let hook: SandboxHook = Arc::new(move |context: &Context| {
        *record.lock().expect("lock") = Some(context.params().workspace_roots.clone());
        let mut enforced = crate::protocol::SandboxEnforcement::required(true, false);
        enforced.abi = 42;
        Ok(enforced)
    });
    let mut raw = Raw::start(ServeOptions::default().with_sandbox(hook));
    raw.send(&INIT.replace(
        "\"protocolVersion\"",
        "\"sandbox\":true,\"workspaceRoots\":[\"/w\"],\"protocolVersion\"",
    ));
    let result = raw.recv()["result"].clone();
    assert_eq!(result["protocolVersion"], "1.0");
    // What the hook says it enforces is what the host is told.
    assert_eq!(
        result["sandbox"],
        json!({"abi": 42, "filesystem": true, "network": false})
    );
    assert_eq!(
        seen.lock().expect("lock").clone(),
        Some(vec![std::path::PathBuf::from("/w")])
    );
    assert_eq!(raw.finish(), Exit::Clean);
}

#[test]
fn oversized_request_is_answered_and_the_stream_recovers() {
    let mut raw = Raw::start(ServeOptions::default().with_max_message_size(1000));
    raw.initialize();
    let big = format!(
        r#"{{"jsonrpc":"2.0","id":77,"method":"echo","params":["{}"]}}"#,
        "x".repeat(5000)
    );
    raw.send(&big);
    let answer = raw.recv();
    assert_eq!(
        (answer["id"].clone(), error_code(&answer)),
        (json!(77), -32009)
    );
    raw.send(r#"{"jsonrpc":"2.0","id":78,"method":"echo","params":[1]}"#);
    assert_eq!(raw.recv()["result"], json!([1]));
    assert_eq!(raw.finish(), Exit::Clean);
}
