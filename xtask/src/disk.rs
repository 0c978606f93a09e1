//! How much disk a CI run has left and takes, printed after each step: a run that fills the
//! disk then shows which step grew the target directory, instead of failing later with
//! `No space left on device` in whatever step came next.

use std::path::Path;
use std::process::{Command, Stdio};

/// Free and used space after a step, in bytes; `None` where the system cannot tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Usage {
    /// Bytes free on the file system that holds the target directory.
    pub(crate) free: Option<u64>,
    /// Bytes the target directory takes (hard links counted once, as `du` does).
    pub(crate) target: Option<u64>,
}

impl Usage {
    /// Measures `target` (which need not exist yet: the free space is then that of its
    /// nearest existing ancestor).
    pub(crate) fn of(target: &Path) -> Self {
        let existing = target.ancestors().find(|dir| dir.exists());
        Self {
            free: existing.and_then(free_bytes),
            target: if target.exists() {
                used_bytes(target)
            } else {
                Some(0)
            },
        }
    }
}

/// `df -Pk`'s "Available" column for the file system of `path`.
fn free_bytes(path: &Path) -> Option<u64> {
    let output = stdout(Command::new("df").arg("-Pk").arg(path))?;
    // A header line, then: file system, 1024-blocks, used, available, capacity, mount point.
    let kib = output.lines().nth(1)?.split_whitespace().nth(3)?;
    Some(kib.parse::<u64>().ok()? * 1024)
}

/// `du -sk`'s total for `path`.
fn used_bytes(path: &Path) -> Option<u64> {
    let output = stdout(Command::new("du").arg("-sk").arg(path))?;
    let kib = output.split_whitespace().next()?;
    Some(kib.parse::<u64>().ok()? * 1024)
}

/// A command's stdout, or `None` if it could not run or failed.
fn stdout(command: &mut Command) -> Option<String> {
    let output = command
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// `bytes` as GiB with one decimal, or `?` when unknown.
pub(crate) fn gib(bytes: Option<u64>) -> String {
    match bytes {
        Some(bytes) => format!("{:.1}G", bytes as f64 / (1u64 << 30) as f64),
        None => String::from("?"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_directory_measures_what_is_written_into_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let before = Usage::of(dir.path());
        std::fs::write(dir.path().join("data"), vec![7u8; 4 << 20]).expect("write");
        let after = Usage::of(dir.path());
        let grown = after.target.expect("du runs") - before.target.expect("du runs");
        assert!((4 << 20..5 << 20).contains(&grown), "grew by {grown} bytes");
        assert!(after.free.expect("df runs") > 0);
    }

    #[test]
    fn a_target_that_does_not_exist_yet_takes_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let usage = Usage::of(&dir.path().join("target"));
        assert_eq!(usage.target, Some(0));
        assert!(usage.free.is_some());
    }

    #[test]
    fn sizes_print_in_gib() {
        assert_eq!(gib(Some(3 << 29)), "1.5G");
        assert_eq!(gib(None), "?");
    }
}
