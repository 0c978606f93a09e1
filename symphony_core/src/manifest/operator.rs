//! The `[operator]` section: category and ports.

use std::fmt;

use serde::Serialize;

use super::ports::{self, Named};
use crate::document::{FieldPath, Node, Reader, choice_name};

/// The `[operator]` section of an operator's manifest.
///
/// ```toml
/// [operator]
/// category = "filter"
/// inputs = [{ name = "rows", type = "records" }]
/// outputs = [{ name = "kept", type = "records", description = "Rows above the threshold" }]
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct OperatorSection {
    /// What kind of work the operator does (for grouping in the IDE).
    pub category: OperatorCategory,
    /// What the operator takes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<OperatorPort>,
    /// What the operator produces.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<OperatorPort>,
}

/// What kind of work an operator does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum OperatorCategory {
    /// Changes each record.
    Transform,
    /// Keeps some records.
    Filter,
    /// Combines records.
    Aggregate,
    /// Checks records.
    Validate,
    /// Writes data in some format.
    Format,
    /// Reads data from some format.
    Parse,
    /// Anything else.
    Custom,
}

impl OperatorCategory {
    /// The name as written in a manifest.
    pub fn as_str(self) -> &'static str {
        choice_name(&Self::CHOICES, self)
    }

    const CHOICES: [(&'static str, Self); 7] = [
        ("transform", Self::Transform),
        ("filter", Self::Filter),
        ("aggregate", Self::Aggregate),
        ("validate", Self::Validate),
        ("format", Self::Format),
        ("parse", Self::Parse),
        ("custom", Self::Custom),
    ];
}

/// One input or output of an operator.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct OperatorPort {
    /// Port name, unique within its list.
    pub name: String,
    /// What flows through the port.
    #[serde(rename = "type")]
    pub port_type: OperatorPortType,
    /// Human-readable description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl Named for OperatorPort {
    fn name(&self) -> &str {
        &self.name
    }
}

/// What flows through an operator port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum OperatorPortType {
    /// A table with named columns.
    Table,
    /// A stream of records.
    Records,
    /// Plain text.
    Text,
    /// Any JSON value.
    Json,
    /// Raw bytes.
    Bytes,
    /// A file path.
    File,
}

impl OperatorPortType {
    /// The name as written in a manifest.
    pub fn as_str(self) -> &'static str {
        choice_name(&Self::CHOICES, self)
    }

    const CHOICES: [(&'static str, Self); 6] = [
        ("table", Self::Table),
        ("records", Self::Records),
        ("text", Self::Text),
        ("json", Self::Json),
        ("bytes", Self::Bytes),
        ("file", Self::File),
    ];
}

const KEYS: [&str; 3] = ["category", "inputs", "outputs"];
const PORT_KEYS: [&str; 3] = ["name", "type", "description"];

pub(crate) fn read(
    node: &Node,
    path: &FieldPath<'_>,
    reader: &mut Reader,
) -> Option<OperatorSection> {
    let mut table = reader.table(node, path)?;
    let category = table
        .required("category", path, reader)
        .and_then(|node| reader.one_of(node, &path.key("category"), &OperatorCategory::CHOICES));
    let mut list = |key: &str, reader: &mut Reader| {
        table.get(key).map_or_else(Vec::new, |node| {
            ports::read_list(node, &path.key(key), reader, port)
        })
    };
    let inputs = list("inputs", reader);
    let outputs = list("outputs", reader);
    table.finish(path, &KEYS, reader);
    Some(OperatorSection {
        category: category?,
        inputs,
        outputs,
    })
}

fn port(node: &Node, path: &FieldPath<'_>, reader: &mut Reader) -> Option<OperatorPort> {
    let mut table = reader.table(node, path)?;
    let name = table
        .required("name", path, reader)
        .and_then(|node| ports::port_name(node, &path.key("name"), reader));
    let port_type = table
        .required("type", path, reader)
        .and_then(|node| reader.one_of(node, &path.key("type"), &OperatorPortType::CHOICES));
    let description = ports::description(table.get("description"), path, reader);
    table.finish(path, &PORT_KEYS, reader);
    Some(OperatorPort {
        name: name?,
        port_type: port_type?,
        description,
    })
}

impl fmt::Display for OperatorCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for OperatorPortType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
