//! Making sure the toolchain has the components CI uses.

use std::process::Command;

use crate::cmd;
use crate::error::Error;

/// The rustup components CI needs, with the cargo subcommand that proves each is present.
const COMPONENTS: &[(&str, &str)] = &[("rustfmt", "fmt"), ("clippy", "clippy")];

/// Installs each missing component with `rustup component add`, saying so.
///
/// Probing `cargo <subcommand> --version` rather than asking rustup keeps this working on
/// toolchains not managed by rustup, where the components may be installed another way.
pub(crate) fn ensure_components() -> Result<(), Error> {
    for &(component, subcommand) in COMPONENTS {
        if cmd::probe(cmd::cargo().args([subcommand, "--version"])) {
            eprintln!("ci: {component} is installed");
            continue;
        }
        eprintln!("ci: {component} is missing; installing it with rustup");
        let mut add = Command::new("rustup");
        add.args(["component", "add", component]);
        match cmd::run(&mut add) {
            Ok(()) => {}
            Err(Error::Spawn { .. }) => {
                return Err(Error::MissingComponent {
                    component,
                    reason: "rustup is not available; install the component with the tool that \
                             installed your Rust toolchain"
                        .to_owned(),
                });
            }
            Err(error) => {
                return Err(Error::MissingComponent {
                    component,
                    reason: error.to_string(),
                });
            }
        }
        if !cmd::probe(cmd::cargo().args([subcommand, "--version"])) {
            return Err(Error::MissingComponent {
                component,
                reason: format!("`cargo {subcommand} --version` still fails after installing it"),
            });
        }
    }
    Ok(())
}
