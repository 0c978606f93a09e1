//! The Tauri 2 plugin (feature `tauri`): motif pages and assets under `motif://`, bridge
//! events routed to motifs through plugin commands, patches pushed as events, and a
//! [`preview`] window for one motif.
//!
//! ```
//! # use symphony_motifs::motif::{Effects, Event, Motif, Placement};
//! # use symphony_motifs::view::{Node, el};
//! # struct Counter;
//! # impl Motif for Counter {
//! #     type State = i64;
//! #     fn placement(&self) -> Placement { Placement::Panel }
//! #     fn initial_state(&self) -> i64 { 0 }
//! #     fn render(&self, n: &i64) -> Node { el("p").child(n.to_string()).into() }
//! #     fn update(&self, n: &mut i64, _: &Event) -> Effects { *n += 1; Effects::changed() }
//! # }
//! use symphony_motifs::tauri_plugin::MotifsPlugin;
//!
//! let plugin = MotifsPlugin::new().motif("counter", Counter).unwrap();
//! let builder = tauri::Builder::default().plugin(plugin.build());
//! // In the app: `builder.run(tauri::generate_context!())`, with a window loading
//! // `motif://<extension-id>/.page/counter`.
//! # drop(builder);
//! ```
//!
//! # Previewing a motif
//!
//! [`preview`] opens a real window (Tauri's, with the system WebView: WebKitGTK on Linux)
//! showing one motif, with clicks and typing going to its `update` and the patches back to
//! the page. Its event loop needs the main thread, so give it a binary of its own, behind a
//! feature so the extension binary never links Tauri. The `counter-panel` example does this:
//!
//! ```toml
//! [features]
//! preview = ["symphony_motifs/tauri"]
//!
//! [[bin]]
//! name = "counter-panel-preview"
//! path = "src/bin/preview.rs"
//! required-features = ["preview"]
//! ```
//!
//! ```no_run
//! # use symphony_motifs::motif::{Effects, Event, Motif, Placement};
//! # use symphony_motifs::view::{Node, el};
//! # struct Counter;
//! # impl Motif for Counter {
//! #     type State = i64;
//! #     fn placement(&self) -> Placement { Placement::Panel }
//! #     fn initial_state(&self) -> i64 { 0 }
//! #     fn render(&self, n: &i64) -> Node { el("p").child(n.to_string()).into() }
//! #     fn update(&self, n: &mut i64, _: &Event) -> Effects { *n += 1; Effects::changed() }
//! # }
//! use symphony_motifs::assets::AssetServer;
//! use symphony_motifs::tauri_plugin::preview;
//!
//! fn main() {
//!     if let Err(error) = preview("counter", Counter, AssetServer::new()) {
//!         eprintln!("{error}");
//!     }
//! }
//! ```
//!
//! Then `cargo run -p counter-panel --features preview --bin counter-panel-preview`. On a
//! machine without a screen, run it under Xvfb (`xvfb-run`, or `Xvfb :1 &` and
//! `DISPLAY=:1`).

pub mod acl;
mod commands;
mod preview;
mod protocol;
mod push;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use ::tauri::plugin::{Builder, TauriPlugin};
use ::tauri::{Manager, Runtime};

use crate::assets::AssetServer;
use crate::editor::{Editor, EditorError, EditorSession};
use crate::manifest::Manifest;
use crate::motif::Motif;
use crate::runtime::{MotifError, MotifInstance, Update};
use crate::serve::erased::{Component, DocumentComponent};
use crate::theme::{Theme, ThemeError, ThemeStyle};

pub use preview::{
    PREVIEW_CAPABILITY, PREVIEW_WINDOW, PreviewError, preview, preview_document,
    preview_with_capabilities,
};
pub use protocol::{PAGE_PREFIX, respond};
pub use push::{MotifsExt, PATCHES_EVENT, PushError, THEME_EVENT};

pub use crate::bridge::PLUGIN_NAME;

/// The event the plugin emits with `{motif, messages, requests}` when a page's event made
/// the motif produce effects, for the app to act on.
pub const EFFECTS_EVENT: &str = "motifs://effects";

/// Sees each bridge event a page sent (motif, raw message) and what handling it gave.
pub(crate) type Observer = Arc<dyn Fn(&str, &str, Result<&Update, &str>) + Send + Sync>;

