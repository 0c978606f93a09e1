//! What a check is about: a resource, and the permission it needs.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::path::PathBuf;

use super::model::{FsAccess, ModelAction};
use super::path::NormalizedPath;
use super::program::NormalizedProgram;
use super::rule::Category;

/// Something an extension wants to touch, in the form a [`Policy`](super::Policy) checks.
///
/// Filesystem paths and programs must be normalised first ([`NormalizedPath`],
/// [`NormalizedProgram`]): that part asks the filesystem, the check itself does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource<'a> {
    /// A filesystem path and the access wanted on it.
    Path {
        /// The normalised path.
        path: &'a NormalizedPath,
        /// The access wanted.
        access: FsAccess,
    },
    /// A network connection to a host name or IP literal and a port.
    ///
    /// The host is matched as given (case-insensitively, a trailing dot ignored); names are not
    /// resolved, so a rule for a name does not cover its addresses or the reverse.
    Extension {
        /// Host name, IPv4 literal (also the legacy forms `127.1` or `0x7f.0.0.1`, which
        /// resolvers accept), or IPv6 literal (with or without brackets).
        host: &'a str,
        /// The port.
        port: u16,
    },
    /// An environment variable, by name.
    EnvVar(&'a OsStr),
    /// A program to spawn.
    Program(&'a NormalizedProgram),
    /// An action on a model hosted by Symphony.
    Model(ModelAction),
}

impl<'a> Resource<'a> {
    /// A filesystem path with the access wanted on it.
    pub const fn path(path: &'a NormalizedPath, access: FsAccess) -> Self {
        Resource::Path { path, access }
    }

    /// A network host and port.
    pub const fn host(host: &'a str, port: u16) -> Self {
        Resource::Extension { host, port }
    }

    /// An environment variable.
    pub fn env_var(name: &'a (impl AsRef<OsStr> + ?Sized)) -> Self {
        Resource::EnvVar(name.as_ref())
    }

    /// A program to spawn.
    pub const fn program(program: &'a NormalizedProgram) -> Self {
        Resource::Program(program)
    }

    /// An action on a hosted model.
    pub const fn model(action: ModelAction) -> Self {
        Resource::Model(action)
    }

    /// The permission this resource needs.
    pub const fn permission(&self) -> Permission {
        match self {
            Resource::Path { access, .. } => Permission::Filesystem(*access),
            Resource::Extension { .. } => Permission::Network,
            Resource::EnvVar(_) => Permission::Env,
            Resource::Program(_) => Permission::Process,
            Resource::Model(action) => Permission::Model(*action),
        }
    }

    /// An owned copy of the resource's name, for error messages and logs.
    pub fn to_name(&self) -> ResourceName {
        match self {
            Resource::Path { path, .. } => ResourceName::Path(path.as_path().to_path_buf()),
            Resource::Extension { host, port } => ResourceName::Extension {
                host: (*host).to_owned(),
                port: *port,
            },
            Resource::EnvVar(name) => ResourceName::EnvVar((*name).to_os_string()),
            Resource::Program(program) => ResourceName::Program(match program.resolved() {
                Some(path) => path.as_path().as_os_str().to_os_string(),
                None => program.name().to_os_string(),
            }),
            Resource::Model(action) => ResourceName::Model(*action),
        }
    }
}

/// A permission: a category and the access within it, e.g. `filesystem write`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Filesystem access of the given kind.
    Filesystem(FsAccess),
    /// Connecting to a network host.
    Network,
    /// Reading an environment variable.
    Env,
    /// Spawning a process.
    Process,
    /// An action on a hosted model.
    Model(ModelAction),
}

impl Permission {
    /// The permission's category.
    pub const fn category(self) -> Category {
        match self {
            Permission::Filesystem(_) => Category::Filesystem,
            Permission::Network => Category::Network,
            Permission::Env => Category::Env,
            Permission::Process => Category::Process,
            Permission::Model(_) => Category::Model,
        }
    }

    /// The access within the category (`read`, `connect`, `spawn`, `invoke` …).
    pub const fn access(self) -> &'static str {
        match self {
            Permission::Filesystem(access) => access.as_str(),
            Permission::Network => "connect",
            Permission::Env => "read",
            Permission::Process => "spawn",
            Permission::Model(action) => action.as_str(),
        }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.category(), self.access())
    }
}

/// The owned name of a [`Resource`], kept exactly (paths and variable names may not be UTF-8).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResourceName {
    /// A filesystem path.
    Path(PathBuf),
    /// A network host and port.
    Extension {
        /// The host as it was checked.
        host: String,
        /// The port.
        port: u16,
    },
    /// An environment variable name.
    EnvVar(OsString),
    /// A program: its resolved path, or its name if it was not found.
    Program(OsString),
    /// A model action.
    Model(ModelAction),
}

impl fmt::Display for ResourceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResourceName::Path(path) => write!(f, "`{}`", path.display()),
            ResourceName::Extension { host, port }
                if host.contains(':') && !host.starts_with('[') =>
            {
                write!(f, "`[{host}]:{port}`")
            }
            ResourceName::Extension { host, port } => write!(f, "`{host}:{port}`"),
            ResourceName::EnvVar(name) => write!(f, "`{}`", name.display()),
            ResourceName::Program(program) => write!(f, "`{}`", program.display()),
            ResourceName::Model(action) => write!(f, "model `{action}`"),
        }
    }
}
