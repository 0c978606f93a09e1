//! A model tied to a file: history, dirty state, saving and the file on disk.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use symphony_core::permission::{NormalizedPath, open_no_follow};

use super::atomic::write_atomically;
use super::error::DocumentError;
use super::model::DocumentModel;

/// An open document: its file, its model, its undo/redo history and what is on disk.
///
/// Every state of the model has an id; the document is dirty when the current id is not
/// the id of the last state saved or loaded, so undoing back to the saved state makes it
/// clean again.
///
/// ```
/// use symphony_motifs::editor::{Document, TextDocument, TextEdit};
///
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("a.txt");
/// std::fs::write(&path, "hello").unwrap();
/// let mut doc = Document::<TextDocument>::open(&path).unwrap();
/// doc.edit(&TextEdit::insert(5, " world")).unwrap();
/// assert!(doc.is_dirty());
/// doc.save().unwrap();
/// assert_eq!(std::fs::read_to_string(&path).unwrap(), "hello world");
/// doc.undo().unwrap();
/// assert!(doc.is_dirty());
/// ```
pub struct Document<M: DocumentModel> {
    path: PathBuf,
    model: M,
    undo: Vec<(M::Edit, u64)>,
    redo: Vec<(M::Edit, u64)>,
    state: u64,
    next_state: u64,
    saved_state: Option<u64>,
    /// The file as this document last read or wrote it; `None` if it did not exist.
    disk: Option<DiskStamp>,
}

/// Enough of a file's content to tell whether someone else changed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct DiskStamp {
    len: u64,
    fnv1a: u64,
}

impl DiskStamp {
    fn of(bytes: &[u8]) -> Self {
        // FNV-1a: stable across Rust versions, so stamps in backups stay comparable.
        let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
        });
        DiskStamp {
            len: bytes.len() as u64,
            fnv1a: hash,
        }
    }

    fn read(path: &Path) -> io::Result<Option<DiskStamp>> {
        match fs::read(path) {
            Ok(bytes) => Ok(Some(DiskStamp::of(&bytes))),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }
}

/// The first line of a backup file; the document's bytes follow it.
#[derive(Serialize, Deserialize)]
struct BackupHeader {
    format: String,
    path: PathBuf,
    disk: Option<DiskStamp>,
}

const BACKUP_FORMAT: &str = "symphony-document-backup/1";

impl<M: DocumentModel> Document<M> {
    /// Opens the file at `path`.
    ///
    /// # Errors
    ///
    /// [`DocumentError::Io`] if it cannot be read, [`DocumentError::Load`] if the model
    /// refuses its content.
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, DocumentError> {
        let path = resolve(&path.into(), "read")?;
        let bytes = read_no_follow(&path).map_err(|source| DocumentError::Io {
            action: "read",
            path: path.as_path().to_path_buf(),
            source,
        })?;
        let path = path.into_path_buf();
        let model = M::load(&bytes).map_err(|source| DocumentError::Load {
            path: path.clone(),
            source,
        })?;
        Ok(Document {
            path,
            model,
            undo: Vec::new(),
            redo: Vec::new(),
            state: 0,
            next_state: 1,
            saved_state: Some(0),
            disk: Some(DiskStamp::of(&bytes)),
        })
    }

    /// The file the document saves to: its real path (`..` and symbolic links resolved when
    /// the document was opened, restored or saved as), which is what a host checks and
    /// exactly what a save writes. Saving follows no link: if a component of this path has
    /// become a link since, the save fails and nothing is written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The content.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// Whether the content differs from the file as last saved or loaded.
    pub fn is_dirty(&self) -> bool {
        self.saved_state != Some(self.state)
    }

