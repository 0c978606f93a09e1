//! Confining an extension's process from the host, so that a program that skips the SDK's own
//! sandbox hook gains nothing: its environment, its filesystem (Landlock, applied between fork
//! and exec) and, without a network grant, TCP.

use std::ffi::{OsStr, OsString};
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::options::ExtensionOptions;
use crate::permission::{Policy, PolicyError, Resource};
use crate::sandbox::{LandlockSupport, Sandbox, SandboxError, Unsupported, landlock_support};

/// Environment variables a confined extension receives whatever its grants (when the host has
/// them): the program search path, the locale and time zone, and whether Rust prints
/// backtraces. None of them can hold a secret. Every other inherited variable is passed only if
/// the `env` grant covers its name; variables the host sets explicitly on the `Command` are
/// always passed (the host chose them).
pub const ALWAYS_PASSED_ENV: [&str; 5] = ["PATH", "LANG", "LC_ALL", "TZ", "RUST_BACKTRACE"];

/// Whether the host confines an extension's process itself; see [`ExtensionOptions::confinement`].
///
/// A confined child starts with its environment cleared to the granted variables (and
/// [`ALWAYS_PASSED_ENV`]), in its own process group, restricted by Landlock before its program
/// runs to the filesystem grants (request = grant, so the extension's own sandbox can only
/// narrow it) plus what the program needs to start (see
/// [`Sandbox::allow_program`](crate::sandbox::Sandbox::allow_program)); without a network
/// grant, TCP connect and bind are refused where the kernel's Landlock ABI allows (4 and
/// later). If confinement is asked for and cannot be given, the spawn fails with the reason.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Confinement {
    /// Confine when the host asks the extension to sandbox itself ([`ExtensionOptions::sandbox`]).
    #[default]
    WithSandbox,
    /// Always confine.
    Always,
    /// Never confine (the child inherits the host's environment and filesystem access).
    Never,
}

impl Confinement {
    /// Whether these options confine the child.
    pub fn applies(self, options: &ExtensionOptions) -> bool {
        match self {
            Confinement::WithSandbox => options.sandbox,
            Confinement::Always => true,
            Confinement::Never => false,
        }
    }
}

/// Why the host could not confine an extension's process (the spawn is refused).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfineError {
    /// The grants do not compile into a policy.
    #[error("the host cannot sandbox the extension's process: its grants are invalid: {0}")]
    Grants(#[from] PolicyError),
    /// The program could not be found or read (to derive what it needs to start).
    #[error("the host cannot sandbox the extension's process: cannot resolve its program `{}`: {source}", program.display())]
    Program {
        /// The program as given.
        program: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The kernel cannot enforce a sandbox.
    #[error("the host cannot sandbox the extension's process: {0}")]
    Unavailable(Unsupported),
    /// The Landlock ruleset could not be built.
    #[error("the host cannot sandbox the extension's process: {0}")]
    Sandbox(#[from] SandboxError),
}

#[cfg(not(unix))]
pub(crate) fn confined(_: &Command, _: &ExtensionOptions) -> Result<Command, ConfineError> {
    Err(ConfineError::Unavailable(Unsupported::NotLinux))
}

/// A command for `template`'s program, confined per `options`: absolute program path, cleared
/// environment and the kernel sandbox installed.
#[cfg(unix)]
pub(crate) fn confined(
    template: &Command,
    options: &ExtensionOptions,
) -> Result<Command, ConfineError> {
    if let LandlockSupport::Unavailable(reason) = landlock_support() {
        return Err(ConfineError::Unavailable(reason));
    }
    let policy = Policy::builder(&options.grants, &options.grants)
        .workspace_roots(options.workspace_roots.iter().cloned())
        .build()?;
    let program = resolve_program(template).map_err(|source| ConfineError::Program {
        program: template.get_program().into(),
        source,
    })?;
    let sandbox = Sandbox::from_policy(&policy)
        .allow_program(&program)
        .map_err(|source| ConfineError::Program {
            program: program.clone(),
            source,
        })?;

    let mut command = Command::new(&program);
    command.env_clear();
    for (name, value) in std::env::vars_os() {
        if passes(&policy, &name) {
            command.env(name, value);
        }
    }
    // The host's own settings come last: variables it sets explicitly are its choice.
    super::launch::copy_settings(template, &mut command);
    let skipped = sandbox.confine_child(&mut command, options.grants.network.is_empty())?;
    for path in skipped {
        tracing::debug!(
            path = %path.path().display(),
            error = %path.error(),
            "a granted path is not opened to the confined extension"
        );
    }
    Ok(command)
}

/// Whether an inherited variable passes into a confined child.
fn passes(policy: &Policy, name: &OsStr) -> bool {
    ALWAYS_PASSED_ENV
        .iter()
        .any(|always| name == OsStr::new(always))
        || policy.check(&Resource::env_var(name)).is_allowed()
}

/// The program's absolute path: as given if it has a `/` (relative to the child's working
/// directory), else found on the `PATH` the child gets, as `execvp` would.
#[cfg(unix)]
fn resolve_program(template: &Command) -> io::Result<PathBuf> {
    let program = Path::new(template.get_program());
    let base = match template.get_current_dir() {
        Some(dir) => dir.to_path_buf(),
        None => std::env::current_dir()?,
    };
    if program.as_os_str().as_encoded_bytes().contains(&b'/') {
        return Ok(base.join(program));
    }
    let explicit = template
        .get_envs()
        .find(|(key, _)| *key == OsStr::new("PATH"))
        .map(|(_, value)| value.map(OsStr::to_os_string));
    let search: Option<OsString> = match explicit {
        Some(value) => value,
        None => std::env::var_os("PATH"),
    };
    for dir in std::env::split_paths(&search.unwrap_or_default()) {
        let candidate = base.join(dir).join(program);
        if is_executable(&candidate) {
            return Ok(candidate);
        }
    }
    Err(io::Error::new(
        io::ErrorKind::NotFound,
        "not found on the PATH",
    ))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}
