//! The HTTP backend holds the network grant on every hop (redirects, resolved addresses),
//! bounds what it reads, and reports its health truthfully; against real servers on
//! 127.0.0.1 (`server`).

mod server;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};
use server::{Answer, Server, stopped_port};
use symphony_instruments::http::HttpInstrument;
use symphony_instruments::permission::{Permissions, Policy};
use symphony_instruments::{Health, InferenceInput, InferenceOutput, Instrument, InstrumentError};

/// What the backend may buffer of a body, as it says in its errors.
const MAX_BODY: u64 = 64 * 1024 * 1024;

fn permissions(value: Value) -> Permissions {
    serde_json::from_value(value).unwrap()
}

/// Requests and grants `network`; the host denies `deny`.
fn policy(network: Value, deny: Value) -> Arc<Policy> {
    let granted = permissions(json!({ "network": network }));
    Arc::new(
        Policy::builder(&granted, &granted)
            .deny(&permissions(json!({ "network": deny })))
            .build()
            .unwrap(),
    )
}

fn model(endpoint: &str, policy: Arc<Policy>) -> HttpInstrument {
    HttpInstrument::new(endpoint, "m", None, policy, Duration::from_secs(30)).unwrap()
}

fn chat(text: &str) -> Value {
    json!({"choices": [{"message": {"role": "assistant", "content": text}}]})
}

fn hi() -> InferenceInput {
    InferenceInput::Text("the secret prompt".into())
}

fn assert_denied(error: &InstrumentError, needles: &[&str]) {
    assert!(
        matches!(error, InstrumentError::PermissionDenied { .. }),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    let text = error.to_string();
    for needle in needles {
        assert!(text.contains(needle), "`{needle}` not in: {text}");
    }
}

#[tokio::test]
async fn every_redirect_status_to_an_ungranted_port_is_refused_naming_the_hop() {
    let other = Server::start(|_| Answer::json(&chat("the other server's answer")));
    let target = other.url("/v1/chat/completions");
    for status in [301, 302, 303, 307, 308] {
        let location = target.clone();
        let granted = Server::start(move |_| Answer::redirect(status, &location));
        let port = granted.addr.port();
        let model = model(
            &granted.url("/v1"),
            policy(json!([{"host": "127.0.0.1", "ports": [port]}]), json!([])),
        );
        let error = model.infer(hi()).await.unwrap_err();
        assert_denied(
            &error,
            &[
                &format!(
                    "refused the redirect from {}",
                    granted.url("/v1/chat/completions")
                ),
                &format!("to {target}"),
                "network connect permission denied",
            ],
        );
        assert_eq!(granted.requests().len(), 1, "{status}");
    }
    assert!(other.requests().is_empty(), "{:?}", other.requests());
}

#[tokio::test]
async fn a_redirect_to_an_ungranted_host_name_is_refused() {
    let other = Server::start(|_| Answer::json(&chat("the other server's answer")));
    let location = format!("http://localhost:{}/v1/chat/completions", other.addr.port());
    let hop = location.clone();
    let granted = Server::start(move |_| Answer::redirect(307, &location));
    let model = model(
        &granted.url("/v1"),
        policy(json!([{"host": "127.0.0.1"}]), json!([])),
    );
    let error = model.infer(hi()).await.unwrap_err();
    assert_denied(&error, &[&format!("to {hop}"), "`localhost:"]);
    assert!(other.requests().is_empty());
}

#[tokio::test]
async fn redirects_within_the_grant_are_followed_and_307_keeps_the_body() {
    let other = Server::start(|_| Answer::json(&chat("moved")));
    let location = other.url("/v2/chat/completions");
    let granted = Server::start(move |_| Answer::redirect(307, &location));
    let model = model(
        &granted.url("/v1"),
        policy(json!([{"host": "127.0.0.1"}]), json!([])),
    );
    let inference = model.infer(hi()).await.unwrap();
    assert_eq!(inference.output, InferenceOutput::Text("moved".into()));
    let seen = other.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "POST");
    assert!(seen[0].body.contains("the secret prompt"), "{seen:?}");
}

