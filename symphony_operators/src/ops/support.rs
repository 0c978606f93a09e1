//! Pieces shared by the built-in operators.

use std::sync::Arc;

use symphony_core::config::{ConfigSchema, ConfigValues};
use symphony_core::manifest::{OperatorCategory, OperatorPortType};

use crate::data::Headers;
use crate::error::OperatorError;
use crate::operator::{OperatorSpec, param};

/// Records per batch for operators that produce records: enough that handing a batch to the
/// next thread is rare next to the work on it, few enough that a batch's records stay in
/// cache between the nodes that touch them (8192 measured slower here).
pub(crate) const BATCH_ROWS: usize = 1024;

/// Builds a spec; `params` is the parameter schema in TOML, as a manifest's `[config]` (a
/// constant of this crate; one that does not parse is a mistake [`OperatorSpec::check`]
/// reports, caught by the `every_builtin_spec_parses` test).
pub(crate) fn spec(
    name: &str,
    description: &str,
    category: OperatorCategory,
    inputs: &[(&str, OperatorPortType)],
    outputs: &[(&str, OperatorPortType)],
    params: &str,
) -> OperatorSpec {
    let mut spec = OperatorSpec::new(name, category).describe(description);
    spec = match toml::from_str::<ConfigSchema>(params) {
        Ok(params) => spec.params(params),
        Err(error) => spec.problem(format!("the parameter schema is invalid: {error}")),
    };
    for (port, port_type) in inputs {
        spec = spec.input(*port, *port_type);
    }
    for (port, port_type) in outputs {
        spec = spec.output(*port, *port_type);
    }
    spec
}

/// A one-byte parameter such as a delimiter.
pub(crate) fn byte(values: &ConfigValues, name: &str, default: u8) -> Result<u8, OperatorError> {
    match param::<String>(values, name)? {
        None => Ok(default),
        Some(text) => match text.as_bytes() {
            [byte] => Ok(*byte),
            b"\\t" => Ok(b'\t'),
            _ => Err(OperatorError::InvalidParam {
                name: name.to_owned(),
                reason: format!("`{text}` is not a single ASCII character"),
            }),
        },
    }
}

/// A regex parameter, compiled for bytes.
pub(crate) fn regex(
    values: &ConfigValues,
    name: &str,
) -> Result<regex::bytes::Regex, OperatorError> {
    let pattern: String = crate::operator::required(values, name)?;
    compile(name, &pattern)
}

pub(crate) fn compile(name: &str, pattern: &str) -> Result<regex::bytes::Regex, OperatorError> {
    regex::bytes::Regex::new(pattern).map_err(|error| OperatorError::InvalidParam {
        name: name.to_owned(),
        reason: format!("invalid regular expression: {error}"),
    })
}

/// A column named by a parameter, resolved against each stream's headers once.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    name: String,
    resolved: Option<(Arc<Headers>, usize)>,
}

impl Column {
    pub(crate) fn new(name: String) -> Self {
        Self {
            name,
            resolved: None,
        }
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The column's position in `headers`.
    pub(crate) fn index(&mut self, headers: &Arc<Headers>) -> Result<usize, OperatorError> {
        if let Some((seen, index)) = &self.resolved
            && Arc::ptr_eq(seen, headers)
        {
            return Ok(*index);
        }
        let index = headers.index_of(&self.name)?;
        self.resolved = Some((Arc::clone(headers), index));
        Ok(index)
    }
}
