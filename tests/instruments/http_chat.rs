//! The `http-chat` example extension against a real HTTP server on 127.0.0.1: chat, streamed
//! chat as `$/progress`, cancellation mid-stream, the network grant, unreachable endpoints,
//! answers that are not JSON.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use symphony_core::host::{CallError, Extension, ExtensionOptions};
use symphony_core::permission::{NetworkRule, Permissions};
use symphony_core::protocol::{ErrorCode, ProgressParams, method};
use symphony_instruments::methods::{self, InferParams, Method};
use symphony_instruments::{Health, Inference, InferenceInput, InferenceOutput, StreamChunk};

use symphony_tests::extension::example_binary;

fn command() -> Command {
    Command::new(example_binary("http-chat"))
}

/// A one-request-per-connection server: `/v1/chat/completions` answers JSON, or, when the
/// request asks to stream, up to 500 SSE events 10 ms apart (stopping when the client goes).
struct ChatServer {
    addr: SocketAddr,
    client_left: Arc<AtomicBool>,
    authorization: Arc<Mutex<Vec<String>>>,
}

fn chat_server() -> ChatServer {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    let client_left = Arc::new(AtomicBool::new(false));
    let authorization = Arc::new(Mutex::new(Vec::new()));
    let (left, auth) = (Arc::clone(&client_left), Arc::clone(&authorization));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let (left, auth) = (Arc::clone(&left), Arc::clone(&auth));
            std::thread::spawn(move || serve_one(stream, &left, &auth));
        }
    });
    ChatServer {
        addr,
        client_left,
        authorization,
    }
}

fn serve_one(stream: TcpStream, client_left: &AtomicBool, authorization: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
            if name.eq_ignore_ascii_case("authorization") {
                authorization.lock().unwrap().push(value.trim().to_owned());
            }
        }
    }
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut stream = stream;
    if request["stream"] == true {
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n",
        );
        for i in 0..500 {
            let event = json!({"choices": [{"delta": {"content": format!("{i} ")}}]});
            if stream
                .write_all(format!("data: {event}\n\n").as_bytes())
                .and_then(|()| stream.flush())
                .is_err()
            {
                client_left.store(true, Ordering::SeqCst);
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = stream.write_all(b"data: [DONE]\n\n");
    } else if request["messages"][0]["content"] == NOT_JSON {
        // What a misconfigured proxy in front of the API might answer.
        let body = "<html><body>502 Bad Gateway</body></html>";
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
    } else {
        let prompt = request["messages"][0]["content"].as_str().unwrap_or("");
        let body = json!({
            "choices": [{"message": {"role": "assistant", "content": format!("echo: {prompt}")}}],
            "usage": {"prompt_tokens": 4, "completion_tokens": 3}
        })
        .to_string();
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
    }
}

/// The prompt the server answers with an HTML page instead of JSON.
const NOT_JSON: &str = "answer with html";

fn grants(host: &str) -> Permissions {
    let mut grants = Permissions::default();
    grants.network.push(NetworkRule {
        host: host.into(),
        ports: vec![],
    });
    grants
}

fn options(server: SocketAddr, grants: Permissions) -> ExtensionOptions {
    ExtensionOptions::default()
        .with_request_timeout(Some(Duration::from_secs(30)))
        .with_handshake_timeout(Duration::from_secs(30))
        .with_grants(grants)
        .with_config("endpoint", json!(format!("http://{server}/v1")))
        .with_config("model", json!("local"))
        .with_config("api_key", json!("sk-local"))
}

fn text(prompt: &str) -> InferParams {
    InferParams::new(InferenceInput::Text(prompt.into()))
}

