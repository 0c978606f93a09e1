//! Where the workspace is.

use std::path::{Path, PathBuf};

/// The workspace root: the parent of this crate's directory, known at compile time so that
/// tasks work from any current directory.
pub(crate) fn root() -> PathBuf {
    let xtask_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask_dir.parent().unwrap_or(xtask_dir).to_path_buf()
}
