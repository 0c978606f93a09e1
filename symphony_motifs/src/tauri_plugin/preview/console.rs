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

/// Longest page text echoed on the console, in characters.
const MAX_ECHO: usize = 300;

/// Reports an event the page sent and its outcome. Only a message the bridge's validation
/// accepted is echoed; anything else the page sent is reported by size and the reason it
/// was refused. Both are made printable first: the page is untrusted, and its text must not
/// drive the author's terminal (escape sequences, carriage returns, bidi overrides).
pub(super) fn report_event(motif: &str, message: &str, outcome: Result<&Update, &str>) {
    let motif = printable(motif);
    match outcome {
        Ok(update) => println!(
            "{PREFIX} {motif}: {} -> {}",
            printable(message),
            patches(update)
        ),
        Err(error) => println!(
            "{PREFIX} {motif}: refused a page message ({} bytes): {}",
            message.len(),
            printable(error)
        ),
    }
}

/// `text` with control and bidi-override characters escaped (`\u{1b}`) and cut to
/// [`MAX_ECHO`] characters.
fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_ECHO + 16));
    for (count, c) in text.chars().enumerate() {
        if count == MAX_ECHO {
            out.push_str(&format!("… ({} bytes in all)", text.len()));
            break;
        }
        let bidi = matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        if c.is_control() || bidi {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_text_cannot_drive_the_terminal() {
        let hostile = "a\u{1b}]0;owned\u{7}\r\nmotif preview: fake\u{202e}x\u{9b}2J";
        let shown = printable(hostile);
        assert!(!shown.chars().any(|c| c.is_control()), "{shown:?}");
        assert_eq!(
            shown,
            "a\\u{1b}]0;owned\\u{7}\\u{d}\\u{a}motif preview: fake\\u{202e}x\\u{9b}2J"
        );
    }

    #[test]
    fn long_page_text_is_cut() {
        let shown = printable(&"x".repeat(10_000));
        assert!(shown.starts_with(&"x".repeat(MAX_ECHO)));
        assert!(shown.ends_with("… (10000 bytes in all)"), "{shown}");
    }
}
