//! What a motif author needs, in one import: `use symphony_motifs::prelude::*;`.
//!
//! Free of name clashes with the other kinds' preludes, so that the umbrella `symphony`
//! can glob all three.

pub use crate::editor::{Document, DocumentModel, Editor, TextDocument, TextEdit};
pub use crate::motif::{Effects, Event, Motif, Placement};
pub use crate::serve::{MotifServer, Motifs};
/// Imported for its methods only (`app.motifs()` …), so it cannot clash with a name of yours.
#[cfg(feature = "tauri")]
pub use crate::tauri_plugin::MotifsExt as _;
pub use crate::view::{Node, el, text};
