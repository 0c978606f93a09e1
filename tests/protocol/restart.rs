//! The restart policy applied to a real extension process that keeps crashing.

use std::time::{Duration, Instant};

use serde_json::json;
use symphony_core::host::{CallError, Extension, Recovery, Supervisor, SupervisorError};
use symphony_core::lifecycle::{Backoff, RestartLimit, RestartPolicy, State};

use super::{echo_command, options};

/// The lifecycle steps of every start: spawn, handshake, `initialized`.
pub(super) const START: [State; 4] = [
    State::Loading,
    State::Loaded,
    State::Activating,
    State::Active,
];

fn supervise(policy: RestartPolicy) -> Supervisor {
    Supervisor::start(|| Extension::spawn(echo_command(), options()), policy)
        .expect("the echo extension starts")
}

/// Makes the extension exit with status 3 mid-request.
fn crash(supervisor: &Supervisor) {
    let error = supervisor
        .host()
        .call::<(), _>("crash", &json!([3, "crashing on purpose"]))
        .expect_err("crashed");
    assert!(matches!(error, CallError::Ended { .. }), "{error}");
}

#[test]
fn backoff_restarts_twice_with_growing_delays_then_gives_up() {
    let backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(5), 3.0)
        .expect("valid backoff");
    let limit = RestartLimit {
        max_restarts: Some(2),
        reset_after: None,
    };
    let supervisor = supervise(RestartPolicy::Backoff { backoff, limit });
    assert_eq!(supervisor.lifecycle().state(), State::Active);

    let mut delays = Vec::new();
    for expected in [1, 2] {
        let pid = supervisor.host().process_id();
        let started = Instant::now();
        crash(&supervisor);
        let recovery = supervisor.recover().expect("restarted");
        let Recovery::Restarted { after, restarts } = recovery else {
            panic!("expected a restart, got {recovery:?}")
        };
        assert_eq!(restarts, expected);
        assert!(started.elapsed() >= after, "restarted before its delay");
        assert_ne!(supervisor.host().process_id(), pid, "same process");
        let back: [u8; 1] = supervisor
            .host()
            .call("echo", &[expected as u8])
            .expect("works");
        assert_eq!(back, [expected as u8]);
        delays.push(after);
    }
    assert_eq!(
        delays,
        [Duration::from_millis(100), Duration::from_millis(300)]
    );

    crash(&supervisor);
    let error = supervisor.recover().expect_err("third crash: gives up");
    let SupervisorError::GaveUp { restarts, ended } = &error else {
        panic!("expected GaveUp, got {error}")
    };
    assert_eq!(*restarts, 2);
    assert!(ended.what.contains("exit status: 3"), "{error}");
    assert!(
        error.to_string().contains("gave up after 2 restart(s)"),
        "{error}"
    );
    assert!(supervisor.host().ended().is_some(), "not restarted");

    let lifecycle = supervisor.lifecycle();
    assert_eq!(lifecycle.state(), State::Failed);
    let states: Vec<State> = lifecycle.history().map(|t| t.to).collect();
    let start = START;
    let expected: Vec<State> = [
        &start[..],
        &[State::Failed],
        &start,
        &[State::Failed],
        &start,
    ]
    .concat()
    .into_iter()
    .chain([State::Failed])
    .collect();
    assert_eq!(states, expected);
    for failure in lifecycle.history().filter(|t| t.to == State::Failed) {
        let reason = failure.reason.as_deref().unwrap_or_default();
        assert!(reason.contains("exit status: 3"), "{reason}");
    }
}

#[test]
fn never_does_not_restart() {
    let supervisor = supervise(RestartPolicy::Never);
    assert_eq!(supervisor.recover().expect("running"), Recovery::Running);
    let pid = supervisor.host().process_id();
    crash(&supervisor);
    let error = supervisor.recover().expect_err("no restart");
    assert!(
        matches!(error, SupervisorError::GaveUp { restarts: 0, .. }),
        "{error}"
    );
    assert_eq!(supervisor.host().process_id(), pid);
    assert!(supervisor.host().ended().is_some());
    assert_eq!(supervisor.lifecycle().state(), State::Failed);
    assert_eq!(supervisor.restarts(), 0);
}
