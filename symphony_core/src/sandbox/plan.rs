//! From a policy's globs to path hierarchies the kernel can restrict.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::permission::{Category, FsAccess, PathRule, Policy, RuleId, RuleSource};

use super::rights::Rights;

/// One path hierarchy the sandbox allows, and the rights on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxRule {
    path: PathBuf,
    rights: Rights,
    names_one_path: bool,
    follows_links: bool,
}

impl SandboxRule {
    /// A rule from a policy: its path is opened without following any symbolic link, as the
    /// policy matches grants lexically (a grant through a link covers nothing for either).
    pub(crate) fn new(path: PathBuf, rights: Rights, names_one_path: bool) -> Self {
        Self {
            path,
            rights,
            names_one_path,
            follows_links: false,
        }
    }

    /// A rule given explicitly by the program ([`Sandbox::allow`](super::Sandbox::allow)) or
    /// derived by the host (the program and its loader): whoever named the path vouches for
    /// it, so symbolic links in it are followed (`/lib` is a link to `/usr/lib` on many
    /// systems).
    pub(crate) fn explicit(path: PathBuf, rights: Rights) -> Self {
        Self {
            path,
            rights,
            names_one_path: false,
            follows_links: true,
        }
    }

    /// The same rule on another path (its parent directory, say), opened the same way.
    pub(crate) fn moved(&self, path: PathBuf, rights: Rights) -> Self {
        Self {
            path,
            rights,
            names_one_path: false,
            follows_links: self.follows_links,
        }
    }

    /// The top of the hierarchy (a directory and everything beneath it, or a single file).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The rights on the hierarchy.
    pub fn rights(&self) -> Rights {
        self.rights
    }

    /// Whether the rule comes from a pattern without wildcards, naming exactly this path; if
    /// it does not exist yet, its parent directory is used so that it can be created.
    pub fn names_one_path(&self) -> bool {
        self.names_one_path
    }

    /// Whether symbolic links in [`path`](Self::path) are followed when the kernel rule is
    /// made. Rules from a policy do not follow them: a policy matches grants by name and
    /// checks the real path of every access, so a grant whose path runs through a link
    /// covers nothing there, and the kernel rule for it is skipped (listed in
    /// [`SandboxReport::skipped`](super::SandboxReport::skipped)) rather than opened at the
    /// link's target. Rules added with [`Sandbox::allow`](super::Sandbox::allow) follow links.
    pub fn follows_links(&self) -> bool {
        self.follows_links
    }
}

/// The hierarchies covering request ∩ grant, per access.
///
/// For each access, every pair of a request rule and a grant rule whose literal prefixes nest
/// contributes the deeper prefix (the intersection of two hierarchies is the deeper one, or
/// nothing). A literal rule and a glob with the same prefix cover disjoint paths (`p` versus
/// what is inside `p`), so the pair contributes nothing.
pub(crate) fn from_policy(policy: &Policy) -> Vec<SandboxRule> {
    let mut hierarchies: BTreeMap<PathBuf, (Rights, bool)> = BTreeMap::new();
    for access in FsAccess::ALL {
        let covering = |source| {
            policy
                .path_rules(source)
                .iter()
                .filter(move |r| r.covers(access))
        };
        for requested in covering(RuleSource::Request) {
            for granted in covering(RuleSource::Grant) {
                if let Some((path, names_one_path)) = intersect(requested, granted) {
                    let entry = hierarchies
                        .entry(path.to_path_buf())
                        .or_insert((Rights::NONE, true));
                    entry.0 |= Rights::from_access(access);
                    // A whole hierarchy and a single path at the same place: the hierarchy.
                    entry.1 &= names_one_path;
                }
            }
        }
    }
    hierarchies
        .into_iter()
        .map(|(path, (rights, names_one_path))| SandboxRule::new(path, rights, names_one_path))
        .collect()
}

/// Whether the policy may allow some network access: both its request and its grant hold a
/// network rule. (Whether their hosts overlap is the SDK check's business; the kernel cannot
/// tell hosts apart, so any overlap means TCP stays open.)
pub(crate) fn may_use_network(policy: &Policy) -> bool {
    [RuleSource::Request, RuleSource::Grant]
        .into_iter()
        .all(|source| {
            policy
                .rule_text(RuleId {
                    source,
                    category: Category::Network,
                    index: 0,
                })
                .is_some()
        })
}

fn intersect<'a>(a: &'a PathRule, b: &'a PathRule) -> Option<(&'a Path, bool)> {
    let (pa, pb) = (a.literal_prefix(), b.literal_prefix());
    if pa == pb {
        return match (a.is_literal(), b.is_literal()) {
            (true, true) => Some((pa, true)),
            (false, false) => Some((pa, false)),
            _ => None,
        };
    }
    if pa.starts_with(pb) {
        Some((pa, a.is_literal()))
    } else if pb.starts_with(pa) {
        Some((pb, b.is_literal()))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::permission::Permissions;

    fn rules(request: &str, grant: &str) -> Vec<(String, String, bool)> {
        let parse =
            |text: &str| toml::from_str::<Permissions>(text).unwrap_or_else(|e| panic!("{e}"));
        let policy = Policy::builder(&parse(request), &parse(grant))
            .workspace_root("/nonexistent-ws")
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        from_policy(&policy)
            .into_iter()
            .map(|r| {
                (
                    r.path().display().to_string(),
                    r.rights().to_string(),
                    r.names_one_path(),
                )
            })
            .collect()
    }

    #[test]
    fn the_deeper_prefix_of_nested_rules_wins() {
        let got = rules(
            r#"filesystem = [{ path = "data/**/*.csv", access = ["read", "write"] }, { path = "/etc/hosts", access = ["read"] }]"#,
            r#"filesystem = [{ path = "**", access = ["read"] }, { path = "data/out/*", access = ["write", "delete"] }]"#,
        );
        assert_eq!(
            got,
            [
                ("/nonexistent-ws/data".into(), "read".into(), false),
                ("/nonexistent-ws/data/out".into(), "write".into(), false),
            ]
        );
    }

    #[test]
    fn literal_rules_stay_single_paths() {
        let got = rules(
            r#"filesystem = [{ path = "out.json", access = ["write"] }, { path = "logs", access = ["read"] }]"#,
            r#"filesystem = [{ path = "**", access = ["write"] }, { path = "logs/**", access = ["read"] }]"#,
        );
        // `logs` (the directory itself) and `logs/**` (what is inside) do not overlap.
        assert_eq!(
            got,
            [("/nonexistent-ws/out.json".into(), "write".into(), true)]
        );
    }

    #[test]
    fn disjoint_rules_give_nothing() {
        assert!(rules(
            r#"filesystem = [{ path = "src/**", access = ["read"] }]"#,
            r#"filesystem = [{ path = "docs/**", access = ["read"] }, { path = "src/**", access = ["write"] }]"#,
        )
        .is_empty());
    }
}
