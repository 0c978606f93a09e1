//! A CSV file in the editor, in a real window, for working on the editor without Symphony:
//!
//! ```text
//! cargo run -p csv-editor --features preview --bin csv-editor-preview -- FILE.csv [CAPABILITIES]
//! ```
//!
//! Edits in the window change the document in memory; type `save` (or `undo`, `redo`,
//! `revert`) and Enter on the terminal to do that, as Symphony's commands would. What happens
//! is reported on stdout; close the window to end it.
//!
//! The window may use only what a capability grants it: by default
//! `capabilities/preview.json` (the plugin's `motifs:default` and `core:event:allow-listen`),
//! or the capability file given after the CSV file.

use std::path::PathBuf;
use std::process::ExitCode;

use csv_editor::CsvEditor;
use symphony_motifs::assets::AssetServer;
use symphony_motifs::tauri_plugin::preview_document;

/// What the window is granted unless a capability file is given.
const CAPABILITIES: &str = include_str!("../../capabilities/preview.json");

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(file) = args.next().map(PathBuf::from) else {
        eprintln!("usage: csv-editor-preview FILE.csv [CAPABILITIES.json]");
        return ExitCode::FAILURE;
    };
    let capabilities = match args.next() {
        Some(path) => match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) => {
                eprintln!("csv-editor-preview: {}: {error}", path.to_string_lossy());
                return ExitCode::FAILURE;
            }
        },
        None => CAPABILITIES.to_owned(),
    };
    match preview_document("table", CsvEditor, &file, AssetServer::new(), &capabilities) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("csv-editor-preview: {error}");
            ExitCode::FAILURE
        }
    }
}
