//! Custom editors, like VS Code's: a view over a document of some file type.
//!
//! - [`DocumentModel`]: what the document is (text, a table, …), how it loads and saves,
//!   and how an edit applies (returning its inverse, which is what undo applies);
//! - [`Document`]: a model tied to a file, with undo/redo, dirty tracking, atomic save /
//!   save-as / revert, backups for hot exit, and detection of changes on disk;
//! - [`Editor`]: renders a model and turns view events into edits;
//!   [`EditorSession`] runs one over a [`Document`] and produces patches for the page;
//! - [`EditorRegistry`]: which editor opens which files.

mod atomic;
mod document;
mod error;
mod model;
mod registry;
mod session;

pub use atomic::write_atomically;
pub use document::Document;
pub use error::{DocumentError, ModelError};
pub use model::{DocumentModel, TextDocument, TextEdit};
pub use registry::{EditorRegistry, PatternError};
pub use session::{Editor, EditorError, EditorSession, EditorStatus};
