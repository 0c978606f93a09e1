//! The counter panel in a real window, for working on it without Symphony:
//!
//! ```text
//! cargo run -p counter-panel --features preview --bin counter-panel-preview
//! ```
//!
//! Clicks go through the bridge and the motifs plugin to `Counter::update`, and the patches
//! come back to the page, exactly as in Symphony. The window's life is reported on stdout
//! (page loads, each event's patches, effects); close the window to end it.

use std::process::ExitCode;

use counter_panel::Counter;
use symphony_motifs::assets::AssetServer;
use symphony_motifs::tauri_plugin::preview;

fn main() -> ExitCode {
    match preview("counter", Counter, AssetServer::new()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("counter-panel-preview: {error}");
            ExitCode::FAILURE
        }
    }
}
