//! Installing the cargo subcommands tasks rely on (`cargo hack`, `cargo semver-checks`) when
//! they are missing, saying so, so that a task works on a fresh machine as it does in CI.

use crate::cmd;
use crate::error::Error;

/// A cargo subcommand and the crate that provides it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CargoTool {
    /// What follows `cargo`, e.g. `hack`.
    pub(crate) subcommand: &'static str,
    /// The crates.io package that installs it, e.g. `cargo-hack`.
    pub(crate) package: &'static str,
}

/// `cargo hack`, for the feature powerset.
pub(crate) const CARGO_HACK: CargoTool = CargoTool {
    subcommand: "hack",
    package: "cargo-hack",
};

/// `cargo semver-checks`, for API compatibility with the previous release.
pub(crate) const CARGO_SEMVER_CHECKS: CargoTool = CargoTool {
    subcommand: "semver-checks",
    package: "cargo-semver-checks",
};

/// Makes `tool` available: does nothing when `cargo <subcommand> --version` works, otherwise
/// runs `cargo install --locked <package>` (locked: the versions its authors tested).
pub(crate) fn ensure(task: &str, tool: CargoTool) -> Result<(), Error> {
    if is_installed(tool) {
        return Ok(());
    }
    eprintln!(
        "{task}: `cargo {}` is missing; installing it with `cargo install --locked {}`",
        tool.subcommand, tool.package
    );
    cmd::run(cmd::cargo().args(["install", "--locked", tool.package]))?;
    if is_installed(tool) {
        Ok(())
    } else {
        Err(Error::ToolMissing {
            subcommand: tool.subcommand,
            package: tool.package,
        })
    }
}

fn is_installed(tool: CargoTool) -> bool {
    cmd::probe(cmd::cargo().args([tool.subcommand, "--version"]))
}
