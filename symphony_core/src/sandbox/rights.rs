//! What the kernel sandbox may allow on a path hierarchy.

use std::fmt;
use std::ops::{BitOr, BitOrAssign};

use crate::permission::FsAccess;

/// A set of filesystem rights on a path hierarchy: read, write, delete, execute.
///
/// The first three mirror [`FsAccess`]; `EXECUTE` has no permission of its own (spawning is
/// the `process` category) and is only ever given explicitly, with
/// [`Sandbox::allow_execute`](super::Sandbox::allow_execute).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Rights(u8);

impl Rights {
    /// No right at all.
    pub const NONE: Rights = Rights(0);
    /// Read files and list directories.
    pub const READ: Rights = Rights(1);
    /// Create and modify files, directories, symbolic links, FIFOs and sockets; truncate;
    /// rename and link between directories; device ioctls; connect to Unix sockets; and
    /// remove files, since replacing a file atomically (a temporary file renamed over it) is
    /// removing its name to the kernel. On a single file, its directory also gets creating,
    /// writing and removing regular files, for the temporary file. Removing directories is `DELETE`.
    pub const WRITE: Rights = Rights(1 << 1);
    /// Remove files and directories.
    pub const DELETE: Rights = Rights(1 << 2);
    /// Execute files.
    pub const EXECUTE: Rights = Rights(1 << 3);

    /// Whether every right of `other` is in `self`.
    pub const fn contains(self, other: Rights) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The right matching a permission's access.
    pub const fn from_access(access: FsAccess) -> Rights {
        match access {
            FsAccess::Read => Rights::READ,
            FsAccess::Write => Rights::WRITE,
            FsAccess::Delete => Rights::DELETE,
        }
    }
}

impl BitOr for Rights {
    type Output = Rights;

    fn bitor(self, other: Rights) -> Rights {
        Rights(self.0 | other.0)
    }
}

impl BitOrAssign for Rights {
    fn bitor_assign(&mut self, other: Rights) {
        self.0 |= other.0;
    }
}

impl fmt::Display for Rights {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (Rights::READ, "read"),
            (Rights::WRITE, "write"),
            (Rights::DELETE, "delete"),
            (Rights::EXECUTE, "execute"),
        ];
        let mut first = true;
        for (right, name) in names {
            if self.contains(right) {
                f.write_str(if first { "" } else { "+" })?;
                f.write_str(name)?;
                first = false;
            }
        }
        if first {
            f.write_str("none")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Rights {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Rights({self})")
    }
}
