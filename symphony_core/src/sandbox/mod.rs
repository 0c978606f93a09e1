//! Kernel enforcement of the granted filesystem paths: Linux Landlock restricting the current
//! process.
//!
//! The SDK's [`Policy`] check runs inside the extension; a bug or a malicious dependency can
//! bypass it by calling `std::fs` directly. [`Sandbox::enforce`] asks the kernel to refuse, for
//! the rest of the process's life, every filesystem access outside the policy's effective
//! grant (request ∩ grant). It cannot be undone.
//!
//! # What the kernel layer enforces, and what it does not
//!
//! - **Hierarchies, not globs.** Landlock allows rights on a directory and everything beneath
//!   it (or on one file). Each rule is reduced to its literal prefix: `data/**/*.csv` becomes
//!   all of `data/`. The kernel layer is therefore coarser than the policy; the SDK's glob
//!   check ([`Policy::check`]) still applies on top of it.
//! - **Intersection.** A request rule and a grant rule whose prefixes nest give the deeper
//!   prefix; prefixes that do not nest give nothing.
//! - **Not the deny list, nor prompts.** Landlock has no "deny" rules, so the host's deny list
//!   is enforced only by the SDK check. Paths that need a prompt ([`Decision::NeedsPrompt`])
//!   are *not* opened to the kernel: a sandbox cannot widen later, so a host that may grant
//!   more after asking must do so before the extension enforces its sandbox (or not sandbox).
//! - **Single paths.** A pattern without wildcards names one path. If it does not exist yet,
//!   its parent directory gets the rule's rights, so that it can be created. A delete right on
//!   a single path also gives its parent directory the right to remove entries (the kernel
//!   checks removal on the directory).
//! - **Rights.** Read is reading files and listing directories; write is creating and
//!   modifying files, directories, links, FIFOs and sockets, truncating, renaming across
//!   directories, device ioctls, (ABI 9) connecting to Unix sockets by path, and removing
//!   files: an atomic replace (temporary file renamed over the target) is a removal of the
//!   target's name to the kernel, and must just work with `write`. A single file granted
//!   `write` also gives its directory the right to create, write and remove regular files (for
//!   the temporary file): the kernel layer is coarser there than the policy, which still
//!   allows only that file. Delete is removing files and directories.
//! - **Symbolic links.** A policy matches grants by name and checks the real path of each
//!   access, so a grant whose literal prefix runs through a link (`granted/link/**`) covers
//!   nothing; the kernel rule for it is skipped (opened with `RESOLVE_NO_SYMLINKS`, listed in
//!   [`SandboxReport::skipped`]) instead of granting the link's target. A link inside a granted
//!   hierarchy pointing outside leads outside for both. Paths given to [`Sandbox::allow`] are
//!   the program's own choice and are followed. Executing files is never derived from a policy; see
//!   [`Sandbox::allow_execute`]. Creating device nodes is never allowed.
//! - **Network: all or nothing.** A policy that grants no network at all also denies every TCP
//!   connect and bind ([`Sandbox::deny_tcp`]; Landlock ABI 4 or later). With a network grant the
//!   kernel does not restrict TCP (Landlock knows ports, not hosts); the SDK's check does. UDP
//!   and already-open sockets are not restricted.
//! - **Not environment or model permissions**: those are the SDK's check alone.
//!
//! # What else stays reachable
//!
//! Nothing by default: the process can touch exactly the granted hierarchies. File
//! descriptors opened before [`enforce`](Sandbox::enforce) (stdin, stdout, stderr, pipes to the
//! host) keep working, since Landlock checks when a path is opened. What an extension needs
//! beyond its grant must be added explicitly, for example:
//!
//! - its own directory, to read data files shipped beside the binary: [`Sandbox::allow_read`];
//! - the resolver's files (`/etc/resolv.conf`, `/etc/hosts`, …), to resolve host names: these
//!   come with a network grant ([`Sandbox::from_policy`]), read-only; without one the process
//!   could not use the names anyway;
//! - `/proc/self` for introspection (thread names, memory maps in backtraces);
//! - a program and its libraries (`/usr/lib`, `/lib`) to spawn it: [`Sandbox::allow_execute`]
//!   and [`Sandbox::allow_read`].
//!
//! # Threads: the whole process, or a refusal
//!
//! Enforce at the start of `main`, before starting threads (async runtimes and thread pools
//! included). Kernels with Landlock ABI 8 or later restrict every thread at once; older kernels
//! restrict only the calling thread and what it starts later. So on those kernels
//! [`enforce`](Sandbox::enforce) counts the threads (`/proc/self/task`) first and, if the caller
//! is not alone, refuses with [`SandboxError::ThreadsRunning`] and restricts nothing: a
//! partly confined process is never reported as confined. Enforcing also sets `no_new_privs`,
//! so programs the process executes cannot gain privileges through set-user-ID bits.
//!
//! # The status tells the truth
//!
//! [`SandboxReport::status`] is [`SandboxStatus::FullyEnforced`],
//! [`SandboxStatus::PartiallyEnforced`] with the gaps (rights the kernel's ABI lacks, threads
//! left out), or [`SandboxStatus::NotSupported`] with the reason (not Linux, Landlock missing
//! or disabled). Enforcing is never a silent no-op reported as success.
//!
//! ```
//! # use symphony_core::permission::{Permissions, Policy};
//! # use symphony_core::sandbox::{Rights, Sandbox, SandboxError, SandboxReport};
//!
//! let rules: Permissions = toml::from_str(r#"
//!     filesystem = [{ path = "data/**/*.csv", access = ["read"] }]
//! "#)?;
//! let policy = Policy::builder(&rules, &rules).workspace_root("/nonexistent-ws").build()?;
//! let sandbox = Sandbox::from_policy(&policy).allow_read("/etc/resolv.conf");
//! let rules: Vec<_> = sandbox.rules().iter().map(|r| (r.path(), r.rights())).collect();
//! assert_eq!(rules, [
//!     ("/nonexistent-ws/data".as_ref(), Rights::READ),
//!     ("/etc/resolv.conf".as_ref(), Rights::READ),
//! ]);
//!
//! // In the extension's `main`, before anything else (irreversible):
//! fn lock_down(sandbox: Sandbox) -> Result<SandboxReport, SandboxError> {
//!     let report = sandbox.enforce()?;
//!     eprintln!("sandbox {}", report.status());
//!     Ok(report)
//! }
//! # let _ = lock_down;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`Policy`]: crate::permission::Policy
//! [`Policy::check`]: crate::permission::Policy::check
//! [`Decision::NeedsPrompt`]: crate::permission::Decision::NeedsPrompt

