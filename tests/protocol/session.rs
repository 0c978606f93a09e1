//! What the handshake settles with a real extension process: the manifest arrives typed, the
//! config is validated against its schema, the grants become a policy, and the sandbox is
//! enforced by the kernel.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;
use symphony_core::host::{CallError, Extension, HostError};
use symphony_core::permission::Permissions;
use symphony_core::protocol::ErrorCode;
use tempfile::TempDir;

use super::{echo, options};

/// The code of the error a handshake failed with.
fn handshake_code(error: &HostError) -> Option<ErrorCode> {
    match error {
        HostError::Handshake { source, .. } => source.code(),
        _ => None,
    }
}

/// A workspace folder with a file, and a file outside it that this process can read.
struct Files {
    _dirs: (TempDir, TempDir),
    workspace: PathBuf,
    inside: PathBuf,
    outside: PathBuf,
}

impl Files {
    fn new() -> Self {
        let (workspace_dir, other_dir) = (
            tempfile::tempdir().expect("temp dir"),
            tempfile::tempdir().expect("temp dir"),
        );
        let workspace = workspace_dir.path().canonicalize().expect("canonical");
        let inside = workspace.join("notes.txt");
        let outside = other_dir
            .path()
            .canonicalize()
            .expect("canonical")
            .join("secret.txt");
        std::fs::write(&inside, "inside").expect("write inside");
        std::fs::write(&outside, "outside").expect("write outside");
        assert_eq!(
            std::fs::read_to_string(&outside).expect("readable"),
            "outside"
        );
        Files {
            _dirs: (workspace_dir, other_dir),
            workspace,
            inside,
            outside,
        }
    }

    /// The echo extension with the whole workspace granted for reading.
    fn echo(&self, sandbox: bool) -> Result<Extension, HostError> {
        let grants: Permissions =
            serde_json::from_value(json!({"filesystem": [{"path": "**", "access": ["read"]}]}))
                .expect("grants");
        Extension::spawn(
            super::echo_command(),
            options()
                .with_grants(grants)
                .with_workspace_root(&self.workspace)
                .with_sandbox(sandbox),
        )
    }
}

fn text(path: &Path) -> String {
    path.display().to_string()
}

#[test]
fn config_is_validated_against_the_manifest_schema() {
    let error = Extension::spawn(
        super::echo_command(),
        options()
            .with_config("greeting", json!(5))
            .with_config("greting", json!("hi")),
    )
    .expect_err("invalid config");
    assert_eq!(handshake_code(&error), Some(ErrorCode::InvalidConfig));
    let message = error.to_string();
    assert!(
        message.contains("config.greeting: expected a string")
            && message.contains("config.greting: unknown configuration key"),
        "{message}"
    );

    let host = echo(options().with_config("greeting", json!("hi")));
    assert_eq!(
        host.call::<String, _>("greet", &["Ada"]).expect("greet"),
        "hi, Ada"
    );
    host.shutdown().expect("clean shutdown");
    // Absent values take the schema's default.
    let host = echo(options());
    assert_eq!(
        host.call::<String, _>("greet", &["Ada"]).expect("greet"),
        "hello, Ada"
    );
    host.shutdown().expect("clean shutdown");
}

#[test]
fn files_are_read_through_the_policy() {
    let files = Files::new();
    let host = files.echo(false).expect("starts");
    let inside: String = host
        .call("fs/read", &[text(&files.inside)])
        .expect("granted");
    assert_eq!(inside, "inside");
    // `..` cannot leave the grant.
    let escape = files.workspace.join("..").join("x").join("..");
    let error = host
        .call::<String, _>("fs/read", &[text(&escape)])
        .expect_err("outside the workspace");
    assert_eq!(error.code(), Some(ErrorCode::PermissionDenied), "{error}");

    let error = host
        .call::<String, _>("fs/read", &[text(&files.outside)])
        .expect_err("not granted");
    assert_eq!(error.code(), Some(ErrorCode::PermissionDenied));
    let message = error.to_string();
    assert!(
        message.contains("filesystem read permission denied")
            && message.contains(&text(&files.outside)),
        "{message}"
    );
    // Without a sandbox, only the SDK check stood in the way.
    let unchecked: String = host
        .call("fs/read-unchecked", &[text(&files.outside)])
        .expect("no sandbox");
    assert_eq!(unchecked, "outside");
    host.shutdown().expect("clean shutdown");
}

