//! The `csv-cleaner` example extension as a real child process, through the core host.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use symphony_core::host::{CallError, Host, HostOptions};
use symphony_core::permission::Permissions;
use symphony_core::protocol::{ErrorCode, Notification, ProgressParams, method};
use symphony_tests::extension::example_command;

/// A workspace with `data/` (readable) and `out/` (writable), granted as the manifest asks.
struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("data")).expect("data");
        std::fs::create_dir(dir.path().join("out")).expect("out");
        std::fs::write(
            dir.path().join("data/people.csv"),
            "name,email\nada,ada@example.com\nalan,alan@turing.org\ngrace,grace@example.com\n",
        )
        .expect("write");
        Self { dir }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn host(&self, notifications: Arc<Mutex<Vec<Notification>>>) -> Host {
        Host::spawn(example_command("csv-cleaner"), self.options(notifications))
            .expect("the csv-cleaner extension starts")
    }

    fn options(&self, notifications: Arc<Mutex<Vec<Notification>>>) -> HostOptions {
        let grants: Permissions = serde_json::from_value(json!({
            "filesystem": [
                { "path": "data/**", "access": ["read"] },
                // Replacing a file by rename needs `delete` under Landlock.
                { "path": "out/**", "access": ["read", "write", "delete"] },
            ]
        }))
        .expect("grants");
        HostOptions::default()
            .with_grants(grants)
            .with_workspace_root(self.dir.path())
            .with_request_timeout(Some(Duration::from_secs(30)))
            .with_handshake_timeout(Duration::from_secs(30))
            .on_notification(move |n: &Notification| {
                notifications.lock().expect("lock").push(n.clone())
            })
    }
}

fn remote(error: CallError) -> (Option<ErrorCode>, String) {
    match error {
        CallError::Remote { error, .. } => (error.kind(), error.message),
        other => panic!("expected an error from the extension, got {other}"),
    }
}

#[test]
fn lists_its_operators_and_runs_one_on_inline_records() {
    let workspace = Workspace::new();
    let host = workspace.host(Arc::default());
    assert_eq!(
        host.initialize_result().manifest.id().as_str(),
        "symphony.csv-cleaner"
    );
    let list: Value = host.call("operator/list", &json!({})).expect("list");
    let names: Vec<&str> = list["operators"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|op| op["name"].as_str())
        .collect();
    assert!(
        names.contains(&"cleaner.clean") && names.contains(&"regex.filter"),
        "{names:?}"
    );
    let filter = list["operators"]
        .as_array()
        .expect("array")
        .iter()
        .find(|op| op["name"] == "regex.filter")
        .expect("filter");
    assert_eq!(filter["category"], "filter");
    assert_eq!(filter["params"]["properties"]["pattern"]["type"], "string");

    let result: Value = host
        .call(
            "operator/run",
            &json!({
                "operator": "regex.filter",
                "params": { "pattern": "example\\.com$", "column": "email" },
                "inputs": { "records": [
                    { "name": "ada", "email": "ada@example.com" },
                    { "name": "alan", "email": "alan@turing.org" },
                ]},
            }),
        )
        .expect("run");
    assert_eq!(
        result["outputs"]["records"],
        json!([{ "name": "ada", "email": "ada@example.com" }])
    );
    assert_eq!(
        result["outputs"]["rejected"],
        json!([{ "name": "alan", "email": "alan@turing.org" }])
    );
    host.shutdown().expect("clean shutdown");
}

#[test]
fn cleans_a_file_inside_its_grants_with_progress() {
    let workspace = Workspace::new();
    let notifications: Arc<Mutex<Vec<Notification>>> = Arc::default();
    let host = workspace.host(Arc::clone(&notifications));
    let result: Value = host
        .call(
            "operator/run",
            &json!({
                "operator": "cleaner.clean",
                "params": {
                    "input": workspace.path("data/people.csv"),
                    "output": workspace.path("out/clean.csv"),
                    "column": "email",
                    "keep": "example\\.com$",
                    "extract": "^(?P<user>[^@]+)@",
                },
            }),
        )
        .expect("clean");
    assert_eq!(
        std::fs::read_to_string(workspace.path("out/clean.csv")).expect("output"),
        "name,email,user\nada,ada@example.com,ada\ngrace,grace@example.com,grace\n"
    );
    let written = result["outputs"]["file"][0].as_str().expect("path");
    assert!(written.ends_with("out/clean.csv"), "{written}");
    host.shutdown().expect("clean shutdown");
    let progress = notifications
        .lock()
        .expect("lock")
        .iter()
        .filter(|n| n.method == method::PROGRESS)
        .map(|n| n.params_as::<ProgressParams>().expect("progress").value)
        .collect::<Vec<_>>();
    // The first progress of a request is never held back: here the cleaner's inner reader.
    assert_eq!(
        progress.first(),
        Some(&json!({ "node": "read", "port": "records", "items": 3 })),
        "{progress:?}"
    );
}

