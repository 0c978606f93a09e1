//! The session's permission policy, from the manifest's request and the host's grants.

use std::sync::Arc;

use serde_json::Value;
use symphony_core::permission::{Permissions, Policy, PolicyError};
use symphony_core::protocol::InitializeParams;

use crate::files::Files;

/// The file access of a session: what the manifest (`manifest["permissions"]`) requests,
/// narrowed to what the host granted in `initialize`, with its workspace roots.
///
/// # Errors
///
/// The manifest's permissions are malformed, or a rule or root cannot be compiled.
pub fn session_files(manifest: &Value, session: &InitializeParams) -> Result<Files, String> {
    Ok(Files::new(Arc::new(session_policy(manifest, session)?)))
}

/// The session's permission policy (see [`session_files`]).
///
/// # Errors
///
/// As [`session_files`].
pub fn session_policy(manifest: &Value, session: &InitializeParams) -> Result<Policy, String> {
    let request: Permissions = match manifest.get("permissions") {
        None | Some(Value::Null) => Permissions::default(),
        Some(value) => serde_json::from_value(value.clone())
            .map_err(|error| format!("the manifest's permissions are malformed: {error}"))?,
    };
    Policy::builder(&request, &session.grants)
        .workspace_roots(session.workspace_roots.iter().cloned())
        .build()
        .map_err(|error: PolicyError| format!("the permissions cannot be compiled: {error}"))
}
