//! A byte matcher for the globs rules are nearly always made of — literals, `*` and
//! whole-component `**` — with exactly globset's semantics, several times faster than a regex
//! call. Anything else (`?`, `[…]`, `{…}`, `\`) is left to globset.
//!
//! Semantics (globset's, with the separator literal): `*` matches any bytes except `/`; a `**`
//! component matches any run of whole components (at the end of a pattern with something
//! before it, at least one). Matching simulates an automaton over the components, so its cost
//! is linear in the path whatever the pattern: no backtracking a crafted path could exploit.

/// Bytes that need globset: everything but literals and `*`.
const NEEDS_GLOBSET: &[u8] = b"?[]{}\\";

/// Most parts a [`ComponentGlob`] handles (one bit of state per part); longer globs are left
/// to globset.
const MAX_PARTS: usize = 63;

/// Whether `pattern` (containing only literals and `*`) matches `text`; `fold_case` compares
/// ASCII letters case-insensitively.
///
/// The pieces between stars are literal: the first must be a prefix, the last a suffix, and
/// the others are found leftmost first in between (taking the leftmost occurrence never loses a
/// match when the only wildcard is `*`), so matching is linear in practice.
pub(crate) fn wildcard_match(pattern: &[u8], text: &[u8], fold_case: bool) -> bool {
    let same = |a: &[u8], b: &[u8]| {
        if fold_case {
            a.eq_ignore_ascii_case(b)
        } else {
            a == b
        }
    };
    let mut pieces = pattern.split(|&b| b == b'*');
    let first = pieces.next().unwrap_or_default();
    let Some(last) = pieces.next_back() else {
        // No star: the whole pattern is literal.
        return same(first, text);
    };
    let (Some(head), Some(rest)) = (text.get(..first.len()), text.get(first.len()..)) else {
        return false;
    };
    let split = rest
        .len()
        .checked_sub(last.len())
        .and_then(|at| rest.split_at_checked(at));
    let Some((mut middle, tail)) = split else {
        return false;
    };
    if !same(head, first) || !same(tail, last) {
        return false;
    }
    for piece in pieces {
        match middle
            .windows(piece.len().max(1))
            .position(|window| same(window, piece))
        {
            _ if piece.is_empty() => {}
            Some(at) => middle = middle.get(at + piece.len()..).unwrap_or_default(),
            None => return false,
        }
    }
    true
}

/// Whether a name glob (environment variable, program name, host) can use [`wildcard_match`].
pub(crate) fn is_plain_wildcard(pattern: &str) -> bool {
    !pattern.bytes().any(|b| NEEDS_GLOBSET.contains(&b))
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    /// One component matching this `*` pattern.
    Component(Vec<u8>),
    /// `**`: any run of components; `at_least_one` for a trailing `**` after other parts.
    AnyComponents { at_least_one: bool },
}

/// A relative path glob of literal, `*` and `**` components (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ComponentGlob {
    parts: Vec<Part>,
}

impl ComponentGlob {
    /// Parses `pattern`, or `None` if it needs globset.
    pub(crate) fn parse(pattern: &str) -> Option<Self> {
        if pattern.bytes().any(|b| NEEDS_GLOBSET.contains(&b)) {
            return None;
        }
        let components: Vec<&str> = pattern.split('/').collect();
        if components.len() > MAX_PARTS {
            return None;
        }
        let mut parts = Vec::with_capacity(components.len());
        for (i, component) in components.iter().enumerate() {
            if *component == "**" {
                // `**/**` has a globset-specific meaning.
                if parts
                    .last()
                    .is_some_and(|p| matches!(p, Part::AnyComponents { .. }))
                {
                    return None;
                }
                let trailing = i + 1 == components.len() && i > 0;
                parts.push(Part::AnyComponents {
                    at_least_one: trailing,
                });
            } else if component.is_empty() || component.contains("**") {
                // Empty components (`a//b`, `**/`) and `**` glued to text have globset-specific
                // meanings; normalised patterns never have them anyway.
                return None;
            } else {
                parts.push(Part::Component(component.as_bytes().to_vec()));
            }
        }
        Some(Self { parts })
    }

