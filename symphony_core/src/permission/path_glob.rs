//! Path glob normalisation: turns a rule's `path` into absolute, lexically normalised globs,
//! one per workspace root for a relative pattern.
//!
//! Patterns are normalised lexically only; symbolic links inside them are *not* followed
//! (a workspace may contain a link `data -> ~/.ssh`, and a grant of `data/**` must not become a
//! grant of `~/.ssh/**`). Checked paths are real paths, so a grant through a link covers
//! nothing, and the kernel sandbox agrees: it opens a grant's prefix following no link, and
//! skips the rule if there is one. The one exception is the workspace roots, which the host vouches for:
//! they are canonicalised, and an absolute pattern spelled with a root's original (linked)
//! spelling is rewritten to the canonical one.

use std::path::{Path, PathBuf};

use super::error::{PolicyError, RootProblem, RuleProblem};
use super::path::NormalizedPath;

/// Longest accepted pattern, in bytes: Linux's `PATH_MAX`.
pub(crate) const MAX_PATTERN_LEN: usize = 4096;
/// Most `**` accepted in one pattern.
pub(crate) const MAX_RECURSIVE_WILDCARDS: usize = 8;

/// Bytes that make a component a glob rather than a literal name (a backslash escapes, so a
/// component with one is conservatively treated as a glob too).
const GLOB_META: &[char] = &['*', '?', '[', ']', '{', '}', '\\'];

/// A workspace root: as the host spelled it (lexically normalised), and canonical.
#[derive(Debug, Clone)]
pub(crate) struct WorkspaceRoot {
    given: Vec<String>,
    canonical: Vec<String>,
}

impl WorkspaceRoot {
    pub(crate) fn new(path: &Path) -> Result<Self, PolicyError> {
        let invalid = |problem| PolicyError::InvalidWorkspaceRoot {
            path: path.to_path_buf(),
            problem,
        };
        if !path.is_absolute() {
            return Err(invalid(RootProblem::NotAbsolute));
        }
        let given_text = path.to_str().ok_or_else(|| invalid(RootProblem::NotUtf8))?;
        let canonical =
            NormalizedPath::new(path).map_err(|e| invalid(RootProblem::Unresolvable(e)))?;
        let canonical_text = canonical
            .as_path()
            .to_str()
            .ok_or_else(|| invalid(RootProblem::NotUtf8))?;
        let given = lexical_literals(given_text);
        let canonical = lexical_literals(canonical_text);
        Ok(Self { given, canonical })
    }

    /// The canonical root as a path.
    pub(crate) fn canonical_path(&self) -> PathBuf {
        literal_path(&self.canonical)
    }
}

/// One absolute glob a path rule compiles to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PathGlob {
    /// The glob text, absolute and normalised.
    pub(crate) glob: String,
    /// The longest leading run of literal components.
    pub(crate) literal_prefix: PathBuf,
    /// The glob of the components after the literal prefix (matched against what follows
    /// `literal_prefix/` in a path); `None` when the whole pattern is literal.
    pub(crate) rest: Option<String>,
}

impl PathGlob {
    /// Whether the whole pattern is literal (names exactly one path).
    pub(crate) fn is_literal(&self) -> bool {
        self.rest.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// A literal name (unescaped).
    Literal(String),
    /// A component with glob syntax, kept verbatim.
    Glob(String),
}

/// Checks the limits every pattern (path, env, program) must respect.
pub(crate) fn check_limits(pattern: &str) -> Result<(), RuleProblem> {
    if pattern.is_empty() {
        return Err(RuleProblem::Empty);
    }
    if pattern.contains('\0') {
        return Err(RuleProblem::NulByte);
    }
    if pattern.len() > MAX_PATTERN_LEN {
        return Err(RuleProblem::TooLong {
            len: pattern.len(),
            max: MAX_PATTERN_LEN,
        });
    }
    let count = pattern.matches("**").count();
    if count > MAX_RECURSIVE_WILDCARDS {
        return Err(RuleProblem::TooManyRecursiveWildcards {
            count,
            max: MAX_RECURSIVE_WILDCARDS,
        });
    }
    Ok(())
}

/// Compiles a path pattern to absolute globs: itself if absolute, else one per root.
///
/// A relative pattern with no roots compiles to nothing (it covers no path).
pub(crate) fn compile(
    pattern: &str,
    roots: &[WorkspaceRoot],
) -> Result<Vec<PathGlob>, RuleProblem> {
    check_limits(pattern)?;
    if pattern.starts_with('/') {
        let segments = normalize(Vec::new(), pattern)?;
        return Ok(vec![finish(rewrite_root(segments, roots))]);
    }
    roots
        .iter()
        .map(|root| {
            let base = root
                .canonical
                .iter()
                .cloned()
                .map(Segment::Literal)
                .collect();
            normalize(base, pattern).map(finish)
        })
        .collect()
}

/// Appends the components of `pattern` to `segments`, resolving `.` and `..` lexically.
fn normalize(mut segments: Vec<Segment>, pattern: &str) -> Result<Vec<Segment>, RuleProblem> {
    for part in pattern.split('/') {
        match part {
            "" | "." => {}
            ".." => match segments.last() {
                Some(Segment::Glob(_)) => return Err(RuleProblem::ParentAfterWildcard),
                // `/..` is `/`, as for the kernel.
                Some(Segment::Literal(_)) | None => {
                    segments.pop();
                }
            },
            _ if part.contains(GLOB_META) => segments.push(Segment::Glob(part.to_owned())),
            _ => segments.push(Segment::Literal(part.to_owned())),
        }
    }
    Ok(segments)
}

/// Replaces a root's given spelling at the start of an absolute pattern by its canonical one.
fn rewrite_root(segments: Vec<Segment>, roots: &[WorkspaceRoot]) -> Vec<Segment> {
    let starts_with = |root: &WorkspaceRoot| {
        root.given.len() <= segments.len()
            && root
                .given
                .iter()
                .zip(&segments)
                .all(|(given, segment)| matches!(segment, Segment::Literal(s) if s == given))
    };
    let Some(root) = roots
        .iter()
        .filter(|root| starts_with(root))
        .max_by_key(|root| root.given.len())
    else {
        return segments;
    };
    let rest = segments.into_iter().skip(root.given.len());
    root.canonical
        .iter()
        .cloned()
        .map(Segment::Literal)
        .chain(rest)
        .collect()
}

fn finish(segments: Vec<Segment>) -> PathGlob {
    let literals: Vec<String> = segments
        .iter()
        .map_while(|segment| match segment {
            Segment::Literal(name) => Some(name.clone()),
            Segment::Glob(_) => None,
        })
        .collect();
    let rest = segments
        .get(literals.len()..)
        .filter(|rest| !rest.is_empty())
        .map(|rest| {
            let texts: Vec<&str> = rest
                .iter()
                .map(|segment| match segment {
                    // A pattern's own literal components contain no glob syntax: no escape needed.
                    Segment::Literal(text) | Segment::Glob(text) => text.as_str(),
                })
                .collect();
            texts.join("/")
        });
    let mut glob = String::new();
    for segment in &segments {
        glob.push('/');
        match segment {
            Segment::Literal(name) => escape_into(&mut glob, name),
            Segment::Glob(text) => glob.push_str(text),
        }
    }
    if glob.is_empty() {
        glob.push('/');
    }
    PathGlob {
        glob,
        literal_prefix: literal_path(&literals),
        rest,
    }
}

/// The literal components of an absolute path known to be UTF-8, normalised lexically.
fn lexical_literals(path: &str) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(part.to_owned()),
        }
    }
    parts
}

