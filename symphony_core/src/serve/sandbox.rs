//! Applying the kernel sandbox when the host asks for one.

use std::sync::Arc;

use super::Context;
use crate::sandbox::{Sandbox, SandboxStatus};

/// Applies the sandbox during `initialize` when the host sets `sandbox`; see
/// [`ServeOptions::sandbox`](super::ServeOptions::sandbox). An `Err` (the reason) fails the
/// handshake with [`SandboxUnavailable`](crate::protocol::ErrorCode::SandboxUnavailable).
pub type SandboxHook = Arc<dyn Fn(&Context) -> Result<(), String> + Send + Sync>;

/// The hook [`serve`](super::serve) installs by default: restricts the process with Landlock
/// to the effective filesystem grant ([`Sandbox::from_policy`]), plus reading its own
/// executable (already mapped in memory; reading it is what lets a panic print a symbolised
/// backtrace), and nothing else.
///
/// Nothing else is needed after the handshake by the serve loop itself: the pipes to the host
/// were opened before, new serve threads and panics need no file, and logging writes to the
/// already-open stderr.
///
/// An extension that needs more after the handshake (data shipped beside its binary, say)
/// installs its own hook that adds it:
///
/// ```
/// use std::sync::Arc;
/// use symphony_core::sandbox::Sandbox;
/// use symphony_core::serve::{Context, SandboxHook, ServeOptions, enforce_sandbox};
///
/// let hook: SandboxHook = Arc::new(|context: &Context| {
///     enforce_sandbox(Sandbox::from_policy(context.policy()).allow_read("/usr/share/acme"))
/// });
/// let options = ServeOptions::default().with_sandbox(hook);
/// # let _ = options;
/// ```
pub fn landlock_sandbox() -> SandboxHook {
    Arc::new(|context: &Context| {
        let mut sandbox = Sandbox::from_policy(context.policy());
        if let Ok(exe) = std::env::current_exe() {
            sandbox = sandbox.allow_read(exe);
        }
        enforce_sandbox(sandbox)
    })
}

/// Enforces `sandbox` on the current process (irreversibly) for a [`SandboxHook`]: `Ok` only
/// if the kernel enforces it, fully or with gaps (logged as a warning); where Landlock is
/// missing, the reason.
///
/// # Errors
///
/// Why the sandbox is not in force: the kernel lacks Landlock, or refused the restriction.
pub fn enforce_sandbox(sandbox: Sandbox) -> Result<(), String> {
    let report = sandbox.enforce().map_err(|error| error.to_string())?;
    for skipped in report.skipped() {
        tracing::warn!(
            path = %skipped.path().display(),
            error = %skipped.error(),
            "sandbox: a granted path cannot be opened and stays inaccessible"
        );
    }
    match report.status() {
        SandboxStatus::NotSupported(why) => Err(format!("the kernel cannot enforce it: {why}")),
        status @ SandboxStatus::PartiallyEnforced { .. } => {
            tracing::warn!(%status, "sandbox enforced with gaps");
            Ok(())
        }
        status => {
            tracing::debug!(%status, "sandbox enforced");
            Ok(())
        }
    }
}
