//! The compiled, immutable policy: request ∩ grant − deny, checked in well under a microsecond.

use std::path::{Path, PathBuf};

use super::compiled::CompiledList;
use super::decision::{Decision, Denial};
use super::error::{PermissionError, PolicyError};
use super::host::IP_TEXT_CAPACITY;
use super::model::{FsAccess, Permissions};
use super::path::NormalizedPath;
use super::path_glob::WorkspaceRoot;
use super::path_rule::PathRule;
use super::resource::Resource;
use super::rule::{RuleId, RuleSource};
use super::subject::Subject;

/// The effective permissions of one extension, compiled once and checked many times.
///
/// Built from the extension's request (its manifest's `[permissions]`), the host's grant, an
/// optional host deny list and the host's workspace roots. A grant may narrow a request, never
/// widen it:
///
/// | the resource is covered by …                          | [`check`](Self::check) answers |
/// |-------------------------------------------------------|--------------------------------|
/// | a deny rule                                           | [`Decision::Denied`] ([`Denial::ByHost`]) |
/// | no request rule                                       | [`Decision::Denied`] ([`Denial::NotRequested`]) |
/// | a request rule and a grant rule                       | [`Decision::Allowed`] |
/// | a request rule, but no grant rule                     | [`Decision::NeedsPrompt`] |
///
/// Rules match as follows:
///
/// - **filesystem**: path globs (`*`, `?`, `[…]`, `{a,b}` within a component, `**` across
///   components; `data/**` matches everything *inside* `data`, not `data` itself). Relative
///   globs resolve against each workspace root; globs are normalised lexically (`/ws/../etc/**`
///   is `/etc/**`) and roots are canonicalised, so a linked root still matches. Paths are
///   checked in normalised form ([`NormalizedPath`]), byte for byte.
/// - **network**: case-insensitive host globs (`*.example.com` matches every subdomain, not
///   `example.com` itself), or IP literals compared as addresses; `ports` empty means any port.
/// - **env**: case-sensitive name globs.
/// - **process**: a bare name glob (`git`) matches a program found under that name on the
///   search path; a glob with a `/` matches the resolved path ([`NormalizedProgram`]).
/// - **model**: the action.
///
/// When several rules match, the decision names the first (lowest index) of each list.
///
/// ```
/// # use symphony_core::permission::{
/// #     Decision, FsAccess, NormalizedPath, Permissions, Policy, Resource,
/// # };
///
/// let request: Permissions = toml::from_str(r#"
///     filesystem = [{ path = "data/**", access = ["read", "write"] }]
///     network = [{ host = "*.example.com", ports = [443] }]
/// "#)?;
/// let grant: Permissions = toml::from_str(r#"
///     filesystem = [{ path = "data/**", access = ["read"] }]
///     network = [{ host = "api.example.com" }]
/// "#)?;
/// let policy = Policy::builder(&request, &grant).workspace_root("/nonexistent-ws").build()?;
///
/// let file = NormalizedPath::new("/nonexistent-ws/data/in.csv")?;
/// assert!(policy.check(&Resource::path(&file, FsAccess::Read)).is_allowed());
/// // Requested, not granted: the host may ask the user.
/// assert!(matches!(
///     policy.check(&Resource::path(&file, FsAccess::Write)),
///     Decision::NeedsPrompt { .. }
/// ));
/// assert!(policy.check(&Resource::host("API.example.com.", 443)).is_allowed());
/// // Granted for any port, but requested only for 443.
/// assert!(!policy.check(&Resource::host("api.example.com", 80)).is_allowed());
///
/// let error = policy.require(&Resource::path(&file, FsAccess::Delete)).unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "filesystem delete permission denied for `/nonexistent-ws/data/in.csv`: the extension's \
///      manifest does not request it (add a matching `filesystem` rule to its [permissions])"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// [`NormalizedProgram`]: super::NormalizedProgram
#[derive(Debug, Clone)]
pub struct Policy {
    request: CompiledList,
    grant: CompiledList,
    deny: CompiledList,
    roots: Vec<PathBuf>,
}

impl Policy {
    /// Starts a policy from the extension's request and the host's grant.
    pub fn builder(request: &Permissions, grant: &Permissions) -> PolicyBuilder {
        PolicyBuilder {
            request: request.clone(),
            grant: grant.clone(),
            deny: Permissions::default(),
            roots: Vec::new(),
        }
    }

