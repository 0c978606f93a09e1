//! The one place a backend asks the session's [`Policy`] before it touches a resource, and
//! turns a refusal into an [`InstrumentError::PermissionDenied`] that names the permission and
//! the resource.

use symphony_core::permission::{Policy, Resource};

use crate::error::InstrumentError;
use crate::permission::denied;

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
