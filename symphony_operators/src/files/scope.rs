//! Which paths may be read and written.

use std::fs::File;
use std::io;
use std::path::{Component, Path, PathBuf};

use super::{AtomicFile, FilesError};

/// The files an operator may touch: everything, or only what lies inside granted roots.
///
/// ```
/// use symphony_operators::files::Files;
/// let dir = tempfile::tempdir()?;
/// let files = Files::within([dir.path()], [dir.path()])?;
/// let mut out = files.create(dir.path().join("out.txt"))?;
/// std::io::Write::write_all(&mut out, b"done")?;
/// out.commit()?;
/// assert!(files.open(dir.path().join("../escape.txt")).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Files {
    // None: unrestricted (a library caller who owns the process).
    scope: Option<Scope>,
}

#[derive(Debug, Clone, Default)]
struct Scope {
    read: Vec<PathBuf>,
    write: Vec<PathBuf>,
}

impl Files {
    /// Access to every file the process can reach: for programs that use operators as a
    /// library, not for extensions serving a host.
    pub fn unrestricted() -> Self {
        Self { scope: None }
    }

    /// No file access at all.
    pub fn none() -> Self {
        Self {
            scope: Some(Scope::default()),
        }
    }

    /// Access only inside `read` roots for reading and `write` roots for writing. Roots are
    /// resolved now (they must exist), so a root that is a symbolic link grants its target.
    ///
    /// # Errors
    ///
    /// [`FilesError::Io`] if a root cannot be resolved.
    pub fn within<R: AsRef<Path>, W: AsRef<Path>>(
        read: impl IntoIterator<Item = R>,
        write: impl IntoIterator<Item = W>,
    ) -> Result<Self, FilesError> {
        let resolve = |root: &Path| {
            std::fs::canonicalize(root).map_err(FilesError::io("resolve the root", root))
        };
        Ok(Self {
            scope: Some(Scope {
                read: read
                    .into_iter()
                    .map(|r| resolve(r.as_ref()))
                    .collect::<Result<_, _>>()?,
                write: write
                    .into_iter()
                    .map(|w| resolve(w.as_ref()))
                    .collect::<Result<_, _>>()?,
            }),
        })
    }

    /// Opens an existing file for reading.
    ///
    /// # Errors
    ///
    /// [`FilesError::PermissionDenied`] outside the read roots, [`FilesError::Io`] if the
    /// file cannot be resolved or opened.
    pub fn open(&self, path: impl AsRef<Path>) -> Result<File, FilesError> {
        let path = path.as_ref();
        let resolved = std::fs::canonicalize(path).map_err(FilesError::io("open", path))?;
        self.check("read", &resolved)?;
        File::open(&resolved).map_err(FilesError::io("open", &resolved))
    }

    /// Starts writing `path` atomically (see [`AtomicFile`]); its directory must exist.
    ///
    /// # Errors
    ///
    /// [`FilesError::PermissionDenied`] outside the write roots, [`FilesError::Io`] if the
    /// directory cannot be resolved or the temporary file cannot be created.
    pub fn create(&self, path: impl AsRef<Path>) -> Result<AtomicFile, FilesError> {
        let resolved = resolve_new(path.as_ref())?;
        self.check("write", &resolved)?;
        AtomicFile::create(resolved)
    }

    /// The entries of a directory, sorted by name.
    ///
    /// # Errors
    ///
    /// [`FilesError::PermissionDenied`] outside the read roots, [`FilesError::Io`].
    pub fn list(&self, dir: impl AsRef<Path>) -> Result<Vec<PathBuf>, FilesError> {
        let dir = dir.as_ref();
        let resolved = std::fs::canonicalize(dir).map_err(FilesError::io("list", dir))?;
        self.check("read", &resolved)?;
        let mut entries = std::fs::read_dir(&resolved)
            .and_then(|entries| {
                entries
                    .map(|e| e.map(|e| e.path()))
                    .collect::<io::Result<Vec<_>>>()
            })
            .map_err(FilesError::io("list", &resolved))?;
        entries.sort();
        Ok(entries)
    }

    fn check(&self, access: &'static str, resolved: &Path) -> Result<(), FilesError> {
        let Some(scope) = &self.scope else {
            return Ok(());
        };
        let roots = if access == "read" {
            &scope.read
        } else {
            &scope.write
        };
        if roots.iter().any(|root| resolved.starts_with(root)) {
            Ok(())
        } else {
            Err(FilesError::PermissionDenied {
                access,
                path: resolved.to_path_buf(),
            })
        }
    }
}

/// The real location of a file that may not exist yet: its directory resolved by the
/// kernel, plus its name; a target that exists (possibly as a link) is resolved whole.
fn resolve_new(path: &Path) -> Result<PathBuf, FilesError> {
    if let Ok(existing) = std::fs::canonicalize(path) {
        return Ok(existing);
    }
    let (Some(parent), Some(Component::Normal(name))) =
        (path.parent(), path.components().next_back())
    else {
        return Err(FilesError::Io {
            operation: "create",
            path: path.to_path_buf(),
            source: io::Error::new(io::ErrorKind::InvalidInput, "not a file name"),
        });
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let dir = std::fs::canonicalize(parent).map_err(FilesError::io("create", path))?;
    // A dangling symbolic link at the target would be followed by the rename's caller later;
    // refuse it rather than write wherever it points.
    let target = dir.join(name);
    if target.symlink_metadata().is_ok() {
        return Err(FilesError::Io {
            operation: "create",
            path: target,
            source: io::Error::new(
                io::ErrorKind::InvalidInput,
                "a dangling symbolic link is in the way",
            ),
        });
    }
    Ok(target)
}
