//! The one place a backend asks the session's [`Policy`] before it touches a resource, and
//! turns a refusal into an [`InstrumentError::PermissionDenied`] that names the permission and
//! the resource.

use std::path::Path;

use symphony_core::permission::{FsAccess, NormalizedPath, PermissionError, Policy, Resource};

use crate::error::InstrumentError;

/// Requires `resource`.
pub(crate) fn require(policy: &Policy, resource: &Resource<'_>) -> Result<(), InstrumentError> {
    policy.require(resource).map_err(|error| {
        denied(
            resource.permission().to_string(),
            resource.to_name().to_string(),
            &error,
        )
    })
}

/// Normalises `path` and requires `access` to it; the normalised path is the one to open, so
/// that a link swapped in after the check cannot redirect the access.
pub(crate) fn require_path(
    policy: &Policy,
    path: &Path,
    access: FsAccess,
) -> Result<NormalizedPath, InstrumentError> {
    policy.require_path(path, access).map_err(|error| {
        denied(
            format!("filesystem {}", access.as_str()),
            format!("`{}`", path.display()),
            &error,
        )
    })
}

fn denied(permission: String, resource: String, error: &PermissionError) -> InstrumentError {
    InstrumentError::PermissionDenied {
        permission,
        resource,
        reason: error.to_string(),
    }
}
