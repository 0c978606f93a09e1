//! What enforcing the sandbox achieved, told truthfully.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use super::plan::SandboxRule;

/// The outcome of [`Sandbox::enforce`](super::Sandbox::enforce).
#[derive(Debug)]
pub struct SandboxReport {
    pub(crate) status: SandboxStatus,
    pub(crate) applied: Vec<SandboxRule>,
    pub(crate) skipped: Vec<SkippedPath>,
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
}

/// How far the kernel enforces the sandbox.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SandboxStatus {
    /// Every filesystem right the sandbox handles is restricted, on every thread.
    FullyEnforced {
        /// The Landlock ABI version in use.
        abi: u32,
    },
    /// The sandbox is in force, with the listed gaps (the kernel's Landlock ABI is older than
    /// needed for some rights, or other threads were left unrestricted).
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
    /// The kernel (Landlock ABI < 8) restricted only the calling thread (and the threads and
    /// processes it starts later); threads that already existed keep full access.
    OtherThreadsUnrestricted {
        /// How many threads the process had, if `/proc` could tell.
        threads: Option<usize>,
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
            SandboxGap::OtherThreadsUnrestricted {
                threads: Some(threads),
            } => write!(
                f,
                "{} other thread(s) keep full access (restricting all threads needs Landlock ABI 8)",
                threads.saturating_sub(1)
            ),
            SandboxGap::OtherThreadsUnrestricted { threads: None } => f.write_str(
                "threads started before the sandbox may keep full access (restricting all \
                 threads needs Landlock ABI 8)",
            ),
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
}
