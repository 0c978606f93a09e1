//! The `csv-cleaner` example extension as a real child process, through the operators'
//! test host (`symphony_operators::testing`), with typed methods.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};
use symphony_operators::methods::{self, NodeParams, RunParams, RunProgress, WorkflowParams};
use symphony_operators::testing::{CallError, ErrorCode, TestHost, TestHostBuilder};
use symphony_tests::extension::example_binary;

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

    fn text(&self, relative: &str) -> String {
        self.path(relative).display().to_string()
    }

    fn host(&self) -> TestHost {
        self.builder()
            // Replacing a file by rename needs `delete` under Landlock.
            .grant_write("out/**")
            .spawn(example_binary("csv-cleaner"))
            .expect("the csv-cleaner extension starts")
    }

    fn builder(&self) -> TestHostBuilder {
        TestHost::builder()
            .grant_read("data/**")
            .workspace_root(self.dir.path())
            .request_timeout(Duration::from_secs(30))
    }

    /// `cleaner.clean` reading `input`, keeping rows whose `email` matches `keep`.
    fn clean(&self, input: &str, output: &str, keep: &str) -> RunParams {
        RunParams::new("cleaner.clean")
            .param("input", self.text(input))
            .param("output", self.text(output))
            .param("column", "email")
            .param("keep", keep)
    }
}

fn node(name: &str, operator: &str, params: Value) -> NodeParams {
    let Value::Object(params) = params else {
        panic!("params are an object")
    };
    NodeParams {
        name: name.to_owned(),
        operator: operator.to_owned(),
        params: params.into_iter().collect::<BTreeMap<_, _>>(),
    }
}

fn connect(pairs: &[[&str; 2]]) -> Vec<[String; 2]> {
    pairs
        .iter()
        .map(|[from, to]| [(*from).to_owned(), (*to).to_owned()])
        .collect()
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
    let host = workspace.host();
    assert_eq!(
        host.host().initialize_result().manifest.id().as_str(),
        "symphony.csv-cleaner"
    );
    let list = host
        .request::<methods::List>(&Default::default())
        .expect("list");
    assert!(list.get("cleaner.clean").is_some(), "{list:?}");
    let filter = list.get("regex.filter").expect("filter");
    assert_eq!(filter.category, "filter");
    assert_eq!(filter.params["properties"]["pattern"]["type"], "string");

    let run = RunParams::new("regex.filter")
        .param("pattern", "example\\.com$")
        .param("column", "email")
        .input(
            "records",
            json!([
                { "name": "ada", "email": "ada@example.com" },
                { "name": "alan", "email": "alan@turing.org" },
            ]),
        );
    let result = host.request::<methods::Run>(&run).expect("run");
    assert_eq!(
        result.outputs["records"],
        json!([{ "name": "ada", "email": "ada@example.com" }])
    );
    assert_eq!(
        result.outputs["rejected"],
        json!([{ "name": "alan", "email": "alan@turing.org" }])
    );
    host.shutdown().expect("clean shutdown");
}

#[test]
fn cleans_a_file_inside_its_grants_with_progress() {
    let workspace = Workspace::new();
    let host = workspace.host();
    let clean = workspace
        .clean("data/people.csv", "out/clean.csv", "example\\.com$")
        .param("extract", "^(?P<user>[^@]+)@");
    let result = host.request::<methods::Run>(&clean).expect("clean");
    assert_eq!(
        std::fs::read_to_string(workspace.path("out/clean.csv")).expect("output"),
        "name,email,user\nada,ada@example.com,ada\ngrace,grace@example.com,grace\n"
    );
    let written = result.outputs["file"][0].as_str().expect("path");
    assert!(written.ends_with("out/clean.csv"), "{written}");
    let progress = host.progress();
    host.shutdown().expect("clean shutdown");
    // The first progress of a request is never held back: here the cleaner's inner reader.
    assert_eq!(
        progress.first(),
        Some(&RunProgress {
            node: "read".to_owned(),
            port: "records".to_owned(),
            items: 3
        }),
        "{progress:?}"
    );
}

