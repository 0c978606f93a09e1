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
