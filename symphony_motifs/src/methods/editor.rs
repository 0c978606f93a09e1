//! `editor/…`: custom editors over documents (open, edit, undo/redo, save, backups).
//!
//! A document opened by `editor/open` (or `editor/restore`) is named by the number in
//! [`Opened::document`] until `editor/close`. Files are read, saved and backed up only where
//! the host granted filesystem access.

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Method, PageResult};
use crate::bridge::BridgeEvent;
use crate::diff::Patch;
use crate::editor::EditorStatus;
use crate::page::BridgeTransport;

/// `editor/open`: opens a file in a custom editor.
#[derive(Debug)]
pub enum Open {}

impl Method for Open {
    const NAME: &'static str = "editor/open";
    type Params = OpenParams;
    type Result = Opened;
}

/// `editor/restore`: reopens a document from a backup `editor/backup` wrote.
#[derive(Debug)]
pub enum Restore {}

impl Method for Restore {
    const NAME: &'static str = "editor/restore";
    type Params = RestoreParams;
    type Result = Opened;
}

/// `editor/page`: a whole page showing an open document, with its bridge and policy.
#[derive(Debug)]
pub enum Page {}

impl Method for Page {
    const NAME: &'static str = "editor/page";
    type Params = PageParams;
    type Result = PageResult;
}

/// `editor/event`: a message the document's page sent; the edit it makes is applied.
#[derive(Debug)]
pub enum Event {}

impl Method for Event {
    const NAME: &'static str = "editor/event";
    type Params = EventParams;
    type Result = Edited;
}

/// `editor/edit`: applies an edit the host made (the editor's model's `Edit` type as JSON).
#[derive(Debug)]
pub enum Edit {}

impl Method for Edit {
    const NAME: &'static str = "editor/edit";
    type Params = EditParams;
    type Result = Edited;
}

/// `editor/undo`: undoes the last edit (no patches if there is none).
#[derive(Debug)]
pub enum Undo {}

impl Method for Undo {
    const NAME: &'static str = "editor/undo";
    type Params = DocumentParams;
    type Result = Edited;
}

/// `editor/redo`: redoes the last undone edit.
#[derive(Debug)]
pub enum Redo {}

impl Method for Redo {
    const NAME: &'static str = "editor/redo";
    type Params = DocumentParams;
    type Result = Edited;
}

/// `editor/revert`: reloads the file, dropping unsaved changes.
#[derive(Debug)]
pub enum Revert {}

impl Method for Revert {
    const NAME: &'static str = "editor/revert";
    type Params = DocumentParams;
    type Result = Edited;
}

/// `editor/save`: saves the document to its file, atomically.
#[derive(Debug)]
pub enum Save {}

impl Method for Save {
    const NAME: &'static str = "editor/save";
    type Params = SaveParams;
    type Result = EditorStatus;
}

/// `editor/saveAs`: saves the document to another file, which becomes its file.
#[derive(Debug)]
pub enum SaveAs {}

impl Method for SaveAs {
    const NAME: &'static str = "editor/saveAs";
    type Params = SaveAsParams;
    type Result = EditorStatus;
}

/// `editor/backup`: writes a backup for hot exit.
#[derive(Debug)]
pub enum Backup {}

impl Method for Backup {
    const NAME: &'static str = "editor/backup";
    type Params = BackupParams;
    type Result = BackupResult;
}

/// `editor/status`: whether the document is dirty, can undo or redo, changed on disk.
#[derive(Debug)]
pub enum Status {}

impl Method for Status {
    const NAME: &'static str = "editor/status";
    type Params = DocumentParams;
    type Result = EditorStatus;
}

/// `editor/close`: forgets an open document (unsaved changes are dropped).
#[derive(Debug)]
pub enum Close {}

impl Method for Close {
    const NAME: &'static str = "editor/close";
    type Params = DocumentParams;
    type Result = ();
}

/// The file to open (`editor/open`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OpenParams {
    /// The file, absolute or relative to a workspace root; it must be granted for reading.
    pub path: PathBuf,
    /// The editor to open it in; by default the first whose file patterns match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view_type: Option<String>,
}

