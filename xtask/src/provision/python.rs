//! The Python venv at the repo root with the ONNX Runtime wheel, whose shared library the
//! instruments tests load to compare the real ONNX Runtime with the built-in tract engine.
//!
//! `.venv` is created with `python3 -m venv` and `onnxruntime==1.31.1` installed into it
//! when missing; the `test` step then exports [`ORT_LIBRARY_VAR`] to the library's path. The
//! tests that need the library fail when that variable is set but wrong, and skip (saying so)
//! only when it is unset and no `.venv` provides the library, i.e. outside `cargo xtask ci`.

use std::path::{Path, PathBuf};

use crate::cmd;
use crate::error::Error;

/// The pinned ONNX Runtime release.
const ONNXRUNTIME: &str = "onnxruntime==1.31.1";
/// The library the wheel ships, relative to `site-packages`.
const LIBRARY: &str = "onnxruntime/capi/libonnxruntime.so.1.31.1";
/// The variable the instruments tests read the library's path from.
pub(crate) const ORT_LIBRARY_VAR: &str = "SYMPHONY_ORT_LIBRARY";

/// Creates `.venv` and installs the wheel unless the library is already there.
pub(crate) fn ensure(root: &Path) -> Result<(), Error> {
    if let Some(library) = ort_library(root) {
        eprintln!("ci: ONNX Runtime present at {}", library.display());
        return Ok(());
    }
    let venv = root.join(".venv");
    if !venv.join("bin/python").is_file() {
        eprintln!(
            "ci: creating the Python venv {} for ONNX Runtime",
            venv.display()
        );
        cmd::run(
            std::process::Command::new("python3")
                .args(["-m", "venv"])
                .arg(&venv),
        )?;
    }
    eprintln!("ci: installing {ONNXRUNTIME} into {}", venv.display());
    cmd::run(std::process::Command::new(venv.join("bin/pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        ONNXRUNTIME,
    ]))?;
    match ort_library(root) {
        Some(library) => {
            eprintln!("ci: ONNX Runtime installed at {}", library.display());
            Ok(())
        }
        None => Err(Error::MissingComponent {
            component: "onnxruntime",
            reason: format!("`pip install {ONNXRUNTIME}` succeeded but {LIBRARY} is not in .venv"),
        }),
    }
}

/// The wheel's shared library inside `.venv`, if installed.
pub(crate) fn ort_library(root: &Path) -> Option<PathBuf> {
    let lib = root.join(".venv/lib");
    std::fs::read_dir(lib)
        .ok()?
        .filter_map(Result::ok)
        .map(|entry| entry.path().join("site-packages").join(LIBRARY))
        .find(|path| path.is_file())
}

/// The environment the `test` step adds: the library's path when installed.
pub(crate) fn test_env(root: &Path) -> Vec<(&'static str, PathBuf)> {
    ort_library(root)
        .map(|library| vec![(ORT_LIBRARY_VAR, library)])
        .unwrap_or_default()
}
