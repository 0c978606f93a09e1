//! The serde data model of permissions, shared by manifests and host grants.

use serde::{Deserialize, Serialize};

/// A set of permissions, by category.
///
/// In a manifest this is the `[permissions]` table (what the extension asks for); in the
/// protocol's `initialize` request it is what the host grants. Every list defaults to empty,
/// which means "nothing in this category".
///
/// ```toml
/// [permissions]
/// filesystem = [{ path = "data/**/*.csv", access = ["read"] }]
/// network = [{ host = "*.example.com", ports = [443] }]
/// env = ["OPENAI_*"]
/// process = ["git"]
/// model = ["invoke"]
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Permissions {
    /// Filesystem paths (globs) and what may be done to them.
    pub filesystem: Vec<FsRule>,
    /// Network hosts (globs) and ports.
    pub network: Vec<NetworkRule>,
    /// Environment variable names (globs) the extension may read.
    pub env: Vec<String>,
    /// Programs (names or absolute paths, globs) the extension may spawn.
    pub process: Vec<String>,
    /// What the extension may do with models hosted by Symphony.
    pub model: Vec<ModelAction>,
}

/// One filesystem rule: a path glob and the access it allows.
///
/// A relative glob is resolved against each of the host's workspace roots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FsRule {
    /// Path glob (`*` within one segment, `**` across segments, `?`, `[abc]`, `{a,b}`).
    pub path: String,
    /// What may be done to matching paths.
    pub access: Vec<FsAccess>,
}

/// A kind of filesystem access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FsAccess {
    /// Read files and list directories.
    Read,
    /// Create and modify files and directories, including replacing a file atomically (write
    /// a temporary file beside it, rename it over the file). Under the kernel sandbox this
    /// therefore also lets files be removed in a granted directory (the kernel checks a
    /// rename over a file as removing it); the SDK's own check still asks `delete` for removal.
    Write,
    /// Remove files and directories.
    Delete,
}

/// One network rule: a host glob and, optionally, the ports allowed on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkRule {
    /// Host name glob (`*.example.com`, `api.example.com`, `127.0.0.1`); case-insensitive.
    pub host: String,
    /// Allowed ports; empty means any port.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<u16>,
}

/// What an extension may do with a model hosted by Symphony.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelAction {
    /// Run inference.
    Invoke,
    /// Change a model's configuration.
    Configure,
}

impl FsAccess {
    /// Every kind of filesystem access, in declaration order.
    pub const ALL: [FsAccess; 3] = [FsAccess::Read, FsAccess::Write, FsAccess::Delete];

    /// The name used in manifests (`"read"`, `"write"`, `"delete"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            FsAccess::Read => "read",
            FsAccess::Write => "write",
            FsAccess::Delete => "delete",
        }
    }
}

impl std::fmt::Display for FsAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ModelAction {
    /// Every model action, in declaration order.
    pub const ALL: [ModelAction; 2] = [ModelAction::Invoke, ModelAction::Configure];

    /// The name used in manifests (`"invoke"`, `"configure"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            ModelAction::Invoke => "invoke",
            ModelAction::Configure => "configure",
        }
    }
}

impl std::fmt::Display for ModelAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
