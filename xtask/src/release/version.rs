//! The release version: parsing the argument and writing it into the root manifest —
//! `[workspace.package] version` and every exact pin (`=X.Y.Z`) of an internal crate in
//! `[workspace.dependencies]` — with `toml_edit`, so comments and layout survive.

use std::path::Path;

use semver::Version;
use toml_edit::{DocumentMut, Item, Value};

use super::error::ReleaseError;

/// Parses the version argument: plain semver, `0.2.0` or `1.0.0-rc.1`.
pub(crate) fn parse(text: &str) -> Result<Version, ReleaseError> {
    Version::parse(text).map_err(|source| ReleaseError::Version {
        text: text.to_owned(),
        source,
    })
}

/// The root manifest with the new version written in.
#[derive(Debug)]
pub(crate) struct Bumped {
    /// The version before the bump.
    pub(crate) previous: Version,
    /// The whole manifest, edited.
    pub(crate) text: String,
    /// The internal dependencies whose pin was rewritten.
    pub(crate) pins: Vec<String>,
}

/// Reads `[workspace.package] version` from the root manifest's text.
pub(crate) fn current(text: &str, path: &Path) -> Result<Version, ReleaseError> {
    let document = document(text, path)?;
    workspace_version(&document, path)
}

/// Writes `new` into `text` (the root manifest at `path`): the workspace version and each
/// internal dependency's exact pin. An internal dependency (one with a `path`) that is not
/// pinned with `=` is an error, since DESIGN.md requires exact pins.
pub(crate) fn bump(text: &str, path: &Path, new: &Version) -> Result<Bumped, ReleaseError> {
    let mut document = document(text, path)?;
    let previous = workspace_version(&document, path)?;
    set_string(
        &mut document["workspace"]["package"]["version"],
        &new.to_string(),
    );

    let mut pins = Vec::new();
    if let Some(dependencies) = document["workspace"]
        .get_mut("dependencies")
        .and_then(Item::as_table_like_mut)
    {
        for (name, entry) in dependencies.iter_mut() {
            let Some(entry) = entry.as_table_like_mut() else {
                continue;
            };
            if !entry.contains_key("path") {
                continue;
            }
            let pin = entry.get("version").and_then(Item::as_str).unwrap_or("");
            if !pin.starts_with('=') {
                return Err(ReleaseError::Manifest {
                    path: path.to_owned(),
                    reason: format!(
                        "[workspace.dependencies] {name}: an internal crate must be pinned exactly \
                         (`version = \"={previous}\"`), found {pin:?}"
                    ),
                });
            }
            if let Some(item) = entry.get_mut("version") {
                set_string(item, &format!("={new}"));
            }
            pins.push(name.get().to_owned());
        }
    }
    Ok(Bumped {
        previous,
        text: document.to_string(),
        pins,
    })
}

fn document(text: &str, path: &Path) -> Result<DocumentMut, ReleaseError> {
    text.parse::<DocumentMut>()
        .map_err(|error| ReleaseError::Manifest {
            path: path.to_owned(),
            reason: format!("not valid TOML: {error}"),
        })
}

fn workspace_version(document: &DocumentMut, path: &Path) -> Result<Version, ReleaseError> {
    let text = document
        .get("workspace")
        .and_then(|workspace| workspace.get("package"))
        .and_then(|package| package.get("version"))
        .and_then(Item::as_str)
        .ok_or_else(|| ReleaseError::Manifest {
            path: path.to_owned(),
            reason: "no `[workspace.package] version` string; the release version lives there"
                .to_owned(),
        })?;
    Version::parse(text).map_err(|error| ReleaseError::Manifest {
        path: path.to_owned(),
        reason: format!("[workspace.package] version {text:?} is not semver: {error}"),
    })
}

/// Replaces a string value, keeping the whitespace and comments around it.
fn set_string(item: &mut Item, text: &str) {
    match item.as_value_mut() {
        Some(value) => {
            let decor = value.decor().clone();
            *value = Value::from(text);
            *value.decor_mut() = decor;
        }
        None => *item = toml_edit::value(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"[workspace]
members = ["core", "kind"]

[workspace.package]
version = "0.1.0" # the one version of every crate
edition = "2024"

[workspace.dependencies]
# Internal crates: pinned exactly.
core = { path = "core", version = "=0.1.0" }
kind = { path = "kind",   version = "=0.1.0", default-features = false }
serde = { version = "1.0.219", features = ["derive"] }

[workspace.dependencies.umbrella]
path = "umbrella"
version = "=0.1.0"
"#;

    #[test]
    fn parses_plain_and_pre_release_versions() {
        assert_eq!(parse("0.2.0").expect("valid"), Version::new(0, 2, 0));
        assert_eq!(parse("1.0.0-rc.1").expect("valid").pre.as_str(), "rc.1");
        for bad in ["v0.2.0", "0.2", "", "0.2.0 ", "latest"] {
            match parse(bad) {
                Err(ReleaseError::Version { text, .. }) => assert_eq!(text, bad),
                other => panic!("{bad:?} parsed as {other:?}"),
            }
        }
    }

    #[test]
    fn bump_rewrites_the_version_and_internal_pins_only_keeping_the_layout() {
        let bumped = bump(MANIFEST, Path::new("Cargo.toml"), &Version::new(0, 2, 0))
            .expect("the manifest bumps");
        assert_eq!(bumped.previous, Version::new(0, 1, 0));
        assert_eq!(bumped.pins, ["core", "kind", "umbrella"]);
        assert_eq!(
            bumped.text,
            MANIFEST
                .replace("version = \"0.1.0\"", "version = \"0.2.0\"")
                .replace("\"=0.1.0\"", "\"=0.2.0\"")
        );
        assert!(bumped.text.contains("serde = { version = \"1.0.219\""));
        assert_eq!(
            current(&bumped.text, Path::new("Cargo.toml")).expect("still readable"),
            Version::new(0, 2, 0)
        );
    }

    #[test]
    fn an_internal_dependency_without_an_exact_pin_is_refused_by_name() {
        let loose = MANIFEST.replace(
            r#"kind = { path = "kind",   version = "=0.1.0""#,
            r#"kind = { path = "kind", version = "0.1""#,
        );
        let error = bump(&loose, Path::new("Cargo.toml"), &Version::new(0, 2, 0))
            .expect_err("a loose pin is refused");
        let message = error.to_string();
        assert!(
            message.contains("[workspace.dependencies] kind"),
            "{message}"
        );
        assert!(message.contains("\"0.1\""), "{message}");
    }

    #[test]
    fn a_manifest_without_a_workspace_version_says_where_it_looked() {
        let error = current("[workspace]\nmembers = []\n", Path::new("/w/Cargo.toml"))
            .expect_err("no version");
        assert_eq!(
            error.to_string(),
            "/w/Cargo.toml: no `[workspace.package] version` string; the release version lives there"
        );
        let error = current("[workspace", Path::new("/w/Cargo.toml")).expect_err("not TOML");
        assert!(
            error
                .to_string()
                .starts_with("/w/Cargo.toml: not valid TOML")
        );
    }
}
