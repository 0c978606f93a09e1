//! Column names of a record stream.

use std::collections::HashMap;

use csv::ByteRecord;

use super::DataError;

/// The column names of a record stream, shared by all its batches (behind an `Arc`).
///
/// ```
/// use symphony_operators::data::Headers;
/// let headers = Headers::new(["id", "name"])?;
/// assert_eq!(headers.index_of("name")?, 1);
/// assert!(headers.index_of("nope").unwrap_err().to_string().contains("id, name"));
/// # Ok::<(), symphony_operators::data::DataError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headers {
    names: Vec<String>,
    index: HashMap<String, usize>,
    record: ByteRecord,
}

impl Headers {
    /// Headers with these names.
    ///
    /// # Errors
    ///
    /// [`DataError::DuplicateColumn`] if a name repeats.
    pub fn new<S: Into<String>>(names: impl IntoIterator<Item = S>) -> Result<Self, DataError> {
        let names: Vec<String> = names.into_iter().map(Into::into).collect();
        let mut index = HashMap::with_capacity(names.len());
        for (position, name) in names.iter().enumerate() {
            if index.insert(name.clone(), position).is_some() {
                return Err(DataError::DuplicateColumn {
                    column: name.clone(),
                });
            }
        }
        let record = ByteRecord::from(names.iter().map(String::as_str).collect::<Vec<_>>());
        Ok(Self {
            names,
            index,
            record,
        })
    }

    /// Headers from a CSV header row.
    ///
    /// # Errors
    ///
    /// [`DataError::HeaderNotUtf8`] or [`DataError::DuplicateColumn`].
    pub fn from_byte_record(record: &ByteRecord) -> Result<Self, DataError> {
        let names = record
            .iter()
            .enumerate()
            .map(|(index, bytes)| {
                std::str::from_utf8(bytes).map(str::to_owned).map_err(|_| {
                    DataError::HeaderNotUtf8 {
                        index,
                        bytes: bytes.to_vec(),
                    }
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(names)
    }

    /// Headers `column_1`, `column_2` … for a file without a header row.
    pub fn numbered(count: usize) -> Self {
        let names: Vec<String> = (1..=count).map(|n| format!("column_{n}")).collect();
        // Distinct by construction, so no duplicate check is needed.
        let index = names.iter().cloned().zip(0..).collect();
        let record = ByteRecord::from(names.iter().map(String::as_str).collect::<Vec<_>>());
        Self {
            names,
            index,
            record,
        }
    }

    /// The names, in column order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The names as a CSV header row.
    pub fn as_byte_record(&self) -> &ByteRecord {
        &self.record
    }

    /// The number of columns.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are no columns.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The position of column `name`.
    ///
    /// # Errors
    ///
    /// [`DataError::UnknownColumn`], listing the columns there are.
    pub fn index_of(&self, name: &str) -> Result<usize, DataError> {
        self.index
            .get(name)
            .copied()
            .ok_or_else(|| DataError::UnknownColumn {
                column: name.to_owned(),
                available: self.names.clone(),
            })
    }

    /// The name of the column at `index`; columns past the headers (a ragged row) are named
    /// by their position from 1.
    pub fn name_at(&self, index: usize) -> String {
        self.names
            .get(index)
            .cloned()
            .unwrap_or_else(|| (index + 1).to_string())
    }
}
