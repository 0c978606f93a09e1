//! Enforcement with Linux Landlock.

use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use landlock::{
    ABI, Access, AccessFs, AccessNet, BitFlags, LandlockStatus, PathBeneath, RestrictSelf,
    RestrictSelfAttr, Ruleset, RulesetAttr, RulesetCreated, RulesetCreatedAttr, RulesetStatus,
};

use super::plan::SandboxRule;
use super::report::{
    LandlockSupport, SandboxError, SandboxGap, SandboxReport, SandboxStatus, SkippedPath,
    Unsupported,
};
use super::rights::Rights;

#[cfg(feature = "host")]
mod child;
#[cfg(feature = "host")]
pub(crate) use child::confine_child;

/// The newest ABI whose filesystem rights the sandbox handles (9 adds restricting connections
/// to Unix sockets by path). On an older kernel the rights it lacks are reported as gaps.
const TARGET_ABI: ABI = ABI::V9;

/// The first ABI that restricts TCP connect and bind.
const NET_ABI: u32 = 4;
/// The first ABI that restricts every thread of the process at once.
const ALL_THREADS_ABI: u32 = 8;

/// Landlock rights for each sandbox right; `MakeChar` and `MakeBlock` are handled but never
/// granted (creating device nodes has no place in an extension).
fn access_for(rights: Rights) -> BitFlags<AccessFs> {
    let mut access = BitFlags::EMPTY;
    if rights.contains(Rights::READ) {
        access |= AccessFs::ReadFile | AccessFs::ReadDir;
    }
    if rights.contains(Rights::WRITE) {
        // Removing files belongs to `write`: an atomic replace renames a temporary file over
        // the target, which the kernel checks as removing the target's name. Removing
        // directories stays with `delete`.
        access |= AccessFs::RemoveFile
            | AccessFs::WriteFile
            | AccessFs::Truncate
            | AccessFs::MakeReg
            | AccessFs::MakeDir
            | AccessFs::MakeSym
            | AccessFs::MakeSock
            | AccessFs::MakeFifo
            | AccessFs::Refer
            | AccessFs::IoctlDev
            | AccessFs::ResolveUnix;
    }
    if rights.contains(Rights::DELETE) {
        access |= AccessFs::RemoveFile | AccessFs::RemoveDir;
    }
    if rights.contains(Rights::EXECUTE) {
        access |= AccessFs::Execute;
    }
    access
}

pub(crate) fn support() -> LandlockSupport {
    // Without flags and without `no_new_privs`, this only asks the kernel for its ABI version.
    match RestrictSelf::default().no_new_privs(false).apply() {
        Ok(status) => match unsupported(status.landlock) {
            Some(reason) => LandlockSupport::Unavailable(reason),
            None => LandlockSupport::Available {
                abi: abi_of(status.landlock),
            },
        },
        Err(_) => LandlockSupport::Unavailable(Unsupported::NotInKernel),
    }
}

fn unsupported(status: LandlockStatus) -> Option<Unsupported> {
    match status {
        LandlockStatus::NotEnabled => Some(Unsupported::DisabledAtBoot),
        LandlockStatus::NotImplemented => Some(Unsupported::NotInKernel),
        LandlockStatus::Available { .. } => None,
    }
}

fn abi_of(status: LandlockStatus) -> u32 {
    match status {
        LandlockStatus::Available { effective_abi, .. } => effective_abi as u32,
        LandlockStatus::NotEnabled | LandlockStatus::NotImplemented => 0,
    }
}

/// A Landlock rule about to be added: an opened path and its rights.
struct Opened {
    rule: SandboxRule,
    fd: OwnedFd,
    access: BitFlags<AccessFs>,
}

/// A ruleset with every rule that could be opened, not yet enforced.
struct Built {
    ruleset: RulesetCreated,
    applied: Vec<SandboxRule>,
    skipped: Vec<SkippedPath>,
}

