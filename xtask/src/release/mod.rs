//! `cargo xtask release <version> [--dry-run]`: everything a release does, in the order
//! that fails cheapest first.
//!
//! 0. refuse a package name held on crates.io by a crate that is not ours (`names`);
//! 1. refuse a dirty working tree, naming the files;
//! 2. refuse a version below the current one or one already tagged;
//! 3. require a non-empty `## [X.Y.Z]` section in `CHANGELOG.md`;
//! 4. order the publishable crates by their dependencies (`cargo metadata`);
//! 5. `cargo semver-checks` each library against the previous release tag, if any;
//! 6. bump `[workspace.package] version` and the exact internal pins, then package and
//!    verify every crate with one `cargo publish` in that order.
//!
//! Step 6 always happens first in a temp copy with `cargo publish --dry-run`, leaving the
//! working tree untouched; with `--dry-run` that is all. Without it, the bump is then made
//! in place, committed, tagged `vX.Y.Z` and published for real.

mod changelog;
mod error;
mod git;
mod names;
mod order;
mod publish;
mod semver_checks;
mod version;

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

pub(crate) use error::ReleaseError;
use semver::Version;

use crate::error::Error;

/// What the command line asked for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Request {
    /// The version to release.
    pub(crate) version: Version,
    /// Only check and package; publish nothing and change nothing.
    pub(crate) dry_run: bool,
    /// The workspace's root manifest.
    pub(crate) manifest_path: PathBuf,
}

impl Request {
    /// Parses `<version> [--dry-run] [--manifest-path PATH]`; `default_manifest` when no
    /// path is given.
    pub(crate) fn parse(args: &[OsString], default_manifest: PathBuf) -> Result<Self, Error> {
        let mut version = None;
        let mut dry_run = false;
        let mut manifest_path = None;
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let text = arg.to_string_lossy();
            if text == "--dry-run" {
                dry_run = true;
            } else if text == "--manifest-path" {
                let value = args.next().ok_or_else(|| {
                    Error::Usage("`--manifest-path` needs a path to a Cargo.toml".to_owned())
                })?;
                manifest_path = Some(PathBuf::from(value));
            } else if text.starts_with('-') {
                return Err(Error::Usage(format!(
                    "`release` does not understand {text:?}"
                )));
            } else if version.is_some() {
                return Err(Error::Usage(format!(
                    "`release` takes one version, got a second: {text:?}"
                )));
            } else {
                version = Some(version::parse(&text)?);
            }
        }
        let version = version.ok_or_else(|| {
            Error::Usage("`release` needs the version to release, e.g. 0.2.0".to_owned())
        })?;
        Ok(Self {
            version,
            dry_run,
            manifest_path: manifest_path.unwrap_or(default_manifest),
        })
    }
}

/// Runs the release described by `request`.
pub(crate) fn run(request: &Request) -> Result<(), Error> {
    let manifest = &request.manifest_path;
    let root = manifest.parent().unwrap_or(Path::new("."));
    let new = &request.version;

    // Names first: a taken name makes every later step moot.
    let crates = order::load(manifest)?;
    names::check(root, &crates)?;

    eprintln!("release: checking the working tree of {}", root.display());
    let dirty = git::dirty_files(root)?;
    if !dirty.is_empty() {
        return Err(ReleaseError::DirtyTree { files: dirty }.into());
    }

    let current = version::current(&read(manifest)?, manifest)?;
    if new < &current {
        return Err(ReleaseError::Backwards {
            requested: new.clone(),
            current,
        }
        .into());
    }
    let tags = git::release_tags(root)?;
    if tags.contains(new) {
        return Err(ReleaseError::AlreadyTagged {
            tag: git::tag_name(new),
        }
        .into());
    }

    let changelog = root.join("CHANGELOG.md");
    changelog::check(&read(&changelog)?, &changelog, new)?;
    eprintln!("release: {} has a section for {new}", changelog.display());

    let names: Vec<&str> = crates.iter().map(|krate| krate.name.as_str()).collect();
    eprintln!("release: publishing order: {}", names.join(" -> "));

    let previous = git::previous_release(&tags, new);
    semver_checks::run(manifest, new, previous.as_ref(), &crates)?;

    // Always rehearse first: a crate that fails to package or verify must stop the release
    // before anything is committed, tagged or uploaded.
    publish::dry_run(root, new, &crates)?;
    eprintln!(
        "release: dry run of {} passed; the working tree is unchanged",
        git::tag_name(new)
    );
    if request.dry_run {
        Ok(())
    } else {
        publish::release(root, new, &crates)
    }
}

fn read(path: &Path) -> Result<String, ReleaseError> {
    fs::read_to_string(path).map_err(|source| ReleaseError::Io {
        action: "read",
        path: path.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Request, Error> {
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        Request::parse(&args, PathBuf::from("/w/Cargo.toml"))
    }

    #[test]
    fn parses_the_version_the_flag_and_the_manifest_in_any_order() {
        assert_eq!(
            parse(&["--dry-run", "0.2.0"]).expect("valid"),
            Request {
                version: Version::new(0, 2, 0),
                dry_run: true,
                manifest_path: PathBuf::from("/w/Cargo.toml"),
            }
        );
        let request = parse(&["1.0.0", "--manifest-path", "/x/Cargo.toml"]).expect("valid");
        assert!(!request.dry_run);
        assert_eq!(request.manifest_path, PathBuf::from("/x/Cargo.toml"));
    }

    #[test]
    fn bad_command_lines_are_usage_errors_naming_the_problem() {
        for (args, expected) in [
            (&[][..], "needs the version"),
            (&["0.2.0", "0.3.0"][..], "a second: \"0.3.0\""),
            (&["0.2.0", "--force"][..], "does not understand \"--force\""),
            (&["0.2.0", "--manifest-path"][..], "needs a path"),
        ] {
            match parse(args) {
                Err(Error::Usage(message)) => {
                    assert!(message.contains(expected), "{args:?}: {message}")
                }
                other => panic!("{args:?} gave {other:?}"),
            }
        }
        assert!(matches!(
            parse(&["v0.2.0"]),
            Err(Error::Release(ReleaseError::Version { .. }))
        ));
    }
}
