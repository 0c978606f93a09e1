//! What a document is: bytes in, bytes out, and invertible edits.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::error::ModelError;

/// The content of a document and the edits it accepts.
///
/// `apply` returns the inverse of the edit it applied: undo applies that inverse, and the
/// inverse of the inverse is what redo applies. A model never needs to copy itself.
pub trait DocumentModel: Sized + Send + 'static {
    /// One edit, serialisable so a host or a page can send it.
    type Edit: Serialize + DeserializeOwned + Clone + Send;

    /// Parses a file's bytes.
    ///
    /// # Errors
    ///
    /// A [`ModelError`] saying where the bytes are invalid.
    fn load(bytes: &[u8]) -> Result<Self, ModelError>;

    /// The bytes to write when saving.
    ///
    /// # Errors
    ///
    /// A [`ModelError`] if the content cannot be written in this format.
    fn save(&self) -> Result<Vec<u8>, ModelError>;

    /// Applies `edit` and returns its inverse; on error the model is unchanged.
    ///
    /// # Errors
    ///
    /// A [`ModelError`] if the edit does not fit the content.
    fn apply(&mut self, edit: &Self::Edit) -> Result<Self::Edit, ModelError>;
}

/// A UTF-8 text document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextDocument {
    text: String,
}

/// Replace `delete` bytes at byte `offset` with `insert`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextEdit {
    /// Byte offset of the change (on a character boundary).
    pub offset: usize,
    /// Bytes removed from `offset` (ending on a character boundary).
    pub delete: usize,
    /// Text inserted at `offset`.
    pub insert: String,
}

impl TextEdit {
    /// Inserts `text` at `offset`.
    pub fn insert(offset: usize, text: impl Into<String>) -> Self {
        TextEdit {
            offset,
            delete: 0,
            insert: text.into(),
        }
    }

    /// Deletes `len` bytes at `offset`.
    pub fn delete(offset: usize, len: usize) -> Self {
        TextEdit {
            offset,
            delete: len,
            insert: String::new(),
        }
    }
}

impl TextDocument {
    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl DocumentModel for TextDocument {
    type Edit = TextEdit;

    fn load(bytes: &[u8]) -> Result<Self, ModelError> {
        let text = std::str::from_utf8(bytes)
            .map_err(|error| ModelError::new(format!("not UTF-8 text: {error}")))?;
        Ok(TextDocument {
            text: text.to_owned(),
        })
    }

    fn save(&self) -> Result<Vec<u8>, ModelError> {
        Ok(self.text.as_bytes().to_vec())
    }

    fn apply(&mut self, edit: &TextEdit) -> Result<TextEdit, ModelError> {
        let end = edit
            .offset
            .checked_add(edit.delete)
            .filter(|end| *end <= self.text.len())
            .ok_or_else(|| {
                ModelError::new(format!(
                    "edit at byte {} deleting {} bytes runs past the end of the text ({} bytes)",
                    edit.offset,
                    edit.delete,
                    self.text.len()
                ))
            })?;
        if !self.text.is_char_boundary(edit.offset) || !self.text.is_char_boundary(end) {
            return Err(ModelError::new(format!(
                "edit range {}..{end} splits a UTF-8 character",
                edit.offset
            )));
        }
        let removed: String = self.text.drain(edit.offset..end).collect();
        self.text.insert_str(edit.offset, &edit.insert);
        Ok(TextEdit {
            offset: edit.offset,
            delete: edit.insert.len(),
            insert: removed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_and_its_inverse_round_trip() {
        let mut doc = TextDocument::load("héllo world".as_bytes()).unwrap();
        let inverse = doc
            .apply(&TextEdit {
                offset: 0,
                delete: 6,
                insert: "goodbye".into(),
            })
            .unwrap();
        assert_eq!(doc.text(), "goodbye world");
        let redo = doc.apply(&inverse).unwrap();
        assert_eq!(doc.text(), "héllo world");
        doc.apply(&redo).unwrap();
        assert_eq!(doc.text(), "goodbye world");
    }

    #[test]
    fn edits_that_do_not_fit_are_refused_and_change_nothing() {
        let mut doc = TextDocument::load("héllo".as_bytes()).unwrap();
        assert!(
            doc.apply(&TextEdit::delete(2, 1))
                .unwrap_err()
                .0
                .contains("splits")
        );
        assert!(
            doc.apply(&TextEdit::delete(3, usize::MAX))
                .unwrap_err()
                .0
                .contains("past the end")
        );
        assert!(doc.apply(&TextEdit::insert(99, "x")).is_err());
        assert_eq!(doc.text(), "héllo");
        assert!(TextDocument::load(&[0xff, 0xfe]).is_err());
    }
}
