//! Which custom editor opens which file.

use std::path::Path;

use globset::{Glob, GlobSet, GlobSetBuilder};

/// Editors (by view type) and the file patterns they open, first registered wins.
///
/// A pattern without `/` matches the file name (`*.csv`); one with `/` matches the whole
/// path (`**/data/*.csv`).
///
/// ```
/// use symphony_motifs::editor::EditorRegistry;
///
/// let registry = EditorRegistry::new().register("acme.csv", ["*.csv", "*.tsv"]).unwrap();
/// assert_eq!(registry.editor_for("/data/sales.CSV".as_ref()), None);
/// assert_eq!(registry.editor_for("/data/sales.csv".as_ref()), Some("acme.csv"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct EditorRegistry {
    editors: Vec<(String, GlobSet, GlobSet)>,
}

/// A file pattern that is not a valid glob.
#[derive(Debug, thiserror::Error)]
#[error("file pattern `{pattern}` of editor `{view_type}` is not a valid glob: {source}")]
pub struct PatternError {
    view_type: String,
    pattern: String,
    source: globset::Error,
}

impl EditorRegistry {
    /// No editors.
    pub fn new() -> Self {
        EditorRegistry::default()
    }

    /// Registers editor `view_type` for `patterns`.
    ///
    /// # Errors
    ///
    /// A [`PatternError`] naming the invalid pattern.
    pub fn register<I, S>(mut self, view_type: &str, patterns: I) -> Result<Self, PatternError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut names = GlobSetBuilder::new();
        let mut paths = GlobSetBuilder::new();
        for pattern in patterns {
            let pattern = pattern.as_ref();
            let glob = Glob::new(pattern).map_err(|source| PatternError {
                view_type: view_type.to_owned(),
                pattern: pattern.to_owned(),
                source,
            })?;
            if pattern.contains('/') {
                paths.add(glob);
            } else {
                names.add(glob);
            }
        }
        let build = |builder: GlobSetBuilder| builder.build().unwrap_or_else(|_| GlobSet::empty());
        self.editors
            .push((view_type.to_owned(), build(names), build(paths)));
        Ok(self)
    }

    /// The editor for `path`, if one is registered.
    pub fn editor_for(&self, path: &Path) -> Option<&str> {
        let name = path.file_name().map(Path::new);
        self.editors
            .iter()
            .find(|(_, names, paths)| {
                name.is_some_and(|name| names.is_match(name)) || paths.is_match(path)
            })
            .map(|(view_type, _, _)| view_type.as_str())
    }
}
