//! The searched texts: every `*.txt` file under a folder, embedded once, each read only if
//! the host granted it.

use std::path::{Path, PathBuf};

use symphony_instruments::InstrumentError;
use symphony_instruments::permission::{FsAccess, Policy, require_path};

use crate::Embedder;

/// The embedded files of a folder.
pub struct Corpus {
    /// Each file's path relative to the folder, and its embedding.
    files: Vec<(PathBuf, Vec<f32>)>,
}

impl Corpus {
    /// Embeds every `*.txt` file under `folder` (subfolders too), in path order.
    ///
    /// # Errors
    ///
    /// A file or folder is not granted or cannot be read (named), or the model fails.
    pub fn embed(
        folder: &Path,
        embedder: &Embedder,
        policy: &Policy,
    ) -> Result<Self, InstrumentError> {
        let mut paths = Vec::new();
        collect(folder, &mut paths)?;
        paths.sort();
        let mut files = Vec::with_capacity(paths.len());
        for path in paths {
            let granted = require_path(policy, &path, FsAccess::Read)?;
            let text = std::fs::read_to_string(granted.as_path()).map_err(|error| {
                InstrumentError::invalid_input(format!("cannot read `{}`: {error}", path.display()))
            })?;
            let relative = path.strip_prefix(folder).unwrap_or(&path).to_path_buf();
            files.push((relative, embedder.embed(&text)?));
        }
        Ok(Corpus { files })
    }

    /// How many files were embedded.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether the folder had no text files.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The `top` files most similar to `query` (a unit vector), best first, with their
    /// cosine similarity.
    pub fn nearest(&self, query: &[f32], top: usize) -> Vec<(f32, &Path)> {
        let mut scored: Vec<(f32, &Path)> = self
            .files
            .iter()
            .map(|(path, vector)| (dot(query, vector), path.as_path()))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        scored.truncate(top);
        scored
    }
}

/// The cosine similarity of two unit vectors.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The `*.txt` files under `dir`; listing a folder needs the same grant as reading it.
fn collect(dir: &Path, paths: &mut Vec<PathBuf>) -> Result<(), InstrumentError> {
    let entries = std::fs::read_dir(dir).map_err(|error| {
        InstrumentError::invalid_input(format!("cannot list `{}`: {error}", dir.display()))
    })?;
    for entry in entries {
        let entry = entry.map_err(|error| {
            InstrumentError::invalid_input(format!("cannot list `{}`: {error}", dir.display()))
        })?;
        let path = entry.path();
        let kind = entry.file_type().map_err(|error| {
            InstrumentError::invalid_input(format!("cannot stat `{}`: {error}", path.display()))
        })?;
        if kind.is_dir() {
            collect(&path, paths)?;
        } else if kind.is_file() && path.extension().is_some_and(|ext| ext == "txt") {
            paths.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_files_come_first_and_ties_by_path() {
        let corpus = Corpus {
            files: vec![
                (PathBuf::from("b.txt"), vec![1.0, 0.0]),
                (PathBuf::from("a.txt"), vec![1.0, 0.0]),
                (PathBuf::from("c.txt"), vec![0.0, 1.0]),
            ],
        };
        let nearest = corpus.nearest(&[0.0, 1.0], 2);
        assert_eq!(nearest[0], (1.0, Path::new("c.txt")));
        assert_eq!(nearest[1], (0.0, Path::new("a.txt")));
    }
}
