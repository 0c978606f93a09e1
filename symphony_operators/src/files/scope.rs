//! Which paths may be read and written: the session's permission policy.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use std::io;

use symphony_core::permission::{FsAccess, NormalizedPath, Policy, open_no_follow};

use super::{AtomicFile, FilesError};

/// The files an operator may touch, decided by core's permission [`Policy`].
///
/// Every path is normalised by the policy first (`..`, symbolic links — dangling ones too —
/// and repeated separators are resolved, names kept byte for byte), checked, and then the
/// *normalised* path is opened following no symbolic link (a link swapped in after the check
/// is refused, not followed; see [`open_no_follow`]), so that what was checked is what is
/// touched. A refusal names the permission and the path; a refusal by the kernel sandbox names
/// the right that is missing. Under the kernel sandbox, `write` on a directory is enough to
/// replace files in it atomically ([`create`](Self::create)). Note the policy's glob semantics: `data/**` covers what is
/// inside `data`, not `data` itself, so listing `data` needs a rule for `data` too.
///
/// ```
/// use std::sync::Arc;
/// use symphony_operators::files::Files;
/// use symphony_operators::permission::{Permissions, Policy};
///
/// let dir = tempfile::tempdir()?;
/// let rules: Permissions = serde_json::from_value(serde_json::json!({
///     "filesystem": [{ "path": format!("{}/**", dir.path().display()), "access": ["read", "write"] }]
/// }))?;
/// let files = Files::new(Arc::new(Policy::builder(&rules, &rules).build()?));
/// let mut out = files.create(dir.path().join("out.txt"))?;
/// std::io::Write::write_all(&mut out, b"done")?;
/// out.commit()?;
/// assert!(files.open(dir.path().join("out.txt")).is_ok());
/// assert!(files.open(dir.path().join("../escape.txt")).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Files {
    scope: Scope,
}

#[derive(Debug, Clone)]
enum Scope {
    Unrestricted,
    Nothing,
    Policy(Arc<Policy>),
}

impl Files {
    /// Access to every file the process can reach: for programs that use operators as a
    /// library, not for extensions serving a host.
    pub fn unrestricted() -> Self {
        Self {
            scope: Scope::Unrestricted,
        }
    }

    /// No file access at all.
    pub fn none() -> Self {
        Self {
            scope: Scope::Nothing,
        }
    }

    /// Access as `policy` allows.
    pub fn new(policy: Arc<Policy>) -> Self {
        Self {
            scope: Scope::Policy(policy),
        }
    }

    /// The path to open for `access` to `path`, after the check.
    ///
    /// # Errors
    ///
    /// [`FilesError::Permission`] or [`FilesError::NoAccess`].
    pub fn check(&self, path: &Path, access: FsAccess) -> Result<PathBuf, FilesError> {
        match &self.scope {
            Scope::Unrestricted => Ok(path.to_path_buf()),
            Scope::Nothing => Err(FilesError::NoAccess {
                access: if access == FsAccess::Read {
                    "read"
                } else {
                    "write"
                },
                path: path.to_path_buf(),
            }),
            Scope::Policy(policy) => Ok(policy.require_path(path, access)?.into_path_buf()),
        }
    }

    /// Opens an existing file for reading.
    ///
    /// # Errors
    ///
    /// A permission error, or [`FilesError::Io`] if the file cannot be opened.
    pub fn open(&self, path: impl AsRef<Path>) -> Result<File, FilesError> {
        let path = self.check(path.as_ref(), FsAccess::Read)?;
        let opened = match &self.scope {
            // The checked path has no link in it: opening it following none means a link
            // swapped in since the check is refused, not followed.
            Scope::Policy(_) => NormalizedPath::new(&path)
                .map_err(io::Error::other)
                .and_then(|resolved| open_no_follow(&resolved)),
            Scope::Unrestricted | Scope::Nothing => File::open(&path),
        };
        opened.map_err(FilesError::io_needing("open", &path, FsAccess::Read))
    }

    /// Starts writing `path` atomically (see [`AtomicFile`]); its directory must exist.
    ///
    /// # Errors
    ///
    /// A permission error, or [`FilesError::Io`] if the temporary file cannot be created.
    pub fn create(&self, path: impl AsRef<Path>) -> Result<AtomicFile, FilesError> {
        let path = self.check(path.as_ref(), FsAccess::Write)?;
        AtomicFile::create(path)
    }

    /// The entries of directory `dir`, sorted.
    ///
    /// # Errors
    ///
    /// A permission error (read access to `dir`), or [`FilesError::Io`].
    pub fn list(&self, dir: impl AsRef<Path>) -> Result<Vec<PathBuf>, FilesError> {
        let dir = self.check(dir.as_ref(), FsAccess::Read)?;
        let mut entries = Vec::new();
        for entry in std::fs::read_dir(&dir).map_err(FilesError::io("list", &dir))? {
            entries.push(entry.map_err(FilesError::io("list", &dir))?.path());
        }
        entries.sort();
        Ok(entries)
    }

    /// The files under `dir` whose path relative to `dir` matches `pattern` (`*`, `?`,
    /// `[…]`, `{a,b}`, `**`), sorted; only those this scope may read. Symbolic links are not
    /// followed while walking (a link to a directory is not descended into), so a walk never
    /// leaves `dir` or loops.
    ///
    /// # Errors
    ///
    /// [`FilesError::Glob`] for an invalid pattern, a permission error for `dir`, or
    /// [`FilesError::Io`].
    pub fn glob(&self, dir: impl AsRef<Path>, pattern: &str) -> Result<Vec<PathBuf>, FilesError> {
        let matcher = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map_err(|error| FilesError::Glob {
                pattern: pattern.to_owned(),
                reason: error.kind().to_string(),
            })?
            .compile_matcher();
        let root = self.check(dir.as_ref(), FsAccess::Read)?;
        let mut found = Vec::new();
        let mut pending = vec![root.clone()];
        while let Some(current) = pending.pop() {
            for entry in std::fs::read_dir(&current).map_err(FilesError::io("list", &current))? {
                let entry = entry.map_err(FilesError::io("list", &current))?;
                let path = entry.path();
                let kind = entry
                    .file_type()
                    .map_err(FilesError::io("inspect", &path))?;
                if kind.is_dir() {
                    pending.push(path);
                } else if let Ok(relative) = path.strip_prefix(&root)
                    && matcher.is_match(relative)
                    && self.check(&path, FsAccess::Read).is_ok()
                {
                    found.push(path);
                }
            }
        }
        found.sort();
        Ok(found)
    }
}
