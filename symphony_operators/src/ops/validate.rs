//! `validate`: checks each record and reports every problem by row and column.

use std::sync::{Arc, LazyLock};

use csv::ByteRecord;
use regex::bytes::Regex;
use serde::Deserialize;
use symphony_core::config::ConfigValues;
use symphony_core::manifest::{OperatorCategory, OperatorPortType};

use super::support::{Column, compile, spec};
use crate::data::{Headers, RecordBatch};
use crate::error::OperatorError;
use crate::io::Io;
use crate::operator::{Operator, OperatorSpec, Task, param};

static SPEC: LazyLock<OperatorSpec> = LazyLock::new(|| {
    spec(
        "validate",
        "Checks required columns, types and patterns; valid records go on, problems become a row-level report.",
        OperatorCategory::Validate,
        &[("records", OperatorPortType::Records)],
        &[
            ("valid", OperatorPortType::Records),
            ("errors", OperatorPortType::Records),
        ],
        r#"
        [required]
        type = "array"
        items = { type = "string" }
        description = "Columns that must not be empty"

        [types]
        type = "array"
        description = "Columns whose non-empty values must parse as a type"
        [types.items]
        type = "object"
        [types.items.properties.column]
        type = "string"
        required = true
        [types.items.properties.type]
        type = "enum"
        values = ["integer", "float", "boolean"]
        required = true

        [patterns]
        type = "array"
        description = "Columns whose non-empty values must match a regular expression"
        [patterns.items]
        type = "object"
        [patterns.items.properties.column]
        type = "string"
        required = true
        [patterns.items.properties.pattern]
        type = "string"
        required = true
        "#,
    )
});

/// `validate`: sends records that pass every check on `valid`; for each failed check, sends a
/// record `row, line, column, value, problem` on `errors` (`row` counts data records from 1,
/// `line` is the line in the source file where known).
#[derive(Debug, Clone, Copy, Default)]
pub struct Validate;

#[derive(Deserialize)]
struct TypeRule {
    column: String,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct PatternRule {
    column: String,
    pattern: String,
}

#[derive(Clone)]
enum Check {
    Required,
    Integer,
    Float,
    Boolean,
    Pattern(Regex),
}

impl Check {
    /// The problem with `value`, if any.
    fn problem(&self, value: &[u8]) -> Option<String> {
        if value.is_empty() {
            return matches!(self, Check::Required).then(|| "required value is empty".to_owned());
        }
        let text = std::str::from_utf8(value).ok();
        let ok = match self {
            Check::Required => true,
            Check::Integer => text.is_some_and(|t| t.trim().parse::<i64>().is_ok()),
            Check::Float => text.is_some_and(|t| t.trim().parse::<f64>().is_ok()),
            Check::Boolean => text.is_some_and(|t| {
                matches!(t.trim().to_ascii_lowercase().as_str(), "true" | "false")
            }),
            Check::Pattern(regex) => regex.is_match(value),
        };
        (!ok).then(|| match self {
            Check::Integer => "not an integer".to_owned(),
            Check::Float => "not a number".to_owned(),
            Check::Boolean => "not true or false".to_owned(),
            Check::Pattern(regex) => format!("does not match `{}`", regex.as_str()),
            Check::Required => String::new(),
        })
    }
}

impl Operator for Validate {
    fn spec(&self) -> &OperatorSpec {
        &SPEC
    }

    fn task(&self, params: &ConfigValues) -> Result<Box<dyn Task>, OperatorError> {
        let mut rules = Vec::new();
        for column in param::<Vec<String>>(params, "required")?.unwrap_or_default() {
            rules.push((Column::new(column), Check::Required));
        }
        for rule in param::<Vec<TypeRule>>(params, "types")?.unwrap_or_default() {
            let check = match rule.kind.as_str() {
                "integer" => Check::Integer,
                "float" => Check::Float,
                _ => Check::Boolean,
            };
            rules.push((Column::new(rule.column), check));
        }
        for (index, rule) in param::<Vec<PatternRule>>(params, "patterns")?
            .unwrap_or_default()
            .into_iter()
            .enumerate()
        {
            let regex = compile(&format!("patterns[{index}].pattern"), &rule.pattern)?;
            rules.push((Column::new(rule.column), Check::Pattern(regex)));
        }
        let report = Headers::new(["row", "line", "column", "value", "problem"])?;
        Ok(Box::new(ValidateTask {
            rules,
            report: Arc::new(report),
        }))
    }
}

struct ValidateTask {
    rules: Vec<(Column, Check)>,
    report: Arc<Headers>,
}

impl Task for ValidateTask {
    fn run(&self, io: &mut Io<'_>) -> Result<(), OperatorError> {
        let mut rules = self.rules.clone();
        let report_errors = io.is_connected("errors");
        let mut row: u64 = 0;
        while let Some(mut batch) = io.recv_records("records")? {
            let indices = rules
                .iter_mut()
                .map(|(column, _)| column.index(batch.headers()))
                .collect::<Result<Vec<_>, _>>()?;
            let mut errors = RecordBatch::new(Arc::clone(&self.report));
            let first_row = row;
            let mut number = first_row;
            let mut report = |record: &ByteRecord| {
                number += 1;
                let mut valid = true;
                for ((column, check), &index) in rules.iter().zip(&indices) {
                    let value = record.get(index).unwrap_or_default();
                    if let Some(problem) = check.problem(value) {
                        valid = false;
                        if report_errors {
                            let line = record
                                .position()
                                .map_or_else(String::new, |p| p.line().to_string());
                            errors.push_fields([
                                number.to_string().as_bytes(),
                                line.as_bytes(),
                                column.name().as_bytes(),
                                value,
                                problem.as_bytes(),
                            ]);
                        }
                    }
                }
                valid
            };
            batch.retain(&mut report);
            row = number;
            io.send_records("valid", batch)?;
            if report_errors && !errors.is_empty() {
                io.send_records("errors", errors)?;
            }
        }
        Ok(())
    }
}
