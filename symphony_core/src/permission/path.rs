//! Path normalisation: the expensive half of a filesystem check (it asks the filesystem), kept
//! apart from the cheap match so a caller can normalise once and check many times.

use std::ffi::OsString;
use std::fmt;
use std::io;
use std::path::{Component, Path, PathBuf};

/// How many symbolic links one normalisation may follow before giving up; the same limit as
/// Linux's `MAXSYMLINKS`, so a path the kernel can open is never rejected here.
const MAX_SYMLINKS: usize = 40;

/// An absolute path with `.`, `..`, repeated separators and every symbolic link that exists
/// resolved; the only form of path a [`Policy`](super::Policy) checks.
///
/// Normalisation walks the path one component at a time, as the kernel does when it opens it:
///
/// - a relative path is first made absolute against a base (the current directory, or the base
///   given to [`with_base`](Self::with_base));
/// - `.` and repeated `/` are dropped; `..` removes the previous component of the *resolved*
///   path, so `link/..` goes to the parent of the link's target, exactly as `open(2)` would;
/// - every component that exists is checked with `lstat`, and symbolic links are replaced by
///   their target (also dangling links, so a file about to be created through a link is checked
///   where it will really be created);
/// - components that do not exist (yet) are kept as they are, so a file about to be created can
///   be checked before it is.
///
/// Names are kept byte for byte: non-UTF-8 names and trailing dots (`secret.txt.` is another
/// file than `secret.txt` on Linux) are matched exactly, never through a lossy conversion.
///
/// Open the normalised path ([`as_path`](Self::as_path)), not the original, so that what was
/// checked is what is opened. A concurrent process can still swap a directory for a link
/// between the check and the open; the kernel sandbox ([`crate::sandbox`]) closes that gap.
///
/// ```
/// # use symphony_core::permission::NormalizedPath;
///
/// let path = NormalizedPath::with_base("../etc//./hosts", "/nonexistent-ws/sub".as_ref())?;
/// assert_eq!(path.as_path(), std::path::Path::new("/nonexistent-ws/etc/hosts"));
/// # Ok::<(), symphony_core::permission::NormalizeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NormalizedPath(PathBuf);

impl NormalizedPath {
    /// Normalises `path`, resolving a relative path against the current directory (as
    /// `std::fs` would when opening it).
    ///
    /// # Errors
    ///
    /// See [`NormalizeError`]: NUL bytes, an unavailable current directory, a symbolic link
    /// loop, or an existing component that cannot be inspected.
    pub fn new(path: impl AsRef<Path>) -> Result<Self, NormalizeError> {
        let path = path.as_ref();
        reject_nul(path)?;
        if path.is_absolute() {
            return resolve(path).map(Self);
        }
        let base = std::env::current_dir().map_err(|source| NormalizeError::CurrentDir {
            path: path.to_path_buf(),
            source,
        })?;
        resolve(&base.join(path)).map(Self)
    }

    /// Normalises `path`, resolving a relative path against `base`, which must be absolute.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new), and [`NormalizeError::RelativeBase`] if `base` is relative.
    pub fn with_base(path: impl AsRef<Path>, base: &Path) -> Result<Self, NormalizeError> {
        let path = path.as_ref();
        reject_nul(path)?;
        reject_nul(base)?;
        if !base.is_absolute() {
            return Err(NormalizeError::RelativeBase {
                base: base.to_path_buf(),
            });
        }
        resolve(&base.join(path)).map(Self)
    }

    /// The normalised path: open this one, not the path it was made from.
    pub fn as_path(&self) -> &Path {
        &self.0
    }

    /// The normalised path, owned.
    pub fn into_path_buf(self) -> PathBuf {
        self.0
    }
}

impl AsRef<Path> for NormalizedPath {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl fmt::Display for NormalizedPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.display().fmt(f)
    }
}

/// Why a path could not be normalised.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NormalizeError {
    /// The path contains a NUL byte, which no file name can contain.
    #[error("path `{}` contains a NUL byte, which no file name can contain", path.display())]
    NulByte {
        /// The offending path.
        path: PathBuf,
    },
    /// The base for a relative path is itself relative.
    #[error("base `{}` must be an absolute path", base.display())]
    RelativeBase {
        /// The offending base.
        base: PathBuf,
    },
    /// A relative path needs the current directory, and it is not available.
    #[error("cannot resolve relative path `{}`: the current directory is unavailable: {source}", path.display())]
    CurrentDir {
        /// The relative path.
        path: PathBuf,
        /// Why the current directory is unavailable.
        source: io::Error,
    },
    /// Resolving the path followed more symbolic links than the kernel would.
    #[error("too many symbolic links while resolving `{}` (a loop?)", path.display())]
    SymlinkLoop {
        /// The path being resolved.
        path: PathBuf,
    },
    /// An existing component could not be inspected (e.g. permission denied on a directory),
    /// so whether it is a symbolic link is unknown.
    #[error("cannot inspect `{}`: {source}", path.display())]
    Inspect {
        /// The component that could not be inspected, with its resolved parents.
        path: PathBuf,
        /// The error of `lstat` or `readlink`.
        source: io::Error,
    },
}

