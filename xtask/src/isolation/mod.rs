//! `cargo xtask isolation`: reads the real dependency graphs with `cargo tree` and enforces
//! the isolation rules in [`rules`] (the table README's *Which crate do I depend on?* promises).
//!
//! Graphs hold *normal* dependencies (what an extension compiles and links; proc-macros
//! included, build and dev dependencies not) for *all* targets, so a dependency that only
//! some platform pulls in is caught on every machine. Each package's graph is resolved with
//! `-p`, so its features are those of that package alone, as an extension depending on it
//! would see them.

mod graph;
mod rules;
mod tree;

use std::collections::HashMap;
use std::path::Path;

pub(crate) use tree::TreeParseError;

use crate::cmd;
use crate::error::Error;
use graph::{Graph, Package};
use rules::{CORE, FOCUSED, HOST_FEATURE, UMBRELLA, UMBRELLA_FEATURES};

/// One broken rule: which graph, what it pulls in, and the chain of dependencies that does.
struct Violation {
    what: String,
    path: Vec<String>,
}

/// One checked graph: its label, size and violations.
struct Checked {
    label: String,
    crates: usize,
    note: String,
    violations: Vec<Violation>,
}

/// Checks every graph of the workspace at `manifest_path`, prints a table of crate counts
/// and each violation with its path, and fails if there is any.
pub(crate) fn run(manifest_path: &Path) -> Result<(), Error> {
    let mut focused_graphs: HashMap<&str, Graph> = HashMap::new();
    let mut checked = Vec::new();

    for rule in FOCUSED {
        let graph = load(manifest_path, rule.package, None)?;
        let mut violations = forbidden(&graph, rule.forbidden);
        violations.extend(host_side(
            &core_features(manifest_path, rule.package)?,
            rule.package,
        ));
        checked.push(Checked {
            label: rule.package.to_owned(),
            crates: graph.len(),
            note: String::new(),
            violations,
        });
        focused_graphs.insert(rule.package, graph);
    }

    for &(feature, focused) in UMBRELLA_FEATURES {
        let umbrella = load(manifest_path, UMBRELLA, Some(feature))?;
        let alone = match focused_graphs.remove(focused) {
            Some(graph) => graph,
            None => load(manifest_path, focused, None)?,
        };
        checked.push(Checked {
            label: format!("{UMBRELLA} --no-default-features --features {feature}"),
            crates: umbrella.len(),
            note: format!("adds {}", additions(&umbrella, &alone).join(", ")),
            violations: beyond_focused(&umbrella, &alone, focused),
        });
    }

    print!("{}", table(manifest_path, &checked));
    let count: usize = checked.iter().map(|c| c.violations.len()).sum();
    if count == 0 {
        return Ok(());
    }
    for graph in &checked {
        for violation in &graph.violations {
            eprintln!(
                "isolation: {} {}: {}",
                graph.label,
                violation.what,
                violation.path.join(" -> ")
            );
        }
    }
    Err(Error::Isolation { count })
}

/// Runs `cargo tree` for `package` (default features, or only `feature`) and parses it.
fn load(manifest_path: &Path, package: &str, feature: Option<&str>) -> Result<Graph, Error> {
    let mut command = cmd::cargo();
    command
        .arg("tree")
        .arg("--manifest-path")
        .arg(manifest_path)
        .args(["-p", package, "-e", "normal", "--target", "all"])
        .args(["--prefix", "depth", "--format", "{p}"]);
    if let Some(feature) = feature {
        command.args(["--no-default-features", "--features", feature]);
    }
    let output = cmd::read(&mut command)?;
    tree::parse(&output).map_err(|source| Error::Tree {
        command: cmd::display(&command),
        source,
    })
}

/// `cargo tree` for `package` (default features) listing each package with its features.
fn core_features(manifest_path: &Path, package: &str) -> Result<String, Error> {
    cmd::read(
        cmd::cargo()
            .arg("tree")
            .arg("--manifest-path")
            .arg(manifest_path)
            .args(["-p", package, "-e", "normal", "--target", "all"])
            .args(["--prefix", "none", "--format", "{p} [{f}]"]),
    )
}