use std::path::{Path, PathBuf};

use crate::permission::Policy;

#[cfg(target_os = "linux")]
mod landlock;
#[cfg(unix)]
mod loader;
mod plan;
mod report;
mod rights;
#[cfg(not(target_os = "linux"))]
mod unsupported;

#[cfg(target_os = "linux")]
use self::landlock as kernel;
#[cfg(not(target_os = "linux"))]
use self::unsupported as kernel;

pub use plan::SandboxRule;
pub use report::{
    LandlockSupport, SandboxError, SandboxGap, SandboxReport, SandboxStatus, SkippedPath,
    Unsupported,
};
pub use rights::Rights;

/// Whether this kernel can enforce a sandbox, and with which Landlock ABI; restricts nothing.
pub fn landlock_support() -> LandlockSupport {
    kernel::support()
}

/// The filesystem hierarchies a process will be restricted to; see the [module
/// documentation](self).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use = "a sandbox does nothing until `enforce` is called"]
pub struct Sandbox {
    rules: Vec<SandboxRule>,
    deny_tcp: bool,
}

/// What the C library reads to resolve a host name, readable under a policy that grants
/// network access. None of them holds a secret; each only says where names are looked up.
pub const RESOLVER_FILES: &[&str] = &[
    "/etc/resolv.conf",
    "/etc/hosts",
    "/etc/nsswitch.conf",
    "/etc/host.conf",
    "/etc/gai.conf",
];

impl Sandbox {
    /// A sandbox that allows no filesystem access at all.
    pub fn new() -> Self {
        Self::default()
    }

    /// The hierarchies covering the policy's effective filesystem grant (request ∩ grant),
    /// and no TCP at all unless the policy may allow some network access (a network rule in
    /// both the request and the grant). With network access, also reading the resolver's
    /// files that exist ([`RESOLVER_FILES`]): a granted host name is no use unresolved.
    pub fn from_policy(policy: &Policy) -> Self {
        let network = plan::may_use_network(policy);
        let mut sandbox = Self {
            rules: plan::from_policy(policy),
            deny_tcp: !network,
        };
        if network {
            // A granted host name cannot be reached without resolving it.
            for file in RESOLVER_FILES {
                if Path::new(file).exists() {
                    sandbox = sandbox.allow_read(file);
                }
            }
        }
        sandbox
    }

