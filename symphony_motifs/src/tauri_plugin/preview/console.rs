//! The preview's console: what happens is reported on stdout, one line each, and lines on
//! stdin run the motif's update as the host would (a timer, a file watcher), so an author
//! (or a test) can follow and drive the motif from a terminal.

use std::io::BufRead;

use ::tauri::{AppHandle, Wry};
use serde_json::Value;

use crate::motif::Event;
use crate::runtime::Update;
use crate::tauri_plugin::MotifsExt;

/// Every line starts with this.
const PREFIX: &str = "motif preview:";

/// The DOM event name a host-initiated update carries (no element fired it).
const HOST_EVENT: &str = "host";

/// Reports an event the page sent and its outcome.
pub(super) fn report_event(motif: &str, message: &str, outcome: Result<&Update, &str>) {
    match outcome {
        Ok(update) => println!("{PREFIX} {motif}: {message} -> {}", patches(update)),
        Err(error) => println!("{PREFIX} {motif}: {message} -> error: {error}"),
    }
}

/// Reports that the page at `url` finished loading.
pub(super) fn report_page_load(url: &str) {
    println!("{PREFIX} page loaded: {url}");
}

/// Reports the effects (messages, requests) the plugin emitted.
pub(super) fn report_effects(payload: &str) {
    println!("{PREFIX} effects: {payload}");
}

/// Reads `<handler> [JSON argument]` lines from stdin until it closes and dispatches each
/// to motif `motif`; the plugin pushes the patches to the page as an event.
pub(super) fn run_commands(app: &AppHandle<Wry>, motif: &str) {
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (handler, arg) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let arg = arg.trim();
        let mut event = Event::new(handler, HOST_EVENT);
        if !arg.is_empty() {
            match serde_json::from_str::<Value>(arg) {
                Ok(arg) => event.arg = Some(arg),
                Err(error) => {
                    println!(
                        "{PREFIX} dispatch {line} -> error: the argument `{arg}` is not JSON ({error}); \
                         write `<handler> [JSON argument]`"
                    );
                    continue;
                }
            }
        }
        match app.dispatch_motif(motif, &event) {
            Ok(update) => println!("{PREFIX} dispatch {line} -> {}", patches(&update)),
            Err(error) => println!("{PREFIX} dispatch {line} -> error: {error}"),
        }
    }
}

fn patches(update: &Update) -> String {
    serde_json::to_string(&update.patches)
        .unwrap_or_else(|error| format!("(patches not printable: {error})"))
}
