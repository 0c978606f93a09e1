//! Motifs end to end: the example extensions (`counter-panel`, `csv-editor`) as real child
//! processes behind the core host, asset bundles on a real filesystem, and a real headless
//! browser driving a served page. (The preview window under Xvfb is tested by the
//! `counter-panel` example itself: `examples/counter-panel/tests/preview_window`.)

mod assets;
mod browser;
mod editor;
mod panel;
#[cfg(feature = "tauri")]
mod tauri_plugin;

/// Without the `tauri` feature the plugin tests are not built (Tauri needs WebKitGTK to
/// compile): this stands in for them and fails saying what to install, unless skipped.
#[cfg(not(feature = "tauri"))]
#[test]
fn tauri_plugin_tests_need_webkitgtk_and_the_tauri_feature() {
    symphony_core::testing::require_or_skip::<()>(
        "the Tauri plugin tests",
        "SYMPHONY_SKIP_TAURI",
        Err(
            "they are built only with `--features symphony_tests/tauri`, which needs \
             WebKitGTK (Debian/Ubuntu: `apt install libwebkit2gtk-4.1-dev`; `cargo xtask ci` \
             installs it and turns the feature on)"
                .to_owned(),
        ),
    );
}

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};
use symphony_core::host::{CallError, Host, HostOptions};
use symphony_core::permission::{FsAccess, FsRule, Permissions};
use symphony_core::protocol::ErrorCode;
use symphony_tests::extension::example_command;

fn options() -> HostOptions {
    HostOptions::default()
        .with_request_timeout(Some(Duration::from_secs(20)))
        .with_handshake_timeout(Duration::from_secs(20))
}

/// The `counter-panel` example, started and initialized.
fn counter_panel() -> Host {
    Host::spawn(example_command("counter-panel"), options()).expect("counter-panel starts")
}

/// The `csv-editor` example, started and initialized, with read and write access granted
/// under `roots` (its manifest asks for `**`, which resolves against the workspace roots).
fn csv_editor(roots: &[&Path]) -> Host {
    let grants = Permissions {
        filesystem: vec![FsRule {
            path: "**".to_owned(),
            access: vec![FsAccess::Read, FsAccess::Write],
        }],
        ..Permissions::default()
    };
    let options = roots
        .iter()
        .fold(options().with_grants(grants), |options, root| {
            options.with_workspace_root(*root)
        });
    Host::spawn(example_command("csv-editor"), options).expect("csv-editor starts")
}

/// Calls `method` and expects an error response with `code`; returns its message.
fn call_error(host: &Host, method: &str, params: &Value, code: ErrorCode) -> String {
    match host.call::<Value, _>(method, params) {
        Err(CallError::Remote { error, .. }) => {
            assert_eq!(error.kind(), Some(code), "{method}: {error:?}");
            error.message.clone()
        }
        other => panic!("{method} {params}: expected a {code:?} error, got {other:?}"),
    }
}

/// A bridge event message, as the page sends it.
fn click(path: &[usize]) -> String {
    json!({ "type": "event", "event": "click", "path": path }).to_string()
}
