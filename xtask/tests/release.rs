//! `cargo xtask release` run as a real process against a real git repository: a copy of the
//! fixture workspace (core, a focused crate, an umbrella, an unpublished example) in a temp
//! dir, committed.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The fixture, copied into a fresh temp dir and committed as the first commit.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/release");
        copy_dir(&fixture, dir.path());
        let repo = Self { dir };
        repo.git(&["init", "--quiet"]);
        repo.git(&["add", "."]);
        repo.git(&["commit", "--quiet", "-m", "fixture"]);
        repo
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn manifest(&self) -> PathBuf {
        self.root().join("Cargo.toml")
    }

    fn git(&self, args: &[&str]) -> String {
        let output = Command::new("git")
            .arg("-C")
            .arg(self.root())
            .args([
                "-c",
                "user.name=xtask tests",
                "-c",
                "user.email=xtask@example.invalid",
            ])
            .args(args)
            .output()
            .expect("git runs");
        assert!(output.status.success(), "git {args:?}: {output:?}");
        String::from_utf8(output.stdout).expect("UTF-8")
    }

    fn release(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .arg("release")
            .args(args)
            .arg("--manifest-path")
            .arg(self.manifest())
            // The assertions read cargo's messages: plain text, whatever CI sets for its logs.
            .env("CARGO_TERM_COLOR", "never")
            .output()
            .expect("the xtask binary runs")
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).expect("fixture dir") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            if entry.file_name() == "target" {
                continue;
            }
            fs::create_dir_all(&target).expect("mkdir");
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_dirty_tree_is_refused_naming_each_file() {
    let repo = Repo::new();
    fs::write(repo.root().join("core/src/lib.rs"), "//! changed\n").expect("edit");
    fs::write(repo.root().join("notes.txt"), "untracked").expect("write");

    let output = repo.release(&["0.2.0", "--dry-run"]);
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "the working tree is not clean; commit or stash these first:\n   M core/src/lib.rs\n  ?? notes.txt\n"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("Packaging"), "{stderr}");
}

#[test]
fn a_version_without_a_changelog_section_is_refused() {
    let repo = Repo::new();
    let output = repo.release(&["0.3.0", "--dry-run"]);
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("CHANGELOG.md has no `## [0.3.0]` section"),
        "{stderr}"
    );
}

#[test]
fn a_released_or_lower_version_is_refused() {
    let repo = Repo::new();
    repo.git(&["tag", "v0.2.0"]);
    let output = repo.release(&["0.2.0", "--dry-run"]);
    assert!(
        stderr(&output).contains("tag `v0.2.0` already exists"),
        "{}",
        stderr(&output)
    );

    let output = repo.release(&["0.0.9", "--dry-run"]);
    assert!(
        stderr(&output).contains("0.0.9 is lower than the workspace version 0.1.0"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_dry_run_packages_every_crate_in_order_and_changes_nothing() {
    let repo = Repo::new();
    let before = fs::read_to_string(repo.manifest()).expect("manifest");

    let output = repo.release(&["0.2.0", "--dry-run"]);
    let stderr = stderr(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "release: publishing order: xtask-fixture-core -> xtask-fixture-kind -> xtask-fixture-umbrella\n"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("skipping cargo-semver-checks: no release tag vX.Y.Z below 0.2.0"),
        "{stderr}"
    );
    assert!(
        stderr.contains("release: 0.1.0 -> 0.2.0 in [workspace.package] and the pins of xtask-fixture-core, xtask-fixture-kind, xtask-fixture-umbrella"),
        "{stderr}"
    );
    // Cargo packaged and verified each crate at the new version, core first.
    let packaged: Vec<usize> = [
        "Packaging xtask-fixture-core v0.2.0",
        "Packaging xtask-fixture-kind v0.2.0",
        "Packaging xtask-fixture-umbrella v0.2.0",
    ]
    .iter()
    .map(|line| {
        stderr
            .find(line)
            .unwrap_or_else(|| panic!("no {line:?} in {stderr}"))
    })
    .collect();
    assert!(packaged.is_sorted(), "{stderr}");
    assert!(
        stderr.contains("Verifying xtask-fixture-umbrella v0.2.0"),
        "{stderr}"
    );
    assert!(!stderr.contains("xtask-fixture-example v"), "{stderr}");
    assert!(
        stderr.contains("aborting upload due to dry run"),
        "{stderr}"
    );

    assert_eq!(
        repo.git(&["status", "--porcelain", "--untracked-files=all"]),
        ""
    );
    assert_eq!(
        fs::read_to_string(repo.manifest()).expect("manifest"),
        before
    );
    assert_eq!(repo.git(&["tag", "--list"]), "");
}

#[test]
fn a_name_taken_on_crates_io_by_another_crate_is_refused_before_anything_else() {
    let repo = Repo::new();
    // `symphony` on crates.io is Eclipse Symphony's, not this fixture's.
    for file in ["umbrella/Cargo.toml", "example/Cargo.toml", "Cargo.toml"] {
        let path = repo.root().join(file);
        let text = fs::read_to_string(&path).expect("manifest");
        let text = text
            .replace("name = \"xtask-fixture-umbrella\"", "name = \"symphony\"")
            .replace(
                "xtask-fixture-umbrella = { path = \"umbrella\"",
                "xtask-fixture-umbrella = { package = \"symphony\", path = \"umbrella\"",
            );
        fs::write(&path, text).expect("edit");
    }
    // Left uncommitted on purpose: the name is checked before the working tree.
    let output = repo.release(&["0.2.0", "--dry-run"]);
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "package `symphony` cannot be published: crates.io already holds `symphony` from https://github.com/eclipse-symphony/symphony.git (ours is https://example.invalid/xtask-fixture;"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("release: `xtask-fixture-core` is free on crates.io"),
        "{stderr}"
    );
    assert!(!stderr.contains("working tree"), "{stderr}");
    assert!(!stderr.contains("Packaging"), "{stderr}");
}
