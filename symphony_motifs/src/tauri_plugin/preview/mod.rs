//! A preview window for one motif, so an author sees it while writing it.
//!
//! The window is a real Tauri window (the system WebView) loading the motif's page from the
//! plugin's `motif://` scheme; clicks go through the bridge and the plugin's commands as
//! they would in Symphony.

mod console;
mod context;

use std::path::Path;
use std::sync::Arc;

use ::tauri::webview::PageLoadEvent;
use ::tauri::{Listener, WebviewUrl, WebviewWindowBuilder, Wry};

use super::{EFFECTS_EVENT, MotifsPlugin, PAGE_PREFIX};
use crate::assets::AssetServer;
use crate::editor::{Editor, EditorError};
use crate::motif::Motif;
use crate::runtime::MotifError;

/// The label of the preview's window: the window a preview capability names.
pub const PREVIEW_WINDOW: &str = "preview";

/// What [`preview`] grants the window: the plugin's [default](super::acl::DEFAULT_PERMISSION)
/// set and [listening](super::acl::LISTEN_PERMISSION) for pushed patches.
pub const PREVIEW_CAPABILITY: &str = include_str!("capability.json");

/// The extension id the preview's page is served under.
const PREVIEW_HOST: &str = "symphony.preview";

/// Why the preview could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PreviewError {
    /// The motif's first render is invalid.
    #[error(transparent)]
    Motif(#[from] MotifError),
    /// The document cannot be opened (read, parsed, or rendered).
    #[error(transparent)]
    Document(#[from] EditorError),
    /// The capabilities given to the preview cannot be resolved.
    #[error("the preview's capabilities: {0}")]
    Capabilities(#[from] super::acl::AclError),
    /// Tauri could not build or run the app (no display, no WebView libraries, …).
    #[error(
        "the preview window could not run: {0} (on Linux it needs a display, e.g. Xvfb, and WebKitGTK)"
    )]
    Tauri(String),
}

/// Opens a window showing `motif` (with `assets` under `motif://`) and runs until it is
/// closed. Call it from `main`: the window's event loop must own the main thread.
///
/// What happens is reported on stdout, one line each, so an author (or a test) can follow
/// it: `motif preview: page loaded: <url>` once the page has loaded, `motif preview:
/// <motif>: <bridge message> -> <patches as JSON>` for every bridge message the page sent,
/// `motif preview: <motif>: refused a page message (<size> bytes): <why>` for anything else
/// it sent (page text is echoed only with control characters escaped, and cut short), and
/// `motif preview: effects: <JSON>` for the messages and requests the motif made.
///
/// Each line typed on stdin, `<handler> [JSON argument]` (`increment`, `forget 3`), runs
/// the motif's update as the host would, and its patches are pushed to the page as the
/// plugin's [`PATCHES_EVENT`](super::PATCHES_EVENT); that is reported as `motif preview:
/// dispatch <line> -> <patches as JSON>`.
///
/// The window is granted [`PREVIEW_CAPABILITY`]; [`preview_with_capabilities`] takes an
/// app's own.
///
/// # Errors
///
/// A [`PreviewError`] if the motif's view is invalid or the window cannot be created.
pub fn preview<M: Motif>(name: &str, motif: M, assets: AssetServer) -> Result<(), PreviewError> {
    preview_with_capabilities(name, motif, assets, PREVIEW_CAPABILITY)
}

/// As [`preview`], with the window (labelled [`PREVIEW_WINDOW`]) granted what `capabilities`
/// grant (a Tauri capability file's text, JSON or TOML; see [`acl`](super::acl)): the page
/// works only if they grant the plugin's commands, as in an app.
///
/// # Errors
///
/// As [`preview`], and [`PreviewError::Capabilities`] if the capabilities cannot be resolved.
pub fn preview_with_capabilities<M: Motif>(
    name: &str,
    motif: M,
    assets: AssetServer,
    capabilities: &str,
) -> Result<(), PreviewError> {
    let plugin = MotifsPlugin::new().motif(name, motif)?.assets(assets);
    run(plugin, name, capabilities)
}

/// As [`preview_with_capabilities`], for a custom editor: opens the document at `path` with
/// `editor` and shows it. Edits in the window change the document in memory; typing `save`
/// on stdin saves it to `path` (and `undo`, `redo`, `revert` do what they say), reported as
/// `motif preview: dispatch <command> -> …`.
///
/// # Errors
///
/// As [`preview_with_capabilities`], and [`PreviewError::Document`] if the document cannot
/// be opened.
pub fn preview_document<E: Editor>(
    name: &str,
    editor: E,
    path: &Path,
    assets: AssetServer,
    capabilities: &str,
) -> Result<(), PreviewError> {
    let plugin = MotifsPlugin::new()
        .document(name, editor, path)?
        .assets(assets);
    run(plugin, name, capabilities)
}

/// Runs the preview window of `name`, hosted by `plugin`, granted `capabilities`.
fn run(plugin: MotifsPlugin, name: &str, capabilities: &str) -> Result<(), PreviewError> {
    let plugin = plugin.observe(Arc::new(console::report_event));
    let context = context::context(capabilities)?;
    let url = format!("motif://{PREVIEW_HOST}/{PAGE_PREFIX}{name}");
    let url = url
        .parse()
        .map_err(|error| PreviewError::Tauri(format!("preview URL {url}: {error}")))?;
    let title = format!("Motif preview: {name}");
    let motif_name = name.to_owned();
    let app = ::tauri::Builder::<Wry>::new()
        .plugin(plugin.build())
        .setup(move |app| {
            app.listen_any(EFFECTS_EVENT, |event| {
                console::report_effects(event.payload());
            });
            let handle = app.handle().clone();
            std::thread::spawn(move || console::run_commands(&handle, &motif_name));
            WebviewWindowBuilder::new(app, PREVIEW_WINDOW, WebviewUrl::CustomProtocol(url))
                .title(title)
                .inner_size(800.0, 600.0)
                .on_page_load(|_, payload| {
                    if payload.event() == PageLoadEvent::Finished {
                        console::report_page_load(payload.url().as_str());
                    }
                })
                .build()?;
            Ok(())
        })
        .build(context)
        .map_err(|error| PreviewError::Tauri(error.to_string()))?;
    app.run_return(|_, _| {});
    Ok(())
}
