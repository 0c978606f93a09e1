//! Debian packages the motif tests need: WebKitGTK headers for the Tauri plugin, Chromium
//! and chromedriver for the browser tests; Xvfb, ImageMagick (`import`, `convert`: screenshots)
//! and xdotool (finding windows) and WebKitWebDriver (`webkit2gtk-driver`, which
//! `tauri-driver` runs) for the tests that drive a real preview window. (npm comes
//! from [`ensure`] in the `node` step, only when no `npm` runs: Node.js from other sources
//! bundles its own and conflicts with Debian's.)
//!
//! Installed packages are detected with `dpkg-query`; when some are missing this runs
//! `apt-get update` once and then `apt-get install -y` for exactly those, saying so first.

use std::process::Command;

use crate::cmd;
use crate::error::Error;

/// The packages, in the order they are reported.
const PACKAGES: &[&str] = &[
    "libwebkit2gtk-4.1-dev",
    "build-essential",
    "pkg-config",
    "chromium",
    "chromium-driver",
    "xvfb",
    "imagemagick",
    "xdotool",
    "webkit2gtk-driver",
];

/// Installs whichever of [`PACKAGES`] are missing.
pub(crate) fn ensure_packages() -> Result<(), Error> {
    ensure(PACKAGES)
}

/// Installs whichever of `packages` are missing.
pub(crate) fn ensure(packages: &[&str]) -> Result<(), Error> {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|package| !is_installed(package))
        .collect();
    if missing.is_empty() {
        eprintln!("provision: Debian packages present: {}", packages.join(" "));
        return Ok(());
    }
    if !cmd::probe(Command::new("apt-get").arg("--version")) {
        return Err(Error::MissingComponent {
            component: "Debian packages",
            reason: format!(
                "{} are not installed and this system has no apt-get; install them (or their \
                 equivalents) with your package manager",
                missing.join(" ")
            ),
        });
    }
    eprintln!(
        "provision: installing missing Debian packages (this takes a few minutes once): {}",
        missing.join(" ")
    );
    let sudo = !is_root();
    cmd::run(apt(sudo).arg("update"))?;
    cmd::run(apt(sudo).args(["install", "-y"]).args(&missing))
}

fn apt(sudo: bool) -> Command {
    let mut command = if sudo {
        let mut command = Command::new("sudo");
        command.arg("apt-get");
        command
    } else {
        Command::new("apt-get")
    };
    command.env("DEBIAN_FRONTEND", "noninteractive");
    command
}

fn is_installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .is_ok_and(|output| {
            output.status.success()
                && String::from_utf8_lossy(&output.stdout).ends_with("install ok installed")
        })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
}
