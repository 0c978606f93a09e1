//! Why a release was refused.

use std::path::PathBuf;

/// Why `cargo xtask release` stopped before publishing anything; each message names the
/// file, field or value and says what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum ReleaseError {
    /// The version argument is not `X.Y.Z` semver.
    #[error("`{text}` is not a version: {source}; give one like 0.2.0 (without a leading `v`)")]
    Version {
        /// The argument as given.
        text: String,
        /// What the semver parser said.
        source: semver::Error,
    },
    /// The new version is lower than the workspace's current one.
    #[error(
        "{requested} is lower than the workspace version {current}; a release only moves forward"
    )]
    Backwards {
        /// The version asked for.
        requested: semver::Version,
        /// `[workspace.package] version` now.
        current: semver::Version,
    },
    /// The tag for this version exists, so it was released already.
    #[error("tag `{tag}` already exists: {tag} was released; pick a higher version")]
    AlreadyTagged {
        /// The existing tag.
        tag: String,
    },
    /// The working tree has uncommitted changes.
    #[error(
        "the working tree is not clean; commit or stash these first:\n{}",
        .files.iter().map(|file| format!("  {file}")).collect::<Vec<_>>().join("\n")
    )]
    DirtyTree {
        /// `git status --porcelain` lines: status and path.
        files: Vec<String>,
    },
    /// A file the release needs could not be read or written.
    #[error("cannot {action} {}: {source}", .path.display())]
    Io {
        /// What was being done ("read", "write", …).
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// CHANGELOG.md has no section for the version.
    #[error(
        "{} has no `## [{version}]` section; add one describing the release (keep-a-changelog style) and commit it",
        .path.display()
    )]
    ChangelogSection {
        /// The changelog.
        path: PathBuf,
        /// The version being released.
        version: semver::Version,
    },
    /// The changelog's section exists but says nothing.
    #[error(
        "the `## [{version}]` section of {} is empty; list what changed",
        .path.display()
    )]
    ChangelogEmpty {
        /// The changelog.
        path: PathBuf,
        /// The version being released.
        version: semver::Version,
    },
    /// The root manifest is not TOML, or lacks what the bump edits.
    #[error("{}: {reason}", .path.display())]
    Manifest {
        /// The root Cargo.toml.
        path: PathBuf,
        /// What is wrong, naming the table and key.
        reason: String,
    },
    /// A published crate does not take its version from the workspace.
    #[error(
        "package `{package}` has version {found} after the bump to {expected}; give it `version.workspace = true`"
    )]
    VersionNotInherited {
        /// The package.
        package: String,
        /// Its version.
        found: String,
        /// The release version.
        expected: semver::Version,
    },
    /// Publishable crates depend on each other in a cycle.
    #[error("the publishable crates {} depend on each other in a cycle; cargo cannot publish them in any order", .packages.join(", "))]
    Cycle {
        /// The packages left when no more could be ordered.
        packages: Vec<String>,
    },
    /// A crate's name is held on crates.io by a crate that is not ours.
    #[error(
        "package `{package}` cannot be published: crates.io already holds `{package}` from {theirs} (ours is {ours}; crates.io treats `-` and `_` alike); rename the package and keep the library name with `[lib] name`"
    )]
    NameTaken {
        /// The package name.
        package: String,
        /// The repository the crate on crates.io declares.
        theirs: String,
        /// The repository our package declares.
        ours: String,
    },
    /// crates.io could not be asked about a name.
    #[error("cannot check whether `{package}` is free on crates.io: {reason}")]
    NameUnchecked {
        /// The package name.
        package: String,
        /// What cargo said.
        reason: String,
    },
}