#[test]
fn chat_and_streamed_chat_through_the_host() {
    let server = chat_server();
    let progress: Arc<Mutex<Vec<ProgressParams>>> = Arc::default();
    let sink = Arc::clone(&progress);
    let host = Extension::spawn(
        command(),
        options(server.addr, grants("127.0.0.1")).on_notification(move |notification| {
            if notification.method == method::PROGRESS {
                sink.lock()
                    .unwrap()
                    .push(notification.params_as().expect("progress"));
            }
        }),
    )
    .expect("http-chat starts");

    let answer = host
        .request::<methods::Infer>(&text("hello"))
        .expect("infer");
    assert_eq!(answer.output, InferenceOutput::Text("echo: hello".into()));
    assert_eq!(answer.usage.completion_tokens, Some(3));
    // One call, unbatched.
    assert_eq!(answer.usage.batch_size, 1);
    assert_eq!(server.authorization.lock().unwrap()[0], "Bearer sk-local");

    // Streamed, then cancelled mid-stream: the extension stops reading, the server sees the
    // client leave, and the call ends as cancelled.
    let call = host
        .start(methods::Stream::NAME, &text("count"))
        .expect("stream");
    let started = Instant::now();
    while progress.lock().unwrap().len() < 3 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no chunks arrived"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    call.cancel();
    match call.wait::<methods::StreamEnd>() {
        Err(CallError::Cancelled { .. }) => {}
        Err(CallError::Remote { error, .. }) => {
            assert_eq!(error.kind(), Some(ErrorCode::Cancelled), "{error:?}");
        }
        other => panic!("expected a cancelled stream, got {other:?}"),
    }
    while !server.client_left.load(Ordering::SeqCst) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the stream was not stopped"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let chunks = progress.lock().unwrap().clone();
    assert!(chunks.len() < 500, "{}", chunks.len());
    let chunk = |i: usize| -> StreamChunk {
        serde_json::from_value(chunks[i].value.clone()).expect("a chunk")
    };
    assert_eq!((chunk(0).delta, chunk(1).delta), ("0 ".into(), "1 ".into()));

    // Still serving.
    let answer = host
        .request::<methods::Infer>(&text("again"))
        .expect("infer");
    assert_eq!(answer.output, InferenceOutput::Text("echo: again".into()));
    host.shutdown().expect("clean shutdown");
}

#[test]
fn ungranted_and_unreachable_endpoints_are_clear_errors() {
    let server = chat_server();
    let host = Extension::spawn(command(), options(server.addr, grants("api.openai.com")))
        .expect("http-chat starts");
    match host.request::<methods::Infer>(&text("hi")) {
        Err(CallError::Remote { error, .. }) => {
            assert_eq!(error.kind(), Some(ErrorCode::PermissionDenied));
            assert!(
                error
                    .message
                    .contains(&format!("127.0.0.1:{}", server.addr.port())),
                "{}",
                error.message
            );
        }
        other => panic!("expected permission denied, got {other:?}"),
    }
    host.shutdown().expect("clean shutdown");

    let closed = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port");
    let host = Extension::spawn(
        command(),
        options(closed, grants("127.0.0.1")).with_config("model", json!("m")),
    )
    .expect("http-chat starts");
    match host.request::<methods::Infer>(&text("hi")) {
        Err(CallError::Remote { error, .. }) => {
            assert!(
                error.message.contains(&format!("cannot reach {closed}")),
                "{}",
                error.message
            );
        }
        other => panic!("expected an unreachable endpoint, got {other:?}"),
    }
    // Still serving, and its health says the endpoint is unreachable, and why.
    let health = host.request::<methods::Health>(&()).expect("still serving");
    let Health::Unavailable { reason } = &health else {
        panic!("expected an unavailable endpoint, got {health:?}");
    };
    assert!(
        reason.contains(&format!("cannot reach {closed}")),
        "{health:?}"
    );
    host.shutdown().expect("clean shutdown");
}

#[test]
fn an_answer_that_is_not_json_is_a_clear_error_and_the_extension_keeps_serving() {
    let server = chat_server();
    let host = Extension::spawn(command(), options(server.addr, grants("127.0.0.1")))
        .expect("http-chat starts");
    match host.request::<methods::Infer>(&text(NOT_JSON)) {
        Err(CallError::Remote { error, .. }) => {
            assert_eq!(error.kind(), Some(ErrorCode::ExtensionFailed), "{error:?}");
            let endpoint = format!("http://{}/v1/chat/completions", server.addr);
            assert!(
                error
                    .message
                    .contains(&format!("the response of {endpoint} is not JSON"))
                    && error.message.contains("502 Bad Gateway"),
                "{}",
                error.message
            );
        }
        other => panic!("expected a non-JSON answer to fail, got {other:?}"),
    }
    let answer: Inference = host
        .request::<methods::Infer>(&text("after"))
        .expect("still serving");
    assert_eq!(answer.output, InferenceOutput::Text("echo: after".into()));
    host.shutdown().expect("clean shutdown");
}
