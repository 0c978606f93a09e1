//! A dependency graph with one root, and the searches the isolation rules need.

use std::collections::{HashMap, VecDeque};
use std::fmt;

/// A package as `cargo tree` names it: name and version.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Package {
    pub(crate) name: String,
    pub(crate) version: String,
}

impl fmt::Display for Package {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} v{}", self.name, self.version)
    }
}

/// The packages one root depends on, directly and transitively, with the edges between them.
#[derive(Debug, Default)]
pub(crate) struct Graph {
    packages: Vec<Package>,
    ids: HashMap<Package, usize>,
    dependencies: Vec<Vec<usize>>,
}

/// Package `id` and the shortest chain of dependencies from the root to it.
pub(crate) struct Reached<'g> {
    pub(crate) package: &'g Package,
    pub(crate) path: Vec<&'g Package>,
}

impl Graph {
    /// The id of `package`, adding it if new. The first package added is the root.
    pub(crate) fn intern(&mut self, package: Package) -> usize {
        if let Some(&id) = self.ids.get(&package) {
            return id;
        }
        let id = self.packages.len();
        self.ids.insert(package.clone(), id);
        self.packages.push(package);
        self.dependencies.push(Vec::new());
        id
    }

    /// Records that `from` depends on `to` (both ids from [`Graph::intern`]).
    pub(crate) fn add_dependency(&mut self, from: usize, to: usize) {
        if let Some(deps) = self.dependencies.get_mut(from)
            && !deps.contains(&to)
        {
            deps.push(to);
        }
    }

    /// The root package, if the graph has any package.
    pub(crate) fn root(&self) -> Option<&Package> {
        self.packages.first()
    }

    /// How many distinct packages the graph holds, the root included.
    pub(crate) fn len(&self) -> usize {
        self.packages.len()
    }

    /// Whether the graph holds `package`.
    pub(crate) fn contains(&self, package: &Package) -> bool {
        self.ids.contains_key(package)
    }

    /// Every package reachable from the root without entering a package that `prune`
    /// selects, each with a shortest path from the root; breadth-first, so paths are the
    /// shortest and the order is stable.
    pub(crate) fn reachable(&self, prune: impl Fn(&Package) -> bool) -> Vec<Reached<'_>> {
        if self.packages.is_empty() {
            return Vec::new();
        }
        let mut parent: Vec<Option<usize>> = vec![None; self.packages.len()];
        let mut seen = vec![false; self.packages.len()];
        let mut order = vec![0];
        let mut queue = VecDeque::from([0]);
        seen[0] = true;
        while let Some(id) = queue.pop_front() {
            for &dep in &self.dependencies[id] {
                if seen[dep] || prune(&self.packages[dep]) {
                    continue;
                }
                seen[dep] = true;
                parent[dep] = Some(id);
                order.push(dep);
                queue.push_back(dep);
            }
        }
        order
            .into_iter()
            .map(|id| Reached {
                package: &self.packages[id],
                path: self.path(&parent, id),
            })
            .collect()
    }

    fn path(&self, parent: &[Option<usize>], id: usize) -> Vec<&Package> {
        let mut path = vec![&self.packages[id]];
        let mut at = id;
        while let Some(up) = parent[at] {
            path.push(&self.packages[up]);
            at = up;
        }
        path.reverse();
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(name: &str) -> Package {
        Package {
            name: name.to_owned(),
            version: "1.0.0".to_owned(),
        }
    }

    /// root -> a -> c, root -> b -> c -> d, root -> b -> x -> e
    fn sample() -> Graph {
        let mut graph = Graph::default();
        let ids: HashMap<&str, usize> = ["root", "a", "b", "c", "d", "x", "e"]
            .into_iter()
            .map(|name| (name, graph.intern(package(name))))
            .collect();
        for (from, to) in [
            ("root", "a"),
            ("root", "b"),
            ("a", "c"),
            ("b", "c"),
            ("c", "d"),
            ("b", "x"),
            ("x", "e"),
        ] {
            graph.add_dependency(ids[from], ids[to]);
        }
        graph
    }

    fn names(path: &[&Package]) -> Vec<String> {
        path.iter().map(|p| p.name.clone()).collect()
    }

    #[test]
    fn finds_shortest_paths_breadth_first() {
        let graph = sample();
        let reached = graph.reachable(|_| false);
        let d = reached.iter().find(|r| r.package.name == "d").expect("d");
        assert_eq!(names(&d.path), ["root", "a", "c", "d"]);
        assert_eq!(reached.len(), graph.len());
        assert_eq!(reached[0].package.name, "root");
    }

    #[test]
    fn pruning_drops_the_subtree_reachable_only_through_it() {
        let graph = sample();
        let reached: Vec<String> = graph
            .reachable(|p| p.name == "x")
            .iter()
            .map(|r| r.package.name.clone())
            .collect();
        assert_eq!(reached, ["root", "a", "b", "c", "d"]);
    }

    #[test]
    fn pruning_keeps_what_is_reachable_another_way() {
        let graph = sample();
        let reached = graph.reachable(|p| p.name == "a");
        let c = reached.iter().find(|r| r.package.name == "c").expect("c");
        assert_eq!(names(&c.path), ["root", "b", "c"]);
    }

    #[test]
    fn interning_deduplicates_packages_and_edges() {
        let mut graph = Graph::default();
        let root = graph.intern(package("root"));
        let a = graph.intern(package("a"));
        assert_eq!(graph.intern(package("a")), a);
        graph.add_dependency(root, a);
        graph.add_dependency(root, a);
        assert_eq!(graph.len(), 2);
        assert_eq!(graph.reachable(|_| false).len(), 2);
        assert!(graph.contains(&package("a")));
        assert!(!graph.contains(&package("b")));
    }
}
