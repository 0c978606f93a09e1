//! Per-rule matchers, built once per policy and tried in rule order, so the first match is the
//! rule that decides.
//!
//! The common globs (literals, `*`, `**`) are matched by [`wildcard`](super::wildcard) on bytes;
//! the rest by a single-glob `GlobSet` (fallible to build, unlike `Glob::compile_matcher`, which
//! panics if the regex cannot be compiled).

use globset::{Candidate, GlobBuilder, GlobSet};

use super::wildcard::{ComponentGlob, is_plain_wildcard, wildcard_match};

/// A glob globset matches, as a one-glob set.
fn globset(
    text: &str,
    literal_separator: bool,
    fold_case: bool,
) -> Result<GlobSet, globset::Error> {
    let glob = GlobBuilder::new(text)
        .literal_separator(literal_separator)
        .backslash_escape(true)
        .case_insensitive(fold_case)
        .build()?;
    GlobSet::builder().add(glob).build()
}

#[derive(Debug, Clone)]
enum NameMatcher {
    Wildcard { pattern: Vec<u8>, fold_case: bool },
    Globset(GlobSet),
}

impl NameMatcher {
    fn is_match(&self, name: &[u8]) -> bool {
        match self {
            NameMatcher::Wildcard { pattern, fold_case } => {
                wildcard_match(pattern, name, *fold_case)
            }
            NameMatcher::Globset(set) => set.is_match_candidate(&Candidate::from_bytes(name)),
        }
    }
}

/// Name globs (environment variables, program names, hosts) of one list, in rule order; `*`
/// matches any bytes.
#[derive(Debug, Clone, Default)]
pub(crate) struct NameIndex {
    matchers: Vec<(NameMatcher, usize)>,
}

impl NameIndex {
    /// Adds the glob `text` of rule `rule`; rules must be added in increasing order.
    pub(crate) fn add(
        &mut self,
        rule: usize,
        text: &str,
        fold_case: bool,
    ) -> Result<(), globset::Error> {
        let matcher = if is_plain_wildcard(text) {
            NameMatcher::Wildcard {
                pattern: text.as_bytes().to_vec(),
                fold_case,
            }
        } else {
            NameMatcher::Globset(globset(text, false, fold_case)?)
        };
        self.matchers.push((matcher, rule));
        Ok(())
    }

    /// The lowest-numbered rule whose glob matches `name`.
    pub(crate) fn first_match(&self, name: &[u8]) -> Option<usize> {
        self.first_match_where(name, |_| true)
    }

    /// The lowest-numbered rule whose glob matches `name` and that `accept` accepts.
    pub(crate) fn first_match_where(
        &self,
        name: &[u8],
        accept: impl Fn(usize) -> bool,
    ) -> Option<usize> {
        self.matchers
            .iter()
            .find(|(matcher, rule)| accept(*rule) && matcher.is_match(name))
            .map(|&(_, rule)| rule)
    }
}

#[derive(Debug, Clone)]
enum RestMatcher {
    /// The whole pattern is literal: the path must equal the prefix.
    Exact,
    Components(ComponentGlob),
    Globset(GlobSet),
}

/// One path glob split for speed: a literal directory prefix compared as bytes, and a glob for
/// the rest of the path.
#[derive(Debug, Clone)]
struct PathMatcher {
    /// For a glob: the literal prefix with a trailing `/`; for a literal pattern: the path.
    prefix: Vec<u8>,
    rest: RestMatcher,
    rule: usize,
}

impl PathMatcher {
    fn is_match(&self, path: &[u8]) -> bool {
        let Some(tail) = path.strip_prefix(self.prefix.as_slice()) else {
            return false;
        };
        match &self.rest {
            RestMatcher::Exact => tail.is_empty(),
            RestMatcher::Components(glob) => glob.is_match(tail),
            RestMatcher::Globset(set) => set.is_match_candidate(&Candidate::from_bytes(tail)),
        }
    }
}

/// Path globs of one list and access, in rule order.
///
/// Most rules of a policy live under different directories, so comparing the literal prefix
/// rejects them with a `memcmp`, and only the rest of the path is matched against the globs of
/// the few rules whose directory contains it.
#[derive(Debug, Clone, Default)]
pub(crate) struct PathIndex {
    matchers: Vec<PathMatcher>,
}

impl PathIndex {
    /// Adds a glob of rule `rule`: `prefix` is its literal directory prefix (or the whole path
    /// if `rest` is `None`), `rest` the glob after `prefix/`. Rules must be added in order.
    pub(crate) fn add(
        &mut self,
        rule: usize,
        prefix: &[u8],
        rest: Option<&str>,
    ) -> Result<(), globset::Error> {
        let mut prefix = prefix.to_vec();
        let rest = match rest {
            None => RestMatcher::Exact,
            Some(rest) => {
                if !prefix.ends_with(b"/") {
                    prefix.push(b'/');
                }
                match ComponentGlob::parse(rest) {
                    Some(glob) => RestMatcher::Components(glob),
                    None => RestMatcher::Globset(globset(rest, true, false)?),
                }
            }
        };
        self.matchers.push(PathMatcher { prefix, rest, rule });
        Ok(())
    }

    /// The lowest-numbered rule with a glob matching the normalised `path` (as bytes).
    pub(crate) fn first_match(&self, path: &[u8]) -> Option<usize> {
        self.matchers
            .iter()
            .find(|matcher| matcher.is_match(path))
            .map(|matcher| matcher.rule)
    }
}
