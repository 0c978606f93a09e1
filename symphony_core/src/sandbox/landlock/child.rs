//! Confining a child process between fork and exec: how a host starts an extension already
//! sandboxed (only the host side does).

use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::Command;

use super::{Built, build};
use crate::sandbox::plan::SandboxRule;
use crate::sandbox::report::{SandboxError, SkippedPath};

/// Confines the child that `command` will spawn, between fork and exec, to `rules` (and, with
/// `restrict_tcp`, to no TCP connect or bind where the kernel's ABI can restrict them).
///
/// The ruleset is built here, in the parent; the child only makes the two system calls that
/// enforce it. Returns the rules that could not be opened (the child has no access there).
pub(crate) fn confine_child(
    command: &mut Command,
    rules: Vec<SandboxRule>,
    restrict_tcp: bool,
) -> Result<Vec<SkippedPath>, SandboxError> {
    let Built {
        ruleset, skipped, ..
    } = build(rules, restrict_tcp)?;
    let fd: Option<OwnedFd> = ruleset.into();
    let fd = fd.ok_or_else(|| SandboxError::CreateRuleset {
        source: "the kernel has no Landlock, so the child cannot be confined".into(),
    })?;
    restrict_between_fork_and_exec(command, fd);
    Ok(skipped)
}

/// `struct landlock_path_beneath_attr` of the kernel's UAPI, which is packed.
#[repr(C, packed)]
struct PathBeneathAttr {
    allowed_access: u64,
    parent_fd: libc::c_int,
}

/// `LANDLOCK_RULE_PATH_BENEATH`.
const RULE_PATH_BENEATH: libc::c_int = 1;
/// `LANDLOCK_ACCESS_FS_READ_DIR`.
const ACCESS_FS_READ_DIR: u64 = 1 << 3;

/// Makes the child of `command` set `no_new_privs` and enforce the Landlock ruleset `fd` just
/// before it executes its program; if either fails, the spawn fails with that error.
///
/// The child may also list its own threads (`/proc/self/task`): the SDK's own sandbox counts
/// them before it confines the extension, and refuses when it cannot (a partly confined
/// process would look confined). That path names the child only once it runs, so the rule is
/// added here, in the child, to the ruleset about to be enforced.
#[allow(unsafe_code)]
fn restrict_between_fork_and_exec(command: &mut Command, fd: OwnedFd) {
    let raw = fd.as_raw_fd();
    // SAFETY: the closure runs in the forked child, where only async-signal-safe work is
    // allowed: system calls (`open`, `landlock_add_rule`, `close`, `prctl`,
    // `landlock_restrict_self`) on a static path and a stack value, and reading `errno`
    // (`last_os_error` builds an error without allocating). It allocates nothing, takes no
    // lock and shares no state with other threads. `fd` is owned by the closure, hence by
    // `command`, so it is open in the child; it is close-on-exec, so the program never sees it.
    unsafe {
        command.pre_exec(move || {
            let _ruleset = &fd;
            let task = libc::open(
                c"/proc/self/task".as_ptr(),
                libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC,
            );
            if task >= 0 {
                let attr = PathBeneathAttr {
                    allowed_access: ACCESS_FS_READ_DIR,
                    parent_fd: task,
                };
                let added = libc::syscall(
                    libc::SYS_landlock_add_rule,
                    raw,
                    RULE_PATH_BENEATH,
                    &raw const attr,
                    0,
                );
                let error = io::Error::last_os_error();
                libc::close(task);
                if added != 0 {
                    return Err(error);
                }
            }
            if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
                return Err(io::Error::last_os_error());
            }
            if libc::syscall(libc::SYS_landlock_restrict_self, raw, 0) != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
}
