//! The publishable crates and the order to publish them in: each after every workspace crate
//! it depends on (normal and build dependencies; dev-dependencies are stripped by cargo when
//! publishing and may form cycles). Read from `cargo metadata`, not hard-coded, so a new crate
//! or a new edge between crates is picked up.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;

use super::error::ReleaseError;
use crate::cmd;
use crate::error::Error;

/// A workspace crate that will be published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Crate {
    /// The package name.
    pub(crate) name: String,
    /// Its version.
    pub(crate) version: String,
    /// Whether it has a library target (only libraries have an API to compare).
    pub(crate) is_library: bool,
    /// Its `repository` URL, which tells our crate on crates.io from another's.
    pub(crate) repository: Option<String>,
}

#[derive(Deserialize)]
struct Metadata {
    packages: Vec<Package>,
    workspace_members: Vec<String>,
}

#[derive(Deserialize)]
struct Package {
    id: String,
    name: String,
    version: String,
    /// `None`: publishable anywhere; `Some([])`: `publish = false`.
    publish: Option<Vec<String>>,
    #[serde(default)]
    repository: Option<String>,
    dependencies: Vec<Dependency>,
    targets: Vec<Target>,
}

#[derive(Deserialize)]
struct Dependency {
    name: String,
    kind: Option<String>,
}

#[derive(Deserialize)]
struct Target {
    kind: Vec<String>,
}

/// Runs `cargo metadata --no-deps` on the workspace at `manifest_path`: its publishable
/// crates in publishing order.
pub(crate) fn load(manifest_path: &Path) -> Result<Vec<Crate>, Error> {
    let mut command = cmd::cargo();
    command
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .arg("--manifest-path")
        .arg(manifest_path);
    let output = cmd::read(&mut command)?;
    let metadata: Metadata = serde_json::from_str(&output).map_err(|source| Error::Metadata {
        command: cmd::display(&command),
        source,
    })?;
    Ok(publishing_order(&metadata)?)
}

/// Parses `cargo metadata` JSON; for tests of the ordering on hand-written graphs.
#[cfg(test)]
fn from_json(json: &str) -> Result<Vec<Crate>, ReleaseError> {
    let metadata: Metadata = serde_json::from_str(json).expect("test metadata is well-formed");
    publishing_order(&metadata)
}

