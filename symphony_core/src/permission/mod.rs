//! Permissions: what an extension requests in its manifest, what a host grants in
//! `initialize`, and the check between them.
//!
//! The same [`Permissions`] shape is used for the manifest's `[permissions]` table, for the
//! host's grants and for the host's deny list, so a host can grant exactly the request, or a
//! narrower copy of it. [`Policy`] compiles the three (and the workspace roots) once; its
//! [`check`](Policy::check) then answers [`Decision::Allowed`], [`Decision::NeedsPrompt`] or
//! [`Decision::Denied`] without touching the filesystem.
//!
//! Checking a path is two steps: [`NormalizedPath::new`] resolves it (system calls: `..`,
//! symbolic links, the current directory), and the check matches the result (no system call,
//! well under a microsecond). A caller that checks one path for several accesses normalises it
//! once; [`Policy::require_path`] does both for the common case.

mod compiled;
mod decision;
mod error;
mod host;
mod matcher;
mod model;
mod no_follow;
mod path;
mod path_glob;
mod path_rule;
mod policy;
mod program;
mod resource;
mod rule;
mod subject;
mod wildcard;

pub use decision::{Decision, Denial};
pub use error::{PermissionError, PolicyError, RootProblem, RuleProblem};
pub use model::{FsAccess, FsRule, ModelAction, NetworkRule, Permissions};
#[cfg(target_os = "linux")]
pub(crate) use no_follow::open_path_no_follow;
pub use no_follow::{ExactDir, open_no_follow};
pub use path::{NormalizeError, NormalizedPath};
pub use path_rule::PathRule;
pub use policy::{Policy, PolicyBuilder};
pub use program::NormalizedProgram;
pub use resource::{Permission, Resource, ResourceName};
pub use rule::{Category, RuleId, RuleSource};
