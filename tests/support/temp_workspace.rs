//! The directory pair the permission, sandbox and confinement tests share: a workspace `ws/`
//! beside an `outside/` that no grant covers, both under one canonical temporary directory.

use std::path::{Path, PathBuf};

use tempfile::TempDir;

/// A temporary `ws/` and `outside/`, deleted on drop.
pub struct TempWorkspace {
    _dir: TempDir,
    /// The workspace root, canonical (so expectations compare with normalised paths).
    pub ws: PathBuf,
    /// A sibling of the workspace, outside every grant.
    pub outside: PathBuf,
}

impl TempWorkspace {
    /// Creates both directories and writes `files` (paths relative to the temporary root,
    /// starting `ws/` or `outside/`), creating their parent directories.
    pub fn with_files(files: &[(&str, &str)]) -> TempWorkspace {
        let dir = tempfile::tempdir().expect("create temp dir");
        let base = dir.path().canonicalize().expect("canonicalize temp dir");
        let (ws, outside) = (base.join("ws"), base.join("outside"));
        for root in [&ws, &outside] {
            std::fs::create_dir_all(root).expect("create ws and outside");
        }
        for (path, text) in files {
            write(&base.join(path), text);
        }
        TempWorkspace {
            _dir: dir,
            ws,
            outside,
        }
    }
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("create {parent:?}: {e}"));
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write {path:?}: {e}"));
}