    /// Also denies (or, with `false`, stops denying) every TCP connect and bind, where the
    /// kernel can (Landlock ABI 4 or later; [`SandboxReport::tcp_denied`] says whether it did).
    pub fn deny_tcp(mut self, deny: bool) -> Self {
        self.deny_tcp = deny;
        self
    }

    /// Whether [`enforce`](Self::enforce) asks the kernel to deny all TCP.
    pub fn denies_tcp(&self) -> bool {
        self.deny_tcp
    }

    /// Also allows reading `path` (a file, or a directory and everything beneath it).
    pub fn allow_read(self, path: impl Into<PathBuf>) -> Self {
        self.allow(path, Rights::READ)
    }

    /// Also allows creating and modifying under `path` (see [`Rights::WRITE`]).
    pub fn allow_write(self, path: impl Into<PathBuf>) -> Self {
        self.allow(path, Rights::WRITE)
    }

    /// Also allows removing files and directories under `path`.
    pub fn allow_delete(self, path: impl Into<PathBuf>) -> Self {
        self.allow(path, Rights::DELETE)
    }

    /// Also allows executing `path` (a program, or every program beneath a directory); the
    /// program usually needs [`allow_read`](Self::allow_read) on its libraries too.
    pub fn allow_execute(self, path: impl Into<PathBuf>) -> Self {
        self.allow(path, Rights::EXECUTE)
    }

    /// Also allows what `program` needs to start: itself, its dynamic loader, the loader's
    /// cache and the system library directories, read and execute (derived from the program's
    /// ELF `PT_INTERP` or `#!` line; real paths, links resolved). Directories named by
    /// `LD_LIBRARY_PATH` or an `RPATH` are not included.
    ///
    /// # Errors
    ///
    /// If `program` cannot be resolved or read.
    #[cfg(unix)]
    pub fn allow_program(mut self, program: impl AsRef<Path>) -> std::io::Result<Self> {
        self.rules.extend(loader::rules_for(program.as_ref())?);
        Ok(self)
    }

    /// Also allows `rights` on `path`.
    pub fn allow(mut self, path: impl Into<PathBuf>, rights: Rights) -> Self {
        self.rules.push(SandboxRule::explicit(path.into(), rights));
        self
    }

    /// The hierarchies the sandbox will allow, in order.
    pub fn rules(&self) -> &[SandboxRule] {
        &self.rules
    }

    /// Restricts every thread of the current process (irreversibly) to the sandbox's
    /// hierarchies (and no TCP, if [denied](Self::deny_tcp)).
    ///
    /// Paths that cannot be opened are skipped (listed in the report): the process then has
    /// no access there. On a system without Landlock this restricts nothing and reports
    /// [`SandboxStatus::NotSupported`].
    ///
    /// # Errors
    ///
    /// - [`SandboxError::ThreadsRunning`] if other threads exist and the kernel cannot confine
    ///   them (Landlock ABI < 8); nothing is restricted.
    /// - [`SandboxError::ThreadsLeftOut`] if the kernel confined this thread but not the
    ///   others: the process must not go on as if confined.
    /// - Otherwise, if the kernel refuses the ruleset or the restriction, the process is not
    ///   restricted (though `no_new_privs` may already be set).
    pub fn enforce(self) -> Result<SandboxReport, SandboxError> {
        kernel::enforce(self.rules, self.deny_tcp)
    }

    /// Makes the child that `command` spawns enforce this sandbox between fork and exec (and,
    /// with `restrict_tcp`, refuse every TCP connect and bind where the kernel's Landlock ABI
    /// can, from 4 on). Returns the rules that could not be opened (no access there).
    ///
    /// # Errors
    ///
    /// [`SandboxError`] if the ruleset cannot be built, or the system has no Landlock.
    #[cfg(feature = "host")]
    pub(crate) fn confine_child(
        self,
        command: &mut std::process::Command,
        restrict_tcp: bool,
    ) -> Result<Vec<SkippedPath>, SandboxError> {
        kernel::confine_child(command, self.rules, restrict_tcp)
    }
}