#[test]
fn writes_outside_the_grants_are_refused_and_nothing_is_written() {
    let workspace = Workspace::new();
    let host = workspace.host(Arc::default());
    for output in ["data/clean.csv", "out/../clean.csv"] {
        let error = host
            .call::<Value, _>("operator/workflow", &json!({
                "nodes": [
                    { "name": "read", "operator": "csv.read", "params": { "path": workspace.path("data/people.csv") } },
                    { "name": "write", "operator": "csv.write", "params": { "path": workspace.path(output) } },
                ],
                "connections": [["read", "write"]],
            }))
            .unwrap_err();
        let (code, message) = remote(error);
        assert_eq!(code, Some(ErrorCode::PermissionDenied), "{message}");
        assert!(
            message.starts_with("node `write` failed: filesystem write permission denied"),
            "{message}"
        );
    }
    assert!(!workspace.path("data/clean.csv").exists());
    assert!(!workspace.path("clean.csv").exists());
    let error = host
        .call::<Value, _>(
            "operator/run",
            &json!({
                "operator": "csv.read", "params": { "path": workspace.path("../outside.csv") },
            }),
        )
        .unwrap_err();
    let (_, message) = remote(error);
    assert!(message.contains("outside.csv"), "{message}");
    host.shutdown().expect("clean shutdown");
}

/// A read the grants refuse, deep inside the cleaner's own workflow (operator → workflow →
/// node → file helper), reaches the host as "permission denied" naming the permission and
/// the file, in the message and in `data`; so does one refused in a host-built DAG.
#[test]
fn a_refused_read_inside_the_cleaner_reaches_the_host_as_permission_denied() {
    let workspace = Workspace::new();
    std::fs::create_dir(workspace.path("private")).expect("private");
    let secret = workspace.path("private/people.csv");
    std::fs::write(
        &secret,
        "name,email
ada,ada@example.com
",
    )
    .expect("write");
    let host = workspace.host(Arc::default());
    let cleaner = json!({
        "operator": "cleaner.clean",
        "params": {
            "input": secret,
            "output": workspace.path("out/clean.csv"),
            "column": "email",
            "keep": "example",
        },
    });
    let dag = json!({
        "nodes": [
            { "name": "read", "operator": "csv.read", "params": { "path": secret } },
            { "name": "keep", "operator": "regex.filter", "params": { "pattern": "a", "column": "name" } },
            { "name": "drop", "operator": "regex.filter", "params": { "pattern": "b", "column": "name" } },
            { "name": "kept", "operator": "csv.write", "params": { "path": workspace.path("out/kept.csv") } },
            { "name": "dropped", "operator": "csv.write", "params": { "path": workspace.path("out/dropped.csv") } },
        ],
        "connections": [["read", "keep"], ["read", "drop"], ["keep.records", "kept"], ["drop.records", "dropped"]],
    });
    for (method, params) in [("operator/run", cleaner), ("operator/workflow", dag)] {
        let error = match host.call::<Value, _>(method, &params).unwrap_err() {
            CallError::Remote { error, .. } => error,
            other => panic!("expected an error from the extension, got {other}"),
        };
        assert_eq!(
            error.kind(),
            Some(ErrorCode::PermissionDenied),
            "{method}: {}",
            error.message
        );
        let resource = secret.display().to_string();
        assert!(
            error.message.contains("filesystem read permission denied")
                && error.message.contains(&resource),
            "{method}: {}",
            error.message
        );
        assert_eq!(
            error.data,
            Some(json!({ "permission": "filesystem", "access": "read", "resource": resource })),
            "{method}: {}",
            error.message
        );
    }
    assert_eq!(
        std::fs::read_dir(workspace.path("out"))
            .expect("list")
            .count(),
        0,
        "nothing is written"
    );
    host.shutdown().expect("clean shutdown");
}

#[test]
fn bad_requests_say_what_and_where() {
    let workspace = Workspace::new();
    let host = workspace.host(Arc::default());
    let error = host
        .call::<Value, _>("operator/run", &json!({
            "operator": "regex.filter", "params": { "pattern": "(unclosed" }, "inputs": { "records": [] },
        }))
        .unwrap_err();
    let (code, message) = remote(error);
    assert_eq!(code, Some(ErrorCode::InvalidParams));
    assert!(
        message.starts_with(
            "node `operator` (regex.filter): parameter `pattern`: invalid regular expression"
        ),
        "{message}"
    );

    let error = host
        .call::<Value, _>(
            "operator/workflow",
            &json!({
                "nodes": [
                    { "name": "read", "operator": "csv.read", "params": { "path": "x.csv" } },
                    { "name": "lines", "operator": "json.write", "params": { "path": "y.json" } },
                ],
                "connections": [["read", "lines"]],
            }),
        )
        .unwrap_err();
    let (_, message) = remote(error);
    assert_eq!(
        message,
        "cannot connect `read.records` (records) to `lines.json` (json): the port types differ"
    );

    let error = host
        .call::<Value, _>("operator/run", &json!({ "operator": "nope" }))
        .unwrap_err();
    let (code, message) = remote(error);
    assert_eq!(code, Some(ErrorCode::InvalidParams));
    assert!(
        message.starts_with(
            "invalid params: unknown operator `nope`; this extension has: cleaner.clean, columns.rename"
        ),
        "{message}"
    );
    host.shutdown().expect("clean shutdown");
}

