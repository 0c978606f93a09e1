//! The few system calls the host needs that `std` does not offer: waiting on several pipes
//! with a time limit, non-blocking writes, noticing a child's exit without reaping it, and
//! killing a process group. Each is a thin wrapper whose only `unsafe` is the FFI call.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::time::Instant;

/// What [`poll`] found ready.
pub(super) struct Ready {
    /// For each fd asked about: whether it is ready (or hung up, or in error).
    pub(super) ready: [bool; 3],
}

/// Waits until one of `fds` is ready for `events` (`libc::POLLIN` / `libc::POLLOUT`), or until
/// `deadline`; `None` in a slot means "not asked". Interrupted waits are resumed.
pub(super) fn poll(
    fds: [Option<(BorrowedFd<'_>, libc::c_short)>; 3],
    deadline: Option<Instant>,
) -> io::Result<Option<Ready>> {
    let mut set = [libc::pollfd {
        fd: -1,
        events: 0,
        revents: 0,
    }; 3];
    for (slot, fd) in set.iter_mut().zip(fds) {
        if let Some((fd, events)) = fd {
            slot.fd = fd.as_raw_fd();
            slot.events = events;
        }
    }
    loop {
        let timeout = match deadline {
            None => -1,
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                // Round up, so that a wake-up never comes before the deadline.
                let ms = left.as_micros().div_ceil(1000);
                libc::c_int::try_from(ms).unwrap_or(libc::c_int::MAX)
            }
        };
        // SAFETY: `set` is a valid, initialised array of `pollfd` of the length passed, it
        // lives across the call, and every fd in it is borrowed (open) for the call's duration
        // (negative fds are ignored by the kernel).
        #[allow(unsafe_code)]
        let n = unsafe { libc::poll(set.as_mut_ptr(), set.len() as libc::nfds_t, timeout) };
        if n < 0 {
            let error = io::Error::last_os_error();
            if error.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(error);
        }
        if n == 0 {
            if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
                return Ok(None);
            }
            continue;
        }
        return Ok(Some(Ready {
            ready: set.map(|slot| slot.fd >= 0 && slot.revents != 0),
        }));
    }
}

/// Puts `fd` (the host's end of a pipe) in non-blocking mode.
pub(super) fn set_nonblocking(fd: BorrowedFd<'_>) -> io::Result<()> {
    let fd = fd.as_raw_fd();
    // SAFETY: `fd` is open for the duration (borrowed); F_GETFL takes no further argument.
    #[allow(unsafe_code)]
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: as above; F_SETFL takes an int of flags.
    #[allow(unsafe_code)]
    let set = unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) };
    if set < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Blocks until the child `pid` has exited, without reaping it: the zombie keeps its pid
/// (and process group id) from being reused until `std::process::Child` reaps it.
pub(super) fn wait_for_exit(pid: u32) -> io::Result<()> {
    let pid = libc::id_t::from(pid);
    loop {
        // SAFETY: an all-zero `siginfo_t` is a valid value of this plain C struct.
        #[allow(unsafe_code)]
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: `info` is a valid, writable `siginfo_t` for the call's duration.
        #[allow(unsafe_code)]
        let result =
            unsafe { libc::waitid(libc::P_PID, pid, &mut info, libc::WEXITED | libc::WNOWAIT) };
        if result == 0 {
            return Ok(());
        }
        let error = io::Error::last_os_error();
        if error.kind() != io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
}

/// Sends SIGKILL to every process in process group `pgid`. Fails (harmlessly) with ESRCH if
/// the group is empty.
pub(super) fn kill_group(pgid: u32) -> io::Result<()> {
    let Ok(pgid) = libc::pid_t::try_from(pgid) else {
        return Err(io::Error::from(io::ErrorKind::InvalidInput));
    };
    // Never signal group 0 or 1 (our own group, init): only a child's own group.
    if pgid <= 1 {
        return Err(io::Error::from(io::ErrorKind::InvalidInput));
    }
    // SAFETY: killpg has no memory-safety preconditions.
    #[allow(unsafe_code)]
    let result = unsafe { libc::killpg(pgid, libc::SIGKILL) };
    if result < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
