//! `cargo xtask doc [--open]`: the workspace's docs as docs.rs renders each published crate,
//! with every feature on (the `onnx` and `http` backends, the Tauri plugin, the `testing`
//! modules, core's `host` side, the feature lists), and rustdoc warnings denied.
//!
//! CI's `doc` step runs the same command, so what CI checks is what a reader sees locally.
//! It then checks that no page of a focused crate shows a `symphony_core` path
//! (`doc_paths`).
//! Every published crate sets `[package.metadata.docs.rs] all-features = true`; a test below
//! keeps it so.

use std::path::Path;
use std::process::Command;

use crate::error::Error;
use crate::{cmd, workspace};

/// The `cargo doc` command: the whole workspace, every feature, no dependencies' docs.
pub(crate) fn command(root: &Path, open: bool) -> Command {
    let mut command = cmd::cargo();
    command
        .current_dir(root)
        .env("RUSTDOCFLAGS", "-D warnings")
        .args(["doc", "--workspace", "--no-deps", "--all-features"]);
    if open {
        command.arg("--open");
    }
    command
}

/// Builds the docs and checks that the focused crates' pages show only their own paths;
/// with `open`, opens them in a browser.
pub(crate) fn run(root: &Path, open: bool) -> Result<(), Error> {
    cmd::run(&mut command(root, open))?;
    crate::doc_paths::check(&workspace::target_dir(root).join("doc"))
}

/// `--open` or nothing.
pub(crate) fn parse_open(args: &[std::ffi::OsString]) -> Result<bool, Error> {
    match args {
        [] => Ok(false),
        [flag] if flag == "--open" => Ok(true),
        [other, ..] => Err(Error::Usage(format!(
            "`doc` takes only `--open`, got {:?}",
            other.to_string_lossy()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn docs_build_with_every_feature_and_deny_warnings() {
        let line = cmd::display(&command(Path::new("/ws"), false));
        assert!(
            line.contains("RUSTDOCFLAGS='-D warnings'")
                || line.contains("RUSTDOCFLAGS=\"-D warnings\""),
            "{line}"
        );
        assert!(
            line.ends_with("doc --workspace --no-deps --all-features"),
            "{line}"
        );
        assert!(cmd::display(&command(Path::new("/ws"), true)).ends_with(" --open"));
    }

    #[test]
    fn only_open_is_accepted() {
        assert!(!parse_open(&[]).expect("no flag"));
        assert!(parse_open(&["--open".into()]).expect("open"));
        let error = parse_open(&["--all".into()]).unwrap_err().to_string();
        assert!(error.contains("--all"), "{error}");
    }

    /// The workspace members' directories (`dir/*` entries expanded).
    fn members(root: &Path) -> Vec<PathBuf> {
        let text = std::fs::read_to_string(root.join("Cargo.toml")).expect("workspace manifest");
        let manifest: toml_edit::DocumentMut = text.parse().expect("valid TOML");
        let mut dirs = Vec::new();
        for member in manifest["workspace"]["members"]
            .as_array()
            .expect("members list")
        {
            let member = member.as_str().expect("member path");
            match member.strip_suffix("/*") {
                Some(parent) => {
                    for entry in std::fs::read_dir(root.join(parent)).expect("member dir") {
                        let path = entry.expect("entry").path();
                        if path.join("Cargo.toml").is_file() {
                            dirs.push(path);
                        }
                    }
                }
                None => dirs.push(root.join(member)),
            }
        }
        dirs
    }

    #[test]
    fn every_published_crate_has_docs_rs_build_every_feature() {
        let root = workspace::root();
        let mut published = 0;
        for dir in members(&root) {
            let text = std::fs::read_to_string(dir.join("Cargo.toml")).expect("manifest");
            let manifest: toml_edit::DocumentMut = text.parse().expect("valid TOML");
            let package = &manifest["package"];
            if package.get("publish").and_then(|p| p.as_bool()) == Some(false) {
                continue;
            }
            published += 1;
            let all = package
                .get("metadata")
                .and_then(|m| m.get("docs"))
                .and_then(|d| d.get("rs"))
                .and_then(|r| r.get("all-features"))
                .and_then(|a| a.as_bool());
            assert_eq!(
                all,
                Some(true),
                "{}: [package.metadata.docs.rs] must set all-features = true, as `cargo xtask doc` does",
                dir.display()
            );
        }
        assert!(published >= 5, "found only {published} published crates");
    }
}
