//! Writing a file so that a failure at any point leaves either the old or the new content.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use symphony_core::permission::ExactDir;

/// Writes `bytes` to `path` atomically: to a temporary file in the same directory, flushed
/// to disk, then renamed over `path` (and the directory flushed, so the rename survives a
/// crash). If any step fails the temporary file is removed and `path` is untouched.
///
/// `path` must be a real path, as a permission check returns it
/// ([`NormalizedPath`](crate::permission::NormalizedPath)): its directory is opened
/// without following symbolic links, and the temporary file and the rename work by name in
/// that directory, so what was checked is what is written. A directory that is (or has become)
/// a link is refused; a link named `path` is replaced, never written through.
///
/// Under a kernel sandbox this needs the `write` right on the directory (creating the
/// temporary file and renaming it over `path`).
///
/// # Errors
///
/// The I/O error of the step that failed.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let dir = dir.path().canonicalize().unwrap();
/// let path = dir.join("notes.txt");
/// symphony_motifs::editor::write_atomically(&path, b"saved").unwrap();
/// assert_eq!(std::fs::read(&path).unwrap(), b"saved");
/// ```
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let (dir, name) = split(path)?;
    let dir = ExactDir::open(dir)?;
    let temp = temp_name(name);
    let result = write_and_rename(&dir, &temp, name, bytes);
    if result.is_err() {
        // The temp file may not exist (open failed); nothing else to clean up.
        let _ = dir.remove_file(&temp);
    }
    result.map_err(|error| name_the_right(error, dir.path()))
}

/// A refusal says which right the write needs (under a kernel sandbox it is the directory's).
fn name_the_right(error: io::Error, dir: &Path) -> io::Error {
    if error.kind() != io::ErrorKind::PermissionDenied {
        return error;
    }
    io::Error::new(
        error.kind(),
        format!(
            "{error}; replacing a file needs the `write` right on its directory `{}` \
             (a temporary file is created there and renamed over the file)",
            dir.display()
        ),
    )
}

fn write_and_rename(dir: &ExactDir, temp: &OsStr, name: &OsStr, bytes: &[u8]) -> io::Result<()> {
    let mut file = dir.create_new(temp)?;
    // Keep the permissions of the file being replaced.
    if let Some(mode) = dir.mode_of(name)? {
        set_mode(&file, mode)?;
    }
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    dir.rename(temp, name)?;
    // Directories cannot be opened for sync on every platform; the rename stands.
    if let Ok(dir) = File::open(dir.path()) {
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(unix)]
fn set_mode(file: &File, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_: &File, _: u32) -> io::Result<()> {
    Ok(())
}

/// The directory and file name of `path`.
fn split(path: &Path) -> io::Result<(&Path, &OsStr)> {
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} has no file name to save to", path.display()),
        )
    })?;
    let dir = path.parent().filter(|dir| !dir.as_os_str().is_empty());
    Ok((dir.unwrap_or(Path::new(".")), name))
}

fn temp_name(name: &OsStr) -> OsString {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut temp_name = OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(
        ".{}.{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    temp_name
}
