//! Glob sets that answer "which is the first rule that matches", built once per policy.

use globset::{Candidate, Glob, GlobBuilder, GlobSet, GlobSetBuilder};

/// Builds a path glob: `*` and `?` stay within one component, `**` spans components, `\`
/// escapes, case-sensitive, and matching is on bytes (non-UTF-8 names match exactly).
pub(crate) fn path_glob(text: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(text)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
}

/// Builds a name glob (environment variables, program names, hosts): `*` matches anything.
pub(crate) fn name_glob(text: &str, case_insensitive: bool) -> Result<Glob, globset::Error> {
    GlobBuilder::new(text)
        .literal_separator(false)
        .backslash_escape(true)
        .case_insensitive(case_insensitive)
        .build()
}

/// Collects globs with the index of the rule each belongs to.
#[derive(Debug)]
pub(crate) struct GlobIndexBuilder {
    set: GlobSetBuilder,
    rule_of: Vec<usize>,
}

impl Default for GlobIndexBuilder {
    fn default() -> Self {
        Self {
            set: GlobSetBuilder::new(),
            rule_of: Vec::new(),
        }
    }
}

impl GlobIndexBuilder {
    pub(crate) fn add(&mut self, rule: usize, glob: Glob) {
        self.set.add(glob);
        self.rule_of.push(rule);
    }

    pub(crate) fn build(self) -> Result<GlobIndex, globset::Error> {
        Ok(GlobIndex {
            set: self.set.build()?,
            rule_of: self.rule_of,
        })
    }
}

/// A compiled set of globs, each tagged with its rule.
#[derive(Debug, Clone, Default)]
pub(crate) struct GlobIndex {
    set: GlobSet,
    rule_of: Vec<usize>,
}

impl GlobIndex {
    /// The lowest-numbered rule with a glob matching `candidate`.
    pub(crate) fn first_match(&self, candidate: &Candidate<'_>) -> Option<usize> {
        self.first_match_where(candidate, |_| true)
    }

    /// The lowest-numbered rule with a glob matching `candidate` that `accept` also accepts.
    pub(crate) fn first_match_where(
        &self,
        candidate: &Candidate<'_>,
        accept: impl Fn(usize) -> bool,
    ) -> Option<usize> {
        if self.rule_of.is_empty() {
            return None;
        }
        // The usual answer is "no match" (deny lists) or one match; the vector only allocates
        // when something matches.
        let mut hits = Vec::new();
        self.set.matches_candidate_into(candidate, &mut hits);
        hits.into_iter()
            .filter_map(|glob| self.rule_of.get(glob).copied())
            .filter(|&rule| accept(rule))
            .min()
    }
}
