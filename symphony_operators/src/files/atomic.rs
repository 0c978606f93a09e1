//! Write-to-temp, fsync, rename.

use std::ffi::OsString;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use symphony_core::permission::{ExactDir, FsAccess, NormalizedPath};

use super::FilesError;

/// A file being written: its content goes to a hidden temporary file in the target's
/// directory and replaces the target only on [`commit`](Self::commit), after an `fsync`.
/// Dropped without a commit (an error, a panic, a cancelled run), the temporary file is
/// removed and the target is untouched.
///
/// The directory is opened once, following no symbolic link, and the temporary file and the
/// rename work by name in it: a directory swapped for a link after the check is refused, and
/// a link named like the target is replaced, never written through. Under a kernel sandbox
/// (Landlock), `write` on the directory is all this needs.
///
/// After the rename the directory is synced, so that the rename survives a crash; that opens
/// the directory, which under Landlock needs `read` on it, and a failure is an error (the new
/// content is in place, but may not survive a crash).
#[derive(Debug)]
pub struct AtomicFile {
    target: PathBuf,
    temp: PathBuf,
    dir: ExactDir,
    name: OsString,
    temp_name: OsString,
    writer: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Starts writing `target` (already checked by the caller).
    pub(crate) fn create(target: PathBuf) -> Result<Self, FilesError> {
        let name = target
            .file_name()
            .ok_or_else(|| FilesError::Io {
                operation: "create",
                path: target.clone(),
                source: io::Error::new(io::ErrorKind::InvalidInput, "no file name to write"),
            })?
            .to_os_string();
        let parent = target.parent().unwrap_or(Path::new("."));
        let dir = NormalizedPath::new(parent)
            .map_err(io::Error::other)
            .and_then(|dir| ExactDir::open(dir.as_path()))
            .map_err(FilesError::io_needing("create", parent, FsAccess::Write))?;
        // Process id and a counter make the name unique among concurrent writers.
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut temp_name = OsString::from(".");
        temp_name.push(&name);
        temp_name.push(format!(".{}.{n}.tmp", std::process::id()));
        let temp = dir.path().join(&temp_name);
        let target = dir.path().join(&name);
        let file = dir.create_new(&temp_name).map_err(FilesError::io_needing(
            "create",
            &temp,
            FsAccess::Write,
        ))?;
        Ok(Self {
            target,
            temp,
            dir,
            name,
            temp_name,
            writer: Some(BufWriter::with_capacity(256 * 1024, file)),
        })
    }

    /// The path that [`commit`](Self::commit) will write.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Flushes, syncs and renames the temporary file over the target, then syncs the
    /// directory so the rename survives a crash.
    ///
    /// # Errors
    ///
    /// [`FilesError::Io`] naming the step that failed. If writing, syncing or renaming the file
    /// failed, the target is untouched. If only the directory sync failed (operation
    /// `sync the directory of`; for example a sandbox without `read` access to the directory,
    /// or a filesystem that cannot sync directories), the target already holds the new content
    /// but the replacement may not survive a crash: the error says so rather than promise it.
    pub fn commit(mut self) -> Result<PathBuf, FilesError> {
        let Some(writer) = self.writer.take() else {
            return Ok(self.target.clone());
        };
        let replaced = self.replace(writer);
        if replaced.is_err() {
            // Best effort: a sandbox without `delete` access cannot remove it either.
            let _ = self.dir.remove_file(&self.temp_name);
        }
        replaced?;
        let dir = match self.target.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        File::open(dir)
            .and_then(|dir| dir.sync_all())
            .map_err(FilesError::io("sync the directory of", &self.target))?;
        Ok(self.target.clone())
    }

    fn replace(&self, writer: BufWriter<File>) -> Result<(), FilesError> {
        let file = writer.into_inner().map_err(|error| FilesError::Io {
            operation: "write",
            path: self.temp.clone(),
            source: error.into_error(),
        })?;
        file.sync_all()
            .map_err(FilesError::io("sync", &self.temp))?;
        drop(file);
        self.dir
            .rename(&self.temp_name, &self.name)
            .map_err(FilesError::io_needing(
                "replace",
                &self.target,
                FsAccess::Write,
            ))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.writer {
            Some(writer) => writer.write(buf),
            None => Err(io::Error::other("the file was already committed")),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.writer {
            Some(writer) => writer.write_all(buf),
            None => Err(io::Error::other("the file was already committed")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.writer {
            Some(writer) => writer.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            let _ = self.dir.remove_file(&self.temp_name);
        }
    }
}