    /// Decides whether the extension may touch `resource` now, and which rule says so.
    ///
    /// Does not touch the filesystem and does not allocate; paths and
    /// programs must be normalised beforehand ([`NormalizedPath`],
    /// [`NormalizedProgram`](super::NormalizedProgram)).
    pub fn check(&self, resource: &Resource<'_>) -> Decision {
        let mut ip_buf = [0; IP_TEXT_CAPACITY];
        let Some(subject) = Subject::new(resource, &mut ip_buf) else {
            return Decision::Denied(Denial::InvalidResource);
        };
        let category = resource.permission().category();
        let id = |source, index| RuleId {
            source,
            category,
            index,
        };
        if let Some(index) = self.deny.first_match(&subject) {
            return Decision::Denied(Denial::ByHost {
                rule: id(RuleSource::Deny, index),
            });
        }
        let Some(requested) = self.request.first_match(&subject) else {
            return Decision::Denied(Denial::NotRequested);
        };
        let requested_by = id(RuleSource::Request, requested);
        match self.grant.first_match(&subject) {
            Some(granted) => Decision::Allowed {
                requested_by,
                granted_by: id(RuleSource::Grant, granted),
            },
            None => Decision::NeedsPrompt { requested_by },
        }
    }

    /// Like [`check`](Self::check), but anything other than [`Decision::Allowed`] is an error
    /// that names the permission and the resource.
    ///
    /// # Errors
    ///
    /// [`PermissionError::NotRequested`], [`PermissionError::DeniedByHost`],
    /// [`PermissionError::NeedsApproval`] or [`PermissionError::InvalidResource`].
    pub fn require(&self, resource: &Resource<'_>) -> Result<(), PermissionError> {
        let permission = resource.permission();
        let check = self.check(resource);
        let resource = || resource.to_name();
        match check {
            Decision::Allowed { .. } => Ok(()),
            Decision::NeedsPrompt { requested_by } => Err(PermissionError::NeedsApproval {
                permission,
                resource: resource(),
                requested_by,
            }),
            Decision::Denied(Denial::ByHost { rule }) => Err(PermissionError::DeniedByHost {
                permission,
                resource: resource(),
                rule,
            }),
            Decision::Denied(Denial::NotRequested) => Err(PermissionError::NotRequested {
                permission,
                resource: resource(),
            }),
            Decision::Denied(Denial::InvalidResource) => Err(PermissionError::InvalidResource {
                permission,
                resource: resource(),
            }),
        }
    }

    /// Normalises `path` (relative to the current directory) and requires `access` to it;
    /// returns the normalised path, which is the one to open.
    ///
    /// # Errors
    ///
    /// [`PermissionError::Unresolvable`] if the path cannot be normalised, otherwise as
    /// [`require`](Self::require).
    pub fn require_path(
        &self,
        path: impl AsRef<Path>,
        access: FsAccess,
    ) -> Result<NormalizedPath, PermissionError> {
        let path = path.as_ref();
        let normalized =
            NormalizedPath::new(path).map_err(|source| PermissionError::Unresolvable {
                permission: super::Permission::Filesystem(access),
                path: path.to_path_buf(),
                source,
            })?;
        self.require(&Resource::path(&normalized, access))?;
        Ok(normalized)
    }

    /// The compiled filesystem rules of one list, in rule order.
    pub fn path_rules(&self, source: RuleSource) -> &[PathRule] {
        self.list(source).path_rules()
    }

    /// The pattern of a rule as it was written (a path, host, variable or program glob, or a
    /// model action), to explain a [`Decision`].
    pub fn rule_text(&self, rule: RuleId) -> Option<&str> {
        self.list(rule.source).rule_text(rule.category, rule.index)
    }

    /// The workspace roots, canonicalised.
    pub fn workspace_roots(&self) -> &[PathBuf] {
        &self.roots
    }

    fn list(&self, source: RuleSource) -> &CompiledList {
        match source {
            RuleSource::Request => &self.request,
            RuleSource::Grant => &self.grant,
            RuleSource::Deny => &self.deny,
        }
    }
}

/// Collects what a [`Policy`] is compiled from; see [`Policy::builder`].
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct PolicyBuilder {
    request: Permissions,
    grant: Permissions,
    deny: Permissions,
    roots: Vec<PathBuf>,
}

impl PolicyBuilder {
    /// Sets the host's deny list: what it covers is denied whatever the request and grant say.
    pub fn deny(mut self, deny: &Permissions) -> Self {
        self.deny = deny.clone();
        self
    }

    /// Adds a workspace root (absolute); relative path rules resolve against each root.
    pub fn workspace_root(mut self, root: impl Into<PathBuf>) -> Self {
        self.roots.push(root.into());
        self
    }