/// Creates the ruleset handling every filesystem right of [`TARGET_ABI`] (and, with
/// `restrict_tcp`, TCP connect and bind, with no port allowed) and adds `rules`.
fn build(rules: Vec<SandboxRule>, restrict_tcp: bool) -> Result<Built, SandboxError> {
    let mut skipped = Vec::new();
    let mut opened = Vec::new();
    for rule in rules {
        match open(&rule) {
            Ok(parts) => opened.extend(parts),
            Err(error) => skipped.push(SkippedPath {
                path: rule.path().to_path_buf(),
                error,
            }),
        }
    }
    let boxed = |e: landlock::RulesetError| Box::new(e) as Box<dyn std::error::Error + Send + Sync>;
    let mut ruleset = Ruleset::default().handle_access(AccessFs::from_all(TARGET_ABI));
    if restrict_tcp {
        ruleset = ruleset.and_then(|r| r.handle_access(AccessNet::from_all(TARGET_ABI)));
    }
    let mut ruleset: RulesetCreated = ruleset
        .and_then(Ruleset::create)
        .map_err(|e| SandboxError::CreateRuleset { source: boxed(e) })?;
    let mut applied = Vec::with_capacity(opened.len());
    for Opened { rule, fd, access } in opened {
        ruleset = ruleset
            .add_rule(PathBeneath::new(fd, access))
            .map_err(|e| SandboxError::AddRule {
                path: rule.path().to_path_buf(),
                source: boxed(e),
            })?;
        applied.push(rule);
    }
    Ok(Built {
        ruleset,
        applied,
        skipped,
    })
}

pub(crate) fn enforce(
    rules: Vec<SandboxRule>,
    deny_tcp: bool,
) -> Result<SandboxReport, SandboxError> {
    let handled = AccessFs::from_all(TARGET_ABI);
    let Built {
        ruleset,
        applied,
        skipped,
    } = build(rules, deny_tcp)?;
    // Counted before restricting: afterwards `/proc` may no longer be readable. Only this
    // thread runs code of ours, so when it is alone no thread can appear before the restriction.
    let threads = thread_count();
    let kernel_abi = match support() {
        LandlockSupport::Available { abi } => abi,
        LandlockSupport::Unavailable(reason) => {
            return Ok(SandboxReport {
                status: SandboxStatus::NotSupported(reason),
                applied: Vec::new(),
                skipped,
                tcp_denied: false,
            });
        }
    };
    // Below ABI 8 the kernel confines only this thread: refuse before restricting anything,
    // since a partly confined process would look confined and is not.
    if threads != Some(1) && kernel_abi < ALL_THREADS_ABI {
        return Err(SandboxError::ThreadsRunning {
            threads,
            abi: kernel_abi,
        });
    }
    let boxed = |e: landlock::RulesetError| Box::new(e) as Box<dyn std::error::Error + Send + Sync>;
    let status = ruleset
        .all_threads(true)
        .and_then(RulesetCreated::restrict_self)
        .map_err(|e| SandboxError::RestrictSelf { source: boxed(e) })?;

    if let Some(reason) = unsupported(status.landlock) {
        return Ok(SandboxReport {
            status: SandboxStatus::NotSupported(reason),
            applied: Vec::new(),
            skipped,
            tcp_denied: false,
        });
    }
    if status.ruleset == RulesetStatus::NotEnforced {
        let status = SandboxStatus::NotSupported(Unsupported::NothingEnforced);
        return Ok(SandboxReport {
            status,
            applied: Vec::new(),
            skipped,
            tcp_denied: false,
        });
    }
    if let Some(threads) = threads.filter(|&n| n > 1 && !status.all_threads) {
        return Err(SandboxError::ThreadsLeftOut { threads });
    }
    let abi = abi_of(status.landlock);
    let tcp_denied = deny_tcp && abi >= NET_ABI;
    let mut gaps = missing_rights(handled, status.landlock);
    if deny_tcp && !tcp_denied {
        gaps.push(SandboxGap::UnrestrictedOperation {
            operation: "TCP connect and bind",
            needs_abi: NET_ABI,
        });
    }
    let status = if gaps.is_empty() {
        SandboxStatus::FullyEnforced { abi }
    } else {
        SandboxStatus::PartiallyEnforced { abi, gaps }
    };
    Ok(SandboxReport {
        status,
        applied,
        skipped,
        tcp_denied,
    })
}

/// The threads of this process, from `/proc/self/task`; `None` if it cannot be read.
fn thread_count() -> Option<usize> {
    std::fs::read_dir("/proc/self/task")
        .ok()
        .map(Iterator::count)
}

