//! A bundle of files and the checked lookup of a path in it.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use super::AssetError;
use super::mime::mime_type;

/// The files an extension serves to its pages.
#[derive(Debug, Clone)]
pub struct AssetBundle {
    source: Source,
}

#[derive(Debug, Clone)]
enum Source {
    /// A directory, canonicalised when the bundle was made.
    Dir(PathBuf),
    /// Files held in memory (compiled into the extension, say).
    Memory(BTreeMap<String, Vec<u8>>),
}

/// One served file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// Its decoded path inside the bundle.
    pub path: String,
    /// Its content type.
    pub mime: &'static str,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

impl AssetBundle {
    /// The files under directory `root`.
    ///
    /// # Errors
    ///
    /// [`AssetError::Io`] if `root` does not exist or is not a directory.
    pub fn from_dir(root: impl AsRef<Path>) -> Result<Self, AssetError> {
        let root = root.as_ref();
        let io_error = |source| AssetError::Io {
            path: root.display().to_string(),
            source,
        };
        let canonical = root.canonicalize().map_err(io_error)?;
        if !canonical.is_dir() {
            return Err(io_error(io::Error::new(
                io::ErrorKind::NotADirectory,
                "an asset bundle must be a directory",
            )));
        }
        Ok(AssetBundle {
            source: Source::Dir(canonical),
        })
    }

    /// An empty in-memory bundle.
    pub fn in_memory() -> Self {
        AssetBundle {
            source: Source::Memory(BTreeMap::new()),
        }
    }

    /// Adds (or replaces) file `path` in an in-memory bundle; no effect on a directory bundle.
    ///
    /// # Errors
    ///
    /// [`AssetError::InvalidPath`] if `path` could never be requested (it is checked as a
    /// request would be).
    pub fn with_file(mut self, path: &str, bytes: impl Into<Vec<u8>>) -> Result<Self, AssetError> {
        let segments = decode_path(path)?;
        if let Source::Memory(files) = &mut self.source {
            files.insert(segments.join("/"), bytes.into());
        }
        Ok(self)
    }

    /// The file at `raw_path` (percent-encoded, as in a URI; empty means `index.html`).
    ///
    /// # Errors
    ///
    /// [`AssetError::InvalidPath`] for a path that is not a plain relative path inside the
    /// bundle, [`AssetError::NotFound`], or [`AssetError::Io`].
    pub fn get(&self, raw_path: &str) -> Result<Asset, AssetError> {
        let segments = if raw_path.is_empty() {
            vec!["index.html".to_owned()]
        } else {
            decode_path(raw_path)?
        };
        let path = segments.join("/");
        let not_found = || AssetError::NotFound { path: path.clone() };
        let bytes = match &self.source {
            Source::Memory(files) => files.get(&path).cloned().ok_or_else(not_found)?,
            Source::Dir(root) => {
                let joined = segments.iter().fold(root.clone(), |dir, s| dir.join(s));
                let resolved = match joined.canonicalize() {
                    Ok(resolved) => resolved,
                    Err(error) if error.kind() == io::ErrorKind::NotFound => {
                        return Err(not_found());
                    }
                    Err(source) => return Err(AssetError::Io { path, source }),
                };
                // A symlink inside the bundle must not lead out of it.
                if !resolved.starts_with(root) {
                    return Err(AssetError::InvalidPath {
                        path: raw_path.to_owned(),
                        reason: "it resolves (through a symlink) to a file outside the bundle",
                    });
                }
                if !resolved.is_file() {
                    return Err(not_found());
                }
                std::fs::read(&resolved).map_err(|source| AssetError::Io {
                    path: path.clone(),
                    source,
                })?
            }
        };
        Ok(Asset {
            mime: mime_type(&path),
            path,
            bytes,
        })
    }
}

/// Percent-decodes `raw` and splits it into checked segments.
fn decode_path(raw: &str) -> Result<Vec<String>, AssetError> {
    let invalid = |reason| AssetError::InvalidPath {
        path: raw.to_owned(),
        reason,
    };
    let bytes = raw.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        if byte == b'%' {
            let hex = bytes
                .get(index + 1..index + 3)
                .and_then(|pair| std::str::from_utf8(pair).ok())
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or_else(|| invalid("it has a `%` not followed by two hex digits"))?;
            decoded.push(hex);
            index += 3;
        } else {
            decoded.push(byte);
            index += 1;
        }
    }
    let decoded = String::from_utf8(decoded).map_err(|_| invalid("it does not decode to UTF-8"))?;
    if decoded.contains(['\\', '\0', ':']) {
        return Err(invalid("it contains `\\`, `:` or NUL"));
    }
    let mut segments = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" => return Err(invalid("it is absolute or has an empty segment")),
            "." | ".." => return Err(invalid("`.` and `..` segments would leave the bundle")),
            hidden if hidden.starts_with('.') => {
                return Err(invalid("hidden files are not served"));
            }
            _ => segments.push(segment.to_owned()),
        }
    }
    Ok(segments)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_in_any_spelling_is_refused() {
        let bundle = AssetBundle::in_memory().with_file("a.txt", "a").unwrap();
        for path in [
            "../secret",
            "a/../../secret",
            "%2e%2e/secret",
            "%2E%2E%2Fsecret",
            "..%2fsecret",
            "/etc/passwd",
            "%2fetc/passwd",
            "a\\..\\b",
            "a%5c..%5cb",
            "C:/x",
            "a%00.txt",
            "x//y",
            ".git/config",
            "bad%zz",
            "bad%2",
        ] {
            let error = bundle.get(path).unwrap_err();
            assert!(
                matches!(error, AssetError::InvalidPath { .. }),
                "{path}: {error}"
            );
        }
        assert_eq!(bundle.get("a.txt").unwrap().bytes, b"a");
        assert_eq!(bundle.get("%61.txt").unwrap().bytes, b"a");
    }
}
