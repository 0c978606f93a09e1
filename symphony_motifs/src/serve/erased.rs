//! Motifs and editors of different types behind one interface, so one server hosts many.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::diff::Patch;
use crate::editor::{Document, DocumentModel, Editor, EditorError, EditorSession, EditorStatus};
use crate::motif::{Event, Motif, Placement};
use crate::runtime::{MotifError, MotifInstance, Update};
use crate::view::View;

/// A running motif, whatever its state type.
pub(crate) trait Component: Send {
    fn placement(&self) -> Placement;
    fn view(&self) -> &View;
    fn handle_message(&mut self, message: &[u8]) -> Result<Update, MotifError>;
    /// Host-initiated updates; only the Tauri plugin starts those today.
    #[cfg_attr(not(feature = "tauri"), allow(dead_code))]
    fn dispatch(&mut self, event: &Event) -> Result<Update, MotifError>;
    fn save_state(&self) -> Result<Value, MotifError>;
    fn restore_state(&mut self, state: Value) -> Result<Vec<Patch>, MotifError>;
}

impl<M: Motif> Component for MotifInstance<M> {
    fn placement(&self) -> Placement {
        self.motif().placement()
    }
    fn view(&self) -> &View {
        MotifInstance::view(self)
    }
    fn handle_message(&mut self, message: &[u8]) -> Result<Update, MotifError> {
        MotifInstance::handle_message(self, message)
    }
    fn dispatch(&mut self, event: &Event) -> Result<Update, MotifError> {
        MotifInstance::dispatch(self, event)
    }
    fn save_state(&self) -> Result<Value, MotifError> {
        MotifInstance::save_state(self)
    }
    fn restore_state(&mut self, state: Value) -> Result<Vec<Patch>, MotifError> {
        MotifInstance::restore_state(self, state)
    }
}

/// An open document shown like a motif (the Tauri plugin's documents): the page's events
/// edit it, and the host's commands are `save`, `undo`, `redo` and `revert`.
#[cfg_attr(not(feature = "tauri"), allow(dead_code))]
pub(crate) struct DocumentComponent<E: Editor>(pub(crate) EditorSession<E>);

/// An editor's error as a motif's: the document's own errors keep their type.
fn motif_error(error: EditorError) -> MotifError {
    match error {
        EditorError::Motif(error) => error,
        EditorError::Document(error) => MotifError::Document(error),
    }
}

impl<E: Editor> Component for DocumentComponent<E> {
    fn placement(&self) -> Placement {
        Placement::Editor
    }
    fn view(&self) -> &View {
        self.0.view()
    }
    fn handle_message(&mut self, message: &[u8]) -> Result<Update, MotifError> {
        let patches = self.0.handle_message(message).map_err(motif_error)?;
        Ok(Update {
            patches,
            ..Update::default()
        })
    }
    fn dispatch(&mut self, event: &Event) -> Result<Update, MotifError> {
        let patches = match event.handler.as_str() {
            "save" => self.0.save().map(|()| Vec::new()),
            "undo" => self.0.undo(),
            "redo" => self.0.redo(),
            "revert" => self.0.revert(),
            other => return Err(MotifError::UnknownCommand(other.to_owned())),
        }
        .map_err(motif_error)?;
        Ok(Update {
            patches,
            ..Update::default()
        })
    }
    fn save_state(&self) -> Result<Value, MotifError> {
        Err(MotifError::State(
            "an open document keeps no motif state: save the document".to_owned(),
        ))
    }
    fn restore_state(&mut self, _: Value) -> Result<Vec<Patch>, MotifError> {
        Err(MotifError::State(
            "an open document keeps no motif state: revert or open it again".to_owned(),
        ))
    }
}

/// An open editor, whatever its document type.
pub(super) trait OpenEditor: Send {
    fn view(&self) -> &View;
    fn status(&self) -> Result<EditorStatus, EditorError>;
    fn handle_message(&mut self, message: &[u8]) -> Result<Vec<Patch>, EditorError>;
    /// `Err(None)`: `edit` is not an edit of this document type.
    fn edit(&mut self, edit: Value) -> Result<Vec<Patch>, Result<EditorError, String>>;
    fn undo(&mut self) -> Result<Vec<Patch>, EditorError>;
    fn redo(&mut self) -> Result<Vec<Patch>, EditorError>;
    fn revert(&mut self) -> Result<Vec<Patch>, EditorError>;
    fn save(&mut self, overwrite: bool) -> Result<(), EditorError>;
    fn save_as(&mut self, path: PathBuf) -> Result<(), EditorError>;
    fn backup(&self, dir: &Path) -> Result<PathBuf, EditorError>;
}

impl<E: Editor> OpenEditor for EditorSession<E> {
    fn view(&self) -> &View {
        EditorSession::view(self)
    }
    fn status(&self) -> Result<EditorStatus, EditorError> {
        EditorSession::status(self)
    }
    fn handle_message(&mut self, message: &[u8]) -> Result<Vec<Patch>, EditorError> {
        EditorSession::handle_message(self, message)
    }
    fn edit(&mut self, edit: Value) -> Result<Vec<Patch>, Result<EditorError, String>> {
        let edit: <E::Model as DocumentModel>::Edit =
            serde_json::from_value(edit).map_err(|error| Err(error.to_string()))?;
        EditorSession::edit(self, &edit).map_err(Ok)
    }
    fn undo(&mut self) -> Result<Vec<Patch>, EditorError> {
        EditorSession::undo(self)
    }
    fn redo(&mut self) -> Result<Vec<Patch>, EditorError> {
        EditorSession::redo(self)
    }
    fn revert(&mut self) -> Result<Vec<Patch>, EditorError> {
        EditorSession::revert(self)
    }
    fn save(&mut self, overwrite: bool) -> Result<(), EditorError> {
        if overwrite {
            EditorSession::save_overwriting(self)
        } else {
            EditorSession::save(self)
        }
    }
    fn save_as(&mut self, path: PathBuf) -> Result<(), EditorError> {
        EditorSession::save_as(self, path)
    }
    fn backup(&self, dir: &Path) -> Result<PathBuf, EditorError> {
        EditorSession::backup(self, dir)
    }
}

/// Opens documents for one editor type.
pub(super) trait EditorFactory: Send + Sync {
    fn open(&self, path: &Path) -> Result<Box<dyn OpenEditor>, EditorError>;
    fn restore(&self, backup: &Path) -> Result<Box<dyn OpenEditor>, EditorError>;
}

impl<E: Editor + Clone> EditorFactory for E {
    fn open(&self, path: &Path) -> Result<Box<dyn OpenEditor>, EditorError> {
        Ok(Box::new(EditorSession::open(self.clone(), path)?))
    }
    fn restore(&self, backup: &Path) -> Result<Box<dyn OpenEditor>, EditorError> {
        let document = Document::restore(backup)?;
        Ok(Box::new(EditorSession::with_document(
            self.clone(),
            document,
        )?))
    }
}
