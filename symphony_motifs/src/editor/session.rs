//! A custom editor running over one document: events → edits → patches.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::document::Document;
use super::error::{DocumentError, ModelError};
use super::model::DocumentModel;
use crate::bridge::{BridgeEvent, BridgeLimits, parse_message};
use crate::diff::{Patch, diff};
use crate::motif::Event;
use crate::runtime::{MotifError, resolve};
use crate::view::{Node, View};

/// A custom editor: how a document of its type looks, and which edit a view event makes.
pub trait Editor: Send + Sync + 'static {
    /// The document type it edits.
    type Model: DocumentModel;

    /// The view of `model`.
    fn render(&self, model: &Self::Model) -> Node;

    /// The edit that view event `event` makes, or `None` if it changes nothing.
    ///
    /// # Errors
    ///
    /// A [`ModelError`] for an event whose data makes no valid edit.
    fn edit_for(
        &self,
        model: &Self::Model,
        event: &Event,
    ) -> Result<Option<<Self::Model as DocumentModel>::Edit>, ModelError>;
}

/// One open editor: the editor, its document, and the view the page shows.
pub struct EditorSession<E: Editor> {
    editor: E,
    document: Document<E::Model>,
    view: View,
    limits: BridgeLimits,
}

/// What the host shows about an open document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EditorStatus {
    /// The document's file.
    pub path: PathBuf,
    /// Unsaved changes.
    pub dirty: bool,
    /// There is an edit to undo.
    pub can_undo: bool,
    /// There is an undone edit to redo.
    pub can_redo: bool,
    /// The file changed on disk since it was loaded or saved.
    pub changed_on_disk: bool,
}

/// Why an editor operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EditorError {
    /// The document operation failed.
    #[error(transparent)]
    Document(#[from] DocumentError),
    /// The page's event was refused, or the view is invalid.
    #[error(transparent)]
    Motif(#[from] MotifError),
}

impl<E: Editor> EditorSession<E> {
    /// Opens `path` in `editor`.
    ///
    /// # Errors
    ///
    /// [`EditorError::Document`] if the file cannot be opened, [`EditorError::Motif`] if
    /// the first render is invalid.
    pub fn open(editor: E, path: impl Into<PathBuf>) -> Result<Self, EditorError> {
        let document = Document::open(path)?;
        Self::with_document(editor, document)
    }

    /// Runs `editor` over an already open (or restored) document.
    ///
    /// # Errors
    ///
    /// [`EditorError::Motif`] if the render is invalid.
    pub fn with_document(editor: E, document: Document<E::Model>) -> Result<Self, EditorError> {
        let view = View::new(editor.render(document.model())).map_err(MotifError::from)?;
        Ok(EditorSession {
            editor,
            document,
            view,
            limits: BridgeLimits::default(),
        })
    }

    /// The document.
    pub fn document(&self) -> &Document<E::Model> {
        &self.document
    }

    /// The view the page shows.
    pub fn view(&self) -> &View {
        &self.view
    }

    /// The current view as HTML.
    pub fn html(&self) -> String {
        self.view.to_html()
    }

    /// Dirty, undo/redo availability and on-disk changes.
    ///
    /// # Errors
    ///
    /// [`EditorError::Document`] if the file exists but cannot be read.
    pub fn status(&self) -> Result<EditorStatus, EditorError> {
        Ok(EditorStatus {
            path: self.document.path().to_path_buf(),
            dirty: self.document.is_dirty(),
            can_undo: self.document.can_undo(),
            can_redo: self.document.can_redo(),
            changed_on_disk: self.document.changed_on_disk()?,
        })
    }

    /// Applies `edit` and returns the patches for the page.
    ///
    /// # Errors
    ///
    /// [`EditorError::Document`] if the model refuses it.
    pub fn edit(
        &mut self,
        edit: &<E::Model as DocumentModel>::Edit,
    ) -> Result<Vec<Patch>, EditorError> {
        self.document.edit(edit)?;
        self.rerender()
    }

    /// Validates a raw message from the page, turns it into an edit and applies it.
    ///
    /// # Errors
    ///
    /// See [`handle`](Self::handle); also a refused message.
    pub fn handle_message(&mut self, message: &[u8]) -> Result<Vec<Patch>, EditorError> {
        let event = parse_message(message, &self.limits).map_err(MotifError::from)?;
        self.handle(&event)
    }

    /// Resolves `event` against the view's bindings and applies the edit it makes.
    ///
    /// # Errors
    ///
    /// [`EditorError::Motif`] for an event with no binding, [`EditorError::Document`] for
    /// an edit the model refuses.
    pub fn handle(&mut self, event: &BridgeEvent) -> Result<Vec<Patch>, EditorError> {
        let event = resolve(&self.view, event)?;
        match self
            .editor
            .edit_for(self.document.model(), &event)
            .map_err(DocumentError::Edit)?
        {
            Some(edit) => self.edit(&edit),
            None => Ok(Vec::new()),
        }
    }

    /// Undoes the last edit; the patches for the page (none if there was nothing to undo).
    ///
    /// # Errors
    ///
    /// As for [`Document::undo`].
    pub fn undo(&mut self) -> Result<Vec<Patch>, EditorError> {
        if self.document.undo()? {
            self.rerender()
        } else {
            Ok(Vec::new())
        }
    }

    /// Redoes the last undone edit; the patches for the page.
    ///
    /// # Errors
    ///
    /// As for [`Document::redo`].
    pub fn redo(&mut self) -> Result<Vec<Patch>, EditorError> {
        if self.document.redo()? {
            self.rerender()
        } else {
            Ok(Vec::new())
        }
    }

    /// Saves (refusing if the file changed on disk).
    ///
    /// # Errors
    ///
    /// As for [`Document::save`].
    pub fn save(&mut self) -> Result<(), EditorError> {
        Ok(self.document.save()?)
    }

    /// Saves even if the file changed on disk.
    ///
    /// # Errors
    ///
    /// As for [`Document::save_overwriting`].
    pub fn save_overwriting(&mut self) -> Result<(), EditorError> {
        Ok(self.document.save_overwriting()?)
    }

    /// Saves to `path`, which becomes the document's file.
    ///
    /// # Errors
    ///
    /// As for [`Document::save_as`].
    pub fn save_as(&mut self, path: impl Into<PathBuf>) -> Result<(), EditorError> {
        Ok(self.document.save_as(path)?)
    }

    /// Reloads the file, dropping unsaved changes; the patches for the page.
    ///
    /// # Errors
    ///
    /// As for [`Document::revert`].
    pub fn revert(&mut self) -> Result<Vec<Patch>, EditorError> {
        self.document.revert()?;
        self.rerender()
    }

    /// Writes a backup for hot exit into `dir`.
    ///
    /// # Errors
    ///
    /// As for [`Document::backup`].
    pub fn backup(&self, dir: &Path) -> Result<PathBuf, EditorError> {
        Ok(self.document.backup(dir)?)
    }

    fn rerender(&mut self) -> Result<Vec<Patch>, EditorError> {
        let view =
            View::new(self.editor.render(self.document.model())).map_err(MotifError::from)?;
        let patches = diff(&self.view, &view);
        self.view = view;
        Ok(patches)
    }
}
