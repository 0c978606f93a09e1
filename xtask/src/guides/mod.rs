//! `cargo xtask guides`: every guide in `docs/guides/` builds and passes its own tests, as its
//! reader would run them.
//!
//! For each guide, the fenced blocks that name a file (```` ```rust file=src/main.rs ````) are
//! written into a fresh crate in a temporary directory outside the workspace, with `@SDK@`
//! replaced by the workspace root (a guide's `Cargo.toml` writes
//! `symphony_operators = { path = "@SDK@/symphony_operators" }`), and `cargo test` runs there.
//! The crate gets the workspace's `Cargo.lock` unless the guide writes one, so it builds the
//! versions CI tested; the guides build in the workspace's own target directory, with the
//! workspace's debug-info level for dependencies, so they reuse the dependencies the test step
//! compiled instead of compiling (and storing) them again.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::Error;
use crate::{cmd, provision, workspace};

use cargo_symphony::guide::{self as blocks, BlockError, GuideFile};

/// Where the guides are, relative to the workspace root.
const GUIDES_DIR: &str = "docs/guides";

/// What a guide's `Cargo.toml` writes for the workspace root.
const SDK_PLACEHOLDER: &str = "@SDK@";

/// Why a guide fails its check.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum GuideError {
    /// Its blocks cannot be turned into files.
    #[error("{}: {source}", guide.display())]
    Blocks {
        /// The guide.
        guide: PathBuf,
        /// What is wrong, and where.
        source: BlockError,
    },
    /// It writes no `Cargo.toml`, so there is no crate to test.
    #[error(
        "{}: no block writes `Cargo.toml` (```toml file=Cargo.toml), so its code cannot be built",
        guide.display()
    )]
    NoManifest {
        /// The guide.
        guide: PathBuf,
    },
    /// Its crate does not build or its tests fail.
    #[error(
        "{}: `{command}` failed ({status}) in the crate written from its blocks ({files}):\n{output}",
        guide.display()
    )]
    Failed {
        /// The guide.
        guide: PathBuf,
        /// The files whose paths the output names, with the guide line of their block (every
        /// file when it names none).
        files: String,
        /// The command, as run.
        command: String,
        /// How it exited.
        status: std::process::ExitStatus,
        /// Its stdout and stderr.
        output: String,
    },
}

/// Checks every guide under the workspace at `root`; says so when there is none.
pub(crate) fn run(root: &Path) -> Result<(), Error> {
    let guides = list(&root.join(GUIDES_DIR))?;
    if guides.is_empty() {
        eprintln!("guides: found no guides (`{GUIDES_DIR}/*.md`); nothing to check");
        return Ok(());
    }
    let target = workspace::target_dir(root);
    for guide in &guides {
        eprintln!("guides: checking {}", relative(root, guide).display());
        check(root, guide, &target)?;
    }
    eprintln!(
        "guides: {} guide(s) build and pass their tests",
        guides.len()
    );
    Ok(())
}

/// The `*.md` files of `dir`, sorted; none if it does not exist.
fn list(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(Error::Io {
                path: dir.to_owned(),
                source,
            });
        }
    };
    let mut guides = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|source| Error::Io {
                path: dir.to_owned(),
                source,
            })?
            .path();
        if path.extension().is_some_and(|ext| ext == "md") && path.is_file() {
            guides.push(path);
        }
    }
    guides.sort();
    Ok(guides)
}

/// Writes `guide`'s files into a fresh crate and runs `cargo test` there.
fn check(root: &Path, guide: &Path, target: &Path) -> Result<(), Error> {
    let name = relative(root, guide).to_owned();
    let text = std::fs::read_to_string(guide).map_err(|source| Error::Io {
        path: guide.to_owned(),
        source,
    })?;
    let files = blocks::files(&text).map_err(|source| GuideError::Blocks {
        guide: name.clone(),
        source,
    })?;
    if !files.iter().any(|file| file.path == "Cargo.toml") {
        return Err(GuideError::NoManifest { guide: name }.into());
    }
    let dir = tempfile::Builder::new()
        .prefix("symphony-guide-")
        .tempdir()
        .map_err(|source| Error::Io {
            path: std::env::temp_dir(),
            source,
        })?;
    write_crate(root, dir.path(), &files)?;
    let mut command = cmd::cargo();
    command
        .current_dir(dir.path())
        .env("CARGO_TARGET_DIR", target)
        .envs(workspace::OUTSIDE_CRATE_ENV)
        .envs(provision::python::test_env(root))
        .arg("test");
    test(&mut command, &name, dir.path(), &files)
}

/// Writes `files` under `dir`, `@SDK@` replaced by `root`, plus the workspace's lock file
/// when the guide brings none.
fn write_crate(root: &Path, dir: &Path, files: &[GuideFile]) -> Result<(), Error> {
    let sdk = root.display().to_string();
    for file in files {
        let path = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                path: parent.to_owned(),
                source,
            })?;
        }
        std::fs::write(&path, file.text.replace(SDK_PLACEHOLDER, &sdk))
            .map_err(|source| Error::Io { path, source })?;
    }
    if !files.iter().any(|file| file.path == "Cargo.lock") {
        let lock = root.join("Cargo.lock");
        std::fs::copy(&lock, dir.join("Cargo.lock"))
            .map_err(|source| Error::Io { path: lock, source })?;
    }
    Ok(())
}

