//! `cargo xtask features`: every library crate type-checks with every combination of up to
//! two of its features (`cargo hack check --feature-powerset --depth 2`), so a `#[cfg]` that
//! forgets a feature, or a feature that forgets a dependency, fails in CI and not for the
//! user who picks that combination.
//!
//! Cost is kept down three ways:
//! - one shared target dir (the workspace's), so a dependency checked with the same features
//!   in an earlier combination, or an earlier run, is not checked again;
//! - `--no-dev-deps`, so test-only crates (criterion, proptest) are neither checked nor
//!   allowed to unify features into the graph under test;
//! - `--exclude-features default` for the crates whose `default` feature is empty: there,
//!   `--features default` *is* `--no-default-features` and `default,X` *is* `X`, but with a
//!   different `cfg` set, so cargo would re-check the crate (and with `onnx` or `tauri`, the
//!   crate above ort or Tauri) for nothing. The umbrella keeps its `default` run: its
//!   default is the three kinds together, a combination depth 2 would not otherwise reach.
//!
//! Combinations where one feature implies the other (`full` with a backend, a backend with
//! its kind) are skipped by cargo-hack itself. A heavy dependency is re-checked only when a
//! combination changes its features or those of a crate below it: Tauri is checked for
//! `symphony_motifs/tauri` and again in four of the umbrella's combinations with `tauri`,
//! where the other kinds' crates unify different features into shared dependencies below
//! it. Each of those is a graph a user can build, so they stay; a warm run reuses them all.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::cmd;
use crate::error::Error;
use crate::install::{self, CARGO_HACK};

/// The published library crates, whose features users combine.
pub(crate) const LIBRARY_CRATES: &[&str] = &[
    "symphony-sdk",
    "symphony-sdk-core",
    "symphony_instruments",
    "symphony_operators",
    "symphony_motifs",
];

/// Each package's `[features]` table: feature name to what it enables.
type FeatureTables = BTreeMap<String, BTreeMap<String, Vec<String>>>;

/// Checks the feature powerset of every library crate of the workspace at `root`.
pub(crate) fn run(root: &Path) -> Result<(), Error> {
    install::ensure("features", CARGO_HACK)?;
    let features = package_features(root)?;
    let (empty_default, real_default) = split_by_default(&features)?;
    for (packages, exclude_default) in [(empty_default, true), (real_default, false)] {
        if packages.is_empty() {
            continue;
        }
        cmd::run(&mut hack_command(root, &packages, exclude_default))?;
    }
    Ok(())
}

/// The `cargo hack` invocation for `packages`.
fn hack_command(root: &Path, packages: &[&str], exclude_default: bool) -> std::process::Command {
    let mut command = cmd::cargo();
    command.current_dir(root).args([
        "hack",
        "check",
        "--feature-powerset",
        "--depth",
        "2",
        "--no-dev-deps",
    ]);
    // `document-features` only renders the feature list into rustdoc; the doc step builds
    // it with all features, so checking it in every combination would double the matrix.
    let excluded = if exclude_default {
        "default,document-features"
    } else {
        "document-features"
    };
    command.args(["--exclude-features", excluded]);
    for package in packages {
        command.args(["-p", package]);
    }
    command
}

/// Splits [`LIBRARY_CRATES`] into those whose `default` feature enables nothing (or is
/// absent) and those where it enables something.
fn split_by_default<'a>(features: &FeatureTables) -> Result<(Vec<&'a str>, Vec<&'a str>), Error> {
    let mut empty = Vec::new();
    let mut real = Vec::new();
    for &package in LIBRARY_CRATES {
        let Some(package_features) = features.get(package) else {
            return Err(Error::NotInWorkspace {
                package: package.to_owned(),
            });
        };
        let default_is_empty = package_features
            .get("default")
            .is_none_or(|enabled| enabled.is_empty());
        if default_is_empty {
            empty.push(package);
        } else {
            real.push(package);
        }
    }
    Ok((empty, real))
}

/// Each workspace member's `[features]` table, from `cargo metadata`.
fn package_features(root: &Path) -> Result<FeatureTables, Error> {
    #[derive(Deserialize)]
    struct Metadata {
        packages: Vec<Package>,
    }
    #[derive(Deserialize)]
    struct Package {
        name: String,
        features: BTreeMap<String, Vec<String>>,
    }

    let mut command = cmd::cargo();
    command
        .current_dir(root)
        .args(["metadata", "--no-deps", "--format-version", "1"]);
    let output = cmd::read(&mut command)?;
    let metadata: Metadata = serde_json::from_str(&output).map_err(|source| Error::Metadata {
        command: cmd::display(&command),
        source,
    })?;
    Ok(metadata
        .packages
        .into_iter()
        .map(|package| (package.name, package.features))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One package's features as `(name, enables)` pairs.
    type Table<'a> = &'a [(&'a str, &'a [&'a str])];

    fn features(entries: &[(&str, Table<'_>)]) -> FeatureTables {
        entries
            .iter()
            .map(|(package, table)| {
                let table = table
                    .iter()
                    .map(|(name, enables)| {
                        (
                            (*name).to_owned(),
                            enables.iter().map(|s| (*s).to_owned()).collect(),
                        )
                    })
                    .collect();
                ((*package).to_owned(), table)
            })
            .collect()
    }

    #[test]
    fn only_crates_with_an_empty_default_exclude_it() {
        let table = features(&[
            (
                "symphony-sdk",
                &[("default", &["operators"]), ("operators", &[])],
            ),
            ("symphony-sdk-core", &[]),
            ("symphony_instruments", &[("default", &[]), ("http", &[])]),
            ("symphony_operators", &[("default", &[])]),
            ("symphony_motifs", &[("default", &[]), ("tauri", &[])]),
        ]);
        let (empty, real) = split_by_default(&table).expect("all crates present");
        assert_eq!(
            empty,
            [
                "symphony-sdk-core",
                "symphony_instruments",
                "symphony_operators",
                "symphony_motifs"
            ]
        );
        assert_eq!(real, ["symphony-sdk"]);

        let excluding = cmd::display(&hack_command(Path::new("."), &empty[..2], true));
        assert_eq!(
            excluding,
            "cargo hack check --feature-powerset --depth 2 --no-dev-deps \
             --exclude-features default,document-features -p symphony-sdk-core \
             -p symphony_instruments"
        );
        let keeping = cmd::display(&hack_command(Path::new("."), &real, false));
        assert_eq!(
            keeping,
            "cargo hack check --feature-powerset --depth 2 --no-dev-deps \
             --exclude-features document-features -p symphony-sdk"
        );
    }

    #[test]
    fn a_missing_library_crate_is_named() {
        let table = features(&[("symphony-sdk", &[])]);
        match split_by_default(&table) {
            Err(Error::NotInWorkspace { package }) => assert_eq!(package, "symphony-sdk-core"),
            other => panic!("expected a missing crate, got {other:?}"),
        }
    }

    #[test]
    fn the_workspace_has_every_library_crate() {
        let table = package_features(&crate::workspace::root()).expect("cargo metadata runs");
        split_by_default(&table).expect("every library crate is a member");
    }
}
