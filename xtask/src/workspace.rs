//! Where the workspace is.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// The workspace root: the parent of this crate's directory, known at compile time so that
/// tasks work from any current directory.
pub(crate) fn root() -> PathBuf {
    let xtask_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask_dir.parent().unwrap_or(xtask_dir).to_path_buf()
}

/// Where cargo puts build output: `$CARGO_TARGET_DIR` (relative to the workspace root if
/// relative), or `target/` of the workspace.
pub(crate) fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| {
            if dir.is_absolute() {
                dir
            } else {
                root.join(dir)
            }
        })
        .unwrap_or_else(|| root.join("target"))
}

/// The environment that gives a crate outside this workspace (a guide's crate) the debug-info
/// level the workspace's `[profile.dev]` gives dependencies: none. A workspace's profiles do
/// not reach crates outside it, and with full debug info CI's disk filled up.
pub(crate) const OUTSIDE_CRATE_ENV: [(&str, &str); 1] = [("CARGO_PROFILE_DEV_DEBUG", "false")];

/// The example packages the integration tests run (`tests/examples.list`: one per line,
/// `#` comments).
pub(crate) fn test_examples(root: &Path) -> Result<Vec<String>, Error> {
    let path = root.join("tests/examples.list");
    let text = std::fs::read_to_string(&path).map_err(|source| Error::Io { path, source })?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_owned)
        .collect())
}
