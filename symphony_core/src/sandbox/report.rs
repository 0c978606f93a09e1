//! What enforcing the sandbox achieved, told truthfully.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use super::plan::SandboxRule;
use crate::protocol::SandboxEnforcement;

/// The outcome of [`Sandbox::enforce`](super::Sandbox::enforce).
#[derive(Debug)]
pub struct SandboxReport {
    pub(crate) status: SandboxStatus,
    pub(crate) applied: Vec<SandboxRule>,
    pub(crate) skipped: Vec<SkippedPath>,
    pub(crate) tcp_denied: bool,
}

impl SandboxReport {
    /// How far the kernel enforces the sandbox.
    pub fn status(&self) -> &SandboxStatus {
        &self.status
    }

    /// The hierarchies handed to the kernel, as opened (a literal rule for a file not yet
    /// created appears as its parent directory; a delete right on a single path adds its parent
    /// directory). Empty when the sandbox is not supported.
    pub fn applied(&self) -> &[SandboxRule] {
        &self.applied
    }

    /// Rules whose path could not be opened (e.g. it does not exist); the process has no
    /// access there, which is stricter than asked, never looser.
    pub fn skipped(&self) -> &[SkippedPath] {
        &self.skipped
    }

    /// Whether the kernel denies the process every TCP connect and bind (asked for with
    /// [`Sandbox::deny_tcp`](super::Sandbox::deny_tcp), and the kernel's Landlock ABI is 4 or
    /// later).
    pub fn tcp_denied(&self) -> bool {
        self.tcp_denied
    }

    /// What is enforced, as the `initialize` result reports it to the host.
    pub fn enforcement(&self) -> SandboxEnforcement {
        let mut enforced = SandboxEnforcement::default();
        match &self.status {
            SandboxStatus::FullyEnforced { abi } => {
                enforced.abi = *abi;
                enforced.filesystem = true;
            }
            SandboxStatus::PartiallyEnforced { abi, gaps } => {
                enforced.abi = *abi;
                enforced.filesystem = true;
                enforced.gaps = gaps.iter().map(ToString::to_string).collect();
            }
            SandboxStatus::NotSupported(_) => {}
        }
        enforced.network = enforced.filesystem && self.tcp_denied;
        enforced
    }
}

/// How far the kernel enforces the sandbox.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SandboxStatus {
    /// Every right the sandbox handles is restricted, on every thread.
    FullyEnforced {
        /// The Landlock ABI version in use.
        abi: u32,
    },
    /// The sandbox is in force on every thread, with the listed gaps (the kernel's Landlock
    /// ABI is older than needed for some rights).
    PartiallyEnforced {
        /// The Landlock ABI version in use.
        abi: u32,
        /// What is not restricted.
        gaps: Vec<SandboxGap>,
    },
    /// Nothing is enforced.
    NotSupported(Unsupported),
}

impl SandboxStatus {
    /// Whether the kernel enforces the sandbox at all (fully or partially).
    pub fn is_enforced(&self) -> bool {
        !matches!(self, SandboxStatus::NotSupported(_))
    }
}

impl fmt::Display for SandboxStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SandboxStatus::FullyEnforced { abi } => {
                write!(f, "fully enforced (Landlock ABI {abi})")
            }
            SandboxStatus::PartiallyEnforced { abi, gaps } => {
                write!(f, "partially enforced (Landlock ABI {abi})")?;
                for (i, gap) in gaps.iter().enumerate() {
                    f.write_str(if i == 0 { ": " } else { "; " })?;
                    gap.fmt(f)?;
                }
                Ok(())
            }
            SandboxStatus::NotSupported(reason) => write!(f, "not enforced: {reason}"),
        }
    }
}

