//! Names for individual rules, so that a decision can say which rule made it.

use std::fmt;

/// Which of the three lists a policy is compiled from a rule comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RuleSource {
    /// The extension's request: its manifest's `[permissions]` table.
    Request,
    /// What the host granted in `initialize`.
    Grant,
    /// What the host denied explicitly; it wins over everything else.
    Deny,
}

impl RuleSource {
    /// A short lowercase name: `"request"`, `"grant"` or `"deny"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            RuleSource::Request => "request",
            RuleSource::Grant => "grant",
            RuleSource::Deny => "deny",
        }
    }
}

impl fmt::Display for RuleSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A permission category: one list of [`Permissions`](super::Permissions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// `filesystem`: path globs with read / write / delete access.
    Filesystem,
    /// `network`: host globs and ports.
    Network,
    /// `env`: environment variable names.
    Env,
    /// `process`: programs that may be spawned.
    Process,
    /// `model`: actions on models hosted by Symphony.
    Model,
}

impl Category {
    /// The category's key in the `[permissions]` table.
    pub const fn as_str(self) -> &'static str {
        match self {
            Category::Filesystem => "filesystem",
            Category::Network => "network",
            Category::Env => "env",
            Category::Process => "process",
            Category::Model => "model",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Identifies one rule: its list, its category and its position in that category's list.
///
/// Displays as `grant.filesystem[2]`, which points at the exact entry of the manifest or of
/// the host's grant; [`Policy::rule_text`](super::Policy::rule_text) returns its pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleId {
    /// The list the rule comes from.
    pub source: RuleSource,
    /// The category (list within [`Permissions`](super::Permissions)) of the rule.
    pub category: Category,
    /// Zero-based position of the rule in that category's list.
    pub index: usize,
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}[{}]", self.source, self.category, self.index)
    }
}
