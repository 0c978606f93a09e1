//! Enforcement with Linux Landlock.

use std::io;
use std::path::Path;

use landlock::{
    ABI, Access, AccessFs, AccessNet, BitFlags, LandlockStatus, PathBeneath, PathFd, RestrictSelf,
    RestrictSelfAttr, Ruleset, RulesetAttr, RulesetCreated, RulesetCreatedAttr, RulesetStatus,
};

use super::plan::SandboxRule;
use super::report::{
    LandlockSupport, SandboxError, SandboxGap, SandboxReport, SandboxStatus, SkippedPath,
    Unsupported,
};
use super::rights::Rights;

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
        access |= AccessFs::WriteFile
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
    fd: PathFd,
    access: BitFlags<AccessFs>,
}

pub(crate) fn enforce(
    rules: Vec<SandboxRule>,
    deny_tcp: bool,
) -> Result<SandboxReport, SandboxError> {
    let handled = AccessFs::from_all(TARGET_ABI);
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
    let mut ruleset = Ruleset::default().handle_access(handled);
    if deny_tcp {
        // Handled with no rule allowing any port: no TCP connect or bind at all. Dropped (best
        // effort) by kernels older than ABI 4, which the report then says.
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
/// file rights; a delete right on a single path also needs its parent directory; a single path
/// that does not exist yet is created in its parent directory.
fn open(rule: &SandboxRule) -> io::Result<Vec<Opened>> {
    let path = rule.path();
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound && rule.names_one_path() => {
            let parent = path
                .parent()
                .filter(|parent| parent.is_dir())
                .ok_or(error)?;
            let rule = SandboxRule::new(parent.to_path_buf(), rule.rights(), false);
            let access = access_for(rule.rights());
            return Ok(vec![opened(rule, access)?]);
        }
        Err(error) => return Err(error),
    };
    let mut parts = Vec::new();
    let mut access = access_for(rule.rights());
    if !metadata.is_dir() {
        access &= AccessFs::from_file(TARGET_ABI);
    }
    if !access.is_empty() {
        parts.push(opened(rule.clone(), access)?);
    }
    let parent = path.parent().filter(|_| rule.names_one_path());
    if let Some(parent) = parent.filter(|_| rule.rights().contains(Rights::DELETE)) {
        let remove = if metadata.is_dir() {
            AccessFs::RemoveDir
        } else {
            AccessFs::RemoveFile
        };
        let rule = SandboxRule::new(parent.to_path_buf(), Rights::DELETE, false);
        parts.push(opened(rule, remove.into())?);
    }
    Ok(parts)
}

fn opened(rule: SandboxRule, access: BitFlags<AccessFs>) -> io::Result<Opened> {
    let fd = PathFd::new(rule.path()).map_err(|e| io_error(e, rule.path()))?;
    Ok(Opened { rule, fd, access })
}

fn io_error(error: landlock::PathFdError, path: &Path) -> io::Error {
    let kind = std::error::Error::source(&error)
        .and_then(|source| source.downcast_ref::<io::Error>())
        .map_or(io::ErrorKind::Other, io::Error::kind);
    io::Error::new(kind, format!("cannot open `{}`: {error}", path.display()))
}