#[cfg(target_os = "linux")]
#[test]
fn the_kernel_sandbox_blocks_what_the_sdk_check_skips() {
    use symphony_core::sandbox::{LandlockSupport, landlock_support};

    let files = Files::new();
    let started = files.echo(true);
    if let LandlockSupport::Unavailable(why) = landlock_support() {
        // No Landlock: the handshake must fail and say why, never claim a sandbox.
        let error = started.expect_err("no sandbox without Landlock");
        assert_eq!(handshake_code(&error), Some(ErrorCode::SandboxUnavailable));
        assert!(error.to_string().contains(&why.to_string()), "{error}");
        // The kernel part did not run: that fails unless SYMPHONY_SKIP_LANDLOCK says why.
        assert!(symphony_core::testing::landlock_or_skip().is_none());
        return;
    }
    let host = started.expect("sandboxed echo starts");
    let inside: String = host
        .call("fs/read-unchecked", &[text(&files.inside)])
        .expect("inside the grant");
    assert_eq!(inside, "inside");

    let error = host
        .call::<String, _>("fs/read-unchecked", &[text(&files.outside)])
        .expect_err("the kernel refuses");
    let CallError::Remote { error: object, .. } = &error else {
        panic!("expected the extension's error, got {error}")
    };
    assert_eq!(object.data, Some(json!({"osError": 13})), "{error}"); // EACCES

    let error = host
        .call::<String, _>("fs/read", &[text(&files.outside)])
        .expect_err("the SDK refuses first");
    assert_eq!(error.code(), Some(ErrorCode::PermissionDenied));
    assert!(
        error
            .to_string()
            .contains("filesystem read permission denied")
            && error.to_string().contains(&text(&files.outside)),
        "{error}"
    );

    // Everything else still works inside the sandbox, including new serve threads.
    let calls: Vec<_> = (0..4)
        .map(|i| host.start("sleep", &[20 + i]).expect("send"))
        .collect();
    for call in calls {
        call.wait::<u64>().expect("sleep in a sandbox");
    }
    assert_eq!(host.call::<u32, _>("progress", &[3]).expect("progress"), 3);
    assert_eq!(
        host.call::<String, _>("log", &["hi"]).expect("log"),
        "logged"
    );
    assert!(host.call::<String, _>("panic", &()).is_err());
    assert_eq!(
        host.call::<String, _>("big", &[100_000])
            .expect("big")
            .len(),
        100_000
    );
    host.shutdown().expect("clean shutdown in a sandbox");
}

#[test]
fn an_invalid_manifest_fails_the_handshake() {
    // A foreign extension that answers `initialize` with a manifest that is not valid.
    let script = r#"read -r line
id=$(printf '%s' "$line" | sed 's/.*"id":\([0-9]*\).*/\1/')
printf '{"jsonrpc":"2.0","id":%s,"result":{"protocolVersion":"1.0","capabilities":{},"manifest":{"id":"Bad Id","name":"X","version":"1.0.0","kind":"operator","engine":"^1","operator":{"category":"custom"}}}}\n' "$id"
read -r line"#;
    let mut command = Command::new("sh");
    command.args(["-c", script]);
    let error = Extension::spawn(command, options()).expect_err("invalid manifest");
    let message = error.to_string();
    assert!(
        message.contains("failed the handshake")
            && message.contains("invalid manifest")
            && message.contains("`Bad Id` is not a valid extension id"),
        "{message}"
    );
}
