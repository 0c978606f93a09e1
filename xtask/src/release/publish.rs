//! Packaging and publishing, in dependency order with one multi-package `cargo publish`
//! (cargo ≥ 1.90 verifies each crate against the others' freshly packaged sources, so
//! crates that depend on an unpublished new version of another still verify).
//!
//! The dry run bumps the version in a throwaway copy of the committed tree, so the working
//! tree is left exactly as it was; the real release bumps, commits and tags in place.
//!
//! Both build in a fresh, temporary target dir. Cargo verifies against an overlay registry
//! kept in the target dir and unpacks its crates into `~/.cargo/registry/src/<registry
//! hash>/<name>-<version>`, once: a second packaging of the same version from the same
//! target dir would compile the first one's stale sources (seen here: a re-run after a merge
//! failed on a function the stale `symphony_core` lacked). A fresh target dir is a fresh
//! overlay registry, at the cost of compiling the dependencies again.

use std::fs;
use std::path::{Path, PathBuf};

use semver::Version;

use super::error::ReleaseError;
use super::order::{self, Crate};
use super::{git, version};
use crate::cmd;
use crate::error::Error;

/// Copies the committed tree to a temp dir, bumps it to `new` there and runs
/// `cargo publish --dry-run` for `crates` (in order), building in the copy's `target/`.
pub(crate) fn dry_run(root: &Path, new: &Version, crates: &[Crate]) -> Result<(), Error> {
    let copy = temp_dir("xtask-release-")?;
    eprintln!(
        "release: copying the committed tree to {} to bump it there",
        copy.path().display()
    );
    copy_tracked_files(root, copy.path())?;
    let manifest = bump_manifest(copy.path(), new)?;
    check_versions(&manifest, new)?;
    let target_dir = copy.path().join("target");
    cmd::run(&mut publish_command(&manifest, crates, &target_dir, true))
}

/// Bumps the working tree to `new`, commits and tags it, and publishes `crates` for real,
/// building in a temp dir.
pub(crate) fn release(root: &Path, new: &Version, crates: &[Crate]) -> Result<(), Error> {
    let manifest = bump_manifest(root, new)?;
    check_versions(&manifest, new)?;
    // Any cargo command rewrites the lockfile's entries for the bumped members; this one
    // touches nothing else.
    cmd::run(
        cmd::cargo()
            .args(["update", "--workspace", "--manifest-path"])
            .arg(&manifest),
    )?;
    git::commit_and_tag(root, &["Cargo.toml", "Cargo.lock"], new)?;
    let target_dir = temp_dir("xtask-release-target-")?;
    cmd::run(&mut publish_command(
        &manifest,
        crates,
        target_dir.path(),
        false,
    ))?;
    eprintln!(
        "release: published {}; push the commit and tag with `git push --follow-tags`",
        git::tag_name(new)
    );
    Ok(())
}

fn temp_dir(prefix: &str) -> Result<tempfile::TempDir, ReleaseError> {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .map_err(|source| ReleaseError::Io {
            action: "create a temp dir in",
            path: std::env::temp_dir(),
            source,
        })
}

/// `cargo publish [--dry-run] -p first -p second …`.
fn publish_command(
    manifest: &Path,
    crates: &[Crate],
    target_dir: &Path,
    dry_run: bool,
) -> std::process::Command {
    let mut command = cmd::cargo();
    command.arg("publish");
    if dry_run {
        command.arg("--dry-run");
    }
    command
        .arg("--manifest-path")
        .arg(manifest)
        .arg("--target-dir")
        .arg(target_dir);
    for krate in crates {
        command.args(["-p", &krate.name]);
    }
    command
}

/// Writes the bumped root manifest of the workspace at `root`; returns its path.
fn bump_manifest(root: &Path, new: &Version) -> Result<PathBuf, ReleaseError> {
    let manifest = root.join("Cargo.toml");
    let text = fs::read_to_string(&manifest).map_err(|source| ReleaseError::Io {
        action: "read",
        path: manifest.clone(),
        source,
    })?;
    let bumped = version::bump(&text, &manifest, new)?;
    if bumped.previous == *new {
        eprintln!("release: the workspace is at {new} already; nothing to bump");
    } else {
        eprintln!(
            "release: {} -> {new} in [workspace.package] and the pins of {}",
            bumped.previous,
            bumped.pins.join(", ")
        );
    }
    fs::write(&manifest, bumped.text).map_err(|source| ReleaseError::Io {
        action: "write",
        path: manifest.clone(),
        source,
    })?;
    Ok(manifest)
}

/// Every publishable crate must now carry the new version: one with its own `version`
/// field would be published at the old one.
fn check_versions(manifest: &Path, new: &Version) -> Result<(), Error> {
    for krate in order::load(manifest)? {
        if krate.version != new.to_string() {
            return Err(ReleaseError::VersionNotInherited {
                package: krate.name,
                found: krate.version,
                expected: new.clone(),
            }
            .into());
        }
    }
    Ok(())
}

/// Copies every file git tracks under `root` into `to`. The tree is clean (checked before),
/// so this is exactly the committed tree, without `target/` or other ignored files.
fn copy_tracked_files(root: &Path, to: &Path) -> Result<(), Error> {
    let mut list = std::process::Command::new("git");
    list.arg("-C").arg(root).args(["ls-files", "-z"]);
    let files = cmd::read(&mut list)?;
    for file in files.split('\0').filter(|file| !file.is_empty()) {
        let from = root.join(file);
        let destination = to.join(file);
        if let Some(parent) = destination.parent() {
            fs::create_dir_all(parent).map_err(|source| ReleaseError::Io {
                action: "create",
                path: parent.to_owned(),
                source,
            })?;
        }
        fs::copy(&from, &destination).map_err(|source| ReleaseError::Io {
            action: "copy",
            path: from,
            source,
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publish_names_each_crate_in_order() {
        let crates: Vec<Crate> = ["core", "kind", "umbrella"]
            .into_iter()
            .map(|name| Crate {
                name: name.to_owned(),
                version: "0.2.0".to_owned(),
                is_library: true,
                repository: None,
            })
            .collect();
        let command = publish_command(
            Path::new("/w/Cargo.toml"),
            &crates,
            Path::new("/w/target"),
            true,
        );
        assert_eq!(
            cmd::display(&command),
            "cargo publish --dry-run --manifest-path /w/Cargo.toml --target-dir /w/target \
             -p core -p kind -p umbrella"
        );
        let real = publish_command(Path::new("/w/Cargo.toml"), &crates, Path::new("/t"), false);
        assert!(!cmd::display(&real).contains("--dry-run"));
    }
}
