//! The counter panel in a real window, for working on it without Symphony:
//!
//! ```text
//! cargo run -p counter-panel --features preview --bin counter-panel-preview [CAPABILITIES]
//! ```
//!
//! Clicks go through the bridge and the motifs plugin to `Counter::update`, and the patches
//! come back to the page, exactly as in Symphony. The window's life is reported on stdout
//! (page loads, each event's patches, effects); close the window to end it.
//!
//! Like a Tauri app, the window may use only what a capability grants it: by default
//! `capabilities/preview.json` (the plugin's `motifs:default` and `core:event:allow-listen`),
//! or the capability file given as the argument.

use std::process::ExitCode;

use counter_panel::Counter;
use symphony_motifs::assets::AssetServer;
use symphony_motifs::tauri_plugin::preview_with_capabilities;

/// What the window is granted unless a capability file is given.
const CAPABILITIES: &str = include_str!("../../capabilities/preview.json");

fn main() -> ExitCode {
    let capabilities = match std::env::args_os().nth(1) {
        Some(path) => match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) => {
                eprintln!("counter-panel-preview: {}: {error}", path.to_string_lossy());
                return ExitCode::FAILURE;
            }
        },
        None => CAPABILITIES.to_owned(),
    };
    match preview_with_capabilities("counter", Counter, AssetServer::new(), &capabilities) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("counter-panel-preview: {error}");
            ExitCode::FAILURE
        }
    }
}