/// Something a partially enforced sandbox does not restrict.
///
/// A thread left unconfined is never a gap: [`Sandbox::enforce`](super::Sandbox::enforce)
/// refuses ([`SandboxError::ThreadsRunning`]) rather than confine only some threads.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SandboxGap {
    /// The kernel's Landlock ABI predates the right that restricts this operation, so it stays
    /// allowed everywhere.
    UnrestrictedOperation {
        /// The operation, e.g. "truncating files".
        operation: &'static str,
        /// The Landlock ABI version that restricts it.
        needs_abi: u32,
    },
}

impl fmt::Display for SandboxGap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SandboxGap::UnrestrictedOperation {
                operation,
                needs_abi,
            } => {
                write!(
                    f,
                    "{operation} is not restricted (needs Landlock ABI {needs_abi})"
                )
            }
        }
    }
}

/// Why nothing is enforced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unsupported {
    /// Landlock is a Linux feature.
    NotLinux,
    /// The kernel is built without Landlock (older than 5.13, or `CONFIG_SECURITY_LANDLOCK`
    /// off).
    NotInKernel,
    /// The kernel has Landlock but it is not enabled at boot (add `landlock` to the `lsm=`
    /// kernel parameter).
    DisabledAtBoot,
    /// The kernel accepted none of the requested restrictions.
    NothingEnforced,
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unsupported::NotLinux => "Landlock is only available on Linux",
            Unsupported::NotInKernel => "the kernel is built without Landlock (needs Linux 5.13+)",
            Unsupported::DisabledAtBoot => {
                "Landlock is not enabled at boot (add `landlock` to the `lsm=` kernel parameter)"
            }
            Unsupported::NothingEnforced => "the kernel accepted none of the restrictions",
        })
    }
}

/// Whether this kernel can enforce a sandbox, and with which Landlock ABI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LandlockSupport {
    /// Landlock is available.
    Available {
        /// The ABI version in use: the kernel's, capped at the newest this SDK knows.
        abi: u32,
    },
    /// Landlock is not available.
    Unavailable(Unsupported),
}

/// A rule whose path could not be opened for the kernel.
#[derive(Debug)]
pub struct SkippedPath {
    pub(crate) path: PathBuf,
    pub(crate) error: io::Error,
}

impl SkippedPath {
    /// The path that could not be opened.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Why (most often: it does not exist).
    pub fn error(&self) -> &io::Error {
        &self.error
    }
}

/// Why the sandbox could not be set up; see [`Sandbox::enforce`](super::Sandbox::enforce).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The Landlock ruleset could not be created.
    #[error("cannot create the Landlock ruleset: {source}")]
    CreateRuleset {
        /// The Landlock error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A rule could not be added to the ruleset.
    #[error("cannot add the Landlock rule for `{}`: {source}", path.display())]
    AddRule {
        /// The rule's path.
        path: PathBuf,
        /// The Landlock error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The process could not be restricted.
    #[error("cannot restrict the process with Landlock: {source}")]
    RestrictSelf {
        /// The Landlock error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Other threads already run and the kernel cannot confine them (restricting every thread
    /// at once needs Landlock ABI 8); nothing was restricted. Enforce before any runtime or
    /// pool thread starts.
    #[error(
        "{} running in the process, and this kernel (Landlock ABI {abi}) can confine only the \
         calling thread and the threads it starts later (confining all threads at once needs \
         ABI 8): enforce the sandbox before starting any thread (async runtime, thread pool); \
         nothing was restricted",
        match threads {
            Some(n) => format!("{n} threads are"),
            None => "an unknown number of threads (/proc/self/task is unreadable) are".to_owned(),
        }
    )]
    ThreadsRunning {
        /// How many threads the process has, if `/proc/self/task` could tell.
        threads: Option<usize>,
        /// The kernel's Landlock ABI version.
        abi: u32,
    },
    /// The kernel applied the sandbox to this thread but did not say that it applied it to the
    /// other threads; the process must not go on as if it were confined.
    #[error(
        "the kernel confined only the calling thread of {threads} threads; the process is \
         partially confined and must not serve"
    )]
    ThreadsLeftOut {
        /// How many threads the process had.
        threads: usize,
    },
}
