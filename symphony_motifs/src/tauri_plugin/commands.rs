//! The plugin's commands: what the bridge script invokes.

use ::tauri::{Emitter, Runtime, State, Webview};
use serde_json::json;

use super::{EFFECTS_EVENT, PluginState};
use crate::runtime::Update;
use crate::serve::lock;

/// Handles a bridge message from the page of motif `motif`; replies with the patches and
/// emits the motif's effects (messages, requests) as [`EFFECTS_EVENT`] for the app to act
/// on.
#[::tauri::command]
pub(super) fn event<R: Runtime>(
    webview: Webview<R>,
    motifs: State<'_, PluginState>,
    motif: String,
    message: String,
) -> Result<Update, String> {
    let update = {
        let mut components = lock(&motifs.components);
        components
            .get_mut(&motif)
            .ok_or_else(|| format!("no motif `{motif}` is hosted by the motifs plugin"))
            .and_then(|component| {
                component
                    .handle_message(message.as_bytes())
                    .map_err(|error| error.to_string())
            })
    };
    if let Some(observer) = &motifs.observer {
        observer(&motif, &message, update.as_ref().map_err(String::as_str));
    }
    let update = update?;
    if !update.messages.is_empty() || !update.requests.is_empty() {
        // Effects are advisory for the app; a page without listeners loses nothing.
        let _ = webview.emit(
            EFFECTS_EVENT,
            json!({ "motif": motif, "messages": update.messages, "requests": update.requests }),
        );
    }
    Ok(update)
}

/// The current view of motif `motif`, as HTML.
#[::tauri::command]
pub(super) fn render(motifs: State<'_, PluginState>, motif: String) -> Result<String, String> {
    let components = lock(&motifs.components);
    components
        .get(&motif)
        .map(|component| component.view().to_html())
        .ok_or_else(|| format!("no motif `{motif}` is hosted by the motifs plugin"))
}
