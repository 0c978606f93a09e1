//! Parsing `cargo tree --prefix depth --format "{p}"` into a [`Graph`].
//!
//! Each line is a depth followed by a package: `2regex-syntax v0.8.5`, possibly followed by
//! notes in parentheses (`(/path/to/crate)`, `(proc-macro)`, and `(*)` for a package whose
//! dependencies were already listed above). Only the name and version matter here.

use super::graph::{Graph, Package};

/// Where `cargo tree` output stopped making sense.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum TreeParseError {
    /// Nothing was printed.
    #[error("the output is empty; expected one package per line")]
    Empty,
    /// A line does not start with a depth.
    #[error("line {line}: expected a depth number before the package, got {text:?}")]
    NoDepth {
        /// 1-based line number.
        line: usize,
        /// The line.
        text: String,
    },
    /// A line is more than one level deeper than the line before.
    #[error(
        "line {line}: depth {depth} right after depth {previous}; a dependency is one level below its parent"
    )]
    DepthJump {
        /// 1-based line number.
        line: usize,
        /// Its depth.
        depth: usize,
        /// The previous line's depth.
        previous: usize,
    },
    /// The package is not `name vVERSION`.
    #[error("line {line}: expected `name vVERSION` after the depth, got {text:?}")]
    NoPackage {
        /// 1-based line number.
        line: usize,
        /// The line.
        text: String,
    },
    /// A second package at depth 0.
    #[error("line {line}: a second root {text:?}; expected the tree of exactly one package")]
    SecondRoot {
        /// 1-based line number.
        line: usize,
        /// The line.
        text: String,
    },
}

/// Parses the whole output of one `cargo tree -p <package>` into its graph.
pub(crate) fn parse(output: &str) -> Result<Graph, TreeParseError> {
    let mut graph = Graph::default();
    // `ancestors[d]` is the package most recently seen at depth `d`.
    let mut ancestors: Vec<usize> = Vec::new();
    for (index, text) in output.lines().enumerate() {
        let line = index + 1;
        if text.trim().is_empty() {
            continue;
        }
        let (depth, package) = parse_line(line, text)?;
        if depth == 0 && graph.len() > 0 {
            return Err(TreeParseError::SecondRoot {
                line,
                text: text.to_owned(),
            });
        }
        if depth > ancestors.len() {
            return Err(TreeParseError::DepthJump {
                line,
                depth,
                previous: ancestors.len().saturating_sub(1),
            });
        }
        ancestors.truncate(depth);
        let id = graph.intern(package);
        if let Some(&parent) = ancestors.last() {
            graph.add_dependency(parent, id);
        }
        ancestors.push(id);
    }
    if graph.len() == 0 {
        return Err(TreeParseError::Empty);
    }
    Ok(graph)
}

fn parse_line(line: usize, text: &str) -> Result<(usize, Package), TreeParseError> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let (depth, rest) = text.split_at(digits);
    let depth: usize = depth.parse().map_err(|_| TreeParseError::NoDepth {
        line,
        text: text.to_owned(),
    })?;
    let mut words = rest.split_whitespace();
    let name = words.next().filter(|name| !name.starts_with('('));
    let version = words
        .next()
        .and_then(|word| word.strip_prefix('v'))
        .filter(|version| version.starts_with(|c: char| c.is_ascii_digit()));
    match (name, version) {
        (Some(name), Some(version)) => Ok((
            depth,
            Package {
                name: name.to_owned(),
                version: version.to_owned(),
            },
        )),
        _ => Err(TreeParseError::NoPackage {
            line,
            text: text.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Trimmed real output of
    /// `cargo tree -p symphony -e normal --prefix depth --format "{p}"`.
    const SAMPLE: &str = "\
0symphony v0.1.0 (/work/symphony)
1document-features v0.2.12 (proc-macro)
2litrs v1.0.1
1symphony_core v0.1.0 (/work/symphony_core)
2globset v0.4.22
3aho-corasick v1.1.5
4memchr v2.8.3
3regex-automata v0.4.19
4aho-corasick v1.1.5 (*)
4memchr v2.8.3
2toml v1.2.2+spec-1.1.0
3winnow v1.0.5
1symphony_operators v0.1.0 (/work/symphony_operators)
2symphony_core v0.1.0 (/work/symphony_core) (*)
";

    fn names(graph: &Graph) -> Vec<String> {
        graph
            .reachable(|_| false)
            .iter()
            .map(|r| r.package.name.clone())
            .collect()
    }

    #[test]
    fn parses_packages_edges_and_deduplication_marks() {
        let graph = parse(SAMPLE).expect("parses");
        assert_eq!(graph.len(), 11);
        assert_eq!(
            graph.root().map(ToString::to_string).as_deref(),
            Some("symphony v0.1.0")
        );
        assert_eq!(
            names(&graph),
            [
                "symphony",
                "document-features",
                "symphony_core",
                "symphony_operators",
                "litrs",
                "globset",
                "toml",
                "aho-corasick",
                "regex-automata",
                "winnow",
                "memchr",
            ]
        );
        let memchr = graph
            .reachable(|_| false)
            .into_iter()
            .find(|r| r.package.name == "memchr")
            .map(|r| r.path.iter().map(|p| p.name.as_str()).collect::<Vec<_>>());
        // memchr is listed under aho-corasick and regex-automata; the first is the shortest.
        assert_eq!(
            memchr,
            Some(vec![
                "symphony",
                "symphony_core",
                "globset",
                "aho-corasick",
                "memchr"
            ])
        );
    }

    #[test]
    fn keeps_build_metadata_in_versions() {
        let graph = parse(SAMPLE).expect("parses");
        assert!(graph.contains(&Package {
            name: "toml".to_owned(),
            version: "1.2.2+spec-1.1.0".to_owned(),
        }));
    }

    #[test]
    fn a_single_package_is_a_graph_of_one() {
        let graph = parse("0leaf v1.0.0\n").expect("parses");
        assert_eq!(graph.len(), 1);
    }

    fn error(output: &str) -> TreeParseError {
        match parse(output) {
            Ok(graph) => panic!("{output:?} parsed into {} packages", graph.len()),
            Err(error) => error,
        }
    }

    #[test]
    fn rejects_what_it_does_not_understand() {
        assert_eq!(error(""), TreeParseError::Empty);
        assert_eq!(error("\n  \n"), TreeParseError::Empty);
        assert_eq!(
            error("symphony v0.1.0\n"),
            TreeParseError::NoDepth {
                line: 1,
                text: "symphony v0.1.0".to_owned()
            }
        );
        assert_eq!(
            error("0a v1.0.0\n2b v1.0.0\n"),
            TreeParseError::DepthJump {
                line: 2,
                depth: 2,
                previous: 0
            }
        );
        assert_eq!(
            error("0a v1.0.0\n1[build-dependencies]\n"),
            TreeParseError::NoPackage {
                line: 2,
                text: "1[build-dependencies]".to_owned()
            }
        );
        assert_eq!(
            error("0a v1.0.0\n1b version-one\n"),
            TreeParseError::NoPackage {
                line: 2,
                text: "1b version-one".to_owned()
            }
        );
        assert_eq!(
            error("0a v1.0.0\n0b v1.0.0\n"),
            TreeParseError::SecondRoot {
                line: 2,
                text: "0b v1.0.0".to_owned()
            }
        );
        assert!(matches!(
            error("99999999999999999999999a v1.0.0\n"),
            TreeParseError::NoDepth { line: 1, .. }
        ));
    }
}