fn literal_path(components: &[String]) -> PathBuf {
    let mut path = PathBuf::from("/");
    path.extend(components);
    path
}

/// Escapes glob syntax in a literal name (the backslash escape is enabled for every glob).
///
/// Only root components can contain such syntax (a pattern component that does is a glob), and
/// roots come first, outside any `{…}`, so `,` needs no escape.
fn escape_into(glob: &mut String, name: &str) {
    for c in name.chars() {
        if GLOB_META.contains(&c) {
            glob.push('\\');
        }
        glob.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(canonical: &str, given: &str) -> WorkspaceRoot {
        WorkspaceRoot {
            given: lexical_literals(given),
            canonical: lexical_literals(canonical),
        }
    }

    fn globs(pattern: &str, roots: &[WorkspaceRoot]) -> Vec<String> {
        compile(pattern, roots)
            .map(|g| g.into_iter().map(|g| g.glob).collect())
            .unwrap_or_default()
    }

    #[test]
    fn absolute_patterns_are_normalised_lexically() {
        assert_eq!(globs("/ws/../etc/**", &[]), ["/etc/**"]);
        assert_eq!(globs("//ws/./a//b/", &[]), ["/ws/a/b"]);
        assert_eq!(globs("/../..", &[]), ["/"]);
    }

    #[test]
    fn relative_patterns_resolve_against_every_root() {
        let roots = [root("/real/a", "/a"), root("/b", "/b")];
        assert_eq!(
            globs("data/**/*.csv", &roots),
            ["/real/a/data/**/*.csv", "/b/data/**/*.csv"]
        );
        assert_eq!(globs("../sibling/*", &roots[..1]), ["/real/sibling/*"]);
        assert!(globs("data/**", &[]).is_empty());
    }

    #[test]
    fn absolute_patterns_under_a_linked_root_use_the_canonical_root() {
        let roots = [root("/real/ws", "/home/u/ws")];
        assert_eq!(globs("/home/u/ws/src/**", &roots), ["/real/ws/src/**"]);
        assert_eq!(globs("/home/u/wsx/**", &roots), ["/home/u/wsx/**"]);
    }

    #[test]
    fn literal_prefix_stops_at_the_first_glob() {
        let compiled = compile("/ws/data/*/x.csv", &[]).unwrap_or_default();
        assert_eq!(compiled[0].literal_prefix, Path::new("/ws/data"));
        assert_eq!(compiled[0].rest.as_deref(), Some("*/x.csv"));
        let compiled = compile("/ws/out.json", &[]).unwrap_or_default();
        assert_eq!(compiled[0].literal_prefix, Path::new("/ws/out.json"));
        assert!(compiled[0].is_literal());
    }

    #[test]
    fn glob_syntax_in_roots_is_escaped() {
        let roots = [root("/w[s]/{x,y}", "/w[s]/{x,y}")];
        assert_eq!(globs("a", &roots), [r"/w\[s\]/\{x,y\}/a"]);
    }

    #[test]
    fn absurd_patterns_are_rejected() {
        assert_eq!(compile("", &[]), Err(RuleProblem::Empty));
        assert_eq!(compile("/a\0b", &[]), Err(RuleProblem::NulByte));
        let long = format!("/{}", "a".repeat(MAX_PATTERN_LEN));
        assert!(matches!(
            compile(&long, &[]),
            Err(RuleProblem::TooLong { .. })
        ));
        let deep = "/**".repeat(MAX_RECURSIVE_WILDCARDS + 1);
        assert!(matches!(
            compile(&deep, &[]),
            Err(RuleProblem::TooManyRecursiveWildcards { .. })
        ));
        assert_eq!(
            compile("/ws/*/../etc", &[]),
            Err(RuleProblem::ParentAfterWildcard)
        );
    }
}
