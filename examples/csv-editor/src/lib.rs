//! Example: a custom editor for CSV files, shown as a table of inputs.
//!
//! Changing a cell (the input's `change` event) makes a `setCell` edit; the buttons insert
//! and remove rows. Undo, redo, save, revert and backups come from the SDK's document. The
//! binary `csv-editor` serves it over the protocol; `csv-editor-preview` (feature `preview`)
//! shows a file in a real window.

pub mod table;

use symphony_motifs::editor::{Editor, ModelError};
use symphony_motifs::motif::Event;
use symphony_motifs::view::{Node, el};

use table::{Table, TableEdit};

/// The CSV editor: a table of inputs over [`Table`].
#[derive(Debug, Clone)]
pub struct CsvEditor;

impl Editor for CsvEditor {
    type Model = Table;

    fn render(&self, table: &Table) -> Node {
        let width = table.rows.iter().map(Vec::len).max().unwrap_or(0);
        let rows = table.rows.iter().enumerate().map(|(r, row)| {
            let cells = (0..width).map(move |c| {
                let value = row.get(c).cloned().unwrap_or_default();
                el("td").child(
                    el("input")
                        .attr("value", value)
                        .attr("aria-label", format!("row {} column {}", r + 1, c + 1))
                        .on("change", "set")
                        .arg([r, c]),
                )
            });
            el("tr").children(cells).child(
                el("td").child(
                    el("button")
                        .attr("class", "remove")
                        .on("click", "remove")
                        .arg(r)
                        .child("remove"),
                ),
            )
        });
        el("div")
            .attr("class", "csv-editor")
            .child(el("table").child(el("tbody").children(rows)))
            .child(
                el("button")
                    .attr("id", "add-row")
                    .on("click", "add")
                    .child("add row"),
            )
            .into()
    }

    fn edit_for(&self, table: &Table, event: &Event) -> Result<Option<TableEdit>, ModelError> {
        match event.handler.as_str() {
            "set" => {
                let [row, column] = event
                    .arg_as::<[usize; 2]>()
                    .ok_or_else(|| ModelError::new("`set` needs a [row, column] argument"))?;
                let value = event.value.clone().unwrap_or_default();
                let unchanged = table
                    .rows
                    .get(row)
                    .and_then(|cells| cells.get(column))
                    .is_some_and(|cell| *cell == value);
                Ok((!unchanged).then_some(TableEdit::SetCell { row, column, value }))
            }
            "add" => {
                let width = table.rows.iter().map(Vec::len).max().unwrap_or(1);
                Ok(Some(TableEdit::InsertRow {
                    row: table.rows.len(),
                    cells: vec![String::new(); width],
                }))
            }
            "remove" => {
                let row = event
                    .arg_as::<usize>()
                    .ok_or_else(|| ModelError::new("`remove` needs a row argument"))?;
                Ok(Some(TableEdit::RemoveRow { row }))
            }
            _ => Ok(None),
        }
    }
}
