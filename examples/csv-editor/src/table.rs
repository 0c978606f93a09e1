//! The document: a table of strings, read from and written to CSV (RFC 4180 quoting).

use serde::{Deserialize, Serialize};
use symphony_motifs::editor::{DocumentModel, ModelError};

/// Rows of cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub(crate) rows: Vec<Vec<String>>,
}

/// An edit of the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum TableEdit {
    /// Set one cell (the row grows if `column` is past its end).
    SetCell {
        /// The row, from 0.
        row: usize,
        /// The column, from 0.
        column: usize,
        /// The cell's new text.
        value: String,
    },
    /// Insert a row before `row`.
    InsertRow {
        /// Where, from 0 (the number of rows appends).
        row: usize,
        /// Its cells.
        cells: Vec<String>,
    },
    /// Remove row `row`.
    RemoveRow {
        /// The row, from 0.
        row: usize,
    },
}

impl DocumentModel for Table {
    type Edit = TableEdit;

    fn load(bytes: &[u8]) -> Result<Self, ModelError> {
        let text = std::str::from_utf8(bytes)
            .map_err(|error| ModelError::new(format!("the file is not UTF-8: {error}")))?;
        parse(text).map(|rows| Table { rows })
    }

    fn save(&self) -> Result<Vec<u8>, ModelError> {
        let mut out = String::new();
        for row in &self.rows {
            let cells: Vec<String> = row.iter().map(|cell| quote(cell)).collect();
            out.push_str(&cells.join(","));
            out.push('\n');
        }
        Ok(out.into_bytes())
    }

    fn apply(&mut self, edit: &TableEdit) -> Result<TableEdit, ModelError> {
        let rows = self.rows.len();
        match edit {
            TableEdit::SetCell { row, column, value } => {
                let cells = self.rows.get_mut(*row).ok_or_else(|| {
                    ModelError::new(format!("row {row} does not exist (the table has {rows})"))
                })?;
                if *column >= cells.len() {
                    cells.resize(column + 1, String::new());
                }
                let slot = cells
                    .get_mut(*column)
                    .ok_or_else(|| ModelError::new(format!("column {column} does not exist")))?;
                let old = std::mem::replace(slot, value.clone());
                Ok(TableEdit::SetCell {
                    row: *row,
                    column: *column,
                    value: old,
                })
            }
            TableEdit::InsertRow { row, cells } => {
                if *row > rows {
                    return Err(ModelError::new(format!(
                        "cannot insert before row {row}: the table has {rows} rows"
                    )));
                }
                self.rows.insert(*row, cells.clone());
                Ok(TableEdit::RemoveRow { row: *row })
            }
            TableEdit::RemoveRow { row } => {
                if *row >= rows {
                    return Err(ModelError::new(format!(
                        "row {row} does not exist (the table has {rows})"
                    )));
                }
                let cells = self.rows.remove(*row);
                Ok(TableEdit::InsertRow { row: *row, cells })
            }
        }
    }
}

fn quote(cell: &str) -> String {
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_owned()
    }
}

/// Parses CSV: fields separated by `,`, records by `\n` or `\r\n`, `"` quoting with `""`.
fn parse(text: &str) -> Result<Vec<Vec<String>>, ModelError> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    let mut in_quotes = false;
    let mut field_started = false;
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if !field_started => {
                in_quotes = true;
                field_started = true;
            }
            '"' => {
                return Err(ModelError::new(format!(
                    "line {line}: a quote inside an unquoted field (quote the whole field and double the quote)"
                )));
            }
            ',' => {
                row.push(std::mem::take(&mut field));
                field_started = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
                field_started = false;
                line += 1;
            }
            _ => {
                field.push(c);
                field_started = true;
            }
        }
    }
    if in_quotes {
        return Err(ModelError::new(format!(
            "line {line}: a quoted field is not closed before the end of the file"
        )));
    }
    if field_started || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_round_trip() {
        let text = "name,note\r\n\"Smith, J\",\"said \"\"hi\"\"\nthen left\"\n,\n";
        let table = Table::load(text.as_bytes()).unwrap();
        assert_eq!(
            table.rows,
            [
                vec!["name", "note"],
                vec!["Smith, J", "said \"hi\"\nthen left"],
                vec!["", ""],
            ]
        );
        let saved = table.save().unwrap();
        assert_eq!(Table::load(&saved).unwrap(), table);
    }

    #[test]
    fn broken_quoting_is_reported_with_its_line() {
        let error = Table::load(b"a,b\nc,\"d\n").unwrap_err();
        assert!(error.0.contains("line 3"), "{error}");
        let error = Table::load(b"a,b\"c\n").unwrap_err();
        assert!(error.0.contains("line 1"), "{error}");
    }
}