/// A violation if `tree` (lines of `{p} [{f}]`) shows core with its host side turned on: an
/// extension's normal build would compile the host, supervisor, lifecycle and test host.
fn host_side(tree: &str, package: &str) -> Option<Violation> {
    let prefix = format!("{CORE} v");
    let enabled = tree
        .lines()
        .filter(|line| line.starts_with(&prefix))
        .any(|line| {
            let features = line
                .split_once(" [")
                .and_then(|(_, rest)| rest.split_once(']'))
                .map_or("", |(features, _)| features);
            features.split(',').any(|feature| feature == HOST_FEATURE)
        });
    enabled.then(|| Violation {
        what: format!(
            "turns on `{CORE}/{HOST_FEATURE}` with default features: only a `testing` feature (for `[dev-dependencies]`) may"
        ),
        path: vec![package.to_owned(), CORE.to_owned()],
    })
}

/// Every package in `graph` that matches a forbidden pattern.
fn forbidden(graph: &Graph, patterns: &[&str]) -> Vec<Violation> {
    graph
        .reachable(|_| false)
        .into_iter()
        .filter_map(|reached| {
            let pattern = patterns
                .iter()
                .find(|pattern| rules::matches(pattern, &reached.package.name))?;
            Some(Violation {
                what: format!(
                    "pulls in forbidden crate `{}` (rule `{pattern}`)",
                    reached.package
                ),
                path: names(&reached.path),
            })
        })
        .collect()
}

/// Every package the umbrella pulls in that `alone` does not, besides the umbrella itself:
/// with one kind, the umbrella's graph is the focused crate's plus exactly one crate.
fn beyond_focused(umbrella: &Graph, alone: &Graph, focused: &str) -> Vec<Violation> {
    umbrella
        .reachable(|_| false)
        .into_iter()
        .filter(|reached| !is_root(umbrella, reached.package) && !alone.contains(reached.package))
        .map(|reached| Violation {
            what: format!(
                "pulls in `{}`, which {focused} alone does not",
                reached.package
            ),
            path: names(&reached.path),
        })
        .collect()
}

/// Names of the packages in `umbrella` but not in `alone`, violations or not, for the table.
fn additions(umbrella: &Graph, alone: &Graph) -> Vec<String> {
    umbrella
        .reachable(|_| false)
        .into_iter()
        .filter(|reached| !alone.contains(reached.package))
        .map(|reached| reached.package.name.clone())
        .collect()
}

fn is_root(graph: &Graph, package: &Package) -> bool {
    graph.root() == Some(package)
}

fn names(path: &[&Package]) -> Vec<String> {
    path.iter().map(|package| package.name.clone()).collect()
}

fn table(manifest_path: &Path, checked: &[Checked]) -> String {
    let width = checked.iter().map(|c| c.label.len()).max().unwrap_or(0);
    let mut text = format!(
        "isolation: normal dependencies, all targets, of {}\n  {:width$}  crates  result\n",
        manifest_path.display(),
        "graph"
    );
    for graph in checked {
        let result = match graph.violations.len() {
            0 => "ok".to_owned(),
            1 => "1 violation".to_owned(),
            n => format!("{n} violations"),
        };
        let note = if graph.note.is_empty() {
            String::new()
        } else {
            format!(" ({})", graph.note)
        };
        text.push_str(&format!(
            "  {:width$}  {:>6}  {result}{note}\n",
            graph.label, graph.crates
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_with_its_host_side_on_is_a_violation() {
        let tree = "symphony_operators v0.1.0 (/ws/symphony_operators) [default]\n\
                    symphony-sdk-core v0.1.0 (/ws/symphony_core) [default,host]\n\
                    serde v1.0.0 [default,derive,std]\n";
        let violation = host_side(tree, "symphony_operators").expect("a violation");
        assert!(
            violation.what.contains("symphony-sdk-core/host"),
            "{}",
            violation.what
        );
        assert_eq!(violation.path, ["symphony_operators", "symphony-sdk-core"]);
    }

    #[test]
    fn core_without_its_host_side_is_fine() {
        for tree in [
            "symphony-sdk-core v0.1.0 (/ws/symphony_core) [default]\n",
            "symphony-sdk-core v0.1.0 (/ws/symphony_core) []\nsymphony-sdk-core v0.1.0 (/ws/symphony_core) [] (*)\n",
            // Another crate's `host` feature is not core's.
            "symphony-sdk-core v0.1.0 (/ws/symphony_core) [document-features]\nhostname v1.0.0 [host]\n",
        ] {
            assert!(host_side(tree, "symphony_operators").is_none(), "{tree}");
        }
    }
}