impl OpenParams {
    /// Opens `path` in the editor its name matches.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        OpenParams {
            path: path.into(),
            view_type: None,
        }
    }

    /// In editor `view_type`, whatever the file's name.
    #[must_use]
    pub fn view_type(mut self, view_type: impl Into<String>) -> Self {
        self.view_type = Some(view_type.into());
        self
    }
}

/// The backup to reopen (`editor/restore`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RestoreParams {
    /// The backup file `editor/backup` wrote; it must be granted for reading, and so must
    /// the document's own file.
    pub backup: PathBuf,
    /// The editor that wrote it.
    pub view_type: String,
}

/// An open document (the result of `editor/open` and `editor/restore`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Opened {
    /// The document's number, for the other `editor/…` methods.
    pub document: u64,
    /// The editor it opened in.
    pub view_type: String,
    /// Its view as HTML (no page around it; `editor/page` gives the page).
    pub html: String,
    /// Its status.
    pub status: EditorStatus,
}

/// Names one open document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentParams {
    /// The number `editor/open` gave it.
    pub document: u64,
}

impl DocumentParams {
    /// Names document `document`.
    pub fn new(document: u64) -> Self {
        DocumentParams { document }
    }
}

/// Asks for a document's page (`editor/page`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    /// The document.
    pub document: u64,
    /// How the page's bridge sends events back.
    pub transport: BridgeTransport,
    /// Where the page links the default stylesheet, when the host serves it elsewhere than
    /// [`STYLESHEET_HREF`](crate::theme::STYLESHEET_HREF).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stylesheet: Option<String>,
}

impl PageParams {
    /// The page of document `document`, its bridge talking over `transport`.
    pub fn new(document: u64, transport: BridgeTransport) -> Self {
        PageParams {
            document,
            transport,
            stylesheet: None,
        }
    }
}

/// A message from a document's page (`editor/event`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventParams {
    /// The document.
    pub document: u64,
    /// The bridge's message exactly as the page sent it: JSON text of a
    /// [`BridgeMessage`](crate::bridge::BridgeMessage). It is untrusted and validated here.
    pub message: String,
}

impl EventParams {
    /// The message the page sends when `event` fires, for document `document`.
    pub fn new(document: u64, event: &BridgeEvent) -> Self {
        EventParams {
            document,
            message: event.to_message(),
        }
    }
}

/// An edit the host makes (`editor/edit`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EditParams {
    /// The document.
    pub document: u64,
    /// The edit: the editor's model's `Edit` type as JSON (for a
    /// [`TextDocument`](crate::editor::TextDocument), a [`TextEdit`](crate::editor::TextEdit)).
    pub edit: Value,
}

/// The document changed (the result of the editing methods).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Edited {
    /// The changes from the view the page showed to the new one (none if nothing changed).
    pub patches: Vec<Patch>,
    /// The document's status after the change.
    pub status: EditorStatus,
}

/// Saves a document (`editor/save`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveParams {
    /// The document; its file must be granted for writing.
    pub document: u64,
    /// Save even if the file changed on disk since it was loaded (otherwise that is refused
    /// with reason `changedOnDisk`).
    #[serde(default)]
    pub overwrite: bool,
}

impl SaveParams {
    /// Saves document `document`, refusing if its file changed on disk.
    pub fn new(document: u64) -> Self {
        SaveParams {
            document,
            overwrite: false,
        }
    }
}

/// Saves a document to another file (`editor/saveAs`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveAsParams {
    /// The document.
    pub document: u64,
    /// The new file; it must be granted for writing.
    pub path: PathBuf,
}

/// Backs a document up (`editor/backup`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupParams {
    /// The document.
    pub document: u64,
    /// The directory to write the backup in; it must be granted for writing.
    pub dir: PathBuf,
}

/// Where a backup was written (the result of `editor/backup`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct BackupResult {
    /// The backup file, for `editor/restore`.
    pub backup: PathBuf,
}