    /// Whether there is an edit to undo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Whether there is an undone edit to redo.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Applies `edit`; clears the redo history.
    ///
    /// # Errors
    ///
    /// [`DocumentError::Edit`] if the model refuses it (nothing changes).
    pub fn edit(&mut self, edit: &M::Edit) -> Result<(), DocumentError> {
        let inverse = self.model.apply(edit).map_err(DocumentError::Edit)?;
        self.undo.push((inverse, self.state));
        self.redo.clear();
        self.state = self.next_state;
        self.next_state += 1;
        Ok(())
    }

    /// Undoes the last edit; `false` if there was none.
    ///
    /// # Errors
    ///
    /// [`DocumentError::Edit`] if the model refuses the inverse (a model bug; the history
    /// is kept as it was).
    pub fn undo(&mut self) -> Result<bool, DocumentError> {
        Self::step(
            &mut self.model,
            &mut self.undo,
            &mut self.redo,
            &mut self.state,
        )
    }

    /// Redoes the last undone edit; `false` if there was none.
    ///
    /// # Errors
    ///
    /// As for [`undo`](Self::undo).
    pub fn redo(&mut self) -> Result<bool, DocumentError> {
        Self::step(
            &mut self.model,
            &mut self.redo,
            &mut self.undo,
            &mut self.state,
        )
    }

    fn step(
        model: &mut M,
        from: &mut Vec<(M::Edit, u64)>,
        to: &mut Vec<(M::Edit, u64)>,
        state: &mut u64,
    ) -> Result<bool, DocumentError> {
        let Some((edit, target_state)) = from.pop() else {
            return Ok(false);
        };
        match model.apply(&edit) {
            Ok(inverse) => {
                to.push((inverse, *state));
                *state = target_state;
                Ok(true)
            }
            Err(error) => {
                from.push((edit, target_state));
                Err(DocumentError::Edit(error))
            }
        }
    }

    /// Whether the file on disk differs from what this document last read or wrote
    /// (including having been deleted or created).
    ///
    /// # Errors
    ///
    /// [`DocumentError::Io`] if the file exists but cannot be read.
    pub fn changed_on_disk(&self) -> Result<bool, DocumentError> {
        let now = DiskStamp::read(&self.path).map_err(|source| DocumentError::Io {
            action: "check",
            path: self.path.clone(),
            source,
        })?;
        Ok(now != self.disk)
    }

    /// Saves to the document's file, atomically.
    ///
    /// # Errors
    ///
    /// [`DocumentError::ChangedOnDisk`] if someone else changed the file (nothing is
    /// written), [`DocumentError::Io`] if writing fails (the file keeps its old content and
    /// the document stays dirty), [`DocumentError::Edit`] if the model cannot serialise.
    pub fn save(&mut self) -> Result<(), DocumentError> {
        if self.changed_on_disk()? {
            return Err(DocumentError::ChangedOnDisk {
                path: self.path.clone(),
            });
        }
        self.save_overwriting()
    }

    /// Saves to the document's file even if it changed on disk.
    ///
    /// # Errors
    ///
    /// As for [`save`](Self::save), without the on-disk check.
    pub fn save_overwriting(&mut self) -> Result<(), DocumentError> {
        let path = self.path.clone();
        self.write_to(&path)
    }

    /// Saves to `path`, which becomes the document's file.
    ///
    /// # Errors
    ///
    /// As for [`save_overwriting`](Self::save_overwriting); on error the document keeps its
    /// old file.
    pub fn save_as(&mut self, path: impl Into<PathBuf>) -> Result<(), DocumentError> {
        let path = resolve(&path.into(), "save")?.into_path_buf();
        self.write_to(&path)?;
        self.path = path;
        Ok(())
    }

    fn write_to(&mut self, path: &Path) -> Result<(), DocumentError> {
        let bytes = self.model.save().map_err(DocumentError::Edit)?;
        write_atomically(path, &bytes).map_err(|source| DocumentError::Io {
            action: "save",
            path: path.to_path_buf(),
            source,
        })?;
        self.disk = Some(DiskStamp::of(&bytes));
        self.saved_state = Some(self.state);
        Ok(())
    }

