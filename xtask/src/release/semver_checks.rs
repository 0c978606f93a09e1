//! API compatibility with the previous release: `cargo semver-checks` against the highest
//! `vX.Y.Z` tag below the new version, for each library crate.

use std::path::Path;

use semver::Version;

use super::git;
use super::order::Crate;
use crate::cmd;
use crate::error::Error;
use crate::install::{self, CARGO_SEMVER_CHECKS};

/// Checks every library in `crates` against `previous`, or says why there is nothing to
/// check against.
pub(crate) fn run(
    manifest: &Path,
    new: &Version,
    previous: Option<&Version>,
    crates: &[Crate],
) -> Result<(), Error> {
    let Some(previous) = previous else {
        eprintln!(
            "release: skipping cargo-semver-checks: no release tag vX.Y.Z below {new}, so there \
             is no released API to compare against"
        );
        return Ok(());
    };
    let baseline = git::tag_name(previous);
    eprintln!("release: checking the public API against {baseline} with cargo-semver-checks");
    install::ensure("release", CARGO_SEMVER_CHECKS)?;
    for krate in crates.iter().filter(|krate| krate.is_library) {
        cmd::run(
            cmd::cargo()
                .args([
                    "semver-checks",
                    "check-release",
                    "--baseline-rev",
                    &baseline,
                ])
                .arg("--manifest-path")
                .arg(manifest)
                .args(["-p", &krate.name]),
        )?;
    }
    Ok(())
}
