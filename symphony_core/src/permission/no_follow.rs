//! Opening a checked path exactly: no symbolic link followed on the way.
//!
//! A [`NormalizedPath`] has every link resolved, so what the policy checked contains none.
//! Opening it with `openat2(RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)` (Linux 5.6+) turns a
//! link swapped in after the check into an error (`ELOOP`) instead of an access elsewhere:
//! the check-then-open race is closed. [`ExactDir`] does the same for the directory of a file
//! being replaced, and then works by name relative to the opened directory, so the rename of
//! an atomic write lands in the directory that was checked.
//!
//! What stays possible: a hard link to a file outside the grant, made by someone with access
//! to both places, is the same file under a granted name; no path check can tell. On other
//! systems than Linux the path is opened with the standard library, and the race remains.

use std::ffi::OsStr;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use super::path::NormalizedPath;

/// Opens the checked `path` for reading, following no symbolic link.
///
/// A [`NormalizedPath`] has every link resolved, so what a policy checked contains none.
/// Opening it with `openat2(RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)` (Linux 5.6+) turns a
/// link swapped in after the check into an error instead of an access elsewhere: the
/// check-then-open race is closed. A hard link to a file outside the grant, made by someone
/// with access to both places, is the same file under a granted name, which no path check can
/// tell. Elsewhere than Linux the path is opened with the standard library, and the race
/// remains.
///
/// # Errors
///
/// The OS error; `ELOOP` ("too many levels of symbolic links") when a component of the path
/// has become a link since it was checked.
pub fn open_no_follow(path: &NormalizedPath) -> io::Result<File> {
    imp::open(path.as_path(), imp::READ).map(File::from)
}

/// An `O_PATH` descriptor of `path` (a file or directory), following no symbolic link: what
/// the kernel sandbox opens for a rule from a policy.
#[cfg(target_os = "linux")]
pub(crate) fn open_path_no_follow(path: &Path) -> io::Result<std::os::fd::OwnedFd> {
    imp::open(path, libc::O_PATH)
}

/// A directory opened without following symbolic links (as [`open_no_follow`] opens a file),
/// whose entries are created, renamed and removed by name relative to it: the rename of an
/// atomic write lands in the directory that was checked, even if its path has become a link
/// since.
///
/// ```
/// # use symphony_core::permission::{ExactDir, NormalizedPath};
///
/// let dir = tempfile::tempdir()?;
/// let checked = NormalizedPath::new(dir.path())?;
/// let exact = ExactDir::open(checked.as_path())?;
/// std::io::Write::write_all(&mut exact.create_new(".new.tmp".as_ref())?, b"hi")?;
/// exact.rename(".new.tmp".as_ref(), "out.txt".as_ref())?;
/// assert_eq!(std::fs::read(dir.path().join("out.txt"))?, b"hi");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct ExactDir {
    path: PathBuf,
    #[cfg(target_os = "linux")]
    fd: std::os::fd::OwnedFd,
}

impl ExactDir {
    /// Opens the directory at `path` (an absolute path without links, as a
    /// [`NormalizedPath`] is). Only the right to look up names in it is needed, not to list
    /// it, so a write-only sandbox grant is enough.
    ///
    /// # Errors
    ///
    /// The OS error (`ELOOP` when the path runs through a symbolic link).
    pub fn open(path: &Path) -> io::Result<Self> {
        Ok(Self {
            #[cfg(target_os = "linux")]
            fd: imp::open(path, imp::DIRECTORY)?,
            path: path.to_path_buf(),
        })
    }

    /// The directory's path, as opened.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Creates the file `name` (which must not exist, and is not followed if it is a link),
    /// for writing.
    ///
    /// # Errors
    ///
    /// `InvalidInput` if `name` is not a single file name; otherwise the OS error.
    pub fn create_new(&self, name: &OsStr) -> io::Result<File> {
        check_name(name)?;
        #[cfg(target_os = "linux")]
        return imp::create_new(&self.fd, name).map(File::from);
        #[cfg(not(target_os = "linux"))]
        return File::options()
            .write(true)
            .create_new(true)
            .open(self.path.join(name));
    }