#[test]
fn writes_outside_the_grants_are_refused_and_nothing_is_written() {
    let workspace = Workspace::new();
    let host = workspace.host();
    for output in ["data/clean.csv", "out/../clean.csv"] {
        let dag = WorkflowParams {
            nodes: vec![
                node(
                    "read",
                    "csv.read",
                    json!({ "path": workspace.path("data/people.csv") }),
                ),
                node(
                    "write",
                    "csv.write",
                    json!({ "path": workspace.path(output) }),
                ),
            ],
            connections: connect(&[["read", "write"]]),
        };
        let error = host.request::<methods::RunWorkflow>(&dag).unwrap_err();
        let (code, message) = remote(error);
        assert_eq!(code, Some(ErrorCode::PermissionDenied), "{message}");
        assert!(
            message.starts_with("node `write` failed: filesystem write permission denied"),
            "{message}"
        );
    }
    assert!(!workspace.path("data/clean.csv").exists());
    assert!(!workspace.path("clean.csv").exists());
    let outside = RunParams::new("csv.read").param("path", workspace.text("../outside.csv"));
    let error = host.request::<methods::Run>(&outside).unwrap_err();
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
    std::fs::write(&secret, "name,email\nada,ada@example.com\n").expect("write");
    let host = workspace.host();
    let cleaner = workspace.clean("private/people.csv", "out/clean.csv", "example");
    let dag = WorkflowParams {
        nodes: vec![
            node("read", "csv.read", json!({ "path": secret })),
            node(
                "keep",
                "regex.filter",
                json!({ "pattern": "a", "column": "name" }),
            ),
            node(
                "drop",
                "regex.filter",
                json!({ "pattern": "b", "column": "name" }),
            ),
            node(
                "kept",
                "csv.write",
                json!({ "path": workspace.path("out/kept.csv") }),
            ),
            node(
                "dropped",
                "csv.write",
                json!({ "path": workspace.path("out/dropped.csv") }),
            ),
        ],
        connections: connect(&[
            ["read", "keep"],
            ["read", "drop"],
            ["keep.records", "kept"],
            ["drop.records", "dropped"],
        ]),
    };
    let errors = [
        ("run", host.request::<methods::Run>(&cleaner).map(drop)),
        (
            "workflow",
            host.request::<methods::RunWorkflow>(&dag).map(drop),
        ),
    ];
    for (what, result) in errors {
        let error = match result.unwrap_err() {
            CallError::Remote { error, .. } => error,
            other => panic!("expected an error from the extension, got {other}"),
        };
        assert_eq!(
            error.kind(),
            Some(ErrorCode::PermissionDenied),
            "{what}: {}",
            error.message
        );
        let resource = secret.display().to_string();
        assert!(
            error.message.contains("filesystem read permission denied")
                && error.message.contains(&resource),
            "{what}: {}",
            error.message
        );
        assert_eq!(
            error.data,
            Some(json!({ "permission": "filesystem", "access": "read", "resource": resource })),
            "{what}: {}",
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
    let host = workspace.host();
    let run = RunParams::new("regex.filter")
        .param("pattern", "(unclosed")
        .input("records", json!([]));
    let (code, message) = remote(host.request::<methods::Run>(&run).unwrap_err());
    assert_eq!(code, Some(ErrorCode::InvalidParams));
    assert!(
        message.starts_with(
            "node `operator` (regex.filter): parameter `pattern`: invalid regular expression"
        ),
        "{message}"
    );

    let dag = WorkflowParams {
        nodes: vec![
            node("read", "csv.read", json!({ "path": "x.csv" })),
            node("lines", "json.write", json!({ "path": "y.json" })),
        ],
        connections: connect(&[["read", "lines"]]),
    };
    let (_, message) = remote(host.request::<methods::RunWorkflow>(&dag).unwrap_err());
    assert_eq!(
        message,
        "cannot connect `read.records` (records) to `lines.json` (json): the port types differ"
    );

    let (code, message) = remote(
        host.request::<methods::Run>(&RunParams::new("nope"))
            .unwrap_err(),
    );
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
    let host = workspace.host();
    let call = host
        .start_request::<methods::Run>(&workspace.clean("data/big.csv", "out/big.csv", "example"))
        .expect("send");
    // Cancel once the run is visibly under way.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while host.progress().is_empty() {
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
    let list = host
        .request::<methods::List>(&Default::default())
        .expect("list");
    assert!(!list.operators.is_empty());
    host.shutdown().expect("clean shutdown");
}

#[cfg(target_os = "linux")]
#[test]
fn sandboxed_extension_still_cleans_within_its_grants() {
    use symphony_operators::sandbox::{LandlockSupport, landlock_support};
    let workspace = Workspace::new();
    let started = workspace
        .builder()
        .grant_write("out/**")
        .sandbox(true)
        .spawn(example_binary("csv-cleaner"));
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
    host.request::<methods::Run>(&workspace.clean("data/people.csv", "out/clean.csv", "turing"))
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
    let host = workspace
        .builder()
        .grant_files("out/**", &["write", "delete"])
        .sandbox(true)
        .spawn(example_binary("csv-cleaner"))
        .expect("starts sandboxed");
    let error = host
        .request::<methods::Run>(&workspace.clean("data/people.csv", "out/clean.csv", "turing"))
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
