//! A real extension process misbehaving: timeouts, hangs, crashes, panics, garbage, sizes.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use symphony_core::host::CallError;
use symphony_core::protocol::ErrorCode;

use super::{echo, options};

#[test]
fn timeout_cancels_and_the_extension_survives() {
    let host = echo(options());
    let started = Instant::now();
    let error = host
        .call_with_timeout::<u64, _>("sleep", &[30_000], Some(Duration::from_millis(200)))
        .expect_err("too slow");
    assert!(
        matches!(error, CallError::TimedOut { killed: false, .. }),
        "{error}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let back: Value = host.call("echo", &[2]).expect("still alive");
    assert_eq!(back, json!([2]));
    host.shutdown().expect("clean shutdown");
}

#[test]
fn hung_extension_is_killed_at_its_timeout() {
    let host = echo(options().with_cancel_grace(Duration::from_millis(300)));
    let pid = host.process_id();
    let started = Instant::now();
    let error = host
        .call_with_timeout::<u64, _>("hang", &[60_000], Some(Duration::from_millis(200)))
        .expect_err("hung");
    // The call ends at its deadline; the unacknowledged cancellation then gets the
    // extension killed as hung after the grace period.
    assert!(
        matches!(error, CallError::TimedOut { killed: false, .. }),
        "{error}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let ended = loop {
        if let Some(ended) = host.ended() {
            break ended;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "not killed");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(ended.what.contains("killed as hung"), "{ended}");
    #[cfg(target_os = "linux")]
    assert!(super::process_is_gone(pid.expect("pid")));
    let _ = pid;
    host.restart().expect("restart after the kill");
    let back: Value = host.call("echo", &[3]).expect("fresh extension");
    assert_eq!(back, json!([3]));
}

#[test]
fn crash_mid_request_fails_every_call_in_flight_with_status_and_stderr() {
    let host = echo(options());
    std::thread::scope(|scope| {
        let host = &host;
        let bystander = scope.spawn(move || host.call::<u64, _>("sleep", &[30_000]));
        std::thread::sleep(Duration::from_millis(100));
        let error = host
            .call::<Value, _>("crash", &json!([3, "fatal: the disk is on fire"]))
            .expect_err("crashed");
        for error in [error, bystander.join().expect("join").expect_err("crashed")] {
            let CallError::Ended { ended, .. } = &error else {
                panic!("not an ended error: {error}");
            };
            assert!(ended.what.contains("exit status: 3"), "{error}");
            assert_eq!(
                ended.stderr.last().map(String::as_str),
                Some("fatal: the disk is on fire")
            );
            assert!(error.to_string().contains("the disk is on fire"), "{error}");
        }
    });
    let error = host.call::<Value, _>("echo", &[1]).expect_err("still dead");
    assert!(matches!(error, CallError::Ended { .. }), "{error}");
}

#[test]
fn panic_in_a_handler_is_an_error_and_the_extension_keeps_serving() {
    let host = echo(options());
    let error = host.call::<Value, _>("panic", &()).expect_err("panicked");
    assert_eq!(error.code(), Some(ErrorCode::ExtensionFailed));
    assert!(error.to_string().contains("asked to panic"), "{error}");
    let back: Value = host.call("echo", &[4]).expect("still serving");
    assert_eq!(back, json!([4]));
    host.shutdown().expect("clean shutdown");
}

#[test]
fn garbage_from_the_extension_does_not_bring_the_host_down() {
    let host = echo(options());
    let answer: String = host
        .call("garbage", &())
        .expect("answered after the garbage");
    assert_eq!(answer, "sent garbage");
    let back: Value = host.call("echo", &[5]).expect("still talking");
    assert_eq!(back, json!([5]));
    host.shutdown().expect("clean shutdown");
}

#[test]
fn oversized_messages_fail_one_call_and_the_connection_stays_usable() {
    let host = echo(options().with_max_message_size(64 * 1024));
    // The extension knows the host's limit and refuses to send the big answer.
    let error = host
        .call::<String, _>("big", &[200_000])
        .expect_err("too big");
    assert_eq!(error.code(), Some(ErrorCode::MessageTooLarge), "{error}");
    assert!(error.to_string().contains("65536"), "{error}");
    // The host knows the extension's limit (16 MiB) and refuses to send a bigger request.
    let huge = "y".repeat(17 * 1024 * 1024);
    let error = host
        .call::<Value, _>("echo", &[huge])
        .expect_err("too big to send");
    assert!(matches!(error, CallError::Encode { .. }), "{error}");
    let small: String = host.call("big", &[10]).expect("small answers still work");
    assert_eq!(small.len(), 10);
    host.shutdown().expect("clean shutdown");
}
