//! Motifs end to end: the example extensions (`counter-panel`, `csv-editor`) as real child
//! processes started by `symphony_motifs::testing`, asset bundles on a real filesystem, and a
//! real headless browser driving a served page. (The preview window under Xvfb is tested by
//! the `counter-panel` example itself: `examples/counter-panel/tests/preview_window`.)

mod assets;
mod browser;
mod editor;
mod entry;
mod panel;
#[cfg(feature = "tauri")]
mod tauri_app;
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

use symphony_motifs::bridge::BridgeEvent;
use symphony_motifs::methods::Method;
use symphony_motifs::testing::{ErrorCode, FsAccess, MotifTestHost, MotifTestHostBuilder};
use symphony_tests::extension::example_binary;

fn builder() -> MotifTestHostBuilder {
    MotifTestHost::builder()
        .request_timeout(Duration::from_secs(20))
        .handshake_timeout(Duration::from_secs(20))
}

/// The `counter-panel` example, started and initialized.
fn counter_panel() -> MotifTestHost {
    builder()
        .spawn(example_binary("counter-panel"))
        .expect("counter-panel starts")
}

/// The `csv-editor` example, started and initialized, with read and write access granted
/// under `roots` (its manifest asks for `**`, which resolves against the workspace roots).
fn csv_editor(roots: &[&Path]) -> MotifTestHost {
    roots
        .iter()
        .fold(
            builder().grant_files("**", &[FsAccess::Read, FsAccess::Write]),
            |builder, root| builder.workspace_root(*root),
        )
        .spawn(example_binary("csv-editor"))
        .expect("csv-editor starts")
}

/// Calls `M` and expects an error answer with `code`; returns its message.
fn call_error<M: Method>(host: &MotifTestHost, params: &M::Params, code: ErrorCode) -> String {
    let error = host
        .request_error::<M>(params)
        .unwrap_or_else(|unexpected| panic!("{unexpected}"));
    assert_eq!(error.kind(), Some(code), "{}: {error:?}", M::NAME);
    error.message
}

/// A click on the element at `path`, as the page reports it.
fn click(path: &[usize]) -> BridgeEvent {
    BridgeEvent::click(path)
}