    /// Whether the glob matches `path`, a relative path (no leading `/`).
    pub(crate) fn is_match(&self, path: &[u8]) -> bool {
        let accept = 1u64 << self.parts.len();
        let mut states = self.closure(1);
        for component in path.split(|&b| b == b'/') {
            let mut next = 0u64;
            for (i, part) in self.parts.iter().enumerate() {
                if states & (1 << i) == 0 {
                    continue;
                }
                match part {
                    Part::Component(pattern) => {
                        if wildcard_match(pattern, component, false) {
                            next |= 1 << (i + 1);
                        }
                    }
                    // Consume the component and stay (more may follow), or move on.
                    Part::AnyComponents { .. } => next |= 1 << i | 1 << (i + 1),
                }
            }
            states = self.closure(next);
            if states == 0 {
                return false;
            }
        }
        states & accept != 0
    }

    /// Adds the states reachable without consuming a component: past a `**` that may match
    /// nothing.
    fn closure(&self, mut states: u64) -> u64 {
        for (i, part) in self.parts.iter().enumerate() {
            if states & (1 << i) != 0
                && matches!(
                    part,
                    Part::AnyComponents {
                        at_least_one: false
                    }
                )
            {
                states |= 1 << (i + 1);
            }
        }
        states
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use globset::GlobBuilder;
    use proptest::prelude::*;

    fn globset_match(
        pattern: &str,
        text: &[u8],
        literal_separator: bool,
        fold_case: bool,
    ) -> Option<bool> {
        let glob = GlobBuilder::new(pattern)
            .literal_separator(literal_separator)
            .case_insensitive(fold_case)
            .backslash_escape(true)
            .build()
            .ok()?;
        Some(
            glob.compile_matcher()
                .is_match_candidate(&globset::Candidate::from_bytes(text)),
        )
    }

    #[test]
    fn examples() {
        let glob = |p: &str| ComponentGlob::parse(p).unwrap_or_else(|| panic!("{p} should parse"));
        assert!(glob("**/*.csv").is_match(b"a/b/c.csv"));
        assert!(glob("**/*.csv").is_match(b"c.csv"));
        assert!(!glob("**/*.csv").is_match(b"c.csv/d"));
        assert!(glob("a/**").is_match(b"a/b"));
        assert!(!glob("a/**").is_match(b"a"));
        assert!(glob("**/.git/**").is_match(b"x/.git/config"));
        assert!(!glob("**/.git/**").is_match(b"x/.git"));
        assert!(wildcard_match(b"*.EXAMPLE.com", b"a.b.example.COM", true));
        assert!(!wildcard_match(b"*.example.com", b"example.com", true));
        assert_eq!(ComponentGlob::parse("a/[b]"), None);
        assert_eq!(ComponentGlob::parse("**/**"), None);
        assert_eq!(ComponentGlob::parse("a**"), None);
    }

    #[test]
    fn many_recursive_wildcards_stay_linear() {
        let glob = ComponentGlob::parse("**/*a/**/*a/**/*a/**/*a/**/*a/**/*a/**/b")
            .unwrap_or_else(|| panic!("parses"));
        let path = b"a/".repeat(2000);
        assert!(!glob.is_match(&path));
    }

    fn component() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "**", "*", "a", "b", "ab", "a*", "*b", "a*b", "*.c", ".c", "", "**x",
        ])
        .prop_map(String::from)
    }

    fn path_component() -> impl Strategy<Value = Vec<u8>> {
        prop::sample::select(vec![
            &b"a"[..],
            b"b",
            b"ab",
            b"aab",
            b"a.c",
            b".c",
            b"",
            b"\xff",
            b"A",
            b"**x",
        ])
        .prop_map(<[u8]>::to_vec)
    }

    proptest! {
        #[test]
        fn component_globs_agree_with_globset(
            pattern in prop::collection::vec(component(), 1..6),
            path in prop::collection::vec(path_component(), 1..7),
        ) {
            let pattern = pattern.join("/");
            let path = path.join(&b'/');
            if let Some(glob) = ComponentGlob::parse(&pattern) {
                let expected = globset_match(&pattern, &path, true, false);
                prop_assert_eq!(Some(glob.is_match(&path)), expected, "pattern {:?} path {:?}", pattern, String::from_utf8_lossy(&path));
            }
        }

        #[test]
        fn wildcards_agree_with_globset(
            pattern in "[aAb.*]{0,6}",
            text in prop::collection::vec(prop::sample::select(vec![b'a', b'A', b'b', b'.', b'/', 0xff]), 0..8),
            fold_case in any::<bool>(),
        ) {
            let expected = globset_match(&pattern, &text, false, fold_case);
            prop_assert_eq!(Some(wildcard_match(pattern.as_bytes(), &text, fold_case)), expected, "pattern {:?}", pattern);
        }
    }
}
