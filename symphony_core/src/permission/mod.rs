//! Permissions: what an extension requests in its manifest, what a host grants in
//! `initialize`, and the check between them.
//!
//! The same [`Permissions`] shape is used for the manifest's `[permissions]` table and for the
//! host's grants, so a host can grant exactly the request, or a narrower copy of it.

mod model;

pub use model::{FsAccess, FsRule, ModelAction, NetworkRule, Permissions};
