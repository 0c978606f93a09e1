//! A data table whose column headers sort it.

use std::cmp::Ordering;

use crate::view::{Element, Node, el};

/// Which way a column is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum SortOrder {
    /// Smallest first.
    Ascending,
    /// Largest first.
    Descending,
}

impl SortOrder {
    /// The other way.
    #[must_use]
    pub fn reversed(self) -> SortOrder {
        match self {
            SortOrder::Ascending => SortOrder::Descending,
            SortOrder::Descending => SortOrder::Ascending,
        }
    }

    fn aria(self) -> &'static str {
        match self {
            SortOrder::Ascending => "ascending",
            SortOrder::Descending => "descending",
        }
    }
}

/// A table column: its header, and whether it holds numbers (right-aligned, sorted by
/// value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    header: String,
    numeric: bool,
}

impl Column {
    /// A column of text.
    pub fn text(header: impl Into<String>) -> Column {
        Column {
            header: header.into(),
            numeric: false,
        }
    }

    /// A column of numbers.
    pub fn numeric(header: impl Into<String>) -> Column {
        Column {
            header: header.into(),
            numeric: true,
        }
    }
}

/// A table with a caption, column headers and rows of text.
///
/// With [`on_sort`](Self::on_sort), each header is a button that calls the handler with the
/// column's index; the sorted column carries `aria-sort`. The motif keeps the order in its
/// state and sorts its rows ([`sort_rows`] does it).
///
/// ```
/// use symphony_motifs::components::{Column, SortOrder, Table};
/// use symphony_motifs::view::View;
///
/// let table = Table::new("Scores", [Column::text("Name"), Column::numeric("Score")])
///     .rows([["ada", "3"], ["bob", "12"]])
///     .sorted(1, SortOrder::Descending)
///     .on_sort("sort");
/// let html = View::new(table).unwrap().to_html();
/// assert!(html.contains(r#"<th scope="col" class="sym-numeric" aria-sort="descending">"#), "{html}");
/// assert!(html.contains(r#"data-motif-on-click="sort" data-motif-arg-click="1""#), "{html}");
/// ```
#[derive(Debug, Clone)]
pub struct Table {
    caption: String,
    columns: Vec<Column>,
    rows: Vec<Vec<String>>,
    sorted: Option<(usize, SortOrder)>,
    handler: Option<String>,
}

impl Table {
    /// A table captioned `caption` with `columns`.
    pub fn new(caption: impl Into<String>, columns: impl IntoIterator<Item = Column>) -> Table {
        Table {
            caption: caption.into(),
            columns: columns.into_iter().collect(),
            rows: Vec::new(),
            sorted: None,
            handler: None,
        }
    }

    /// Appends rows (cells in column order; missing cells are empty, extra ones dropped).
    #[must_use]
    pub fn rows<R, C>(mut self, rows: R) -> Table
    where
        R: IntoIterator<Item = C>,
        C: IntoIterator,
        C::Item: Into<String>,
    {
        let width = self.columns.len();
        self.rows.extend(rows.into_iter().map(|row| {
            let mut cells: Vec<String> = row.into_iter().map(Into::into).take(width).collect();
            cells.resize(width, String::new());
            cells
        }));
        self
    }

    /// Marks column `column` as sorted `order` (the rows are shown as given).
    #[must_use]
    pub fn sorted(mut self, column: usize, order: SortOrder) -> Table {
        self.sorted = Some((column, order));
        self
    }

    /// Makes the headers buttons calling `handler` with the column's index.
    #[must_use]
    pub fn on_sort(mut self, handler: impl Into<String>) -> Table {
        self.handler = Some(handler.into());
        self
    }
}

impl From<Table> for Element {
    fn from(table: Table) -> Element {
        let numeric: Vec<bool> = table.columns.iter().map(|c| c.numeric).collect();
        let headers = table
            .columns
            .into_iter()
            .enumerate()
            .map(|(index, column)| {
                let mut th = el("th").attr("scope", "col");
                if column.numeric {
                    th = th.attr("class", "sym-numeric");
                }
                let order = table
                    .sorted
                    .filter(|(sorted, _)| *sorted == index)
                    .map(|(_, order)| order);
                if let Some(order) = order {
                    th = th.attr("aria-sort", order.aria());
                }
                let Some(handler) = &table.handler else {
                    return th.child(column.header);
                };
                let mark = match order {
                    Some(SortOrder::Ascending) => "▲",
                    Some(SortOrder::Descending) => "▼",
                    None => "↕",
                };
                th.child(
                    el("button")
                        .attr("type", "button")
                        .attr("class", "sym-sort")
                        .on("click", handler.clone())
                        .arg(index)
                        .child(column.header)
                        .child(
                            el("span")
                                .attr("class", "sym-sort-mark")
                                .attr("aria-hidden", "true")
                                .child(mark),
                        ),
                )
            });
        let rows = table.rows.into_iter().map(|row| {
            el("tr").children(row.into_iter().enumerate().map(|(index, cell)| {
                let td = el("td");
                if numeric.get(index).copied().unwrap_or(false) {
                    td.attr("class", "sym-numeric").child(cell)
                } else {
                    td.child(cell)
                }
            }))
        });
        el("table")
            .attr("class", "sym-table")
            .child(el("caption").child(table.caption))
            .child(el("thead").child(el("tr").children(headers)))
            .child(el("tbody").children(rows))
    }
}

impl From<Table> for Node {
    fn from(table: Table) -> Node {
        Element::from(table).into()
    }
}

/// Sorts `rows` by cell `column` in `order`: by number when both cells parse as numbers
/// (numbers before text), else by text. Stable, so equal cells keep their order.
///
/// ```
/// use symphony_motifs::components::{SortOrder, sort_rows};
///
/// let mut rows = vec![vec!["b", "10"], vec!["a", "9"], vec!["c", "n/a"]];
/// sort_rows(&mut rows, 1, SortOrder::Ascending);
/// assert_eq!(rows, [["a", "9"], ["b", "10"], ["c", "n/a"]]);
/// ```
pub fn sort_rows<T: AsRef<str>>(rows: &mut [Vec<T>], column: usize, order: SortOrder) {
    let key = |row: &Vec<T>| row.get(column).map(|cell| cell.as_ref().trim().to_owned());
    rows.sort_by(|a, b| {
        let (a, b) = (key(a).unwrap_or_default(), key(b).unwrap_or_default());
        let ordering = match (a.parse::<f64>(), b.parse::<f64>()) {
            (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
            (Ok(_), Err(_)) => Ordering::Less,
            (Err(_), Ok(_)) => Ordering::Greater,
            (Err(_), Err(_)) => a.cmp(&b),
        };
        match order {
            SortOrder::Ascending => ordering,
            SortOrder::Descending => ordering.reverse(),
        }
    });
}
