//! The Tauri context of the preview app, built in code: no `tauri.conf.json`, no build
//! script, so a plain `cargo run` of an author's preview binary works.

use std::borrow::Cow;

use ::tauri::utils::acl::ExecutionContext;
use ::tauri::utils::acl::resolved::Resolved;
use ::tauri::utils::assets::{AssetKey, AssetsIter, CspHash};
use ::tauri::{Assets, Config, Context, PackageInfo, Pattern, Wry};

use super::PreviewError;
use crate::bridge::{EVENT_COMMAND, PLUGIN_NAME};

/// What `tauri::generate_context!()` would produce for an app with no bundled frontend,
/// whose only pages are motif pages allowed to call the motifs plugin.
pub(super) fn context() -> Result<Context<Wry>, PreviewError> {
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
        format!("plugin:{PLUGIN_NAME}|{EVENT_COMMAND}"),
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