    /// Renames the entry `from` to `to`, both in this directory, replacing `to` (a link named
    /// `to` is itself replaced, never followed).
    ///
    /// # Errors
    ///
    /// `InvalidInput` if a name is not a single file name; otherwise the OS error.
    pub fn rename(&self, from: &OsStr, to: &OsStr) -> io::Result<()> {
        check_name(from)?;
        check_name(to)?;
        #[cfg(target_os = "linux")]
        return imp::rename(&self.fd, from, to);
        #[cfg(not(target_os = "linux"))]
        return std::fs::rename(self.path.join(from), self.path.join(to));
    }

    /// Removes the file `name` from this directory.
    ///
    /// # Errors
    ///
    /// `InvalidInput` if `name` is not a single file name; otherwise the OS error.
    pub fn remove_file(&self, name: &OsStr) -> io::Result<()> {
        check_name(name)?;
        #[cfg(target_os = "linux")]
        return imp::unlink(&self.fd, name);
        #[cfg(not(target_os = "linux"))]
        return std::fs::remove_file(self.path.join(name));
    }

    /// The permission bits of the entry `name` (not following a link), or `None` if there is
    /// no such entry.
    ///
    /// # Errors
    ///
    /// `InvalidInput` if `name` is not a single file name; otherwise the OS error.
    pub fn mode_of(&self, name: &OsStr) -> io::Result<Option<u32>> {
        check_name(name)?;
        #[cfg(target_os = "linux")]
        return imp::mode_of(&self.fd, name);
        #[cfg(all(unix, not(target_os = "linux")))]
        return match std::fs::symlink_metadata(self.path.join(name)) {
            Ok(metadata) => Ok(Some(std::os::unix::fs::PermissionsExt::mode(
                &metadata.permissions(),
            ))),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        };
        #[cfg(not(unix))]
        return Ok(None);
    }
}

/// A name of an entry in a directory: one component, not `.` or `..`.
fn check_name(name: &OsStr) -> io::Result<()> {
    let bytes = name.as_encoded_bytes();
    if bytes.is_empty() || bytes == b"." || bytes == b".." || bytes.contains(&b'/') {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("`{}` is not a single file name", name.to_string_lossy()),
        ));
    }
    Ok(())
}

#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
mod imp {
    //! The system calls, each a thin checked wrapper.

    use std::ffi::{CString, OsStr};
    use std::io;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;

    pub(super) const READ: libc::c_int = libc::O_RDONLY;
    /// `O_PATH`: enough to look names up and to rename beneath, without the right to list.
    pub(super) const DIRECTORY: libc::c_int = libc::O_PATH | libc::O_DIRECTORY;

    /// `struct open_how` of `openat2(2)`.
    #[repr(C)]
    struct OpenHow {
        flags: u64,
        mode: u64,
        resolve: u64,
    }