/// Kahn's algorithm over the publishable members; among the crates ready at a step the
/// alphabetically first goes next, so the order is the same on every run.
fn publishing_order(metadata: &Metadata) -> Result<Vec<Crate>, ReleaseError> {
    let members: BTreeSet<&str> = metadata
        .workspace_members
        .iter()
        .map(String::as_str)
        .collect();
    let publishable: BTreeMap<&str, &Package> = metadata
        .packages
        .iter()
        .filter(|package| members.contains(package.id.as_str()))
        .filter(|package| package.publish.as_ref().is_none_or(|to| !to.is_empty()))
        .map(|package| (package.name.as_str(), package))
        .collect();

    // For each crate, the publishable workspace crates it must wait for.
    let mut waits_for: BTreeMap<&str, BTreeSet<&str>> = publishable
        .iter()
        .map(|(&name, package)| {
            let internal = package
                .dependencies
                .iter()
                .filter(|dependency| dependency.kind.as_deref() != Some("dev"))
                .map(|dependency| dependency.name.as_str())
                .filter(|dependency| *dependency != name && publishable.contains_key(dependency))
                .collect();
            (name, internal)
        })
        .collect();

    let mut order = Vec::with_capacity(publishable.len());
    while let Some(next) = waits_for
        .iter()
        .find(|(_, waits)| waits.is_empty())
        .map(|(&name, _)| name)
    {
        waits_for.remove(next);
        for waits in waits_for.values_mut() {
            waits.remove(next);
        }
        if let Some(package) = publishable.get(next) {
            order.push(Crate {
                name: package.name.clone(),
                version: package.version.clone(),
                is_library: package
                    .targets
                    .iter()
                    .any(|target| target.kind.iter().any(|kind| kind == "lib")),
                repository: package.repository.clone(),
            });
        }
    }
    if waits_for.is_empty() {
        Ok(order)
    } else {
        Err(ReleaseError::Cycle {
            packages: waits_for.keys().map(|name| (*name).to_owned()).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A test package: `(name, publish, [(dependency, kind)], target kinds)`.
    type TestPackage<'a> = (
        &'a str,
        bool,
        &'a [(&'a str, Option<&'a str>)],
        &'a [&'a str],
    );

    /// `cargo metadata`-shaped JSON of `packages`, all workspace members.
    fn metadata(packages: &[TestPackage<'_>]) -> String {
        let packages: Vec<serde_json::Value> = packages
            .iter()
            .map(|(name, publish, dependencies, kinds)| {
                serde_json::json!({
                    "id": format!("path+file:///w/{name}#0.1.0"),
                    "name": name,
                    "version": "0.1.0",
                    "publish": if *publish { serde_json::Value::Null } else { serde_json::json!([]) },
                    "dependencies": dependencies.iter().map(|(dependency, kind)| {
                        serde_json::json!({ "name": dependency, "kind": kind })
                    }).collect::<Vec<_>>(),
                    "targets": [{ "kind": kinds }],
                })
            })
            .collect();
        let members: Vec<String> = packages
            .iter()
            .filter_map(|package| package["id"].as_str().map(str::to_owned))
            .collect();
        serde_json::json!({
            "packages": packages,
            "workspace_members": members,
        })
        .to_string()
    }

    fn names(crates: &[Crate]) -> Vec<&str> {
        crates.iter().map(|krate| krate.name.as_str()).collect()
    }

    #[test]
    fn core_then_focused_crates_then_the_umbrella() {
        let json = metadata(&[
            (
                "symphony",
                true,
                &[
                    ("symphony_core", None),
                    ("symphony_motifs", None),
                    ("symphony_operators", None),
                    ("document-features", None),
                ],
                &["lib"],
            ),
            (
                "symphony_motifs",
                true,
                &[("symphony_core", None)],
                &["lib"],
            ),
            (
                "symphony_operators",
                true,
                &[("symphony_core", None), ("tempfile", Some("dev"))],
                &["lib"],
            ),
            ("symphony_core", true, &[("serde", None)], &["lib"]),
            (
                "csv-cleaner",
                false,
                &[
                    ("symphony_operators", None),
                    ("symphony_operators", Some("build")),
                ],
                &["bin"],
            ),
            ("xtask", false, &[], &["bin"]),
        ]);
        let order = from_json(&json).expect("no cycle");
        assert_eq!(
            names(&order),
            [
                "symphony_core",
                "symphony_motifs",
                "symphony_operators",
                "symphony"
            ]
        );
        assert!(order.iter().all(|krate| krate.is_library));
    }

    #[test]
    fn build_dependencies_order_and_dev_dependencies_do_not() {
        let json = metadata(&[
            ("a", true, &[("b", Some("build"))], &["lib"]),
            ("b", true, &[("a", Some("dev"))], &["lib", "bin"]),
            ("tool", true, &[], &["bin"]),
        ]);
        let order = from_json(&json).expect("a dev-dependency cycle is fine");
        assert_eq!(names(&order), ["b", "a", "tool"]);
        assert!(!order[2].is_library);
    }

    #[test]
    fn a_cycle_names_the_crates_in_it() {
        let json = metadata(&[
            ("a", true, &[("b", None)], &["lib"]),
            ("b", true, &[("a", Some("build"))], &["lib"]),
            ("c", true, &[], &["lib"]),
        ]);
        match from_json(&json) {
            Err(ReleaseError::Cycle { packages }) => assert_eq!(packages, ["a", "b"]),
            other => panic!("expected a cycle, got {other:?}"),
        }
    }

    #[test]
    fn this_workspace_publishes_core_first_and_the_umbrella_last() {
        let crates = load(&crate::workspace::root().join("Cargo.toml")).expect("metadata loads");
        let names = names(&crates);
        assert_eq!(names.first(), Some(&"symphony-sdk-core"), "{names:?}");
        assert_eq!(names.last(), Some(&"symphony-sdk"), "{names:?}");
        assert_eq!(
            names.len(),
            6,
            "only the five library crates and cargo-symphony publish: {names:?}"
        );
        assert!(names.contains(&"cargo-symphony"), "{names:?}");
    }
}
