//! Starting one extension as a child process: this very binary with `__serve <kind>`, its
//! grants and config, the handshake, and a record of what it was allowed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use symphony_core::host::{Extension, ExtensionOptions};
use symphony_core::permission::Permissions;
use symphony_core::protocol::{HostInfo, SandboxEnforcement};
use symphony_core::sandbox::{LandlockSupport, landlock_support};

use crate::error::QuickstartError;
use crate::serve::{Kind, SERVE_ARG};

/// A running extension and what the summary says about it.
pub(crate) struct Launched {
    pub(crate) host: Extension,
    pub(crate) kind: Kind,
    /// The extension's id, from the manifest it sent in the handshake.
    pub(crate) id: String,
    pub(crate) pid: Option<u32>,
    /// Spawn plus handshake.
    pub(crate) started: Duration,
    /// The grants, as a reader would say them.
    pub(crate) grants: Vec<String>,
    pub(crate) sandbox: String,
}

/// Whether the kernel confines an extension to its grants.
#[derive(Debug, Clone)]
pub(crate) enum Confinement {
    /// The host asks for Landlock; the handshake fails if the extension cannot apply it.
    Landlock,
    /// No kernel sandbox, and why.
    None(String),
}

impl Confinement {
    /// What this kernel offers an extension whose serve loop applies the sandbox.
    pub(crate) fn available() -> Confinement {
        match landlock_support() {
            LandlockSupport::Available { .. } => Confinement::Landlock,
            LandlockSupport::Unavailable(why) => {
                Confinement::None(format!("none, this kernel cannot enforce one: {why}"))
            }
            // A newer SDK may know more states; claim nothing about them.
            _ => Confinement::None("none, Landlock's state on this kernel is unknown".into()),
        }
    }

    /// What the extension's `initialize` result says the kernel enforces on it: the line is
    /// the extension's report, never what the host hoped for.
    fn describe(&self, reported: Option<&SandboxEnforcement>) -> String {
        match (self, reported) {
            (Confinement::Landlock, Some(enforced)) => format!(
                "Landlock, as the extension reports: the kernel confines every thread to {}",
                confined_to(enforced)
            ),
            (Confinement::Landlock, None) => "none: the extension reported no sandbox".to_owned(),
            (Confinement::None(why), _) => why.clone(),
        }
    }
}

/// What a report covers, in words: `its grants and no TCP (ABI 7; …)`.
fn confined_to(enforced: &SandboxEnforcement) -> String {
    let mut said = match (enforced.filesystem, enforced.network) {
        (true, true) => "its grants and no TCP".to_owned(),
        (true, false) => "its filesystem grants (TCP is not restricted)".to_owned(),
        (false, true) => "no TCP (the filesystem is not restricted)".to_owned(),
        (false, false) => "nothing".to_owned(),
    };
    said.push_str(&format!(" (Landlock ABI {}", enforced.abi));
    for gap in &enforced.gaps {
        said.push_str("; ");
        said.push_str(gap);
    }
    said.push(')');
    said
}

/// The options every extension of the quickstart starts with.
pub(crate) fn base_options() -> ExtensionOptions {
    ExtensionOptions::default()
        .with_host(HostInfo::new(
            "symphony-quickstart",
            env!("CARGO_PKG_VERSION"),
        ))
        // Loading a model on a busy machine, or a debug build, can take a few seconds.
        .with_handshake_timeout(Duration::from_secs(60))
        .with_request_timeout(Some(Duration::from_secs(60)))
}

/// Starts extension `kind` with `options` (grants, config, workspace roots) confined as
/// `confinement` says.
pub(crate) fn launch(
    kind: Kind,
    options: ExtensionOptions,
    confinement: &Confinement,
) -> Result<Launched, QuickstartError> {
    let exe = std::env::current_exe().map_err(QuickstartError::CurrentExe)?;
    let mut command = Command::new(exe);
    command.args([SERVE_ARG, kind.name()]);
    let options = match confinement {
        // The host refuses an extension whose report says its grants are not enforced.
        Confinement::Landlock => {
            options.with_required_sandbox(SandboxEnforcement::required(true, false))
        }
        Confinement::None(_) => options.with_sandbox(false),
    };
    let grants = describe_grants(&options.grants, &options.workspace_roots);
    let began = Instant::now();
    let host = Extension::spawn(command, options)
        .map_err(|source| QuickstartError::Start { kind, source })?;
    let started = began.elapsed();
    let info = host.initialize_result();
    let id = info.manifest.id().as_str().to_owned();
    let sandbox = confinement.describe(info.sandbox.as_ref());
    Ok(Launched {
        pid: host.process_id(),
        host,
        kind,
        id,
        started,
        grants,
        sandbox,
    })
}

/// Each grant as `read /path`, `model invoke` …; relative paths shown under their root.
fn describe_grants(grants: &Permissions, roots: &[PathBuf]) -> Vec<String> {
    let mut said = Vec::new();
    for rule in &grants.filesystem {
        let access: Vec<String> = rule
            .access
            .iter()
            .map(|access| format!("{access:?}").to_lowercase())
            .collect();
        let path = Path::new(&rule.path);
        let shown = match roots.first() {
            Some(root) if path.is_relative() => root.join(path),
            _ => path.to_path_buf(),
        };
        said.push(format!("{} {}", access.join("+"), shown.display()));
    }
    for action in &grants.model {
        said.push(format!("model {}", format!("{action:?}").to_lowercase()));
    }
    said.extend(
        grants
            .network
            .iter()
            .map(|rule| format!("network {}", rule.host)),
    );
    said.extend(grants.env.iter().map(|name| format!("env {name}")));
    said.extend(
        grants
            .process
            .iter()
            .map(|program| format!("spawn {program}")),
    );
    if said.is_empty() {
        said.push("nothing".to_owned());
    }
    said
}

#[cfg(test)]
mod tests {
    use symphony_core::permission::{FsAccess, FsRule, ModelAction};

    use super::*;

    #[test]
    fn grants_read_as_what_they_allow() {
        let grants = Permissions {
            filesystem: vec![FsRule {
                path: "model/iris.onnx".into(),
                access: vec![FsAccess::Read],
            }],
            model: vec![ModelAction::Invoke],
            ..Permissions::default()
        };
        assert_eq!(
            describe_grants(&grants, &[PathBuf::from("/ws")]),
            ["read /ws/model/iris.onnx", "model invoke"]
        );
        assert_eq!(describe_grants(&Permissions::default(), &[]), ["nothing"]);
    }
}
