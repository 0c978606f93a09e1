//! The public view of one compiled filesystem rule.

use std::path::{Path, PathBuf};

use super::model::FsAccess;
use super::rule::RuleId;

/// One compiled filesystem rule: an absolute, normalised glob and the access it allows.
///
/// A relative rule compiles to one `PathRule` per workspace root, all with the same
/// [`id`](Self::id). [`Policy::path_rules`](super::Policy::path_rules) lists them, e.g. for the
/// kernel sandbox, which can only restrict [`literal_prefix`](Self::literal_prefix)es.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathRule {
    pub(crate) id: RuleId,
    pub(crate) glob: String,
    pub(crate) literal_prefix: PathBuf,
    pub(crate) is_literal: bool,
    /// Per [`FsAccess`], indexed by [`access_slot`].
    pub(crate) access: [bool; 3],
}

impl PathRule {
    /// The rule this glob was compiled from.
    pub fn id(&self) -> RuleId {
        self.id
    }

    /// The absolute, normalised glob.
    pub fn glob(&self) -> &str {
        &self.glob
    }

    /// The longest leading run of literal components of the glob: the smallest directory (or
    /// file) that contains every path the glob matches.
    pub fn literal_prefix(&self) -> &Path {
        &self.literal_prefix
    }

    /// Whether the glob has no wildcard at all, so it names exactly
    /// [`literal_prefix`](Self::literal_prefix).
    pub fn is_literal(&self) -> bool {
        self.is_literal
    }

    /// Whether the rule allows (or, in a deny list, denies) `access`.
    pub fn covers(&self, access: FsAccess) -> bool {
        self.access[access_slot(access)]
    }
}

pub(crate) const fn access_slot(access: FsAccess) -> usize {
    match access {
        FsAccess::Read => 0,
        FsAccess::Write => 1,
        FsAccess::Delete => 2,
    }
}
