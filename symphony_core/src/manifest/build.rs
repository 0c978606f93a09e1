//! Checking the manifest from an extension's `build.rs`, so a broken manifest fails the build.
//!
//! ```no_run
//! // build.rs of an extension, with the SDK crate you use in [build-dependencies]:
//! // `use symphony_operators::manifest::build::check_manifest;` (or another kind's)
//! # use symphony_core::manifest::build::check_manifest;
//! fn main() {
//!     check_manifest();
//! }
//! ```
//!
//! Cargo then shows each problem as a build error, with its field path and line, and reruns
//! the check whenever `symphony.toml` changes.

// The example shows a whole build script, so its `fn main` is the point.
#![allow(clippy::needless_doctest_main)]

use std::env;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::model::Manifest;

/// Checks `symphony.toml` beside the crate's `Cargo.toml` (call it from `build.rs`).
///
/// Prints `cargo::rerun-if-changed` for the file and, if the manifest is invalid, one
/// `cargo::error` line per problem, which makes Cargo fail the build after the script ends.
/// Returns the manifest when it is valid, for build scripts that generate code from it.
pub fn check_manifest() -> Option<Manifest> {
    let mut stdout = io::stdout().lock();
    let Some(dir) = env::var_os("CARGO_MANIFEST_DIR") else {
        emit(
            &mut stdout,
            "error",
            "CARGO_MANIFEST_DIR is not set: call check_manifest() from a build script",
        );
        return None;
    };
    check_manifest_at(&PathBuf::from(dir).join("symphony.toml"), &mut stdout)
}

/// Checks the manifest at `path`, writing the build-script directives to `out`.
///
/// This is [`check_manifest`] for a manifest elsewhere, or for capturing the directives.
pub fn check_manifest_at(path: &Path, out: &mut dyn Write) -> Option<Manifest> {
    emit(out, "rerun-if-changed", &path.display().to_string());
    match Manifest::from_path(path) {
        Ok(manifest) => Some(manifest),
        Err(errors) => {
            // The header names the file; Cargo prints each directive as its own error.
            for line in errors.to_string().lines() {
                emit(out, "error", line.trim_start());
            }
            None
        }
    }
}

fn emit(out: &mut dyn Write, directive: &str, value: &str) {
    // A failed write means Cargo is no longer reading the script's output, and there is no
    // other channel left to report on.
    let _ = writeln!(out, "cargo::{directive}={value}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_manifest_passes_and_asks_for_rerun() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("symphony.toml");
        std::fs::write(
            &path,
            "id = \"acme.x\"\nname = \"X\"\nversion = \"0.1.0\"\nkind = \"operator\"\n\
             engine = \"^1\"\n[operator]\ncategory = \"custom\"\n",
        )
        .expect("write manifest");
        let mut out = Vec::new();
        let manifest = check_manifest_at(&path, &mut out).expect("valid");
        assert_eq!(manifest.id().as_str(), "acme.x");
        let out = String::from_utf8(out).expect("utf-8");
        assert_eq!(out, format!("cargo::rerun-if-changed={}\n", path.display()));
    }

    #[test]
    fn invalid_manifest_emits_one_error_per_problem() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("symphony.toml");
        std::fs::write(&path, "id = \"Acme\"\nname = \"X\"\n").expect("write manifest");
        let mut out = Vec::new();
        assert!(check_manifest_at(&path, &mut out).is_none());
        let out = String::from_utf8(out).expect("utf-8");
        let errors: Vec<&str> = out
            .lines()
            .filter(|line| line.starts_with("cargo::error="))
            .collect();
        // Header, bad id, and missing version, kind and engine.
        assert_eq!(errors.len(), 5, "{out}");
        assert!(errors[0].contains(&path.display().to_string()));
        assert!(out.contains("cargo::error=id: `Acme` is not a valid extension id"));
    }

    #[test]
    fn missing_file_is_reported() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut out = Vec::new();
        assert!(check_manifest_at(&dir.path().join("symphony.toml"), &mut out).is_none());
        let out = String::from_utf8(out).expect("utf-8");
        assert!(out.contains("cargo::error=cannot read"), "{out}");
    }
}