    /// Reloads the file, dropping unsaved changes and the history.
    ///
    /// # Errors
    ///
    /// As for [`open`](Self::open); on error the document is unchanged.
    pub fn revert(&mut self) -> Result<(), DocumentError> {
        *self = Self::open(self.path.clone())?;
        Ok(())
    }

    /// Writes the current content to a backup file in `dir` (for hot exit) and returns its
    /// path. The name is derived from the document's path, so a newer backup replaces an
    /// older one.
    ///
    /// # Errors
    ///
    /// [`DocumentError::Io`] if the backup cannot be written, [`DocumentError::Edit`] if the
    /// model cannot serialise.
    pub fn backup(&self, dir: &Path) -> Result<PathBuf, DocumentError> {
        let header = BackupHeader {
            format: BACKUP_FORMAT.to_owned(),
            path: self.path.clone(),
            disk: self.disk,
        };
        let mut bytes = serde_json::to_vec(&header).map_err(|error| {
            DocumentError::Edit(super::ModelError::new(format!(
                "cannot write the backup header: {error}"
            )))
        })?;
        bytes.push(b'\n');
        bytes.extend(self.model.save().map_err(DocumentError::Edit)?);
        let name = format!(
            "{:016x}.backup",
            DiskStamp::of(self.path.as_os_str().as_encoded_bytes()).fnv1a
        );
        let backup = resolve(dir, "write backup")?.as_path().join(name);
        write_atomically(&backup, &bytes).map_err(|source| DocumentError::Io {
            action: "write backup",
            path: backup.clone(),
            source,
        })?;
        Ok(backup)
    }

    /// Reopens a document from a backup: its unsaved content, dirty, with changes to the
    /// file since the backup still detected.
    ///
    /// # Errors
    ///
    /// [`DocumentError::InvalidBackup`] if the file is not a backup,
    /// [`DocumentError::Io`], or [`DocumentError::Load`].
    pub fn restore(backup: &Path) -> Result<Self, DocumentError> {
        let invalid = |reason: String| DocumentError::InvalidBackup {
            path: backup.to_path_buf(),
            reason,
        };
        let bytes = fs::read(backup).map_err(|source| DocumentError::Io {
            action: "read backup",
            path: backup.to_path_buf(),
            source,
        })?;
        let newline = bytes
            .iter()
            .position(|b| *b == b'\n')
            .ok_or_else(|| invalid("it has no header line".to_owned()))?;
        let (header, content) = bytes.split_at(newline);
        let header: BackupHeader = serde_json::from_slice(header)
            .map_err(|error| invalid(format!("its header is not valid: {error}")))?;
        if header.format != BACKUP_FORMAT {
            return Err(invalid(format!(
                "format `{}`, expected `{BACKUP_FORMAT}`",
                header.format
            )));
        }
        // The header names the file as it was spelled then; the document saves to its real
        // path now, the one a host will check.
        let path = resolve(&header.path, "restore")?.into_path_buf();
        let content = content.get(1..).unwrap_or_default();
        let model = M::load(content).map_err(|source| DocumentError::Load {
            path: backup.to_path_buf(),
            source,
        })?;
        Ok(Document {
            path,
            model,
            undo: Vec::new(),
            redo: Vec::new(),
            state: 0,
            next_state: 1,
            saved_state: None,
            disk: header.disk,
        })
    }
}

/// The real path of `path` (`..` and symbolic links resolved, as a host's permission check
/// resolves it).
fn resolve(path: &Path, action: &'static str) -> Result<NormalizedPath, DocumentError> {
    NormalizedPath::new(path).map_err(|error| DocumentError::Io {
        action,
        path: path.to_path_buf(),
        source: io::Error::new(io::ErrorKind::InvalidInput, error),
    })
}

fn read_no_follow(path: &NormalizedPath) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    io::Read::read_to_end(&mut open_no_follow(path)?, &mut bytes)?;
    Ok(bytes)
}
