//! A preview window for one motif, so an author sees it while writing it.
//!
//! The window is a real Tauri window (the system WebView) loading the motif's page from the
//! plugin's `motif://` scheme; clicks go through the bridge and the plugin's commands as
//! they would in Symphony. The app is assembled without `tauri.conf.json` or a build
//! script, so a plain `cargo run` of an author's preview binary works.

use std::borrow::Cow;
use std::sync::Arc;

use ::tauri::utils::acl::ExecutionContext;
use ::tauri::utils::acl::resolved::Resolved;
use ::tauri::utils::assets::{AssetKey, AssetsIter, CspHash};
use ::tauri::webview::PageLoadEvent;
use ::tauri::{
    Assets, Config, Context, Listener, PackageInfo, Pattern, WebviewUrl, WebviewWindowBuilder, Wry,
};

use super::{MotifsPlugin, PAGE_PREFIX, PLUGIN_NAME};
use crate::assets::AssetServer;
use crate::motif::Motif;
use crate::runtime::{MotifError, Update};

/// The extension id the preview's page is served under.
const PREVIEW_HOST: &str = "symphony.preview";

/// Why the preview could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PreviewError {
    /// The motif's first render is invalid.
    #[error(transparent)]
    Motif(#[from] MotifError),
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
/// <motif>: <bridge message> -> <patches as JSON>` (or `-> error: …`) for every event the
/// page sent, and `motif preview: effects: <JSON>` for the messages and requests the motif
/// made.
///
/// # Errors
///
/// A [`PreviewError`] if the motif's view is invalid or the window cannot be created.
pub fn preview<M: Motif>(name: &str, motif: M, assets: AssetServer) -> Result<(), PreviewError> {
    let plugin = MotifsPlugin::new()
        .motif(name, motif)?
        .assets(assets)
        .observe(Arc::new(report_event));
    let context = context()?;
    let url = format!("motif://{PREVIEW_HOST}/{PAGE_PREFIX}{name}");
    let url = url
        .parse()
        .map_err(|error| PreviewError::Tauri(format!("preview URL {url}: {error}")))?;
    let title = format!("Motif preview: {name}");
    let app = ::tauri::Builder::<Wry>::new()
        .plugin(plugin.build())
        .setup(move |app| {
            app.listen_any("motifs://effects", |event| {
                println!("motif preview: effects: {}", event.payload());
            });
            WebviewWindowBuilder::new(app, "preview", WebviewUrl::CustomProtocol(url))
                .title(title)
                .inner_size(800.0, 600.0)
                .on_page_load(|_, payload| {
                    if payload.event() == PageLoadEvent::Finished {
                        println!("motif preview: page loaded: {}", payload.url());
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

fn report_event(motif: &str, message: &str, outcome: Result<&Update, &str>) {
    match outcome {
        Ok(update) => {
            let patches = serde_json::to_string(&update.patches)
                .unwrap_or_else(|error| format!("(unprintable: {error})"));
            println!("motif preview: {motif}: {message} -> {patches}");
        }
        Err(error) => println!("motif preview: {motif}: {message} -> error: {error}"),
    }
}

/// What `tauri::generate_context!()` would produce for an app with no bundled frontend,
/// whose only pages are motif pages allowed to call the motifs plugin.
fn context() -> Result<Context<Wry>, PreviewError> {
    let config: Config = serde_json::from_value(serde_json::json!({
        "identifier": "dev.symphony.motif-preview",
        "app": { "windows": [] },
    }))
    .map_err(|error| PreviewError::Tauri(format!("preview config: {error}")))?;
    let package_info = PackageInfo {
        name: "motif-preview".to_owned(),
        version: semver_version(),
        authors: "Symphony",
        description: "Preview window for a Symphony motif",
        crate_name: "symphony_motifs",
    };
    let mut context = Context::new(
        config,
        Box::new(NoFrontend),
        None,
        None,
        package_info,
        Pattern::Brownfield,
        ::tauri::runtime_authority!(Default::default(), Resolved::default()),
        None,
    );
    // Tauri runs pages of a registered scheme (here `motif://`) in the local context, like
    // its own `tauri://` pages, and each grant is per context (a second grant of the same
    // command replaces the first).
    for command in [
        format!("plugin:{PLUGIN_NAME}|event"),
        format!("plugin:{PLUGIN_NAME}|render"),
        "plugin:event|listen".to_owned(),
    ] {
        // Unstable Tauri API (doc-hidden): the one way to grant commands without a
        // capabilities file compiled in by tauri-build.
        context
            .runtime_authority_mut()
            .__allow_command(command, ExecutionContext::Local);
    }
    Ok(context)
}

fn semver_version() -> semver::Version {
    semver::Version::new(0, 1, 0)
}

/// The preview has no bundled frontend: every page comes from `motif://`.
struct NoFrontend;

impl Assets<Wry> for NoFrontend {
    fn get(&self, _key: &AssetKey) -> Option<Cow<'_, [u8]>> {
        None
    }

    fn iter(&self) -> Box<AssetsIter<'_>> {
        Box::new(std::iter::empty())
    }

    fn csp_hashes(&self, _html_path: &AssetKey) -> Box<dyn Iterator<Item = CspHash<'_>> + '_> {
        Box::new(std::iter::empty())
    }
}
