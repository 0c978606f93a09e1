//! The errors of compiling a policy and of requiring a permission.

use std::path::PathBuf;

use super::path::NormalizeError;
use super::resource::{Permission, ResourceName};
use super::rule::{RuleId, RuleSource};

/// Why an access was refused by [`Policy::require`](super::Policy::require).
///
/// Every variant names the permission (category and access) and the resource.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PermissionError {
    /// The extension's manifest does not request the permission for this resource.
    #[error(
        "{permission} permission denied for {resource}: the extension's manifest does not \
         request it (add a matching `{}` rule to its [permissions])",
        permission.category()
    )]
    NotRequested {
        /// The permission that was needed.
        permission: Permission,
        /// The resource it was needed for.
        resource: ResourceName,
    },
    /// The host's deny list covers the resource.
    #[error("{permission} permission denied for {resource}: the host denies it ({rule})")]
    DeniedByHost {
        /// The permission that was needed.
        permission: Permission,
        /// The resource it was needed for.
        resource: ResourceName,
        /// The deny rule that matched.
        rule: RuleId,
    },
    /// The manifest requests the permission but the host has not granted it (yet): the host
    /// may ask the user.
    #[error(
        "{permission} permission for {resource} needs the user's approval: requested by \
         {requested_by} but not granted by the host"
    )]
    NeedsApproval {
        /// The permission that was needed.
        permission: Permission,
        /// The resource it was needed for.
        resource: ResourceName,
        /// The request rule that covers the resource.
        requested_by: RuleId,
    },
    /// The resource is malformed (e.g. a host name with characters no host name has).
    #[error("{permission} permission denied for {resource}: it is not a well-formed resource")]
    InvalidResource {
        /// The permission that was needed.
        permission: Permission,
        /// The malformed resource.
        resource: ResourceName,
    },
    /// A path could not be normalised, so it cannot be checked.
    #[error("{permission} permission cannot be checked for `{}`: {source}", path.display())]
    Unresolvable {
        /// The permission that was needed.
        permission: Permission,
        /// The path as it was given.
        path: PathBuf,
        /// Why it could not be normalised.
        source: NormalizeError,
    },
}

/// Why a [`Policy`](super::Policy) could not be compiled.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// A rule is invalid; `field` is its path in the permissions table, e.g.
    /// `filesystem[1].path`.
    #[error("{list} `{field}` = {value:?}: {problem}")]
    InvalidRule {
        /// The list the rule comes from.
        list: RuleSource,
        /// The rule's field, e.g. `network[0].ports[2]`.
        field: String,
        /// The offending value.
        value: String,
        /// What is wrong with it.
        problem: RuleProblem,
    },
    /// A workspace root cannot be used.
    #[error("workspace root `{}`: {problem}", path.display())]
    InvalidWorkspaceRoot {
        /// The root as it was given.
        path: PathBuf,
        /// What is wrong with it.
        problem: RootProblem,
    },
}

/// What is wrong with one rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RuleProblem {
    /// The pattern is empty.
    #[error("the pattern is empty")]
    Empty,
    /// The pattern contains a NUL byte.
    #[error("the pattern contains a NUL byte")]
    NulByte,
    /// The pattern is longer than any real path.
    #[error("the pattern is {len} bytes long; the limit is {max}")]
    TooLong {
        /// The pattern's length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The pattern has more `**` than any sensible glob needs (each one multiplies the work of
    /// matching).
    #[error("the pattern has {count} `**`; the limit is {max}")]
    TooManyRecursiveWildcards {
        /// How many `**` the pattern has.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// The glob does not parse.
    #[error("not a valid glob: {reason}")]
    InvalidGlob {
        /// The glob parser's explanation.
        reason: String,
    },
    /// `..` follows a wildcard, so which directory it leaves is not known.
    #[error("`..` after a wildcard component is ambiguous; write the directory it leads to")]
    ParentAfterWildcard,
    /// A relative pattern in the deny list, without workspace roots to resolve it against:
    /// dropping it would silently allow what the host meant to deny.
    #[error("a relative pattern needs a workspace root to resolve against, and there is none")]
    RelativeWithoutWorkspace,
    /// The access list is empty, so the rule allows nothing.
    #[error("the access list is empty; list at least one of \"read\", \"write\", \"delete\"")]
    EmptyAccess,
    /// Port 0 is not a port one can connect to.
    #[error("port 0 is not a port one can connect to; leave `ports` empty to allow any port")]
    PortZero,
    /// The host pattern is not a host name glob or IP literal.
    #[error("not a host name glob or IP literal: {reason}")]
    InvalidHost {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The environment variable pattern cannot match any variable name.
    #[error("not an environment variable name glob: {reason}")]
    InvalidEnvName {
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// What is wrong with a workspace root.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RootProblem {
    /// The root is relative; a host knows where its workspace is.
    #[error("it must be an absolute path")]
    NotAbsolute,
    /// The root is not valid UTF-8, which globs cannot express.
    #[error("it is not valid UTF-8, which path globs cannot match against")]
    NotUtf8,
    /// The root could not be normalised.
    #[error("{0}")]
    Unresolvable(#[source] NormalizeError),
}
