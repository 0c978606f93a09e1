//! The tokio serve loop over in-memory pipes, byte for byte as a host would speak to it: the
//! protocol rules it takes from core's session, panics, and `shutdown` while requests run.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::{Value, json};
use symphony_core::protocol::ErrorCode;
use symphony_instruments::manifest::Manifest;
use symphony_instruments::methods::{Infer, Info, Method};
use symphony_instruments::serve::{Exit, ServeOptions, serve_io};
use symphony_instruments::{
    Inference, InferenceInput, InferenceOutput, Instrument, InstrumentError, Limits,
    ModelCapabilities, ModelInfo, Pipeline, Usage,
};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, Lines};
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

const MANIFEST: &str = r#"
id = "test.gated"
name = "Gated"
version = "1.0.0"
kind = "instrument"
engine = "^1"
[instrument]
inputs = [{ name = "prompt", type = "text" }]
outputs = [{ name = "reply", type = "text" }]
"#;

/// Echoes text; `"panic"` panics, and `"wait"` waits for a permit of `gate`.
struct Gated {
    info: ModelInfo,
    gate: Arc<Semaphore>,
}

#[async_trait]
impl Instrument for Gated {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    async fn infer(&self, input: InferenceInput) -> Result<Inference, InstrumentError> {
        let InferenceInput::Text(text) = input else {
            return Err(InstrumentError::invalid_input("text only"));
        };
        match text.as_str() {
            "panic" => panic!("the model fell over"),
            "wait" => {
                let _permit = self.gate.acquire().await;
            }
            _ => {}
        }
        Ok(Inference::new(
            InferenceOutput::Text(text),
            Usage::default(),
        ))
    }
}

/// The host's end of a connection to a served `Gated` instrument.
struct Client {
    writer: DuplexStream,
    lines: Lines<BufReader<DuplexStream>>,
    served: JoinHandle<Exit>,
    gate: Arc<Semaphore>,
}

impl Client {
    fn start() -> Client {
        let manifest = Manifest::from_toml_str(MANIFEST).expect("valid manifest");
        let gate = Arc::new(Semaphore::new(0));
        let instrument = Gated {
            info: ModelInfo {
                id: "gated".into(),
                inputs: vec![],
                outputs: vec![],
                capabilities: ModelCapabilities::default(),
            },
            gate: Arc::clone(&gate),
        };
        let (writer, extension_reader) = tokio::io::duplex(1 << 16);
        let (extension_writer, reader) = tokio::io::duplex(1 << 16);
        let limits = Limits::default().with_max_concurrency(4);
        let served = tokio::spawn(serve_io(
            manifest,
            move |_start| async move { Ok(Pipeline::new(Arc::new(instrument), limits)) },
            extension_reader,
            extension_writer,
            ServeOptions::default(),
        ));
        Client {
            writer,
            lines: BufReader::new(reader).lines(),
            served,
            gate,
        }
    }

    async fn send(&mut self, message: Value) {
        let mut line = message.to_string().into_bytes();
        line.push(b'\n');
        self.writer.write_all(&line).await.expect("write");
    }

    /// The next message from the extension.
    async fn receive(&mut self) -> Value {
        let line = tokio::time::timeout(Duration::from_secs(10), self.lines.next_line())
            .await
            .expect("an answer in time")
            .expect("read")
            .expect("a line");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
    }

    async fn call(&mut self, id: u64, method: &str, params: Value) -> Value {
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        self.receive().await
    }

    async fn initialize(&mut self) -> Value {
        let answer = self
            .call(
                0,
                "initialize",
                json!({"protocolVersion": "1.0", "host": {"name": "test", "version": "1"}}),
            )
            .await;
        self.send(json!({"jsonrpc": "2.0", "method": "initialized"}))
            .await;
        answer
    }
}

fn infer(text: &str) -> Value {
    json!({"input": {"type": "text", "value": text}})
}

