//! What the release asks git: is the tree clean, which releases are tagged; and, for a real
//! release, the commit and tag.

use std::path::Path;
use std::process::Command;

use semver::Version;

use crate::cmd;
use crate::error::Error;

/// `git -C root …`.
fn git(root: &Path) -> Command {
    let mut command = Command::new("git");
    command.arg("-C").arg(root);
    command
}

/// Every uncommitted change under `root`, as `git status --porcelain` lines (`XY path`);
/// untracked files count, ignored ones do not.
pub(crate) fn dirty_files(root: &Path) -> Result<Vec<String>, Error> {
    let output = cmd::read(
        git(root)
            .args(["status", "--porcelain=v1", "--untracked-files=all", "--"])
            .arg("."),
    )?;
    Ok(output
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(str::to_owned)
        .collect())
}

/// The release versions tagged in the repository: tags `vX.Y.Z` (semver after the `v`).
pub(crate) fn release_tags(root: &Path) -> Result<Vec<Version>, Error> {
    let output = cmd::read(git(root).args(["tag", "--list", "v*"]))?;
    Ok(parse_release_tags(&output))
}

/// The release versions among `git tag` output lines; other tags are ignored.
pub(crate) fn parse_release_tags(output: &str) -> Vec<Version> {
    output
        .lines()
        .filter_map(|tag| tag.trim().strip_prefix('v'))
        .filter_map(|version| Version::parse(version).ok())
        .collect()
}

/// The highest released version below `new`: the baseline for API compatibility.
pub(crate) fn previous_release(tags: &[Version], new: &Version) -> Option<Version> {
    tags.iter().filter(|tag| *tag < new).max().cloned()
}

/// The tag name of a release.
pub(crate) fn tag_name(version: &Version) -> String {
    format!("v{version}")
}

/// Commits `files` as the release commit and tags it `vX.Y.Z` (annotated).
pub(crate) fn commit_and_tag(root: &Path, files: &[&str], version: &Version) -> Result<(), Error> {
    let message = format!("Release {}", tag_name(version));
    cmd::run(git(root).arg("add").arg("--").args(files))?;
    cmd::run(git(root).args(["commit", "-m", &message]))?;
    cmd::run(git(root).args(["tag", "-a", &tag_name(version), "-m", &message]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versions(texts: &[&str]) -> Vec<Version> {
        texts
            .iter()
            .map(|text| Version::parse(text).expect("semver"))
            .collect()
    }

    #[test]
    fn only_semver_v_tags_are_releases() {
        let tags = parse_release_tags("v0.1.0\nv0.2.0-rc.1\nvnext\nrelease-1\n0.3.0\nv1.0\n");
        assert_eq!(tags, versions(&["0.1.0", "0.2.0-rc.1"]));
    }

    #[test]
    fn previous_release_is_the_highest_tag_below_the_new_version() {
        let tags = versions(&["0.1.0", "0.3.0", "0.2.1", "0.2.0", "0.4.0-rc.1"]);
        assert_eq!(
            previous_release(&tags, &Version::new(0, 3, 0)),
            Some(Version::new(0, 2, 1))
        );
        assert_eq!(
            previous_release(&tags, &Version::new(0, 4, 0)),
            Some(Version::parse("0.4.0-rc.1").expect("semver"))
        );
        assert_eq!(previous_release(&tags, &Version::new(0, 1, 0)), None);
        assert_eq!(previous_release(&[], &Version::new(0, 1, 0)), None);
    }

    #[test]
    fn a_repository_reports_changed_and_untracked_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        cmd::run(git(root).args(["init", "--quiet"])).expect("git init");
        std::fs::write(root.join("tracked.txt"), "a").expect("write");
        cmd::run(git(root).args(["add", "tracked.txt"])).expect("git add");
        cmd::run(git(root).args([
            "-c",
            "user.name=xtask",
            "-c",
            "user.email=xtask@example.invalid",
            "commit",
            "--quiet",
            "-m",
            "init",
        ]))
        .expect("git commit");
        assert!(dirty_files(root).expect("git status").is_empty());

        std::fs::write(root.join("tracked.txt"), "b").expect("write");
        std::fs::write(root.join("new.txt"), "c").expect("write");
        assert_eq!(
            dirty_files(root).expect("git status"),
            [" M tracked.txt", "?? new.txt"]
        );
    }
}