#[tokio::test]
async fn a_name_that_resolves_to_a_denied_address_is_refused_before_connecting() {
    let server = Server::start(|_| Answer::json(&chat("should not be reached")));
    let port = server.addr.port();
    let endpoint = format!("http://localhost:{port}/v1");
    // Any host may be reached, but the host denies 127.0.0.1: `localhost` is 127.0.0.1.
    let everywhere = json!([{"host": "*"}]);
    for deny in [
        json!([{"host": "127.0.0.1"}]),
        json!([{"host": "127.0.0.1", "ports": [port]}]),
    ] {
        let error = model(&endpoint, policy(everywhere.clone(), deny))
            .infer(hi())
            .await
            .unwrap_err();
        assert_denied(
            &error,
            &[
                "`localhost` resolves to 127.0.0.1",
                &format!("`127.0.0.1:{port}`"),
                "the host denies it",
            ],
        );
    }
    assert!(server.requests().is_empty(), "{:?}", server.requests());
    // A deny rule for another port says nothing about this one.
    let other_port = json!([{"host": "127.0.0.1", "ports": [port.wrapping_add(1)]}]);
    let inference = model(&endpoint, policy(everywhere, other_port))
        .infer(hi())
        .await
        .unwrap();
    assert_eq!(
        inference.output,
        InferenceOutput::Text("should not be reached".into())
    );
}

#[tokio::test]
async fn an_error_status_with_an_endless_body_is_reported_without_reading_it() {
    let server = Server::start(|_| Answer::EndlessChunked { status: 400 });
    let model = model(
        &server.url("/v1"),
        policy(json!([{"host": "127.0.0.1"}]), json!([])),
    );
    let error = model.infer(hi()).await.unwrap_err();
    assert!(error.to_string().contains("answered 400"), "{error}");
    // What the client did not read stayed in the server (and the kernel's buffers).
    let sent = server.sent.load(Ordering::Relaxed);
    assert!(sent < 32 * 1024 * 1024, "the client read {sent} bytes");
}

#[tokio::test]
async fn a_stream_line_that_never_ends_fails_naming_the_limit() {
    for answer in [Answer::EndlessSseLine, Answer::EndlessSseEvent] {
        let answer = Arc::new(std::sync::Mutex::new(Some(answer)));
        let server = Server::start(move |_| answer.lock().unwrap().take().unwrap());
        let model = model(
            &server.url("/v1"),
            policy(json!([{"host": "127.0.0.1"}]), json!([])),
        );
        let mut stream = model.infer_stream(hi()).await.unwrap();
        let error = stream.next().await.unwrap().unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("longer than the limit of 4194304 bytes")
                && text.contains(&server.url("/v1/chat/completions")),
            "{text}"
        );
        assert!(stream.next().await.is_none());
        drop(stream);
        let sent = server.sent.load(Ordering::Relaxed);
        assert!(sent < MAX_BODY, "the client read {sent} bytes");
    }
}

#[tokio::test]
async fn health_says_ready_only_for_a_granted_endpoint_that_answers() {
    let server = Server::start(|_| Answer::Full {
        status: 404,
        headers: vec![],
        body: String::new(),
    });
    let granted = policy(json!([{"host": "127.0.0.1"}]), json!([]));
    assert_eq!(
        model(&server.url("/v1"), Arc::clone(&granted))
            .health()
            .await,
        Health::Ready
    );
    assert_eq!(server.requests()[0].method, "HEAD");

    let port = stopped_port();
    let stopped = model(&format!("http://127.0.0.1:{port}/v1"), Arc::clone(&granted));
    match stopped.health().await {
        Health::Unavailable { reason } => assert!(
            reason.contains(&format!("cannot reach 127.0.0.1:{port}")),
            "{reason}"
        ),
        other => panic!("a stopped server is {other:?}"),
    }

    let ungranted = policy(json!([{"host": "api.example.com"}]), json!([]));
    match model(&server.url("/v1"), ungranted).health().await {
        Health::Unavailable { reason } => assert!(
            reason.contains("network connect permission denied")
                && reason.contains(&format!("127.0.0.1:{}", server.addr.port())),
            "{reason}"
        ),
        other => panic!("an ungranted endpoint is {other:?}"),
    }
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn health_of_an_endpoint_that_fails_is_degraded() {
    let server = Server::start(|_| Answer::Full {
        status: 503,
        headers: vec![],
        body: String::new(),
    });
    let model = model(
        &server.url("/v1"),
        policy(json!([{"host": "127.0.0.1"}]), json!([])),
    );
    match model.health().await {
        Health::Degraded { reason } => assert!(reason.contains("503"), "{reason}"),
        other => panic!("{other:?}"),
    }
}
