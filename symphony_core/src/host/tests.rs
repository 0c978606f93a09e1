//! The host against in-process extensions (child processes are covered by the workspace
//! integration tests).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::manifest::Manifest;

use super::*;
use crate::protocol::{Capabilities, ErrorCode, ErrorObject, Notification, ProgressParams};
use crate::serve::{Call, reply};

struct Worker {
    handled: AtomicUsize,
}

impl Handler for Worker {
    fn manifest(&self) -> &Manifest {
        static MANIFEST: LazyLock<Manifest> = LazyLock::new(|| {
            crate::testing::manifest("test.worker", "[config.mode]\ntype = \"string\"\n")
        });
        &MANIFEST
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::new(["echo", "progress", "sleep", "hang", "fail"])
    }

    fn initialize(&self, context: &crate::serve::Context) -> Result<(), ErrorObject> {
        match context.params().config.get("mode") {
            Some(Value::String(mode)) if mode == "broken" => Err(ErrorObject::new(
                ErrorCode::InvalidConfig,
                "config `mode` = \"broken\" is not supported",
            )),
            _ => Ok(()),
        }
    }

    fn handle(&self, call: &Call<'_>) -> Result<Box<RawValue>, ErrorObject> {
        self.handled.fetch_add(1, Ordering::Relaxed);
        match call.method() {
            "echo" => Ok(call
                .raw_params()
                .map(ToOwned::to_owned)
                .unwrap_or(reply(&())?)),
            "progress" => {
                for step in 0..3 {
                    let _ = call.peer().progress(&Id::from("job"), &step);
                }
                reply("done")
            }
            "sleep" => {
                let [ms]: [u64; 1] = call.params()?;
                let until = Instant::now() + Duration::from_millis(ms);
                while Instant::now() < until {
                    call.check_cancelled()?;
                    thread::sleep(Duration::from_millis(2));
                }
                reply(&ms)
            }
            "hang" => {
                // Ignores cancellation, like a stuck extension.
                thread::sleep(Duration::from_millis(1500));
                reply("woke up")
            }
            "fail" => Err(ErrorObject::new(
                ErrorCode::InvalidInput,
                "`fail` always fails",
            )),
            other => Err(ErrorObject::method_not_found(other)),
        }
    }

    fn concurrency(&self) -> usize {
        4
    }
}

fn worker() -> Worker {
    Worker {
        handled: AtomicUsize::new(0),
    }
}

#[test]
fn calls_results_and_remote_errors() {
    let host = Extension::in_process(worker(), ExtensionOptions::default()).expect("start");
    assert_eq!(host.initialize_result().capabilities.concurrency, 4);
    let echoed: Value = host.call("echo", &json!({"x": [1, 2]})).expect("echo");
    assert_eq!(echoed, json!({"x": [1, 2]}));
    let error = host.call::<Value, _>("fail", &()).expect_err("fails");
    assert_eq!(error.code(), Some(ErrorCode::InvalidInput));
    assert!(error.to_string().contains("`fail` always fails"), "{error}");
    let error = host.call::<Value, _>("missing", &()).expect_err("unknown");
    assert_eq!(error.code(), Some(ErrorCode::MethodNotFound));
    let error = host
        .call::<u64, _>("echo", &["text"])
        .expect_err("wrong type");
    assert!(matches!(error, CallError::Decode { .. }), "{error}");
    host.shutdown().expect("clean shutdown");
}

#[test]
fn many_threads_call_at_once_and_each_gets_its_own_answer() {
    let host = Extension::in_process(worker(), ExtensionOptions::default()).expect("start");
    thread::scope(|scope| {
        for t in 0..6 {
            let host = &host;
            scope.spawn(move || {
                for i in 0..200 {
                    let sent = json!([t, i]);
                    let back: Value = host.call("echo", &sent).expect("echo");
                    assert_eq!(back, sent);
                }
            });
        }
    });
    host.shutdown().expect("clean shutdown");
}

#[test]
fn pipelined_calls_from_one_thread() {
    let host = Extension::in_process(worker(), ExtensionOptions::default()).expect("start");
    let calls: Vec<PendingCall> = (0..2000)
        .map(|i| host.start("echo", &[i]).expect("send"))
        .collect();
    for (i, call) in calls.into_iter().enumerate() {
        let [back]: [usize; 1] = call.wait().expect("answer");
        assert_eq!(back, i);
    }
    host.shutdown().expect("clean shutdown");
}

#[test]
fn batched_calls_are_written_together_and_answered_in_order() {
    let host = Extension::in_process(worker(), ExtensionOptions::default()).expect("start");
    let mut batch = host.batch();
    let payload = "b".repeat(500);
    let calls: Vec<PendingCall> = (0..1000)
        .map(|i| batch.start("echo", &json!([i, payload])).expect("queue"))
        .collect();
    let unknown = batch.start("missing", &()).expect("queue");
    batch.send();
    assert_eq!(
        unknown.wait::<Value>().expect_err("unknown").code(),
        Some(ErrorCode::MethodNotFound)
    );
    for (i, call) in calls.into_iter().enumerate() {
        let (n, text): (usize, String) = call.wait().expect("answer");
        assert_eq!((n, text.len()), (i, 500));
    }
    host.shutdown().expect("clean shutdown");
}

#[test]
fn notifications_reach_the_callback_before_the_answer() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let options = ExtensionOptions::default().on_notification(move |n: &Notification| {
        if let Ok(progress) = n.params_as::<ProgressParams>() {
            sink.lock().expect("lock").push(progress.value);
        }
    });
    let host = Extension::in_process(worker(), options).expect("start");
    let done: String = host.call("progress", &()).expect("progress");
    assert_eq!(done, "done");
    assert_eq!(
        *seen.lock().expect("lock"),
        vec![json!(0), json!(1), json!(2)]
    );
}