    fn c_name(name: &OsStr) -> io::Result<CString> {
        CString::new(name.as_bytes()).map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "a file name cannot contain a NUL byte",
            )
        })
    }

    fn fd_result(fd: libc::c_long) -> io::Result<OwnedFd> {
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        let fd = libc::c_int::try_from(fd).map_err(|_| io::Error::other("fd out of range"))?;
        // SAFETY: the kernel just returned this descriptor to us, and nothing else owns it.
        Ok(unsafe { OwnedFd::from_raw_fd(fd) })
    }

    /// `openat2(AT_FDCWD, path, flags | O_CLOEXEC, RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)`.
    pub(super) fn open(path: &Path, flags: libc::c_int) -> io::Result<OwnedFd> {
        let path = c_name(path.as_os_str())?;
        let how = OpenHow {
            flags: u64::try_from(flags | libc::O_CLOEXEC).unwrap_or_default(),
            mode: 0,
            resolve: libc::RESOLVE_NO_SYMLINKS | libc::RESOLVE_NO_MAGICLINKS,
        };
        // SAFETY: `path` is a NUL-terminated string and `how` a valid `open_how` of the size
        // passed; both outlive the call.
        let fd = unsafe {
            libc::syscall(
                libc::SYS_openat2,
                libc::AT_FDCWD,
                path.as_ptr(),
                &raw const how,
                std::mem::size_of::<OpenHow>(),
            )
        };
        fd_result(fd)
    }

    pub(super) fn create_new(dir: &OwnedFd, name: &OsStr) -> io::Result<OwnedFd> {
        let name = c_name(name)?;
        let flags = libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW;
        // SAFETY: `dir` is an open descriptor and `name` NUL-terminated; both outlive the call.
        let fd = unsafe {
            libc::openat(
                dir.as_raw_fd(),
                name.as_ptr(),
                flags | libc::O_CLOEXEC,
                0o666 as libc::c_uint,
            )
        };
        fd_result(libc::c_long::from(fd))
    }

    fn check(result: libc::c_int) -> io::Result<()> {
        if result == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }

    pub(super) fn rename(dir: &OwnedFd, from: &OsStr, to: &OsStr) -> io::Result<()> {
        let (from, to) = (c_name(from)?, c_name(to)?);
        let dir = dir.as_raw_fd();
        // SAFETY: `dir` is an open descriptor and both names NUL-terminated.
        check(unsafe { libc::renameat(dir, from.as_ptr(), dir, to.as_ptr()) })
    }

    pub(super) fn unlink(dir: &OwnedFd, name: &OsStr) -> io::Result<()> {
        let name = c_name(name)?;
        // SAFETY: `dir` is an open descriptor and `name` NUL-terminated.
        check(unsafe { libc::unlinkat(dir.as_raw_fd(), name.as_ptr(), 0) })
    }

    pub(super) fn mode_of(dir: &OwnedFd, name: &OsStr) -> io::Result<Option<u32>> {
        let name = c_name(name)?;
        let mut stat = std::mem::MaybeUninit::<libc::stat>::uninit();
        // SAFETY: `dir` is an open descriptor, `name` NUL-terminated and `stat` points to
        // writable memory of the right size.
        let result = unsafe {
            libc::fstatat(
                dir.as_raw_fd(),
                name.as_ptr(),
                stat.as_mut_ptr(),
                libc::AT_SYMLINK_NOFOLLOW,
            )
        };
        match check(result) {
            // SAFETY: `fstatat` succeeded, so it filled `stat`.
            Ok(()) => Ok(Some(unsafe { stat.assume_init() }.st_mode & 0o7777)),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_link_swapped_in_after_the_check_is_refused() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let base = NormalizedPath::new(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        let real = base.as_path().join("real");
        std::fs::create_dir(&real).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(real.join("f"), "x").unwrap_or_else(|e| panic!("{e}"));
        let checked = NormalizedPath::new(real.join("f")).unwrap_or_else(|e| panic!("{e}"));
        assert!(open_no_follow(&checked).is_ok());
        // The directory becomes a link (to a copy elsewhere) after the check.
        std::fs::rename(&real, base.as_path().join("moved")).unwrap_or_else(|e| panic!("{e}"));
        std::os::unix::fs::symlink(base.as_path().join("moved"), &real)
            .unwrap_or_else(|e| panic!("{e}"));
        let error = open_no_follow(&checked).err();
        assert_eq!(error.and_then(|e| e.raw_os_error()), Some(libc::ELOOP));
        assert!(ExactDir::open(&real).is_err());
    }

    #[test]
    fn names_must_be_single_components() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let exact = ExactDir::open(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        for name in ["", ".", "..", "a/b", "../x"] {
            let error = exact.create_new(name.as_ref()).err();
            assert_eq!(error.map(|e| e.kind()), Some(io::ErrorKind::InvalidInput));
        }
    }
}
