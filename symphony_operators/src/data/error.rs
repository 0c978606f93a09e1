//! Errors converting or addressing data.

/// Why data could not be addressed or converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// A column name is not among the headers.
    #[error("unknown column `{column}`; the columns are: {}", available.join(", "))]
    UnknownColumn {
        /// The name asked for.
        column: String,
        /// The columns there are.
        available: Vec<String>,
    },
    /// Two columns have the same name, so a name would not say which one.
    #[error("duplicate column `{column}`")]
    DuplicateColumn {
        /// The repeated name.
        column: String,
    },
    /// A header is not valid UTF-8, so it cannot be a column name.
    #[error("header {index} is not valid UTF-8 ({bytes:?}); column names must be text")]
    HeaderNotUtf8 {
        /// The header's position, from 0.
        index: usize,
        /// The header's bytes.
        bytes: Vec<u8>,
    },
    /// A field is not valid UTF-8, so it cannot become a JSON string.
    #[error(
        "row {row}, column `{column}`: the field is not valid UTF-8 and cannot become a JSON string"
    )]
    FieldNotUtf8 {
        /// The row within the batch, from 1.
        row: usize,
        /// The column.
        column: String,
    },
    /// A batch has no field at this row and column.
    #[error("row {row} has no field in column `{column}`")]
    NoSuchField {
        /// The row within the batch, from 0.
        row: usize,
        /// The column.
        column: String,
    },
    /// A JSON value that should be a record is not an object.
    #[error("JSON value {index} is not an object but {found}; records are JSON objects")]
    NotAnObject {
        /// The value's position, from 0.
        index: usize,
        /// What it is instead.
        found: &'static str,
    },
}
