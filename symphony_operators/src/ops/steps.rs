//! Typed steps: the built-in operators configured in Rust, for a workflow.
//!
//! Required parameters are the constructors' arguments and each optional one is a method, so
//! a missing or misspelt parameter does not compile; a value the operator cannot use (a
//! regular expression that does not compile, say) fails when the step is added to the
//! workflow, naming the node and the parameter.

use std::path::PathBuf;

use serde::Serialize;

use super::{
    CsvRead, CsvWrite, Dedupe, JsonRead, JsonWrite, RegexExtract, RegexFilter, RegexReplace,
    RenameColumns, SelectColumns,
};
use crate::workflow::Step;

/// Defines a typed step for a built-in operator: the struct, its optional parameters as
/// methods, and its conversion into a [`Step`].
macro_rules! typed_step {
    (
        $(#[$doc:meta])*
        $step:ident {
            $( $(#[$pdoc:meta])* $setter:ident: $ty:ty => $name:literal, )*
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        #[must_use]
        pub struct $step(Step);

        impl $step {
            $(
                $(#[$pdoc])*
                // The value's own type (not `impl Into`), so an integer literal infers it.
                pub fn $setter(self, value: $ty) -> Self {
                    Self(self.0.param($name, value))
                }
            )*
        }

        impl From<$step> for Step {
            fn from(step: $step) -> Step {
                step.0
            }
        }
    };
}

fn step(operator: impl crate::Operator + 'static) -> Step {
    Step::of(operator)
}

typed_step! {
    /// `csv.read` with its parameters: made by [`CsvRead::path`].
    CsvReadStep {
        /// Field delimiter, one ASCII character (default `,`; `\t` for tabs).
        delimiter: char => "delimiter",
        /// Quote character (default `"`).
        quote: char => "quote",
        /// Whether the first row holds the column names (default `true`).
        has_headers: bool => "has_headers",
        /// Accept rows with a different number of fields (default `false`).
        flexible: bool => "flexible",
        /// Records per batch (default 1024).
        batch_rows: u32 => "batch_rows",
    }
}

impl CsvRead {
    /// Reads the CSV file at `path`.
    pub fn path(path: impl Into<PathBuf>) -> CsvReadStep {
        CsvReadStep(step(CsvRead).param("path", path.into()))
    }
}

typed_step! {
    /// `csv.write` with its parameters: made by [`CsvWrite::path`].
    CsvWriteStep {
        /// Field delimiter, one ASCII character (default `,`).
        delimiter: char => "delimiter",
        /// When to quote fields: `necessary` (default), `always`, `non_numeric` or `never`.
        quote_style: &str => "quote_style",
        /// Whether to write the header row (default `true`).
        write_headers: bool => "write_headers",
    }
}

impl CsvWrite {
    /// Writes the records to the CSV file at `path`, atomically.
    pub fn path(path: impl Into<PathBuf>) -> CsvWriteStep {
        CsvWriteStep(step(CsvWrite).param("path", path.into()))
    }
}

typed_step! {
    /// `regex.filter` with its parameters: made by [`RegexFilter::pattern`].
    RegexFilterStep {
        /// The column to match (without it, a record matches if any field does).
        column: &str => "column",
        /// Keep the records that do not match instead.
        invert: bool => "invert",
    }
}

impl RegexFilter {
    /// Keeps the records matching the regular expression `pattern`.
    pub fn pattern(pattern: impl Into<String>) -> RegexFilterStep {
        RegexFilterStep(step(RegexFilter).param("pattern", pattern.into()))
    }
}

typed_step! {
    /// `regex.extract` with its parameters: made by [`RegexExtract::on`].
    RegexExtractStep {
        /// Keep records that do not match, with empty new columns (default `true`).
        keep_unmatched: bool => "keep_unmatched",
    }
}

impl RegexExtract {
    /// Matches `pattern` on `column` and adds a column per named capture group.
    pub fn on(column: impl Into<String>, pattern: impl Into<String>) -> RegexExtractStep {
        RegexExtractStep(
            step(RegexExtract)
                .param("column", column.into())
                .param("pattern", pattern.into()),
        )
    }
}

typed_step! {
    /// `regex.replace` with its parameters: made by [`RegexReplace::on`].
    RegexReplaceStep {
        /// Replace every match (default `true`) or only the first.
        all: bool => "all",
    }
}

impl RegexReplace {
    /// Replaces matches of `pattern` in `column` with `replacement` (`$name` refers to a
    /// capture group).
    pub fn on(
        column: impl Into<String>,
        pattern: impl Into<String>,
        replacement: impl Into<String>,
    ) -> RegexReplaceStep {
        RegexReplaceStep(
            step(RegexReplace)
                .param("column", column.into())
                .param("pattern", pattern.into())
                .param("replacement", replacement.into()),
        )
    }
}

impl SelectColumns {
    /// Keeps `columns`, in this order.
    pub fn keep<S: Into<String>>(columns: impl IntoIterator<Item = S>) -> Step {
        step(SelectColumns).param("columns", strings(columns))
    }
}

#[derive(Serialize)]
struct Rename {
    from: String,
    to: String,
}

impl RenameColumns {
    /// Renames each column `from` to `to`.
    pub fn pairs<F: Into<String>, T: Into<String>>(
        renames: impl IntoIterator<Item = (F, T)>,
    ) -> Step {
        let renames: Vec<Rename> = renames
            .into_iter()
            .map(|(from, to)| Rename {
                from: from.into(),
                to: to.into(),
            })
            .collect();
        step(RenameColumns).param("renames", renames)
    }
}

impl Dedupe {
    /// Drops records equal on `columns` to one seen before.
    pub fn by<S: Into<String>>(columns: impl IntoIterator<Item = S>) -> Step {
        step(Dedupe).param("columns", strings(columns))
    }
}

typed_step! {
    /// `json.read` with its parameters: made by [`JsonRead::path`].
    JsonReadStep {
        /// `lines` (default: one value per line) or `array`.
        format: &str => "format",
    }
}

impl JsonRead {
    /// Reads the JSON file at `path`.
    pub fn path(path: impl Into<PathBuf>) -> JsonReadStep {
        JsonReadStep(step(JsonRead).param("path", path.into()))
    }
}

typed_step! {
    /// `json.write` with its parameters: made by [`JsonWrite::path`].
    JsonWriteStep {
        /// `lines` (default: one value per line) or `array`.
        format: &str => "format",
    }
}

impl JsonWrite {
    /// Writes the values to the JSON file at `path`, atomically.
    pub fn path(path: impl Into<PathBuf>) -> JsonWriteStep {
        JsonWriteStep(step(JsonWrite).param("path", path.into()))
    }
}

fn strings<S: Into<String>>(items: impl IntoIterator<Item = S>) -> Vec<String> {
    items.into_iter().map(Into::into).collect()
}