#[test]
fn cancel_and_timeout() {
    let options = ExtensionOptions::default()
        .with_request_timeout(Some(Duration::from_millis(100)))
        .with_cancel_grace(Duration::from_millis(300));
    let host = Extension::in_process(worker(), options).expect("start");

    let call = host.start("sleep", &[5000]).expect("send");
    thread::sleep(Duration::from_millis(20));
    call.cancel();
    assert!(matches!(
        call.wait::<u64>(),
        Err(CallError::Cancelled { .. })
    ));

    // A cooperative handler stops at the deadline: the call times out, the extension lives.
    let started = Instant::now();
    let error = host.call::<u64, _>("sleep", &[5000]).expect_err("too slow");
    assert!(
        matches!(error, CallError::TimedOut { killed: false, .. }),
        "{error}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    let fine: u64 = host.call("sleep", &[1]).expect("still alive");
    assert_eq!(fine, 1);

    // A handler that ignores cancellation is hung: killed after the grace period.
    let error = host.call::<String, _>("hang", &()).expect_err("hung");
    assert!(
        matches!(error, CallError::TimedOut { killed: true, .. }),
        "{error}"
    );
    let error = host.call::<Value, _>("echo", &[1]).expect_err("dead");
    assert!(error.to_string().contains("killed as hung"), "{error}");
    assert!(host.ended().is_some());

    host.restart().expect("restart");
    let back: Value = host.call("echo", &[1]).expect("fresh extension");
    assert_eq!(back, json!([1]));
}

#[test]
fn handshake_rejection_is_reported() {
    let options = ExtensionOptions::default().with_config("mode", json!("broken"));
    let error = Extension::in_process(worker(), options).expect_err("rejected");
    let text = error.to_string();
    assert!(
        text.contains("failed the handshake") && text.contains("broken"),
        "{text}"
    );

    let options = ExtensionOptions::default().with_sandbox(true);
    let error = Extension::in_process(worker(), options).expect_err("no sandbox");
    assert!(error.to_string().contains("sandbox"), "{error}");
}

#[test]
fn direct_extension_has_the_same_behaviour_without_a_transport() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let options = ExtensionOptions::default()
        .with_request_timeout(Some(Duration::from_millis(100)))
        .on_notification(move |n: &Notification| sink.lock().expect("lock").push(n.method.clone()));
    let host = Extension::direct(worker(), options).expect("embed");
    assert_eq!(
        host.initialize_result().manifest.id().as_str(),
        "test.worker"
    );
    assert_eq!(host.process_id(), None);

    let echoed: Value = host.call("echo", &json!({"x": 1})).expect("echo");
    assert_eq!(echoed, json!({"x": 1}));
    let error = host.call::<Value, _>("fail", &()).expect_err("fails");
    assert_eq!(error.code(), Some(ErrorCode::InvalidInput));
    let done: String = host.call("progress", &()).expect("progress");
    assert_eq!(done, "done");
    assert_eq!(seen.lock().expect("lock").len(), 3);

    // The time limit is a deadline on the cancellation token.
    let error = host.call::<u64, _>("sleep", &[5000]).expect_err("too slow");
    assert!(
        matches!(error, CallError::TimedOut { killed: false, .. }),
        "{error}"
    );

    let mut batch = host.batch();
    let calls: Vec<PendingCall> = (0..10)
        .map(|i| batch.start("echo", &[i]).expect("run"))
        .collect();
    batch.send();
    for (i, call) in calls.into_iter().enumerate() {
        assert_eq!(call.wait::<[usize; 1]>().expect("answer"), [i]);
    }

    host.restart().expect("restart");
    let back: Value = host.call("echo", &[2]).expect("after restart");
    assert_eq!(back, json!([2]));
    host.shutdown().expect("shutdown");
}

#[test]
fn direct_panics_are_errors_and_concurrency_is_bounded() {
    struct Gate {
        running: AtomicUsize,
        most: AtomicUsize,
    }
    impl Handler for Gate {
        fn manifest(&self) -> &Manifest {
            static MANIFEST: LazyLock<Manifest> =
                LazyLock::new(|| crate::testing::manifest("test.gate", ""));
            &MANIFEST
        }
        fn handle(&self, call: &Call<'_>) -> Result<Box<RawValue>, ErrorObject> {
            if call.method() == "panic" {
                panic!("gate panicked");
            }
            let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
            self.most.fetch_max(now, Ordering::SeqCst);
            thread::sleep(Duration::from_millis(5));
            self.running.fetch_sub(1, Ordering::SeqCst);
            reply(&now)
        }
        fn concurrency(&self) -> usize {
            2
        }
    }
    let gate = Arc::new(Gate {
        running: AtomicUsize::new(0),
        most: AtomicUsize::new(0),
    });
    let host = Extension::direct(Arc::clone(&gate), ExtensionOptions::default()).expect("embed");
    let error = host.call::<Value, _>("panic", &()).expect_err("panicked");
    assert_eq!(error.code(), Some(ErrorCode::ExtensionFailed));
    assert!(error.to_string().contains("gate panicked"), "{error}");
    thread::scope(|scope| {
        for _ in 0..6 {
            let host = &host;
            scope.spawn(move || {
                for _ in 0..5 {
                    host.call::<usize, _>("work", &()).expect("work");
                }
            });
        }
    });
    assert_eq!(gate.most.load(Ordering::SeqCst), 2);

    let options = ExtensionOptions::default().with_sandbox(true);
    let error = Extension::direct(worker(), options).expect_err("cannot sandbox");
    assert!(error.to_string().contains("cannot be sandboxed"), "{error}");
}
