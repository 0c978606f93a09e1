//! The HTTP backend against a real HTTP server on 127.0.0.1, written here on tokio's
//! `TcpListener` so that every failure mode can be produced on purpose.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};
use symphony_instruments::config::Secret;
use symphony_instruments::http::HttpInstrument;
use symphony_instruments::permission::{NetworkRule, Permissions, Policy};
use symphony_instruments::pipeline::Backoff;
use symphony_instruments::{
    ChatMessage, InferenceInput, InferenceOutput, Instrument, InstrumentError, Limits, Pipeline,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does with one request.
enum Reply {
    Json {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: String,
    },
    /// Server-sent events, one every `every`.
    Sse {
        events: Vec<String>,
        every: Duration,
    },
    /// Waits, then replies.
    Late(Duration, Box<Reply>),
    /// Closes the connection with a TCP reset, answering nothing.
    Reset,
}

fn ok(body: Value) -> Reply {
    Reply::Json {
        status: 200,
        headers: vec![],
        body: body.to_string(),
    }
}

/// A request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    authorization: Option<String>,
    body: Value,
}

struct Server {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    /// SSE events written before the client went away (set when a write fails).
    written_before_disconnect: Arc<Mutex<Option<usize>>>,
}

type Behaviour = Arc<dyn Fn(usize, &Seen) -> Reply + Send + Sync>;

async fn server(behaviour: impl Fn(usize, &Seen) -> Reply + Send + Sync + 'static) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let written = Arc::new(Mutex::new(None));
    let behaviour: Behaviour = Arc::new(behaviour);
    let count = Arc::new(AtomicUsize::new(0));
    {
        let (seen, written) = (Arc::clone(&seen), Arc::clone(&written));
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (seen, written, behaviour) = (seen.clone(), written.clone(), behaviour.clone());
                let n = count.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async move {
                    let mut stream = stream;
                    let Some(request) = read_request(&mut stream).await else {
                        return;
                    };
                    seen.lock().unwrap().push(request.clone());
                    let reply = behaviour(n, &request);
                    respond(stream, reply, written).await;
                });
            }
        });
    }
    Server {
        addr,
        seen,
        written_before_disconnect: written,
    }
}

async fn read_request(stream: &mut TcpStream) -> Option<Seen> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_string();
    let header = |name: &str| {
        head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    };
    let length: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while data.len() < head_end + length {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
    }
    let path = head.split_whitespace().nth(1).unwrap_or("").to_owned();
    let body = serde_json::from_slice(&data[head_end..head_end + length]).unwrap_or(Value::Null);
    Some(Seen {
        path,
        authorization: header("authorization"),
        body,
    })
}

fn respond(
    mut stream: TcpStream,
    reply: Reply,
    written: Arc<Mutex<Option<usize>>>,
) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>> {
    Box::pin(async move {
        match reply {
            Reply::Json {
                status,
                headers,
                body,
            } => {
                let mut head = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
                    body.len()
                );
                for (name, value) in headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str("\r\n");
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(body.as_bytes()).await;
                let _ = stream.shutdown().await;
            }
            Reply::Sse { events, every } => {
                let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n";
                let _ = stream.write_all(head.as_bytes()).await;
                for (i, event) in events.iter().enumerate() {
                    let sent = stream
                        .write_all(format!("data: {event}\n\n").as_bytes())
                        .await;
                    let flushed = stream.flush().await;
                    if sent.is_err() || flushed.is_err() {
                        *written.lock().unwrap() = Some(i);
                        return;
                    }
                    tokio::time::sleep(every).await;
                }
                let _ = stream.shutdown().await;
            }
            Reply::Late(delay, reply) => {
                tokio::time::sleep(delay).await;
                respond(stream, *reply, written).await;
            }
            Reply::Reset => {
                #[allow(deprecated)]
                let _ = stream.set_linger(Some(Duration::ZERO));
                drop(stream);
            }
        }
    })
}

/// A policy granting exactly what it requests: connections to `host`.
fn grants(host: &str) -> Arc<Policy> {
    let mut grants = Permissions::default();
    grants.network.push(NetworkRule {
        host: host.into(),
        ports: vec![],
    });
    Arc::new(Policy::builder(&grants, &grants).build().unwrap())
}

fn instrument(server: &Server, timeout: Duration) -> HttpInstrument {
    HttpInstrument::new(
        &format!("http://{}/v1", server.addr),
        "test-model",
        Some(Secret::new("sk-test")),
        grants("127.0.0.1"),
        timeout,
    )
    .unwrap()
}

