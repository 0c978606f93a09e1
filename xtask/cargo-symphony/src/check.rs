//! `cargo symphony check [<dir>]`: the crate's `symphony.toml`, checked exactly as its
//! build script checks it (`symphony_core::manifest::build`), with a summary of what the
//! extension asks the host for.

use std::fmt::Write as _;
use std::path::Path;

use symphony_core::manifest::Manifest;

/// The manifest file every extension crate keeps beside its `Cargo.toml`.
pub const MANIFEST_FILE: &str = "symphony.toml";

/// Reads and validates `<dir>/symphony.toml`: the manifest, or every problem with its field
/// path and line, as the build-time check prints them.
pub fn load(dir: &Path) -> Result<Manifest, String> {
    Manifest::from_path(dir.join(MANIFEST_FILE)).map_err(|errors| errors.to_string())
}

/// What the manifest asks for: identity and kind, then permissions, config and the kind's
/// own section, each as the canonical TOML the host reads.
pub fn summary(manifest: &Manifest) -> Result<String, String> {
    let canonical: toml::Table = manifest
        .to_toml_string()
        .map_err(|error| error.to_string())?
        .parse()
        .map_err(|error| format!("the canonical manifest does not parse back: {error}"))?;
    let kind = manifest.kind().to_string();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} ({}), a{} {kind}",
        manifest.id().as_str(),
        manifest.version(),
        manifest.name(),
        if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "n"
        } else {
            ""
        },
    );
    let _ = writeln!(out, "engine: {}", manifest.engine());
    section(
        &mut out,
        "permissions",
        canonical.get("permissions"),
        "none: it asks for nothing",
    );
    section(&mut out, "config", canonical.get("config"), "none");
    section(&mut out, &kind, canonical.get(&kind), "empty");
    Ok(out)
}

fn section(out: &mut String, name: &str, value: Option<&toml::Value>, empty: &str) {
    // Empty lists are what the manifest does not ask for: leave them out.
    let table: toml::Table = value
        .and_then(toml::Value::as_table)
        .into_iter()
        .flatten()
        .filter(|(_, value)| !matches!(value, toml::Value::Array(items) if items.is_empty()))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    let body = toml::to_string(&table).unwrap_or_default();
    if body.trim().is_empty() {
        let _ = writeln!(out, "[{name}]: {empty}");
    } else {
        let _ = writeln!(out, "[{name}]");
        for line in body.lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_manifest_is_refused_with_located_errors_and_a_valid_one_summarised() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join(MANIFEST_FILE),
            "id = \"acme.x\"\nname = \"X\"\nversion = \"0.1.0\"\nkind = \"operator\"\nengine = \"^1\"\n\
             [permissions]\nfilesystem = [{ path = \"data/*.csv\", access = [\"rede\"] }]\n\
             [operator]\ncategory = \"custom\"\n",
        )
        .expect("write");
        let error = load(dir.path()).expect_err("invalid access");
        assert!(
            error.contains("permissions.filesystem[0].access"),
            "{error}"
        );
        assert!(error.contains("line 7"), "{error}");

        std::fs::write(
            dir.path().join(MANIFEST_FILE),
            "id = \"acme.x\"\nname = \"X\"\nversion = \"0.1.0\"\nkind = \"operator\"\nengine = \"^1\"\n\
             [permissions]\nfilesystem = [{ path = \"data/*.csv\", access = [\"read\"] }]\n\
             [operator]\ncategory = \"custom\"\n",
        )
        .expect("write");
        let manifest = load(dir.path()).expect("valid");
        let text = summary(&manifest).expect("summary");
        assert!(
            text.starts_with("acme.x 0.1.0 (X), an operator\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "[permissions]\n  [[filesystem]]\n  access = [\"read\"]\n  path = \"data/*.csv\""
            ),
            "{text}"
        );
        assert!(text.contains("[config]: none"), "{text}");
        assert!(
            text.contains("[operator]\n  category = \"custom\""),
            "{text}"
        );
    }
}
