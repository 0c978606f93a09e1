//! One list of rules (request, grant or deny) compiled into matchers, and the prepared form of a
//! resource those matchers take.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use globset::{Candidate, Glob};

use super::error::{PolicyError, RuleProblem};
use super::host::{self, HostPattern, HostSubject, IP_TEXT_CAPACITY};
use super::matcher::{GlobIndex, GlobIndexBuilder, name_glob, path_glob};
use super::model::{FsAccess, ModelAction, Permissions};
use super::path_glob::{self, WorkspaceRoot, check_limits};
use super::resource::Resource;
use super::rule::{Category, RuleId, RuleSource};

/// One compiled filesystem rule: an absolute, normalised glob and the access it allows.
///
/// A relative rule compiles to one `PathRule` per workspace root, all with the same
/// [`id`](Self::id). [`Policy::path_rules`](super::Policy::path_rules) lists them, e.g. for the
/// kernel sandbox, which can only restrict [`literal_prefix`](Self::literal_prefix)es.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathRule {
    id: RuleId,
    glob: String,
    literal_prefix: PathBuf,
    is_literal: bool,
    access: [bool; 3],
}

impl PathRule {
    /// The rule this glob was compiled from.
    pub fn id(&self) -> RuleId {
        self.id
    }

    /// The absolute, normalised glob.
    pub fn glob(&self) -> &str {
        &self.glob
    }

    /// The longest leading run of literal components of the glob: the smallest directory (or
    /// file) that contains every path the glob matches.
    pub fn literal_prefix(&self) -> &Path {
        &self.literal_prefix
    }

    /// Whether the glob has no wildcard at all, so it names exactly
    /// [`literal_prefix`](Self::literal_prefix).
    pub fn is_literal(&self) -> bool {
        self.is_literal
    }

    /// Whether the rule allows (or, in a deny list, denies) `access`.
    pub fn covers(&self, access: FsAccess) -> bool {
        self.access[access_slot(access)]
    }
}

const fn access_slot(access: FsAccess) -> usize {
    match access {
        FsAccess::Read => 0,
        FsAccess::Write => 1,
        FsAccess::Delete => 2,
    }
}

const fn model_slot(action: ModelAction) -> usize {
    match action {
        ModelAction::Invoke => 0,
        ModelAction::Configure => 1,
    }
}

/// A resource reduced to what the matchers take, prepared once per check and shared by the
/// deny, request and grant lists.
pub(crate) enum Subject<'a> {
    Path {
        candidate: Candidate<'a>,
        access: FsAccess,
    },
    Host {
        ip: Option<IpAddr>,
        candidate: Candidate<'a>,
        port: u16,
    },
    Env(Candidate<'a>),
    Program {
        name: Option<Candidate<'a>>,
        path: Option<Candidate<'a>>,
    },
    Model(ModelAction),
}

impl<'a> Subject<'a> {
    /// Prepares `resource`; `None` if it is malformed. `ip_buf` holds the text of an IP host.
    pub(crate) fn new(
        resource: &Resource<'a>,
        ip_buf: &'a mut [u8; IP_TEXT_CAPACITY],
    ) -> Option<Self> {
        Some(match *resource {
            Resource::Path { path, access } => Subject::Path {
                candidate: Candidate::new(path.as_path()),
                access,
            },
            Resource::Host { host, port } => match host::parse_subject(host) {
                HostSubject::Ip(ip) => {
                    let text = host::ip_text(ip, ip_buf);
                    Subject::Host {
                        ip: Some(ip),
                        candidate: Candidate::from_bytes(text),
                        port,
                    }
                }
                HostSubject::Name(name) => Subject::Host {
                    ip: None,
                    candidate: Candidate::from_bytes(name),
                    port,
                },
                HostSubject::Invalid => return None,
            },
            Resource::EnvVar(name) => Subject::Env(Candidate::new(Path::new(name))),
            Resource::Program(program) => Subject::Program {
                name: program
                    .found_by_name()
                    .then(|| Candidate::new(Path::new(program.name()))),
                path: program
                    .resolved()
                    .map(|path| Candidate::new(path.as_path())),
            },
            Resource::Model(action) => Subject::Model(action),
        })
    }
}

/// Network rules: host globs and IP literals, with each rule's ports.
#[derive(Debug, Clone, Default)]
struct HostIndex {
    globs: GlobIndex,
    ips: Vec<(IpAddr, usize)>,
    /// Per rule; empty means any port.
    ports: Vec<Vec<u16>>,
}

impl HostIndex {
    fn first_match(
        &self,
        ip: Option<IpAddr>,
        candidate: &Candidate<'_>,
        port: u16,
    ) -> Option<usize> {
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
        let by_glob = self.globs.first_match_where(candidate, port_ok);
        by_ip.into_iter().chain(by_glob).min()
    }
}

