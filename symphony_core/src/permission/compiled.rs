//! One list of rules (request, grant or deny) compiled into matchers.

use std::net::IpAddr;

use super::error::{PolicyError, RuleProblem};
use super::host::{self, HostPattern};
use super::matcher::{NameIndex, PathIndex};
use super::model::{ModelAction, Permissions};
use super::path_glob::{self, WorkspaceRoot, check_limits};
use super::path_rule::{PathRule, access_slot};
use super::rule::{Category, RuleId, RuleSource};
use super::subject::Subject;

const fn model_slot(action: ModelAction) -> usize {
    match action {
        ModelAction::Invoke => 0,
        ModelAction::Configure => 1,
    }
}

/// Network rules: host globs and IP literals, with each rule's ports.
#[derive(Debug, Clone, Default)]
struct HostIndex {
    globs: NameIndex,
    ips: Vec<(IpAddr, usize)>,
    /// Per rule; empty means any port.
    ports: Vec<Vec<u16>>,
}

impl HostIndex {
    fn first_match(&self, ip: Option<IpAddr>, text: &[u8], port: u16) -> Option<usize> {
        let port_ok = |rule: usize| {
            self.ports
                .get(rule)
                .is_some_and(|p| p.is_empty() || p.contains(&port))
        };
        let by_ip = ip.and_then(|ip| {
            self.ips
                .iter()
                .filter(|&&(rule_ip, rule)| rule_ip == ip && port_ok(rule))
                .map(|&(_, rule)| rule)
                .min()
        });
        let by_glob = self.globs.first_match_where(text, port_ok);
        by_ip.into_iter().chain(by_glob).min()
    }
}

/// One list of rules, compiled.
#[derive(Debug, Clone)]
pub(crate) struct CompiledList {
    rules: Permissions,
    /// Path globs per [`FsAccess`] (see `access_slot`).
    paths: [PathIndex; 3],
    path_rules: Vec<PathRule>,
    hosts: HostIndex,
    env: NameIndex,
    program_names: NameIndex,
    program_paths: PathIndex,
    /// The first rule per [`ModelAction`] (see `model_slot`).
    models: [Option<usize>; 2],
}

impl CompiledList {
    /// Compiles `rules`; relative path rules resolve against each of `roots`.
    pub(crate) fn compile(
        source: RuleSource,
        rules: &Permissions,
        roots: &[WorkspaceRoot],
    ) -> Result<Self, PolicyError> {
        let compiler = Compiler { source, roots };
        let (paths, path_rules) = compiler.filesystem(rules)?;
        Ok(Self {
            paths,
            path_rules,
            hosts: compiler.network(rules)?,
            env: compiler.env(rules)?,
            program_names: compiler.program_names(rules)?,
            program_paths: compiler.program_paths(rules)?,
            models: ModelAction::ALL.map(|action| rules.model.iter().position(|&a| a == action)),
            rules: rules.clone(),
        })
    }

    /// The lowest-numbered rule of the subject's category that covers it.
    pub(crate) fn first_match(&self, subject: &Subject<'_>) -> Option<usize> {
        match subject {
            Subject::Path { path, access } => self
                .paths
                .get(access_slot(*access))
                .and_then(|index| index.first_match(path)),
            Subject::Extension { ip, text, port } => self.hosts.first_match(*ip, text, *port),
            Subject::Env(name) => self.env.first_match(name),
            Subject::Program { name, path } => {
                let by_name = name.and_then(|name| self.program_names.first_match(name));
                let by_path = path.and_then(|path| self.program_paths.first_match(path));
                by_name.into_iter().chain(by_path).min()
            }
            Subject::Model(action) => self.models.get(model_slot(*action)).copied().flatten(),
        }
    }

    pub(crate) fn path_rules(&self) -> &[PathRule] {
        &self.path_rules
    }

    /// The pattern text of rule `index` of `category`, as written.
    pub(crate) fn rule_text(&self, category: Category, index: usize) -> Option<&str> {
        match category {
            Category::Filesystem => self
                .rules
                .filesystem
                .get(index)
                .map(|rule| rule.path.as_str()),
            Category::Network => self.rules.network.get(index).map(|rule| rule.host.as_str()),
            Category::Env => self.rules.env.get(index).map(String::as_str),
            Category::Process => self.rules.process.get(index).map(String::as_str),
            Category::Model => self.rules.model.get(index).map(|action| action.as_str()),
        }
    }
}

/// Compiles the categories of one list, naming the offending field on error.
struct Compiler<'a> {
    source: RuleSource,
    roots: &'a [WorkspaceRoot],
}