/// The handled rights the kernel's ABI lacks, as gaps (rights whose absence makes the kernel
/// stricter, such as `Refer` before ABI 2, are not gaps).
fn missing_rights(handled: BitFlags<AccessFs>, landlock: LandlockStatus) -> Vec<SandboxGap> {
    let effective = match landlock {
        LandlockStatus::Available { effective_abi, .. } => effective_abi,
        LandlockStatus::NotEnabled | LandlockStatus::NotImplemented => ABI::Unsupported,
    };
    let missing = handled & !AccessFs::from_all(effective);
    missing
        .iter()
        .filter_map(|right| {
            let (operation, needs_abi) = match right {
                // Before ABI 2, renaming or linking across directories is always denied.
                AccessFs::Refer => return None,
                AccessFs::Truncate => ("truncating files", 3),
                AccessFs::IoctlDev => ("ioctl on device files", 5),
                AccessFs::ResolveUnix => ("connecting to Unix sockets by path", 9),
                _ => ("a filesystem operation", TARGET_ABI as u32),
            };
            Some(SandboxGap::UnrestrictedOperation {
                operation,
                needs_abi,
            })
        })
        .collect()
}

/// Opens a rule's path for the kernel, with the rights Landlock accepts on it: a file gets only
/// file rights; a single path that does not exist yet is created in its parent directory; on a
/// single path, a delete right also needs the parent directory (the kernel checks removal
/// there), and so does writing a file (an atomic replace creates a temporary file beside it
/// and renames it over the file).
fn open(rule: &SandboxRule) -> io::Result<Vec<Opened>> {
    let path = rule.path();
    let rights = rule.rights();
    let fd = match open_path(path, rule.follows_links()) {
        Ok(fd) => fd,
        Err(error) if error.kind() == io::ErrorKind::NotFound && rule.names_one_path() => {
            let parent = path.parent().ok_or(error)?;
            let (fd, parent_is_dir) = is_dir(open_path(parent, rule.follows_links())?)?;
            if !parent_is_dir {
                return Err(io::Error::new(
                    io::ErrorKind::NotADirectory,
                    format!("`{}` is not a directory", parent.display()),
                ));
            }
            let rule = rule.moved(parent.to_path_buf(), rights);
            return Ok(vec![Opened {
                rule,
                fd,
                access: access_for(rights),
            }]);
        }
        Err(error) => return Err(error),
    };
    let (fd, is_dir) = is_dir(fd)?;
    let mut parts = Vec::new();
    let mut access = access_for(rights);
    if !is_dir {
        access &= AccessFs::from_file(TARGET_ABI);
    }
    if !access.is_empty() {
        parts.push(Opened {
            rule: rule.clone(),
            fd,
            access,
        });
    }
    let Some(parent) = path.parent().filter(|_| rule.names_one_path()) else {
        return Ok(parts);
    };
    let (mut on_parent, mut parent_rights) = (BitFlags::<AccessFs>::EMPTY, Rights::NONE);
    if rights.contains(Rights::DELETE) {
        on_parent |= if is_dir {
            AccessFs::RemoveDir
        } else {
            AccessFs::RemoveFile
        };
        parent_rights |= Rights::DELETE;
    }
    if rights.contains(Rights::WRITE) && !is_dir {
        // The temporary file of an atomic replace: created, written, renamed over the file.
        on_parent |=
            AccessFs::MakeReg | AccessFs::WriteFile | AccessFs::Truncate | AccessFs::RemoveFile;
        parent_rights |= Rights::WRITE;
    }
    if !on_parent.is_empty() {
        parts.push(Opened {
            rule: rule.moved(parent.to_path_buf(), parent_rights),
            fd: open_path(parent, rule.follows_links())?,
            access: on_parent,
        });
    }
    Ok(parts)
}

/// Whether the opened path is a directory; hands the descriptor back.
fn is_dir(fd: OwnedFd) -> io::Result<(OwnedFd, bool)> {
    let file = std::fs::File::from(fd);
    let is_dir = file.metadata()?.is_dir();
    Ok((OwnedFd::from(file), is_dir))
}

/// An `O_PATH` descriptor of `path`: following symbolic links for a rule whose author vouches
/// for them, otherwise refusing any (as the policy, which matches grants by name and checks
/// the real path of each access, covers nothing through a link either).
fn open_path(path: &Path, follow_links: bool) -> io::Result<OwnedFd> {
    let opened = if follow_links {
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_PATH | libc::O_CLOEXEC)
            .open(path)
            .map(OwnedFd::from)
    } else {
        crate::permission::open_path_no_follow(path)
    };
    opened.map_err(|error| {
        if error.raw_os_error() == Some(libc::ELOOP) {
            io::Error::new(
                error.kind(),
                format!(
                    "cannot open `{}`: it runs through a symbolic link, and a grant is matched by \
                     name, never through a link (grant the link's target instead)",
                    path.display()
                ),
            )
        } else {
            error
        }
    })
}
