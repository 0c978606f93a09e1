//! Calls to a real extension process: results, concurrency, pipelining, notifications.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use symphony_core::host::{CallError, PendingCall};
use symphony_core::permission::Permissions;
use symphony_core::protocol::{ErrorCode, LogParams, Notification, ProgressParams, method};

use super::{echo, options};

#[test]
fn echo_round_trips_values() {
    let host = echo(options());
    for value in [
        json!({}),
        json!([]),
        json!({"text": "naïve ☃ \n \"quoted\"", "n": -1.5e300, "deep": [[[{"a": null}]]]}),
        json!([true, false, null, 0, u64::MAX]),
    ] {
        let back: Value = host.call("echo", &value).expect("echo");
        assert_eq!(back, value);
    }
    let nothing: Value = host.call("echo", &()).expect("no params");
    assert_eq!(nothing, Value::Null);
    host.shutdown().expect("clean shutdown");
}

#[test]
fn concurrent_calls_from_many_threads_run_in_parallel() {
    let host = echo(options());
    // Four 300 ms sleeps finish together if the extension runs them at once (concurrency 4).
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..4 {
            let host = &host;
            scope.spawn(move || {
                let slept: u64 = host.call("sleep", &[300]).expect("sleep");
                assert_eq!(slept, 300);
            });
        }
        for t in 0..4 {
            let host = &host;
            scope.spawn(move || {
                for i in 0..100 {
                    let back: Value = host.call("echo", &json!([t, i])).expect("echo");
                    assert_eq!(back, json!([t, i]));
                }
            });
        }
    });
    assert!(
        started.elapsed() < Duration::from_millis(1100),
        "sleeps did not overlap: {:?}",
        started.elapsed()
    );
    host.shutdown().expect("clean shutdown");
}

#[test]
fn pipelined_calls_from_one_thread() {
    let host = echo(options());
    // Far more than a pipe holds, so the host must read answers while it still sends.
    let payload = "p".repeat(1000);
    let calls: Vec<PendingCall> = (0..3000)
        .map(|i| host.start("echo", &json!([i, payload])).expect("send"))
        .collect();
    for (i, call) in calls.into_iter().enumerate() {
        let (n, text): (usize, String) = call.wait().expect("answer");
        assert_eq!((n, text.len()), (i, 1000));
    }
    host.shutdown().expect("clean shutdown");
}

#[test]
fn progress_and_log_notifications_reach_the_host() {
    let seen: Arc<Mutex<Vec<Notification>>> = Arc::default();
    let sink = Arc::clone(&seen);
    let host = echo(options().on_notification(move |n: &Notification| {
        sink.lock().expect("lock").push(n.clone());
    }));
    let steps: u32 = host.call("progress", &[3]).expect("progress");
    assert_eq!(steps, 3);
    let logged: String = host.call("log", &["hello from the test"]).expect("log");
    assert_eq!(logged, "logged");
    let seen = seen.lock().expect("lock").clone();
    let progress: Vec<Value> = seen
        .iter()
        .filter(|n| n.method == method::PROGRESS)
        .map(|n| {
            n.params_as::<ProgressParams>()
                .expect("progress params")
                .value
        })
        .collect();
    assert_eq!(
        progress,
        vec![json!({"step": 1}), json!({"step": 2}), json!({"step": 3})]
    );
    let log = seen
        .iter()
        .find(|n| n.method == method::LOG)
        .expect("a $/log notification")
        .params_as::<LogParams>()
        .expect("log params");
    assert!(log.message.contains("hello from the test"), "{log:?}");
    // Logs also went to stderr, never to stdout; stderr is drained asynchronously.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !host
        .stderr_tail()
        .iter()
        .any(|line| line.contains("hello from the test"))
    {
        assert!(Instant::now() < deadline, "{:?}", host.stderr_tail());
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn permission_is_checked_against_the_grants() {
    let denied = echo(options());
    let error = denied
        .call::<Option<String>, _>("env/get", &["PATH"])
        .expect_err("not granted");
    assert_eq!(error.code(), Some(ErrorCode::PermissionDenied));
    assert!(
        error.to_string().contains("`env` access to `PATH`"),
        "{error}"
    );

    let grants = Permissions {
        env: vec!["PATH".into()],
        ..Permissions::default()
    };
    let allowed = echo(options().with_grants(grants));
    let path: Option<String> = allowed.call("env/get", &["PATH"]).expect("granted");
    assert!(path.is_some());
}

#[test]
fn cancel_stops_a_slow_request() {
    let host = echo(options());
    let call = host.start("sleep", &[30_000]).expect("send");
    std::thread::sleep(Duration::from_millis(50));
    let started = Instant::now();
    call.cancel();
    assert!(matches!(
        call.wait::<u64>(),
        Err(CallError::Cancelled { .. })
    ));
    assert!(started.elapsed() < Duration::from_secs(5));
    let back: Value = host.call("echo", &[1]).expect("still serving");
    assert_eq!(back, json!([1]));
    host.shutdown().expect("clean shutdown");
}
