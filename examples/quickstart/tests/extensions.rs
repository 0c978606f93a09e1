//! The quickstart's operator child, hosted directly: it reads what it was granted and nothing
//! else, under the kernel sandbox where this machine has one.

use std::process::Command;

use serde_json::json;
use symphony_core::host::{CallError, Extension, ExtensionOptions};
use symphony_core::permission::{FsAccess, FsRule, Permissions};
use symphony_core::protocol::ErrorCode;
use symphony_core::testing::landlock_or_skip;
use symphony_operators::methods::{self, RunParams};

#[test]
fn the_served_operator_reads_its_granted_file_and_nothing_else() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().canonicalize().expect("canonical");
    std::fs::write(root.join("granted.csv"), "a,b\n1,2\n").expect("written");
    std::fs::write(root.join("other.csv"), "a,b\n3,4\n").expect("written");
    // The kernel part fails without Landlock unless SYMPHONY_SKIP_LANDLOCK says why.
    let sandbox = landlock_or_skip().is_some();
    let mut command = Command::new(env!("CARGO_BIN_EXE_quickstart"));
    command.args(["__serve", "operator"]);
    let host = Extension::spawn(
        command,
        ExtensionOptions::default()
            .with_workspace_root(&root)
            .with_grants(Permissions {
                filesystem: vec![FsRule {
                    path: "granted.csv".into(),
                    access: vec![FsAccess::Read],
                }],
                ..Permissions::default()
            })
            .with_sandbox(sandbox),
    )
    .expect("the operator starts");
    assert_eq!(
        host.initialize_result().manifest.id().as_str(),
        "symphony-examples.quickstart-operators"
    );
    assert_ne!(host.process_id(), Some(std::process::id()));

    let read = |file: &str| {
        host.request::<methods::Run>(
            &RunParams::new("csv.read").param("path", root.join(file).display().to_string()),
        )
    };
    let answer = read("granted.csv").expect("the granted file is read");
    assert_eq!(answer.outputs["records"], json!([{ "a": "1", "b": "2" }]));
    match read("other.csv") {
        Err(CallError::Remote { error, .. }) => {
            assert_eq!(error.kind(), Some(ErrorCode::PermissionDenied), "{error:?}");
            assert!(error.message.contains("other.csv"), "{}", error.message);
        }
        other => panic!("reading an ungranted file must be denied, got {other:?}"),
    }
    host.shutdown().expect("clean shutdown");
}

#[test]
fn an_unknown_extension_kind_is_refused() {
    let output = Command::new(env!("CARGO_BIN_EXE_quickstart"))
        .args(["__serve", "teapot"])
        .output()
        .expect("runs");
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("operator, instrument or motif"),
        "{output:?}"
    );
}

#[test]
fn the_sandboxed_instrument_granted_nothing_cannot_load_its_model() {
    if landlock_or_skip().is_none() {
        return;
    }
    let mut command = Command::new(env!("CARGO_BIN_EXE_quickstart"));
    command.args(["__serve", "instrument"]);
    // The model is where the manifest says, but the host grants nothing: the backend's grant
    // check refuses the load, and behind it the kernel would on whichever thread of the tokio
    // runtime did it (tests/sandbox/served.rs checks the kernel alone).
    let started = Extension::spawn(
        command,
        ExtensionOptions::default()
            .with_workspace_root(onnx_classifier::BASE_DIR)
            .with_config("runtime", "tract".into())
            .with_sandbox(true)
            .with_handshake_timeout(std::time::Duration::from_secs(60)),
    );
    match started {
        Err(error) => {
            let text = error.to_string();
            assert!(
                text.contains("iris.onnx")
                    && (text.contains("read permission") || text.contains("ermission denied")),
                "{text}"
            );
        }
        Ok(host) => panic!(
            "the instrument loaded its model with nothing granted; it reports {:?}",
            host.initialize_result().sandbox
        ),
    }
}