    /// Adds several workspace roots.
    pub fn workspace_roots<I>(mut self, roots: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<PathBuf>,
    {
        self.roots.extend(roots.into_iter().map(Into::into));
        self
    }

    /// Validates and compiles the rules.
    ///
    /// Relative path rules of the request or grant compile to nothing when there is no
    /// workspace root (they cover nothing); in the deny list they are an error, since dropping
    /// them would allow what the host meant to deny.
    ///
    /// # Errors
    ///
    /// [`PolicyError::InvalidRule`] naming the first invalid rule's field (e.g.
    /// `grant filesystem[1].path`), or [`PolicyError::InvalidWorkspaceRoot`].
    pub fn build(self) -> Result<Policy, PolicyError> {
        let roots = self
            .roots
            .iter()
            .map(|root| WorkspaceRoot::new(root))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Policy {
            request: CompiledList::compile(RuleSource::Request, &self.request, &roots)?,
            grant: CompiledList::compile(RuleSource::Grant, &self.grant, &roots)?,
            deny: CompiledList::compile(RuleSource::Deny, &self.deny, &roots)?,
            roots: roots.iter().map(WorkspaceRoot::canonical_path).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::permission::rule::Category;
    use crate::permission::{ModelAction, NormalizedProgram, PolicyError, RuleProblem};

    fn permissions(toml: &str) -> Permissions {
        toml::from_str(toml).unwrap_or_else(|e| panic!("test permissions do not parse: {e}"))
    }

    fn policy(request: &str, grant: &str, deny: &str) -> Policy {
        Policy::builder(&permissions(request), &permissions(grant))
            .deny(&permissions(deny))
            .workspace_root("/nonexistent-ws")
            .build()
            .unwrap_or_else(|e| panic!("test policy does not compile: {e}"))
    }

    fn build_error(request: &str, grant: &str, deny: &str) -> String {
        let result = Policy::builder(&permissions(request), &permissions(grant))
            .deny(&permissions(deny))
            .build();
        match result {
            Ok(_) => panic!("expected a compile error"),
            Err(e) => e.to_string(),
        }
    }

    fn path(path: &str) -> NormalizedPath {
        NormalizedPath::new(path).unwrap_or_else(|e| panic!("{e}"))
    }

    fn id(source: RuleSource, category: Category, index: usize) -> RuleId {
        RuleId {
            source,
            category,
            index,
        }
    }

    #[test]
    fn grant_narrows_request_into_allowed_prompt_and_denied() {
        let policy = policy(
            r#"filesystem = [{ path = "src/**", access = ["read"] }, { path = "out/**", access = ["read", "write"] }]"#,
            r#"filesystem = [{ path = "out/*.json", access = ["write"] }, { path = "**", access = ["read", "write", "delete"] }]"#,
            "",
        );
        let out = path("/nonexistent-ws/out/a.json");
        assert_eq!(
            policy.check(&Resource::path(&out, FsAccess::Write)),
            Decision::Allowed {
                requested_by: id(RuleSource::Request, Category::Filesystem, 1),
                granted_by: id(RuleSource::Grant, Category::Filesystem, 0),
            }
        );
        // Granted, but never requested: a grant cannot widen a request.
        assert_eq!(
            policy.check(&Resource::path(&out, FsAccess::Delete)),
            Decision::Denied(Denial::NotRequested)
        );
        let outside = path("/elsewhere/a.json");
        assert_eq!(
            policy.check(&Resource::path(&outside, FsAccess::Read)),
            Decision::Denied(Denial::NotRequested)
        );
    }

    #[test]
    fn requested_but_not_granted_needs_a_prompt() {
        let policy = policy(
            r#"filesystem = [{ path = "**", access = ["read", "write"] }]"#,
            r#"filesystem = [{ path = "docs/**", access = ["read"] }]"#,
            "",
        );
        let file = path("/nonexistent-ws/src/main.rs");
        let expected = Decision::NeedsPrompt {
            requested_by: id(RuleSource::Request, Category::Filesystem, 0),
        };
        assert_eq!(
            policy.check(&Resource::path(&file, FsAccess::Read)),
            expected
        );
        let error = policy
            .require(&Resource::path(&file, FsAccess::Read))
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            error.as_deref(),
            Some(
                "filesystem read permission for `/nonexistent-ws/src/main.rs` needs the user's approval: \
                 requested by request.filesystem[0] but not granted by the host"
            )
        );
    }

    #[test]
    fn the_deny_list_wins() {
        let policy = policy(
            r#"filesystem = [{ path = "**", access = ["read"] }]
               network = [{ host = "*" }]
               env = ["*"]"#,
            r#"filesystem = [{ path = "**", access = ["read"] }]
               network = [{ host = "*" }]
               env = ["*"]"#,
            r#"filesystem = [{ path = "**/.env", access = ["read"] }]
               network = [{ host = "127.0.0.1" }, { host = "*.internal" }]
               env = ["AWS_*"]"#,
        );
        let secret = path("/nonexistent-ws/app/.env");
        assert_eq!(
            policy.check(&Resource::path(&secret, FsAccess::Read)),
            Decision::Denied(Denial::ByHost {
                rule: id(RuleSource::Deny, Category::Filesystem, 0)
            })
        );
        for host in ["127.0.0.1", "127.1", "0x7f000001", "[::ffff:127.0.0.1]"] {
            assert_eq!(
                policy.check(&Resource::host(host, 80)),
                Decision::Denied(Denial::ByHost {
                    rule: id(RuleSource::Deny, Category::Network, 0)
                }),
                "{host}"
            );
        }
        assert!(
            !policy
                .check(&Resource::host("DB.Internal.", 5432))
                .is_allowed()
        );
        assert!(
            policy
                .check(&Resource::host("example.com", 443))
                .is_allowed()
        );
        assert!(
            !policy
                .check(&Resource::env_var("AWS_SECRET_ACCESS_KEY"))
                .is_allowed()
        );
        assert!(policy.check(&Resource::env_var("HOME")).is_allowed());
        let error = policy
            .require(&Resource::env_var("AWS_KEY"))
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            error.as_deref(),
            Some("env read permission denied for `AWS_KEY`: the host denies it (deny.env[0])")
        );
    }

    #[test]
    fn host_globs_match_subdomains_case_insensitively() {
        let policy = policy(
            r#"network = [{ host = "*.example.com", ports = [443, 8443] }, { host = "::1" }]"#,
            r#"network = [{ host = "*.example.com" }, { host = "[::1]" }]"#,
            "",
        );
        assert!(
            policy
                .check(&Resource::host("api.EXAMPLE.com", 443))
                .is_allowed()
        );
        assert!(
            policy
                .check(&Resource::host("a.b.example.com.", 8443))
                .is_allowed()
        );
        assert!(
            !policy
                .check(&Resource::host("example.com", 443))
                .is_allowed()
        );
        assert!(
            !policy
                .check(&Resource::host("evilexample.com", 443))
                .is_allowed()
        );
        assert!(
            !policy
                .check(&Resource::host("api.example.com", 80))
                .is_allowed()
        );
        assert!(
            policy
                .check(&Resource::host("0:0:0:0:0:0:0:1", 1))
                .is_allowed()
        );
        assert_eq!(
            policy.check(&Resource::host("api.example.com/x", 443)),
            Decision::Denied(Denial::InvalidResource)
        );
        assert_eq!(
            policy.check(&Resource::host("", 443)),
            Decision::Denied(Denial::InvalidResource)
        );
    }

    #[test]
    fn host_globs_apply_to_the_canonical_text_of_addresses() {
        let policy = policy(
            r#"network = [{ host = "10.0.*" }]"#,
            r#"network = [{ host = "*" }]"#,
            "",
        );
        assert!(policy.check(&Resource::host("10.0.3.4", 22)).is_allowed());
        assert!(policy.check(&Resource::host("012.0.3.4", 22)).is_allowed());
        assert!(!policy.check(&Resource::host("10.1.3.4", 22)).is_allowed());
    }

    #[test]
    fn model_actions_are_checked_by_action() {
        let policy = policy(
            r#"model = ["invoke", "configure"]"#,
            r#"model = ["invoke"]"#,
            "",
        );
        assert!(
            policy
                .check(&Resource::model(ModelAction::Invoke))
                .is_allowed()
        );
        assert!(matches!(
            policy.check(&Resource::model(ModelAction::Configure)),
            Decision::NeedsPrompt { .. }
        ));
    }

    #[test]
    fn bare_program_names_match_only_programs_found_by_name() {
        let policy = policy(
            r#"process = ["sh", "/opt/tools/**"]"#,
            r#"process = ["*", "/**"]"#,
            "",
        );
        let search_path = std::ffi::OsStr::new("/bin:/usr/bin");
        let program = |name: &str| {
            NormalizedProgram::with_search_path(name, Some(search_path))
                .unwrap_or_else(|e| panic!("{e}"))
        };
        let by_name = program("sh");
        assert!(by_name.found_by_name());
        assert!(policy.check(&Resource::program(&by_name)).is_allowed());
        // Same name, different program: the bare rule does not cover it.
        let impostor = program("/nonexistent-ws/bin/sh");
        assert!(!impostor.found_by_name());
        assert_eq!(
            policy.check(&Resource::program(&impostor)),
            Decision::Denied(Denial::NotRequested)
        );
        assert!(
            policy
                .check(&Resource::program(&program("/opt/tools/bin/lint")))
                .is_allowed()
        );
    }

    #[test]
    fn rule_text_explains_a_decision() {
        let policy = policy(r#"env = ["A", "B*"]"#, r#"env = ["B?"]"#, "");
        let Decision::Allowed {
            requested_by,
            granted_by,
        } = policy.check(&Resource::env_var("BC"))
        else {
            panic!("BC should be allowed");
        };
        assert_eq!(policy.rule_text(requested_by), Some("B*"));
        assert_eq!(policy.rule_text(granted_by), Some("B?"));
        assert_eq!(requested_by.to_string(), "request.env[1]");
    }

    #[test]
    fn invalid_rules_name_their_field() {
        let cases = [
            (
                r#"filesystem = [{ path = "a", access = ["read"] }, { path = "", access = ["read"] }]"#,
                "",
                "",
                "request `filesystem[1].path` = \"\": the pattern is empty",
            ),
            (
                "",
                r#"filesystem = [{ path = "/a/[", access = ["read"] }]"#,
                "",
                "grant `filesystem[0].path` = \"/a/[\": not a valid glob: unclosed character class; missing ']'",
            ),
            (
                "",
                r#"filesystem = [{ path = "/a", access = [] }]"#,
                "",
                "grant `filesystem[0].access` = \"[]\": the access list is empty; list at least one of \"read\", \"write\", \"delete\"",
            ),
            (
                "",
                r#"network = [{ host = "a.com", ports = [1, 0] }]"#,
                "",
                "grant `network[0].ports[1]` = \"0\": port 0 is not a port one can connect to; leave `ports` empty to allow any port",
            ),
            (
                "",
                "",
                r#"network = [{ host = "a.com:80" }]"#,
                "deny `network[0].host` = \"a.com:80\": not a host name glob or IP literal: `:` only appears in IPv6 literals; put ports in `ports`",
            ),
            (
                "",
                "",
                r#"filesystem = [{ path = ".env", access = ["read"] }]"#,
                "deny `filesystem[0].path` = \".env\": a relative pattern needs a workspace root to resolve against, and there is none",
            ),
            (
                r#"env = ["A=B"]"#,
                "",
                "",
                "request `env[0]` = \"A=B\": not an environment variable name glob: `=` cannot appear in a variable name",
            ),
            (
                r#"process = ["/x/*/../y"]"#,
                "",
                "",
                "request `process[0]` = \"/x/*/../y\": `..` after a wildcard component is ambiguous; write the directory it leads to",
            ),
        ];
        for (request, grant, deny, expected) in cases {
            assert_eq!(build_error(request, grant, deny), expected);
        }
    }

    #[test]
    fn absurd_globs_are_rejected() {
        let deep = format!(
            r#"filesystem = [{{ path = "{}", access = ["read"] }}]"#,
            "/**".repeat(9)
        );
        assert!(build_error(&deep, "", "").contains("has 9 `**`; the limit is 8"));
        let long = format!(r#"env = ["{}"]"#, "A".repeat(5000));
        assert!(build_error(&long, "", "").contains("5000 bytes long; the limit is 4096"));
    }

    #[test]
    fn policies_can_be_shared_between_threads() {
        fn shareable<T: Send + Sync + Clone>() {}
        shareable::<Policy>();
        shareable::<NormalizedPath>();
        shareable::<NormalizedProgram>();
    }

    #[test]
    fn workspace_roots_must_be_absolute() {
        let result = Policy::builder(&Permissions::default(), &Permissions::default())
            .workspace_root("ws")
            .build();
        assert!(matches!(
            result,
            Err(PolicyError::InvalidWorkspaceRoot { .. })
        ));
        let relative_rule = permissions(r#"filesystem = [{ path = "a/**", access = ["read"] }]"#);
        let without_roots = Policy::builder(&relative_rule, &relative_rule).build();
        assert!(without_roots.is_ok_and(|p| p.path_rules(RuleSource::Request).is_empty()));
        assert_eq!(RuleProblem::Empty.to_string(), "the pattern is empty");
    }
}