#[test]
fn cancelling_a_run_stops_it_without_output() {
    let workspace = Workspace::new();
    let mut big = String::from("name,email\n");
    for i in 0..400_000 {
        big.push_str(&format!("user{i},user{i}@example.com\n"));
    }
    std::fs::write(workspace.path("data/big.csv"), big).expect("write");
    let notifications: Arc<Mutex<Vec<Notification>>> = Arc::default();
    let host = workspace.host(Arc::clone(&notifications));
    let call = host
        .start(
            "operator/run",
            &json!({
                "operator": "cleaner.clean",
                "params": {
                    "input": workspace.path("data/big.csv"),
                    "output": workspace.path("out/big.csv"),
                    "column": "email",
                    "keep": "example",
                },
            }),
        )
        .expect("send");
    // Cancel once the run is visibly under way.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !notifications
        .lock()
        .expect("lock")
        .iter()
        .any(|n| n.method == method::PROGRESS)
    {
        assert!(
            std::time::Instant::now() < deadline,
            "no progress before the deadline"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    call.cancel();
    match call.wait::<Value>() {
        Err(CallError::Cancelled { .. }) => {}
        Err(CallError::Remote { error, .. }) => assert_eq!(
            error.kind(),
            Some(ErrorCode::Cancelled),
            "{}",
            error.message
        ),
        other => panic!("expected a cancelled run, got {other:?}"),
    }
    assert_eq!(
        std::fs::read_dir(workspace.path("out"))
            .expect("list")
            .count(),
        0,
        "no output, no temporary file"
    );
    // The extension keeps serving after a cancelled run.
    let list: Value = host.call("operator/list", &json!({})).expect("list");
    assert!(list["operators"].is_array());
    host.shutdown().expect("clean shutdown");
}

#[cfg(target_os = "linux")]
#[test]
fn sandboxed_extension_still_cleans_within_its_grants() {
    use symphony_core::sandbox::{LandlockSupport, landlock_support};
    let workspace = Workspace::new();
    let options = workspace.options(Arc::default()).with_sandbox(true);
    let started = Host::spawn(example_command("csv-cleaner"), options);
    let host = match (landlock_support(), started) {
        (LandlockSupport::Available { .. }, Ok(host)) => host,
        (LandlockSupport::Unavailable(_), Err(error)) => {
            // Without Landlock the handshake must fail rather than run unconfined.
            assert!(
                error.to_string().to_lowercase().contains("sandbox"),
                "{error}"
            );
            // The kernel part did not run: that fails unless SYMPHONY_SKIP_LANDLOCK says why.
            assert!(symphony_core::testing::landlock_or_skip().is_none());
            return;
        }
        (support, result) => panic!("Landlock {support:?}, but spawning gave {:?}", result.err()),
    };
    let _: Value = host
        .call(
            "operator/run",
            &json!({
                "operator": "cleaner.clean",
                "params": {
                    "input": workspace.path("data/people.csv"),
                    "output": workspace.path("out/clean.csv"),
                    "column": "email",
                    "keep": "turing",
                },
            }),
        )
        .expect("atomic write inside the granted directory works under Landlock");
    assert_eq!(
        std::fs::read_to_string(workspace.path("out/clean.csv")).expect("output"),
        "name,email\nalan,alan@turing.org\n"
    );
    host.shutdown().expect("clean shutdown");
}

#[cfg(target_os = "linux")]
#[test]
fn a_rename_that_cannot_be_made_durable_is_reported_not_dropped() {
    if symphony_core::testing::landlock_or_skip().is_none() {
        return;
    }
    let workspace = Workspace::new();
    // Write and delete in `out/`, but not read: under Landlock the directory cannot be opened
    // to sync it after the rename.
    let grants: Permissions = serde_json::from_value(json!({
        "filesystem": [
            { "path": "data/**", "access": ["read"] },
            { "path": "out/**", "access": ["write", "delete"] },
        ]
    }))
    .expect("grants");
    let options = workspace
        .options(Arc::default())
        .with_grants(grants)
        .with_sandbox(true);
    let host = Host::spawn(example_command("csv-cleaner"), options).expect("starts sandboxed");
    let error = host
        .call::<Value, _>(
            "operator/run",
            &json!({
                "operator": "cleaner.clean",
                "params": {
                    "input": workspace.path("data/people.csv"),
                    "output": workspace.path("out/clean.csv"),
                    "column": "email",
                    "keep": "turing",
                },
            }),
        )
        .expect_err("the directory sync fails, and the run says so");
    let (_, message) = remote(error);
    assert!(
        message.contains("cannot sync the directory of") && message.contains("clean.csv"),
        "{message}"
    );
    // The content is in place; only its durability could not be promised.
    assert_eq!(
        std::fs::read_to_string(workspace.path("out/clean.csv")).expect("output"),
        "name,email\nalan,alan@turing.org\n"
    );
    host.shutdown().expect("clean shutdown");
}