fn chat(text: &str) -> Value {
    json!({"choices": [{"message": {"role": "assistant", "content": text}}],
           "usage": {"prompt_tokens": 7, "completion_tokens": 2}})
}

#[tokio::test]
async fn chat_completion_sends_the_key_and_reads_usage() {
    let server = server(|_, _| ok(chat("hello there"))).await;
    let model = instrument(&server, Duration::from_secs(5));
    let input = InferenceInput::Chat(vec![ChatMessage::new("user", "hi")]);
    let inference = model.infer(input).await.unwrap();
    assert_eq!(
        inference.output,
        InferenceOutput::Text("hello there".into())
    );
    assert_eq!(inference.usage.prompt_tokens, Some(7));
    assert_eq!(inference.usage.completion_tokens, Some(2));
    let seen = server.seen.lock().unwrap()[0].clone();
    assert_eq!(seen.path, "/v1/chat/completions");
    assert_eq!(seen.authorization.as_deref(), Some("Bearer sk-test"));
    assert_eq!(seen.body["model"], "test-model");
    assert_eq!(
        seen.body["messages"],
        json!([{"role": "user", "content": "hi"}])
    );
}

#[tokio::test]
async fn embeddings_come_back_in_input_order() {
    let server = server(|_, _| {
        ok(json!({"data": [
            {"index": 1, "embedding": [0.5, 0.25]},
            {"index": 0, "embedding": [1.0, -1.0]}
        ]}))
    })
    .await;
    let model = instrument(&server, Duration::from_secs(5));
    let inference = model
        .infer(InferenceInput::Embed(vec!["a".into(), "b".into()]))
        .await
        .unwrap();
    assert_eq!(
        inference.output,
        InferenceOutput::Embeddings(vec![vec![1.0, -1.0], vec![0.5, 0.25]])
    );
    assert_eq!(server.seen.lock().unwrap()[0].path, "/v1/embeddings");
}

fn delta(text: &str) -> String {
    json!({"choices": [{"delta": {"content": text}}]}).to_string()
}

