//! Enforcement where Landlock does not exist: say so, restrict nothing.

use super::plan::SandboxRule;
use super::report::{LandlockSupport, SandboxError, SandboxReport, SandboxStatus, Unsupported};

pub(crate) fn support() -> LandlockSupport {
    LandlockSupport::Unavailable(Unsupported::NotLinux)
}

pub(crate) fn enforce(
    _rules: Vec<SandboxRule>,
    _deny_tcp: bool,
) -> Result<SandboxReport, SandboxError> {
    Ok(SandboxReport {
        status: SandboxStatus::NotSupported(Unsupported::NotLinux),
        applied: Vec::new(),
        skipped: Vec::new(),
        tcp_denied: false,
    })
}

#[cfg(feature = "host")]
pub(crate) fn confine_child(
    _command: &mut std::process::Command,
    _rules: Vec<SandboxRule>,
    _restrict_tcp: bool,
) -> Result<Vec<super::report::SkippedPath>, SandboxError> {
    Err(SandboxError::CreateRuleset {
        source: Unsupported::NotLinux.to_string().into(),
    })
}
