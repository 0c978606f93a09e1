//! The answer of a permission check, with the rule that decided it.

use std::fmt;

use super::rule::RuleId;

/// The answer of [`Policy::check`](super::Policy::check).
///
/// Effective permission is the intersection of the extension's request and the host's grant,
/// minus the host's deny list. Every answer names the rule(s) that decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Both the request and the grant allow the access, and the host does not deny it.
    Allowed {
        /// The first request rule that covers the resource.
        requested_by: RuleId,
        /// The first grant rule that covers the resource.
        granted_by: RuleId,
    },
    /// The request covers the resource, but the grant neither allows nor denies it: the host
    /// may ask the user, and until then the access is not allowed.
    NeedsPrompt {
        /// The first request rule that covers the resource.
        requested_by: RuleId,
    },
    /// The access is not allowed.
    Denied(Denial),
}

impl Decision {
    /// Whether the access may go ahead now.
    pub const fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allowed { .. })
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Decision::Allowed {
                requested_by,
                granted_by,
            } => {
                write!(
                    f,
                    "allowed: requested by {requested_by}, granted by {granted_by}"
                )
            }
            Decision::NeedsPrompt { requested_by } => {
                write!(
                    f,
                    "needs the user's approval: requested by {requested_by}, not granted"
                )
            }
            Decision::Denied(denial) => write!(f, "denied: {denial}"),
        }
    }
}

/// Why a [`Decision`] is [`Denied`](Decision::Denied).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Denial {
    /// No rule of the extension's request covers the resource; a grant can never widen a
    /// request, so the host cannot allow it either.
    NotRequested,
    /// A rule of the host's deny list covers the resource.
    ByHost {
        /// The first deny rule that covers the resource.
        rule: RuleId,
    },
    /// The resource itself is malformed (e.g. a host name with characters no host name has),
    /// so no rule can be trusted to describe it.
    InvalidResource,
}

impl fmt::Display for Denial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Denial::NotRequested => f.write_str("the extension's manifest does not request it"),
            Denial::ByHost { rule } => write!(f, "the host denies it ({rule})"),
            Denial::InvalidResource => f.write_str("the resource is malformed"),
        }
    }
}
