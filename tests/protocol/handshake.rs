//! Starting, initializing and shutting down a real extension process.

use serde_json::json;
use symphony_core::host::{Extension, HostError};
use symphony_core::protocol::PROTOCOL_VERSION;

use super::{echo, options};

#[test]
fn handshake_reports_manifest_and_capabilities() {
    let host = echo(options().with_config("greeting", json!("hello")));
    let info = host.initialize_result();
    assert_eq!(info.protocol_version, PROTOCOL_VERSION);
    assert_eq!(info.manifest.id().as_str(), "symphony.echo");
    assert!(info.capabilities.methods.iter().any(|m| m == "echo"));
    assert_eq!(info.capabilities.concurrency, 4);
    assert_eq!(info.max_message_size, Some(16 * 1024 * 1024));
    host.shutdown().expect("clean shutdown");
}

#[test]
fn program_that_cannot_start_is_named() {
    let error = Extension::spawn(
        std::process::Command::new("/nonexistent/extension"),
        options(),
    )
    .expect_err("no such program");
    assert!(matches!(error, HostError::Spawn { .. }));
    assert!(
        error.to_string().contains("/nonexistent/extension"),
        "{error}"
    );
}

#[test]
fn program_that_is_not_an_extension_fails_the_handshake() {
    // `true` exits at once without answering.
    let error = Extension::spawn(std::process::Command::new("true"), options())
        .expect_err("not an extension");
    let text = error.to_string();
    assert!(
        text.contains("failed the handshake") && text.contains("exit"),
        "{text}"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn shutdown_and_drop_leave_no_zombie() {
    let host = echo(options());
    let pid = host.process_id().expect("a child process");
    host.shutdown().expect("clean shutdown");
    assert!(super::process_is_gone(pid), "process {pid} left behind");

    let host = echo(options());
    let pid = host.process_id().expect("a child process");
    drop(host);
    assert!(
        super::process_is_gone(pid),
        "process {pid} left behind after drop"
    );

    // Dropped mid-request: the child is killed and reaped too.
    let host = echo(options());
    let pid = host.process_id().expect("a child process");
    std::thread::scope(|scope| {
        let host = &host;
        let call = scope.spawn(move || host.call::<u64, _>("hang", &[60_000]));
        std::thread::sleep(std::time::Duration::from_millis(100));
        // Cannot drop while borrowed; restart (which also kills) frees the call instead.
        host.restart().expect("restart");
        assert!(call.join().expect("join").is_err());
    });
    assert!(
        super::process_is_gone(pid),
        "process {pid} left behind after restart"
    );
    let pid = host.process_id().expect("a fresh child");
    drop(host);
    assert!(super::process_is_gone(pid));
}

#[test]
fn restart_gives_a_working_extension() {
    let host = echo(options());
    let first = host.process_id();
    host.restart().expect("restart");
    assert_ne!(host.process_id(), first);
    let back: serde_json::Value = host
        .call("echo", &json!({"after": "restart"}))
        .expect("call");
    assert_eq!(back, json!({"after": "restart"}));
    host.shutdown().expect("clean shutdown");
}