fn code(answer: &Value) -> i64 {
    answer["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("not an error: {answer}"))
}

#[tokio::test]
async fn the_session_rules_are_cores() {
    let mut client = Client::start();
    let early = client.call(1, Info::NAME, Value::Null).await;
    assert_eq!(code(&early), ErrorCode::NotInitialized.code(), "{early}");

    let init = client.initialize().await;
    let result = &init["result"];
    assert_eq!(result["manifest"]["id"], "test.gated", "{init}");
    assert_eq!(result["maxMessageSize"], 16 * 1024 * 1024);
    assert_eq!(result["capabilities"]["concurrency"], 4);
    assert!(
        result["capabilities"]["methods"]
            .as_array()
            .expect("methods")
            .contains(&json!(Infer::NAME))
    );
    let again = client.initialize().await;
    assert_eq!(code(&again), ErrorCode::InvalidRequest.code(), "{again}");

    // An id may not be reused while its request runs.
    client
        .send(json!({"jsonrpc": "2.0", "id": 7, "method": Infer::NAME, "params": infer("wait")}))
        .await;
    let duplicate = client.call(7, Info::NAME, Value::Null).await;
    assert_eq!(code(&duplicate), ErrorCode::InvalidRequest.code());
    assert!(
        duplicate["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("already used")),
        "{duplicate}"
    );
    client.gate.add_permits(1);
    assert_eq!(client.receive().await["result"]["output"]["value"], "wait");

    let unknown = client.call(8, "acme/noSuchMethod", Value::Null).await;
    assert_eq!(code(&unknown), ErrorCode::MethodNotFound.code());
    client
        .send(json!({"jsonrpc": "2.0", "method": "exit"}))
        .await;
    assert_eq!(
        client.served.await.expect("serve loop"),
        Exit::WithoutShutdown
    );
}

#[tokio::test]
async fn a_panicking_instrument_fails_its_request_and_the_loop_keeps_serving() {
    let mut client = Client::start();
    client.initialize().await;
    let failed = client.call(1, Infer::NAME, infer("panic")).await;
    assert_eq!(code(&failed), ErrorCode::ExtensionFailed.code(), "{failed}");
    assert!(
        failed["error"]["message"].as_str().is_some_and(
            |m| m.contains("model `gated` failed: the model panicked: the model fell over")
        ),
        "{failed}"
    );
    let answer = client.call(2, Infer::NAME, infer("fine")).await;
    assert_eq!(answer["result"]["output"]["value"], "fine");
}

#[tokio::test]
async fn shutdown_waits_for_running_requests_and_still_hears_cancel_requests() {
    let mut client = Client::start();
    client.initialize().await;
    client
        .send(json!({"jsonrpc": "2.0", "id": 1, "method": Infer::NAME, "params": infer("wait")}))
        .await;
    client
        .send(json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
        .await;
    let late = client.call(3, Info::NAME, Value::Null).await;
    assert_eq!(
        (code(&late), &late["id"]),
        (ErrorCode::ShuttingDown.code(), &json!(3))
    );

    // The waiting request holds `shutdown` back until it is cancelled.
    client
        .send(json!({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 1}}))
        .await;
    let cancelled = client.receive().await;
    assert_eq!(
        (code(&cancelled), &cancelled["id"]),
        (ErrorCode::Cancelled.code(), &json!(1))
    );
    let shutdown = client.receive().await;
    assert_eq!(shutdown, json!({"jsonrpc": "2.0", "id": 2, "result": null}));
    client
        .send(json!({"jsonrpc": "2.0", "method": "exit"}))
        .await;
    let exit = client.served.await.expect("serve loop");
    assert_eq!((exit.code(), exit), (0, Exit::Clean));
}

#[tokio::test]
async fn a_sandbox_is_refused_without_a_hook_rather_than_ignored() {
    let mut client = Client::start();
    let answer = client
        .call(
            0,
            "initialize",
            json!({"protocolVersion": "1.0", "host": {"name": "test", "version": "1"},
                   "sandbox": true}),
        )
        .await;
    assert_eq!(
        code(&answer),
        ErrorCode::SandboxUnavailable.code(),
        "{answer}"
    );
    // The handshake failed before the start function ran, so it can be retried.
    assert!(client.initialize().await["result"]["manifest"].is_object());
    drop(client.writer);
    assert_eq!(
        client.served.await.expect("serve loop"),
        Exit::EndOfInput {
            after_shutdown: false
        }
    );
}
