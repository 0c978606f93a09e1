//! The Tauri context of the preview app, built in code: no `tauri.conf.json`, no build
//! script, so a plain `cargo run` of an author's preview binary works.

use std::borrow::Cow;

use ::tauri::utils::assets::{AssetKey, AssetsIter, CspHash};
use ::tauri::{Assets, Config, Context, PackageInfo, Pattern, Wry};

use super::PreviewError;
use crate::tauri_plugin::acl;

/// What `tauri::generate_context!()` would produce for an app with no bundled frontend,
/// whose only pages are motif pages, granted what `capabilities` grant.
pub(super) fn context(capabilities: &str) -> Result<Context<Wry>, PreviewError> {
    let authority = acl::runtime_authority(capabilities)?;
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
    Ok(Context::new(
        config,
        Box::new(NoFrontend),
        None,
        None,
        package_info,
        Pattern::Brownfield,
        authority,
        None,
    ))
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
