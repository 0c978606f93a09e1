//! Where the workspace is.

use std::path::{Path, PathBuf};

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
