//! Write-to-temp, fsync, rename.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::FilesError;

/// A file being written: its content goes to a hidden temporary file in the target's
/// directory and replaces the target only on [`commit`](Self::commit), after an `fsync`.
/// Dropped without a commit (an error, a panic, a cancelled run), the temporary file is
/// removed and the target is untouched.
///
/// The rename removes the temporary file's name from the directory, so under a kernel
/// sandbox (Landlock) the directory needs `delete` access as well as `write`; and the
/// directory is opened to sync it, which needs `read` access to the directory.
#[derive(Debug)]
pub struct AtomicFile {
    target: PathBuf,
    temp: PathBuf,
    writer: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Starts writing `target` (already checked by the caller).
    pub(crate) fn create(target: PathBuf) -> Result<Self, FilesError> {
        let dir = target.parent().unwrap_or(Path::new("."));
        let name = target.file_name().unwrap_or_default().to_string_lossy();
        // Process id and a counter make the name unique among concurrent writers.
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let temp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
        let file = File::options()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(FilesError::io("create", &temp))?;
        Ok(Self {
            target,
            temp,
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
            let _ = std::fs::remove_file(&self.temp);
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
        std::fs::rename(&self.temp, &self.target).map_err(FilesError::io("replace", &self.target))
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
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}
