//! The serve loops confine the whole extension process, or refuse the sandbox: handlers on
//! every thread a loop uses (tokio workers, tokio's blocking pool, the blocking loop's pool)
//! are held to the grant, a thread that exists before the sandbox makes `initialize` fail
//! with `SandboxUnavailable`, and the host sees what is enforced in the `initialize` result.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;

use serde_json::{Value, json};
use symphony_core::host::{Extension, ExtensionOptions, HostError};
use symphony_core::permission::{FsAccess, FsRule, NetworkRule, Permissions};
use symphony_core::protocol::{ErrorCode, SandboxEnforcement};
use symphony_core::testing::landlock_or_skip;
use symphony_instruments::methods::{self, InferParams};
use symphony_instruments::{InferenceInput, InferenceOutput};
use tempfile::TempDir;

/// A workspace with a granted `data/` and an ungranted file beside it.
struct Workspace {
    _dir: TempDir,
    root: PathBuf,
}

impl Workspace {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().canonicalize().expect("canonical temp dir");
        std::fs::create_dir_all(root.join("data")).expect("data dir");
        std::fs::write(root.join("data/in.csv"), "a\n1\n").expect("granted file");
        std::fs::write(root.join("notes.txt"), "not granted").expect("ungranted file");
        Workspace { _dir: dir, root }
    }

    fn path(&self, rel: &str) -> String {
        self.root.join(rel).display().to_string()
    }

    /// Reading `data/**`, nothing else; the sandbox asked for.
    fn options(&self) -> ExtensionOptions {
        ExtensionOptions::default()
            .with_workspace_root(&self.root)
            .with_grants(Permissions {
                filesystem: vec![FsRule {
                    path: "data/**".into(),
                    access: vec![FsAccess::Read],
                }],
                ..Permissions::default()
            })
            .with_sandbox(true)
    }
}

fn probe(loop_: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sandbox-probe"));
    command.args(["serve", loop_]);
    command
}

fn refused(started: Result<Extension, HostError>) -> String {
    match started {
        Err(HostError::Handshake { source, .. }) => {
            assert_eq!(
                source.code(),
                Some(ErrorCode::SandboxUnavailable),
                "{source}"
            );
            source.to_string()
        }
        Err(other) => panic!("expected a refused handshake, got {other}"),
        Ok(_) => panic!("the handshake succeeded, though the process cannot be confined"),
    }
}

/// The operations every probe tries: two reads outside the grant, one inside, a TCP connect.
fn ops(ws: &Workspace, tcp: &str) -> Value {
    json!({ "ops": [
        ["read", "/etc/passwd"],
        ["read", ws.path("notes.txt")],
        ["read", ws.path("data/in.csv")],
        ["tcp", tcp],
    ]})
}

fn ok() -> Value {
    json!({ "ok": true })
}

fn denied() -> Value {
    json!({ "ok": false, "errno": 13 }) // EACCES
}

#[test]
fn an_instruments_tokio_workers_and_blocking_pool_are_confined() {
    let Some(abi) = landlock_or_skip() else {
        return;
    };
    let ws = Workspace::new();
    let listener = TcpListener::bind("127.0.0.1:0").expect("listen");
    let tcp = listener.local_addr().expect("address").to_string();
    let host = Extension::spawn(
        probe("instrument"),
        ws.options()
            .with_required_sandbox(SandboxEnforcement::required(true, abi >= 4)),
    )
    .expect("the instrument confines itself");
    let reported = host.initialize_result().sandbox.clone().expect("a report");
    assert_eq!(
        (reported.abi, reported.filesystem, reported.network),
        (abi, true, abi >= 4),
        "{reported:?}"
    );

    let input = InferenceInput::Text(ops(&ws, &tcp).to_string());
    let answer = host
        .request::<methods::Infer>(&InferParams::new(input))
        .expect("infer");
    let InferenceOutput::Text(text) = &answer.output else {
        panic!("expected text, got {answer:?}");
    };
    let outcomes: Value = serde_json::from_str(text).expect("JSON outcomes");
    let tcp_outcome = if abi >= 4 { denied() } else { ok() };
    for thread in ["worker", "blocking"] {
        assert_eq!(
            outcomes[thread],
            json!([denied(), denied(), ok(), tcp_outcome]),
            "on a tokio {thread} thread: {outcomes}"
        );
    }
    host.shutdown().expect("clean shutdown");
}

#[test]
fn an_instrument_served_inside_a_running_runtime_refuses_the_sandbox() {
    let Some(abi) = landlock_or_skip() else {
        return;
    };
    let why = refused(Extension::spawn(
        probe("instrument-in-runtime"),
        Workspace::new().options(),
    ));
    if abi < 8 {
        assert!(
            why.contains("threads are running") && why.contains("nothing was restricted"),
            "{why}"
        );
    }
}

#[test]
fn the_blocking_loops_handler_threads_are_confined() {
    let Some(abi) = landlock_or_skip() else {
        return;
    };
    let ws = Workspace::new();
    let listener = TcpListener::bind("127.0.0.1:0").expect("listen");
    let tcp = listener.local_addr().expect("address").to_string();
    let host = Extension::spawn(probe("core"), ws.options()).expect("the handler confines itself");
    let ops = ops(&ws, &tcp).to_string();
    // Several at once, so that the pool starts threads after the sandbox.
    let answers: Vec<Value> = std::thread::scope(|scope| {
        let calls: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| host.call::<Value, _>("probe", &[&ops]).expect("probe")))
            .collect();
        calls
            .into_iter()
            .map(|call| call.join().expect("call"))
            .collect()
    });
    let tcp_outcome = if abi >= 4 { denied() } else { ok() };
    for answer in answers {
        assert_eq!(
            answer["handler"],
            json!([denied(), denied(), ok(), tcp_outcome]),
            "{answer}"
        );
    }
    host.shutdown().expect("clean shutdown");
}

#[test]
fn a_thread_started_before_the_blocking_loop_makes_it_refuse_the_sandbox() {
    let Some(abi) = landlock_or_skip() else {
        return;
    };
    let why = refused(Extension::spawn(
        probe("core-early-thread"),
        Workspace::new().options(),
    ));
    if abi < 8 {
        assert!(why.contains("2 threads are running"), "{why}");
    }
}

#[test]
fn the_host_refuses_an_extension_that_enforces_less_than_it_requires() {
    let Some(abi) = landlock_or_skip() else {
        return;
    };
    // A network grant leaves TCP to the SDK's check: the report says `network: false`.
    let ws = Workspace::new();
    let mut options = ws.options();
    options.grants.network = vec![NetworkRule {
        host: "127.0.0.1".into(),
        ports: vec![],
    }];
    let started = Extension::spawn(
        probe("core"),
        options
            .clone()
            .with_required_sandbox(SandboxEnforcement::required(true, true)),
    );
    match started {
        Err(HostError::SandboxInsufficient {
            required, reported, ..
        }) => {
            assert!(required.network);
            let reported = reported.expect("a report");
            assert!(reported.filesystem && !reported.network, "{reported:?}");
            assert_eq!(reported.abi, abi);
        }
        Err(other) => panic!("expected SandboxInsufficient, got {other}"),
        Ok(_) => panic!("the host accepted less confinement than it required"),
    }
    // What it does enforce is enough for a host that requires only the filesystem.
    let host = Extension::spawn(
        probe("core"),
        options.with_required_sandbox(SandboxEnforcement::required(true, false)),
    )
    .expect("filesystem confinement is enough");
    host.shutdown().expect("clean shutdown");
}
