//! `tauri-driver`, the WebDriver server the preview window tests drive the real Tauri window
//! through (it runs WebKitGTK's `WebKitWebDriver`, Debian's `webkit2gtk-driver`), installed
//! with `cargo install --locked` when missing; the `test` step then exports
//! [`TAURI_DRIVER_VAR`] with its path.

use std::path::{Path, PathBuf};

use crate::cmd;
use crate::error::Error;

/// The pinned release.
const PACKAGE: &str = "tauri-driver@2.1.0";
/// The binary's name.
const BINARY: &str = "tauri-driver";
/// The variable `symphony_motifs::testing::webdriver` reads the binary's path from.
pub(crate) const TAURI_DRIVER_VAR: &str = "SYMPHONY_TAURI_DRIVER";

/// Where `cargo install` puts binaries: `$CARGO_HOME/bin`, else `~/.cargo/bin`.
fn cargo_bin() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")))
        .map(|home| home.join("bin"))
}

/// The installed binary: on `PATH`, or in cargo's bin directory.
fn installed() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(cargo_bin())
        .map(|dir| dir.join(BINARY))
        .find(|candidate| candidate.is_file())
}

/// Installs `tauri-driver` unless it is there.
pub(crate) fn ensure(_root: &Path) -> Result<(), Error> {
    if let Some(path) = installed() {
        eprintln!("ci: {BINARY} present at {}", path.display());
        return Ok(());
    }
    eprintln!("ci: installing {PACKAGE} (cargo install --locked) for the preview window tests");
    cmd::run(cmd::cargo().args(["install", "--locked", PACKAGE]))?;
    if installed().is_some() {
        Ok(())
    } else {
        Err(Error::MissingComponent {
            component: "tauri-driver",
            reason: format!(
                "`cargo install --locked {PACKAGE}` finished but no {BINARY} is on PATH or in \
                 cargo's bin directory"
            ),
        })
    }
}

/// The environment the `test` step adds: the binary's path, if installed.
pub(crate) fn test_env(_root: &Path) -> Vec<(&'static str, PathBuf)> {
    installed()
        .map(|path| (TAURI_DRIVER_VAR, path))
        .into_iter()
        .collect()
}
