//! Permissions: what the manifest requests and the host grants, and the session's [`Policy`]
//! that every backend asks before it touches a file, a host or the model.

use std::path::Path;

use crate::error::InstrumentError;

#[doc(inline)]
pub use symphony_core::permission::{
    FsAccess, FsRule, ModelAction, NetworkRule, NormalizedPath, PermissionError, Permissions,
    Policy, Resource,
};

/// Normalises `path` and requires `access` to it; the normalised path is the one to open, so
/// that a link swapped in after the check cannot redirect the access.
///
/// What an instrument calls before it opens a file of its own (a tokenizer, a corpus): a
/// refusal is an [`InstrumentError::PermissionDenied`] naming the permission and the file,
/// which the host shows as such.
///
/// # Errors
///
/// [`InstrumentError::PermissionDenied`] when `policy` does not grant `access` to `path`.
pub fn require_path(
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

/// A refusal as the instrument error that names the permission and the resource.
pub(crate) fn denied(
    permission: String,
    resource: String,
    error: &PermissionError,
) -> InstrumentError {
    InstrumentError::PermissionDenied {
        permission,
        resource,
        reason: error.to_string(),
    }
}