/// One list of rules, compiled.
#[derive(Debug, Clone)]
pub(crate) struct CompiledList {
    rules: Permissions,
    /// Path globs per [`FsAccess`] (see `access_slot`).
    paths: [GlobIndex; 3],
    path_rules: Vec<PathRule>,
    hosts: HostIndex,
    env: GlobIndex,
    program_names: GlobIndex,
    program_paths: GlobIndex,
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
            Subject::Path { candidate, access } => self
                .paths
                .get(access_slot(*access))
                .and_then(|index| index.first_match(candidate)),
            Subject::Host {
                ip,
                candidate,
                port,
            } => self.hosts.first_match(*ip, candidate, *port),
            Subject::Env(candidate) => self.env.first_match(candidate),
            Subject::Program { name, path } => {
                let by_name = name
                    .as_ref()
                    .and_then(|name| self.program_names.first_match(name));
                let by_path = path
                    .as_ref()
                    .and_then(|path| self.program_paths.first_match(path));
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

    fn too_complex(&self, category: Category, error: &globset::Error) -> PolicyError {
        PolicyError::TooComplex {
            list: self.source,
            category,
            reason: error.kind().to_string(),
        }
    }

    fn glob(
        &self,
        field: impl Fn() -> String,
        text: &str,
        glob: Result<Glob, globset::Error>,
    ) -> Result<Glob, PolicyError> {
        glob.map_err(|e| {
            self.invalid(
                field(),
                text,
                RuleProblem::InvalidGlob {
                    reason: e.kind().to_string(),
                },
            )
        })
    }

    /// Absolute globs for a path pattern; a relative deny pattern without roots is an error,
    /// since dropping it would allow what the host meant to deny.
    fn path_globs(
        &self,
        field: &dyn Fn() -> String,
        pattern: &str,
    ) -> Result<Vec<(path_glob::PathGlob, Glob)>, PolicyError> {
        if self.source == RuleSource::Deny && self.roots.is_empty() && !pattern.starts_with('/') {
            return Err(self.invalid(field(), pattern, RuleProblem::RelativeWithoutWorkspace));
        }
        let compiled = path_glob::compile(pattern, self.roots)
            .map_err(|p| self.invalid(field(), pattern, p))?;
        compiled
            .into_iter()
            .map(|compiled| {
                let glob = self.glob(field, pattern, path_glob(&compiled.glob))?;
                Ok((compiled, glob))
            })
            .collect()
    }

    fn filesystem(
        &self,
        rules: &Permissions,
    ) -> Result<([GlobIndex; 3], Vec<PathRule>), PolicyError> {
        let mut builders: [GlobIndexBuilder; 3] = Default::default();
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
            for (compiled, glob) in self.path_globs(&field, &rule.path)? {
                for (slot, builder) in builders.iter_mut().enumerate() {
                    if access[slot] {
                        builder.add(index, glob.clone());
                    }
                }
                path_rules.push(PathRule {
                    id: RuleId {
                        source: self.source,
                        category: Category::Filesystem,
                        index,
                    },
                    glob: compiled.glob,
                    literal_prefix: compiled.literal_prefix,
                    is_literal: compiled.is_literal,
                    access,
                });
            }
        }
        let [read, write, delete] = builders;
        let build = |b: GlobIndexBuilder| {
            b.build()
                .map_err(|e| self.too_complex(Category::Filesystem, &e))
        };
        Ok(([build(read)?, build(write)?, build(delete)?], path_rules))
    }

    fn network(&self, rules: &Permissions) -> Result<HostIndex, PolicyError> {
        let mut globs = GlobIndexBuilder::default();
        let mut index = HostIndex::default();
        for (i, rule) in rules.network.iter().enumerate() {
            let field = || format!("network[{i}].host");
            match host::parse_pattern(&rule.host)
                .map_err(|p| self.invalid(field(), &rule.host, p))?
            {
                HostPattern::Ip(ip) => index.ips.push((ip, i)),
                HostPattern::Glob(text) => {
                    globs.add(i, self.glob(field, &rule.host, name_glob(&text, true))?)
                }
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
        index.globs = globs
            .build()
            .map_err(|e| self.too_complex(Category::Network, &e))?;
        Ok(index)
    }

    fn env(&self, rules: &Permissions) -> Result<GlobIndex, PolicyError> {
        let mut globs = GlobIndexBuilder::default();
        for (i, pattern) in rules.env.iter().enumerate() {
            let field = || format!("env[{i}]");
            check_limits(pattern).map_err(|p| self.invalid(field(), pattern, p))?;
            if pattern.contains('=') {
                let problem = RuleProblem::InvalidEnvName {
                    reason: "`=` cannot appear in a variable name",
                };
                return Err(self.invalid(field(), pattern, problem));
            }
            globs.add(i, self.glob(field, pattern, name_glob(pattern, false))?);
        }
        globs
            .build()
            .map_err(|e| self.too_complex(Category::Env, &e))
    }

    fn program_names(&self, rules: &Permissions) -> Result<GlobIndex, PolicyError> {
        let mut globs = GlobIndexBuilder::default();
        for (i, pattern) in rules
            .process
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.contains('/'))
        {
            let field = || format!("process[{i}]");
            check_limits(pattern).map_err(|p| self.invalid(field(), pattern, p))?;
            globs.add(i, self.glob(field, pattern, name_glob(pattern, false))?);
        }
        globs
            .build()
            .map_err(|e| self.too_complex(Category::Process, &e))
    }

    fn program_paths(&self, rules: &Permissions) -> Result<GlobIndex, PolicyError> {
        let mut globs = GlobIndexBuilder::default();
        for (i, pattern) in rules
            .process
            .iter()
            .enumerate()
            .filter(|(_, p)| p.contains('/'))
        {
            let field = || format!("process[{i}]");
            for (_, glob) in self.path_globs(&field, pattern)? {
                globs.add(i, glob);
            }
        }
        globs
            .build()
            .map_err(|e| self.too_complex(Category::Process, &e))
    }
}
