//! axe-core, the accessibility checker the motif gallery test runs in headless Chromium,
//! from npm into `.node/` at the repo root (`npm install --prefix .node`), when missing; the
//! `test` step then exports [`AXE_CORE_VAR`] with its script's path.
//!
//! The gallery test fails when the variable is set but wrong, and skips (saying so) only
//! when it is unset, i.e. outside `cargo xtask ci`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd;
use crate::error::Error;

/// The pinned axe-core release.
const AXE_CORE: &str = "axe-core@4.11.4";
/// Its browser script, relative to the prefix.
const SCRIPT: &str = "node_modules/axe-core/axe.min.js";
/// The variable the gallery test reads the script's path from.
pub(crate) const AXE_CORE_VAR: &str = "SYMPHONY_AXE_CORE";

fn prefix(root: &Path) -> PathBuf {
    root.join(".node")
}

/// The installed script, if any.
fn script(root: &Path) -> Option<PathBuf> {
    Some(prefix(root).join(SCRIPT)).filter(|path| path.is_file())
}

/// Installs axe-core into `.node/` unless it is there.
pub(crate) fn ensure(root: &Path) -> Result<(), Error> {
    if let Some(script) = script(root) {
        eprintln!("ci: axe-core present at {}", script.display());
        return Ok(());
    }
    if !cmd::probe(Command::new("npm").arg("--version")) {
        eprintln!("ci: no npm runs here; installing Debian's npm for axe-core");
        super::debian::ensure(&["npm"])?;
    }
    eprintln!(
        "ci: installing {AXE_CORE} from npm into {}",
        prefix(root).display()
    );
    cmd::run(
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
            .arg(prefix(root))
            .arg(AXE_CORE),
    )
}

/// The environment the `test` step adds: the axe-core script's path, if installed.
pub(crate) fn test_env(root: &Path) -> Vec<(&'static str, PathBuf)> {
    script(root)
        .map(|path| (AXE_CORE_VAR, path))
        .into_iter()
        .collect()
}