impl Compiler<'_> {
    fn invalid(
        &self,
        field: String,
        value: impl Into<String>,
        problem: RuleProblem,
    ) -> PolicyError {
        PolicyError::InvalidRule {
            list: self.source,
            field,
            value: value.into(),
            problem,
        }
    }

    fn invalid_glob(&self, field: String, text: &str, error: &globset::Error) -> PolicyError {
        let problem = RuleProblem::InvalidGlob {
            reason: error.kind().to_string(),
        };
        self.invalid(field, text, problem)
    }

    /// Absolute globs for a path pattern; a relative deny pattern without roots is an error,
    /// since dropping it would allow what the host meant to deny.
    fn path_globs(
        &self,
        field: &dyn Fn() -> String,
        pattern: &str,
    ) -> Result<Vec<path_glob::PathGlob>, PolicyError> {
        if self.source == RuleSource::Deny && self.roots.is_empty() && !pattern.starts_with('/') {
            return Err(self.invalid(field(), pattern, RuleProblem::RelativeWithoutWorkspace));
        }
        path_glob::compile(pattern, self.roots).map_err(|p| self.invalid(field(), pattern, p))
    }

    /// Adds a compiled path glob of rule `index` to `index_of_access`.
    fn add_path(
        &self,
        paths: &mut PathIndex,
        index: usize,
        compiled: &path_glob::PathGlob,
        field: &dyn Fn() -> String,
        pattern: &str,
    ) -> Result<(), PolicyError> {
        let prefix = compiled.literal_prefix.as_os_str().as_encoded_bytes();
        paths
            .add(index, prefix, compiled.rest.as_deref())
            .map_err(|e| self.invalid_glob(field(), pattern, &e))
    }

    fn filesystem(
        &self,
        rules: &Permissions,
    ) -> Result<([PathIndex; 3], Vec<PathRule>), PolicyError> {
        let mut indexes: [PathIndex; 3] = Default::default();
        let mut path_rules = Vec::new();
        for (index, rule) in rules.filesystem.iter().enumerate() {
            if rule.access.is_empty() {
                return Err(self.invalid(
                    format!("filesystem[{index}].access"),
                    "[]",
                    RuleProblem::EmptyAccess,
                ));
            }
            let mut access = [false; 3];
            for &a in &rule.access {
                access[access_slot(a)] = true;
            }
            let field = || format!("filesystem[{index}].path");
            for compiled in self.path_globs(&field, &rule.path)? {
                for (slot, paths) in indexes.iter_mut().enumerate() {
                    if access[slot] {
                        self.add_path(paths, index, &compiled, &field, &rule.path)?;
                    }
                }
                path_rules.push(PathRule {
                    id: RuleId {
                        source: self.source,
                        category: Category::Filesystem,
                        index,
                    },
                    is_literal: compiled.is_literal(),
                    glob: compiled.glob,
                    literal_prefix: compiled.literal_prefix,
                    access,
                });
            }
        }
        Ok((indexes, path_rules))
    }

    fn network(&self, rules: &Permissions) -> Result<HostIndex, PolicyError> {
        let mut index = HostIndex::default();
        for (i, rule) in rules.network.iter().enumerate() {
            let field = || format!("network[{i}].host");
            match host::parse_pattern(&rule.host)
                .map_err(|p| self.invalid(field(), &rule.host, p))?
            {
                HostPattern::Ip(ip) => index.ips.push((ip, i)),
                HostPattern::Glob(text) => index
                    .globs
                    .add(i, &text, true)
                    .map_err(|e| self.invalid_glob(field(), &rule.host, &e))?,
            }
            if let Some(j) = rule.ports.iter().position(|&port| port == 0) {
                return Err(self.invalid(
                    format!("network[{i}].ports[{j}]"),
                    "0",
                    RuleProblem::PortZero,
                ));
            }
            index.ports.push(rule.ports.clone());
        }
        Ok(index)
    }

    fn env(&self, rules: &Permissions) -> Result<NameIndex, PolicyError> {
        let mut names = NameIndex::default();
        for (i, pattern) in rules.env.iter().enumerate() {
            let field = || format!("env[{i}]");
            check_limits(pattern).map_err(|p| self.invalid(field(), pattern, p))?;
            if pattern.contains('=') {
                let problem = RuleProblem::InvalidEnvName {
                    reason: "`=` cannot appear in a variable name",
                };
                return Err(self.invalid(field(), pattern, problem));
            }
            names
                .add(i, pattern, false)
                .map_err(|e| self.invalid_glob(field(), pattern, &e))?;
        }
        Ok(names)
    }

    fn program_names(&self, rules: &Permissions) -> Result<NameIndex, PolicyError> {
        let mut names = NameIndex::default();
        for (i, pattern) in rules
            .process
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.contains('/'))
        {
            let field = || format!("process[{i}]");
            check_limits(pattern).map_err(|p| self.invalid(field(), pattern, p))?;
            names
                .add(i, pattern, false)
                .map_err(|e| self.invalid_glob(field(), pattern, &e))?;
        }
        Ok(names)
    }

    fn program_paths(&self, rules: &Permissions) -> Result<PathIndex, PolicyError> {
        let mut paths = PathIndex::default();
        for (i, pattern) in rules
            .process
            .iter()
            .enumerate()
            .filter(|(_, p)| p.contains('/'))
        {
            let field = || format!("process[{i}]");
            for compiled in self.path_globs(&field, pattern)? {
                self.add_path(&mut paths, i, &compiled, &field, pattern)?;
            }
        }
        Ok(paths)
    }
}