/// The motifs and asset bundles a Tauri app hosts.
#[derive(Clone)]
pub struct PluginState {
    pub(crate) components: Arc<Mutex<BTreeMap<String, Box<dyn Component>>>>,
    /// Page titles by motif name (the manifest's component titles).
    pub(crate) titles: Arc<BTreeMap<String, String>>,
    pub(crate) assets: Arc<AssetServer>,
    pub(crate) observer: Option<Observer>,
    /// The theme pages are made with ([`MotifsExt::set_motif_theme`] changes it).
    pub(crate) theme: Arc<Mutex<Option<ThemeStyle>>>,
}

/// Builds the plugin.
pub struct MotifsPlugin {
    components: BTreeMap<String, Box<dyn Component>>,
    titles: BTreeMap<String, String>,
    assets: AssetServer,
    observer: Option<Observer>,
    theme: Option<ThemeStyle>,
}

impl Default for MotifsPlugin {
    fn default() -> Self {
        Self::new()
    }
}

impl MotifsPlugin {
    /// No motifs, no asset bundles.
    pub fn new() -> Self {
        MotifsPlugin {
            components: BTreeMap::new(),
            titles: BTreeMap::new(),
            assets: AssetServer::new(),
            observer: None,
            theme: None,
        }
    }

    /// Styles pages with `theme` from the start (the IDE's theme at launch); change it later
    /// with [`MotifsExt::set_motif_theme`].
    ///
    /// # Errors
    ///
    /// A [`ThemeError`] naming the first refused token.
    pub fn theme(mut self, theme: &Theme) -> Result<Self, ThemeError> {
        self.theme = Some(ThemeStyle::new(theme)?);
        Ok(self)
    }

    /// Hosts `motif` under `name`; its page is `motif://<any extension>/.page/<name>`.
    ///
    /// # Errors
    ///
    /// [`MotifError::View`] if its first render is invalid.
    pub fn motif<M: Motif>(mut self, name: &str, motif: M) -> Result<Self, MotifError> {
        self.components
            .insert(name.to_owned(), Box::new(MotifInstance::new(motif)?));
        Ok(self)
    }

    /// Opens the document at `path` with `editor` and hosts it under `name`, like a motif:
    /// its page is `motif://<any extension>/.page/<name>`, the page's events edit it, and
    /// [`MotifsExt::dispatch_motif`] with handler `save`, `undo`, `redo` or `revert` does
    /// that. Saving writes to `path` (atomically, refusing a file changed on disk since).
    ///
    /// # Errors
    ///
    /// An [`EditorError`] if the file cannot be read or parsed, or the first render is
    /// invalid.
    pub fn document<E: Editor>(
        mut self,
        name: &str,
        editor: E,
        path: impl Into<PathBuf>,
    ) -> Result<Self, EditorError> {
        let session = EditorSession::open(editor, path)?;
        self.components
            .insert(name.to_owned(), Box::new(DocumentComponent(session)));
        Ok(self)
    }

    /// Titles each motif's page with its component's `title` in `manifest` (a motif hosted
    /// under the component's id); a motif without one is titled by its name.
    #[must_use]
    pub fn manifest(mut self, manifest: &Manifest) -> Self {
        if let Some(section) = manifest.motif() {
            for component in &section.components {
                self.titles
                    .insert(component.id.clone(), component.title.clone());
            }
        }
        self
    }

    /// Serves `assets` under `motif://`.
    #[must_use]
    pub fn assets(mut self, assets: AssetServer) -> Self {
        self.assets = assets;
        self
    }

    /// Reports every bridge event and its outcome to `observer` (the preview prints them).
    pub(crate) fn observe(mut self, observer: Observer) -> Self {
        self.observer = Some(observer);
        self
    }

    /// The shared state the plugin's scheme handler and commands use (also what
    /// [`respond`] takes, to call the handler directly).
    pub fn state(self) -> PluginState {
        PluginState {
            components: Arc::new(Mutex::new(self.components)),
            titles: Arc::new(self.titles),
            assets: Arc::new(self.assets),
            observer: self.observer,
            theme: Arc::new(Mutex::new(self.theme)),
        }
    }

    /// The Tauri plugin.
    pub fn build<R: Runtime>(self) -> TauriPlugin<R> {
        let motifs = self.state();
        let for_scheme = motifs.clone();
        Builder::new(PLUGIN_NAME)
            .invoke_handler(::tauri::generate_handler![
                commands::event,
                commands::render
            ])
            .register_uri_scheme_protocol(crate::assets::MOTIF_SCHEME, move |_context, request| {
                respond(&for_scheme, &request)
            })
            .setup(move |app, _api| {
                app.manage(motifs);
                Ok(())
            })
            .build()
    }
}