fn reject_nul(path: &Path) -> Result<(), NormalizeError> {
    if path.as_os_str().as_encoded_bytes().contains(&0) {
        return Err(NormalizeError::NulByte {
            path: path.to_path_buf(),
        });
    }
    Ok(())
}

/// One step of the walk: symbolic link targets are spliced into the pending steps.
enum Step {
    /// Restart from the given root (`/`, or a Windows prefix with its root).
    Root(OsString),
    Parent,
    Name(OsString),
}

fn push_steps(pending: &mut Vec<Step>, path: &Path) {
    // Pushed in reverse: `pending` is a stack and the first component must come out first.
    let mut root = OsString::new();
    let mut steps = Vec::new();
    for component in path.components() {
        match component {
            Component::Prefix(prefix) => root.push(prefix.as_os_str()),
            Component::RootDir => {
                root.push(component.as_os_str());
                steps.push(Step::Root(std::mem::take(&mut root)));
            }
            Component::CurDir => {}
            Component::ParentDir => steps.push(Step::Parent),
            Component::Normal(name) => steps.push(Step::Name(name.to_os_string())),
        }
    }
    if !root.is_empty() {
        // A Windows drive prefix without a root (`C:foo`): start from the prefix.
        steps.insert(0, Step::Root(root));
    }
    pending.extend(steps.into_iter().rev());
}

/// Resolves an absolute path (see [`NormalizedPath`]).
fn resolve(path: &Path) -> Result<PathBuf, NormalizeError> {
    // A path that exists entirely is what `realpath(3)` returns: same answer, fewer system
    // calls. Anything else (a tail not created yet, a dangling link, an unreadable directory)
    // takes the walk, which handles and reports those cases.
    match std::fs::canonicalize(path) {
        Ok(resolved) => Ok(resolved),
        Err(_) => walk(path),
    }
}

/// Resolves an absolute path component by component, as the kernel does.
fn walk(path: &Path) -> Result<PathBuf, NormalizeError> {
    let mut pending = Vec::new();
    push_steps(&mut pending, path);
    let mut resolved = PathBuf::new();
    let mut links_followed = 0;
    while let Some(step) = pending.pop() {
        match step {
            Step::Root(root) => resolved = PathBuf::from(root),
            // `resolved` never contains a link or `..`, so dropping its last component is
            // exactly what the kernel's `..` does (and `/..` stays `/`).
            Step::Parent => {
                resolved.pop();
            }
            Step::Name(name) => {
                let next = resolved.join(&name);
                match std::fs::symlink_metadata(&next) {
                    Ok(meta) if meta.file_type().is_symlink() => {
                        links_followed += 1;
                        if links_followed > MAX_SYMLINKS {
                            return Err(NormalizeError::SymlinkLoop {
                                path: path.to_path_buf(),
                            });
                        }
                        let target = std::fs::read_link(&next)
                            .map_err(|source| NormalizeError::Inspect { path: next, source })?;
                        // A relative target is relative to the link's directory: `resolved`.
                        push_steps(&mut pending, &target);
                    }
                    Ok(_) => resolved = next,
                    Err(error) if is_absent(&error) => resolved = next,
                    Err(source) => return Err(NormalizeError::Inspect { path: next, source }),
                }
            }
        }
    }
    Ok(resolved)
}

/// Whether an `lstat` error means "nothing there (yet)": the rest of the path is then kept
/// lexically, since nothing that does not exist can be a link.
fn is_absent(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexical(path: &str) -> PathBuf {
        NormalizedPath::new(path)
            .map(NormalizedPath::into_path_buf)
            .unwrap_or_default()
    }

    #[test]
    fn collapses_dots_and_separators_of_missing_paths() {
        assert_eq!(
            lexical("/nonexistent-sym/a//b/./c/"),
            Path::new("/nonexistent-sym/a/b/c")
        );
        assert_eq!(lexical("/nonexistent-sym/a/../../.."), Path::new("/"));
        assert_eq!(
            lexical("/nonexistent-sym/a/..."),
            Path::new("/nonexistent-sym/a/...")
        );
    }

    #[test]
    fn rejects_nul_bytes() {
        assert!(matches!(
            NormalizedPath::new("/tmp/a\0b"),
            Err(NormalizeError::NulByte { .. })
        ));
    }

    #[test]
    fn rejects_relative_base() {
        assert!(matches!(
            NormalizedPath::with_base("a", Path::new("rel")),
            Err(NormalizeError::RelativeBase { .. })
        ));
    }

    #[test]
    fn relative_paths_use_the_base() {
        let path = NormalizedPath::with_base("x/../y", Path::new("/nonexistent-sym/ws"));
        assert_eq!(
            path.map(NormalizedPath::into_path_buf).ok(),
            Some(PathBuf::from("/nonexistent-sym/ws/y"))
        );
    }
}
