//! Permissions: what the manifest requests and the host grants, and the session's [`Policy`]
//! that every backend asks before it touches a file, a host or the model.

#[doc(inline)]
pub use symphony_core::permission::{
    FsAccess, FsRule, ModelAction, NetworkRule, PermissionError, Permissions, Policy, Resource,
};