#[tokio::test]
async fn sse_stream_delivers_chunks_in_order_with_usage() {
    let server = server(|_, _| Reply::Sse {
        events: vec![
            delta("Hel"),
            delta("lo"),
            json!({"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 2}})
                .to_string(),
            "[DONE]".into(),
        ],
        every: Duration::from_millis(5),
    })
    .await;
    let model = instrument(&server, Duration::from_secs(5));
    let chunks: Vec<_> = model
        .infer_stream(InferenceInput::Text("hi".into()))
        .await
        .unwrap()
        .map(|chunk| chunk.unwrap())
        .collect()
        .await;
    let text: String = chunks.iter().map(|chunk| chunk.delta.as_str()).collect();
    assert_eq!(text, "Hello");
    assert_eq!(
        chunks
            .last()
            .unwrap()
            .usage
            .as_ref()
            .unwrap()
            .completion_tokens,
        Some(2)
    );
    assert_eq!(server.seen.lock().unwrap()[0].body["stream"], true);
}

#[tokio::test]
async fn cancelling_mid_stream_closes_the_connection() {
    let events: Vec<String> = (0..200).map(|i| delta(&i.to_string())).collect();
    let server = server(move |_, _| Reply::Sse {
        events: events.clone(),
        every: Duration::from_millis(10),
    })
    .await;
    let model = instrument(&server, Duration::from_secs(30));
    let mut stream = model
        .infer_stream(InferenceInput::Text("count".into()))
        .await
        .unwrap();
    assert_eq!(stream.next().await.unwrap().unwrap().delta, "0");
    assert_eq!(stream.next().await.unwrap().unwrap().delta, "1");
    drop(stream);
    let started = Instant::now();
    while server.written_before_disconnect.lock().unwrap().is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the server kept streaming"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let written = server.written_before_disconnect.lock().unwrap().unwrap();
    assert!(written < 200, "{written}");
}

#[tokio::test]
async fn rate_limited_then_success_is_retried_after_retry_after() {
    let server = server(|n, _| match n {
        0 => Reply::Json {
            status: 429,
            headers: vec![("retry-after", "1".into())],
            body: r#"{"error": "slow down"}"#.into(),
        },
        1 => Reply::Json {
            status: 503,
            headers: vec![],
            body: "overloaded".into(),
        },
        _ => ok(chat("finally")),
    })
    .await;
    let model = Arc::new(instrument(&server, Duration::from_secs(5)));
    let backoff = Backoff {
        base: Duration::from_millis(1),
        cap: Duration::from_millis(5),
    };
    let pipeline = Pipeline::with_backoff(model, Limits::default().with_retries(3), backoff);
    let started = Instant::now();
    let inference = pipeline
        .infer(InferenceInput::Text("hi".into()))
        .await
        .unwrap();
    assert_eq!(inference.output, InferenceOutput::Text("finally".into()));
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was not honoured"
    );
    assert_eq!(server.seen.lock().unwrap().len(), 3);
    assert_eq!(pipeline.metrics().retries, 2);
}

#[tokio::test]
async fn client_errors_are_not_retried_and_quote_the_server() {
    let server = server(|_, _| Reply::Json {
        status: 400,
        headers: vec![],
        body: r#"{"error": "unknown model"}"#.into(),
    })
    .await;
    let pipeline = Pipeline::new(
        Arc::new(instrument(&server, Duration::from_secs(5))),
        Limits::default(),
    );
    let error = pipeline
        .infer(InferenceInput::Text("hi".into()))
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("400") && error.to_string().contains("unknown model"),
        "{error}"
    );
    assert_eq!(server.seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_slow_server_times_out() {
    let server =
        server(|_, _| Reply::Late(Duration::from_secs(3), Box::new(ok(chat("late"))))).await;
    let model = instrument(&server, Duration::from_millis(200));
    let started = Instant::now();
    let error = model
        .infer(InferenceInput::Text("hi".into()))
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("did not answer in time"),
        "{error}"
    );
    assert!(error.is_retryable());
    assert!(started.elapsed() < Duration::from_secs(2));
    // Through the pipeline, its own timeout bounds the call, retries included.
    let pipeline = Pipeline::new(
        Arc::new(instrument(&server, Duration::from_secs(10))),
        Limits::default().with_timeout(Duration::from_millis(300)),
    );
    let error = pipeline
        .infer(InferenceInput::Text("hi".into()))
        .await
        .unwrap_err();
    assert!(
        matches!(error, InstrumentError::TimedOut { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn malformed_json_is_a_clear_error() {
    let server = server(|_, _| Reply::Json {
        status: 200,
        headers: vec![],
        body: "<html>oops".into(),
    })
    .await;
    let error = instrument(&server, Duration::from_secs(5))
        .infer(InferenceInput::Text("hi".into()))
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains(&format!(
            "the response of http://{}/v1/chat/completions is not JSON",
            server.addr
        )) && error.to_string().contains("<html>oops"),
        "{error}"
    );
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn connection_reset_and_unreachable_endpoints_are_retryable_errors_naming_the_host() {
    let server = server(|_, _| Reply::Reset).await;
    let error = instrument(&server, Duration::from_secs(5))
        .infer(InferenceInput::Text("hi".into()))
        .await
        .unwrap_err();
    let port = server.addr.port();
    assert!(
        error
            .to_string()
            .contains(&format!("cannot reach 127.0.0.1:{port}")),
        "{error}"
    );
    assert!(error.is_retryable());

    // Nothing listens on a port just released.
    let closed = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let model = HttpInstrument::new(
        &format!("http://{closed}/v1"),
        "m",
        None,
        grants("127.0.0.1"),
        Duration::from_secs(5),
    )
    .unwrap();
    let error = model
        .infer(InferenceInput::Text("hi".into()))
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains(&format!("cannot reach {closed}")),
        "{error}"
    );
}

#[tokio::test]
async fn requests_outside_the_network_grant_are_refused_before_connecting() {
    let server = server(|_, _| ok(chat("should not happen"))).await;
    let model = HttpInstrument::new(
        &format!("http://{}/v1", server.addr),
        "m",
        None,
        grants("api.example.com"),
        Duration::from_secs(5),
    )
    .unwrap();
    let error = model
        .infer(InferenceInput::Text("hi".into()))
        .await
        .unwrap_err();
    let port = server.addr.port();
    assert!(
        matches!(error, InstrumentError::PermissionDenied { .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains(&format!(
            "network connect permission denied for `127.0.0.1:{port}`"
        )),
        "{error}"
    );
    assert!(server.seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn non_text_input_is_invalid() {
    let server = server(|_, _| ok(chat("x"))).await;
    let model = instrument(&server, Duration::from_secs(5));
    let error = model
        .infer(InferenceInput::Tensors(Default::default()))
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("takes text, chat or embed input, got tensors"),
        "{error}"
    );
}
