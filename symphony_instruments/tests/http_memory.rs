//! Peak memory while a server sends an endless chunked body: the backend stops at its limit
//! instead of buffering what arrives. Its own test binary, so that the process's peak is
//! this test's.

mod server;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::json;
use server::{Answer, Server};
use symphony_instruments::http::HttpInstrument;
use symphony_instruments::permission::{Permissions, Policy};
use symphony_instruments::{InferenceInput, Instrument};

const MAX_BODY: u64 = 64 * 1024 * 1024;

/// The process's peak resident set (`VmHWM`), in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

#[tokio::test]
async fn an_endless_chunked_body_stops_at_the_limit_with_bounded_memory() {
    let server = Server::start(|_| Answer::EndlessChunked { status: 200 });
    let granted: Permissions =
        serde_json::from_value(json!({"network": [{"host": "127.0.0.1"}]})).unwrap();
    let policy = Arc::new(Policy::builder(&granted, &granted).build().unwrap());
    let model = HttpInstrument::new(
        &server.url("/v1"),
        "m",
        None,
        policy,
        Duration::from_secs(60),
    )
    .unwrap();
    let before = peak_rss();
    let error = model
        .infer(InferenceInput::Text("hi".into()))
        .await
        .unwrap_err();
    let peak = peak_rss();
    let text = error.to_string();
    assert!(
        text.contains(&format!("larger than the limit of {MAX_BODY} bytes"))
            && text.contains(&server.url("/v1/chat/completions")),
        "{text}"
    );
    let sent = server.sent.load(Ordering::Relaxed);
    eprintln!(
        "peak RSS {} MiB (before the call {} MiB); the server had sent {} MiB",
        peak >> 20,
        before >> 20,
        sent >> 20
    );
    // The body buffer (64 MiB, grown by doubling) and the connection's buffers; never what
    // the server keeps sending.
    assert!(
        peak - before < 3 * MAX_BODY,
        "peak grew by {} MiB",
        (peak - before) >> 20
    );
}