/// Runs `command` (echoed), keeping its output for the error.
fn test(command: &mut Command, guide: &Path, dir: &Path, files: &[GuideFile]) -> Result<(), Error> {
    let line = cmd::display(command);
    eprintln!("$ {line}");
    let output = command.output().map_err(|source| Error::Spawn {
        command: line.clone(),
        source,
    })?;
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    if output.status.success() {
        eprint!("{}", String::from_utf8_lossy(&output.stderr));
        return Ok(());
    }
    // Cargo's progress lines (`Compiling …`) say nothing about what failed.
    let text: String = text
        .replace(&dir.display().to_string(), "<guide crate>")
        .lines()
        .filter(|line| !is_progress(line))
        .flat_map(|line| [line, "\n"])
        .collect();
    Err(GuideError::Failed {
        guide: guide.to_owned(),
        files: named_files(&text, files),
        command: line,
        status: output.status,
        output: text,
    }
    .into())
}

/// Whether `line` is one of cargo's progress lines.
fn is_progress(line: &str) -> bool {
    let word = line.trim_start().split(' ').next().unwrap_or("");
    line.starts_with(' ')
        && matches!(
            word,
            "Compiling"
                | "Checking"
                | "Downloaded"
                | "Downloading"
                | "Locking"
                | "Updating"
                | "Adding"
                | "Blocking"
        )
}

/// The files `output` names (all of them if it names none), each with its block's line.
fn named_files(output: &str, files: &[GuideFile]) -> String {
    let named: Vec<&GuideFile> = files
        .iter()
        .filter(|file| output.contains(&file.path))
        .collect();
    let shown = if named.is_empty() {
        files.iter().collect()
    } else {
        named
    };
    let mut text = String::new();
    for (index, file) in shown.iter().enumerate() {
        if index > 0 {
            text.push_str(", ");
        }
        let _ = write!(text, "{} from the block at line {}", file.path, file.line);
    }
    text
}

/// `path` relative to `root` when inside it, for messages.
fn relative<'a>(root: &Path, path: &'a Path) -> &'a Path {
    path.strip_prefix(root).unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A guide of a crate with one test, which passes when `answer` is 42.
    fn fixture(answer: u32) -> String {
        format!(
            "# A guide\n\n```sh\ncargo new answer\n```\n\n\
             ```toml file=Cargo.toml\n[package]\nname = \"answer\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[workspace]\n```\n\n\
             ```rust file=src/lib.rs\n/// The answer.\npub fn answer() -> u32 {{\n    {answer}\n}}\n```\n\n\
             ```rust file=tests/answer.rs\n#[test]\nfn answers() {{\n    assert_eq!(answer::answer(), 42);\n}}\n```\n"
        )
    }

    /// A workspace root holding `guides` (name, text) and a lock file.
    fn workspace_with(guides: &[(&str, String)]) -> tempfile::TempDir {
        let root = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(root.path().join(GUIDES_DIR)).expect("guides dir");
        std::fs::write(root.path().join("Cargo.lock"), "version = 4\n").expect("lock");
        for (name, text) in guides {
            std::fs::write(root.path().join(GUIDES_DIR).join(name), text).expect("guide");
        }
        root
    }

    #[test]
    fn a_guide_whose_tests_pass_passes() {
        let root = workspace_with(&[("answer.md", fixture(42))]);
        let target = root.path().join("target/guides");
        let guide = root.path().join(GUIDES_DIR).join("answer.md");
        check(root.path(), &guide, &target).expect("the guide's test passes");
    }

    #[test]
    fn a_failing_test_names_the_guide_the_file_and_the_output() {
        let root = workspace_with(&[("answer.md", fixture(41))]);
        let target = root.path().join("target/guides");
        let guide = root.path().join(GUIDES_DIR).join("answer.md");
        let error = check(root.path(), &guide, &target).unwrap_err().to_string();
        assert!(error.starts_with("docs/guides/answer.md: `"), "{error}");
        assert!(
            error.contains("cargo") && error.contains(" test"),
            "{error}"
        );
        assert!(
            error.contains("tests/answer.rs from the block at line 23"),
            "{error}"
        );
        assert!(error.contains("left: 41"), "{error}");
        assert!(!error.contains("symphony-guide-"), "{error}");
        assert!(!error.contains("   Compiling answer"), "{error}");
    }

    #[test]
    fn sdk_placeholder_becomes_the_workspace_root() {
        let root = workspace_with(&[]);
        let crate_dir = tempfile::tempdir().expect("temp dir");
        let files = [GuideFile {
            path: "Cargo.toml".into(),
            text: "x = { path = \"@SDK@/symphony_operators\" }\n".into(),
            line: 1,
        }];
        write_crate(root.path(), crate_dir.path(), &files).expect("written");
        let written =
            std::fs::read_to_string(crate_dir.path().join("Cargo.toml")).expect("written");
        assert_eq!(
            written,
            format!(
                "x = {{ path = \"{}/symphony_operators\" }}\n",
                root.path().display()
            )
        );
        assert!(crate_dir.path().join("Cargo.lock").is_file());
    }

    #[test]
    fn a_guide_without_a_manifest_or_with_a_bad_block_is_refused_by_name() {
        let root = workspace_with(&[
            (
                "a.md",
                "```rust file=src/main.rs\nfn main() {}\n```\n".into(),
            ),
            ("b.md", "```rust\nfn main() {}\n```\n".into()),
        ]);
        let target = root.path().join("target/guides");
        let error = check(root.path(), &root.path().join("docs/guides/a.md"), &target)
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("docs/guides/a.md: no block writes `Cargo.toml`"),
            "{error}"
        );
        let error = check(root.path(), &root.path().join("docs/guides/b.md"), &target)
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("docs/guides/b.md: line 1: a ```rust block"),
            "{error}"
        );
    }

    #[test]
    fn no_guides_is_no_failure() {
        let root = tempfile::tempdir().expect("temp dir");
        assert!(
            list(&root.path().join(GUIDES_DIR))
                .expect("listed")
                .is_empty()
        );
        run(root.path()).expect("nothing to check");
    }
}
