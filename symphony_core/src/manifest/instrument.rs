//! The `[instrument]` section: model inputs and outputs.

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use super::ports::{self, Named};
use crate::document::{Content, FieldPath, Node, Reader, choice_name};

/// The `[instrument]` section of an instrument's manifest.
///
/// ```toml
/// [instrument]
/// streaming = true
/// inputs = [{ name = "prompt", type = "chat" }]
/// outputs = [{ name = "vector", type = "embedding", dtype = "float32", shape = [768] }]
///
/// [instrument.model]        # free-form; checked by symphony_instruments
/// backend = "onnx"
/// path = "models/encoder.onnx"
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct InstrumentSection {
    /// What the instrument takes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<InstrumentPort>,
    /// What the instrument produces.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<InstrumentPort>,
    /// Whether outputs can be streamed as they are produced.
    pub streaming: bool,
    /// Whether requests can be batched.
    pub batching: bool,
    /// The model configuration, kept as written (`symphony_instruments` validates it).
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub model: Map<String, Value>,
}

/// One input or output of an instrument.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct InstrumentPort {
    /// Port name, unique within its list.
    pub name: String,
    /// What flows through the port.
    #[serde(rename = "type")]
    pub port_type: InstrumentPortType,
    /// Human-readable description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Element type of tensor-like data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dtype: Option<DataType>,
    /// Shape of tensor-like data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shape: Option<Vec<Dimension>>,
}

impl Named for InstrumentPort {
    fn name(&self) -> &str {
        &self.name
    }
}

/// What flows through an instrument port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum InstrumentPortType {
    /// Plain text.
    Text,
    /// A list of chat messages.
    Chat,
    /// An embedding vector.
    Embedding,
    /// A tensor.
    Tensor,
    /// An image.
    Image,
    /// Audio.
    Audio,
    /// Any JSON value.
    Json,
}

impl InstrumentPortType {
    /// The name as written in a manifest.
    pub fn as_str(self) -> &'static str {
        choice_name(&Self::CHOICES, self)
    }

    const CHOICES: [(&'static str, Self); 7] = [
        ("text", Self::Text),
        ("chat", Self::Chat),
        ("embedding", Self::Embedding),
        ("tensor", Self::Tensor),
        ("image", Self::Image),
        ("audio", Self::Audio),
        ("json", Self::Json),
    ];

    /// Whether `dtype` and `shape` make sense for this type.
    fn is_numeric(self) -> bool {
        matches!(
            self,
            Self::Embedding | Self::Tensor | Self::Image | Self::Audio
        )
    }
}

/// Element type of tensor-like port data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum DataType {
    /// 16-bit IEEE float.
    Float16,
    /// 16-bit brain float.
    BFloat16,
    /// 32-bit float.
    Float32,
    /// 64-bit float.
    Float64,
    /// 8-bit signed integer.
    Int8,
    /// 16-bit signed integer.
    Int16,
    /// 32-bit signed integer.
    Int32,
    /// 64-bit signed integer.
    Int64,
    /// 8-bit unsigned integer.
    UInt8,
    /// 16-bit unsigned integer.
    UInt16,
    /// 32-bit unsigned integer.
    UInt32,
    /// 64-bit unsigned integer.
    UInt64,
    /// Boolean.
    Bool,
    /// String.
    String,
}

impl DataType {
    /// The name as written in a manifest.
    pub fn as_str(self) -> &'static str {
        choice_name(&Self::CHOICES, self)
    }

    const CHOICES: [(&'static str, Self); 14] = [
        ("float16", Self::Float16),
        ("bfloat16", Self::BFloat16),
        ("float32", Self::Float32),
        ("float64", Self::Float64),
        ("int8", Self::Int8),
        ("int16", Self::Int16),
        ("int32", Self::Int32),
        ("int64", Self::Int64),
        ("uint8", Self::UInt8),
        ("uint16", Self::UInt16),
        ("uint32", Self::UInt32),
        ("uint64", Self::UInt64),
        ("bool", Self::Bool),
        ("string", Self::String),
    ];
}

/// One dimension of a shape: a fixed size, or a name for a size that varies (`"batch"`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum Dimension {
    /// A fixed size, at least 1.
    Fixed(u64),
    /// A size known only at run time, named for documentation and for matching dimensions.
    Named(String),
}

const KEYS: [&str; 5] = ["inputs", "outputs", "streaming", "batching", "model"];
const PORT_KEYS: [&str; 5] = ["name", "type", "description", "dtype", "shape"];

pub(crate) fn read(
    node: &Node,
    path: &FieldPath<'_>,
    reader: &mut Reader,
) -> Option<InstrumentSection> {
    let mut table = reader.table(node, path)?;
    let mut list = |key: &str, reader: &mut Reader| {
        table.get(key).map_or_else(Vec::new, |node| {
            ports::read_list(node, &path.key(key), reader, port)
        })
    };
    let inputs = list("inputs", reader);
    let outputs = list("outputs", reader);
    let mut flag = |key: &str, reader: &mut Reader| {
        table
            .get(key)
            .and_then(|node| reader.boolean(node, &path.key(key)))
            .unwrap_or(false)
    };
    let streaming = flag("streaming", reader);
    let batching = flag("batching", reader);
    let model = table
        .get("model")
        .and_then(|node| {
            let model_path = path.key("model");
            reader.table(node, &model_path)?;
            match reader.json(node, &model_path)? {
                Value::Object(map) => Some(map),
                _ => None,
            }
        })
        .unwrap_or_default();
    table.finish(path, &KEYS, reader);
    Some(InstrumentSection {
        inputs,
        outputs,
        streaming,
        batching,
        model,
    })
}

fn port(node: &Node, path: &FieldPath<'_>, reader: &mut Reader) -> Option<InstrumentPort> {
    let mut table = reader.table(node, path)?;
    let name = table
        .required("name", path, reader)
        .and_then(|node| ports::port_name(node, &path.key("name"), reader));
    let port_type = table
        .required("type", path, reader)
        .and_then(|node| reader.one_of(node, &path.key("type"), &InstrumentPortType::CHOICES));
    let description = ports::description(table.get("description"), path, reader);
    let dtype_node = table.get("dtype");
    let dtype =
        dtype_node.and_then(|node| reader.one_of(node, &path.key("dtype"), &DataType::CHOICES));
    let shape_node = table.get("shape");
    let shape = shape_node.and_then(|node| shape(node, &path.key("shape"), reader));
    table.finish(path, &PORT_KEYS, reader);
    let port_type = port_type?;
    if !port_type.is_numeric() {
        for (key, node) in [("dtype", dtype_node), ("shape", shape_node)] {
            if let Some(node) = node {
                reader.invalid(
                    node,
                    &path.key(key),
                    "only embedding, tensor, image and audio ports have a `dtype` or `shape`",
                );
            }
        }
    }
    Some(InstrumentPort {
        name: name?,
        port_type,
        description,
        dtype,
        shape,
    })
}

fn shape(node: &Node, path: &FieldPath<'_>, reader: &mut Reader) -> Option<Vec<Dimension>> {
    let items = reader.array(node, path)?;
    let mut dimensions = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let item_path = path.index(index);
        let dimension = match &item.content {
            Content::Integer(_) => match reader.integer::<u64>(item, &item_path) {
                Some(0) => {
                    reader.invalid(
                        item,
                        &item_path,
                        "a dimension is at least 1; name a varying one, as in \"batch\"",
                    );
                    None
                }
                size => size.map(Dimension::Fixed),
            },
            Content::String(name) if !name.trim().is_empty() => {
                Some(Dimension::Named(name.clone()))
            }
            _ => {
                reader.invalid(
                    item,
                    &item_path,
                    format!(
                        "expected a size (integer) or a name (string), found {}",
                        item.type_name()
                    ),
                );
                None
            }
        };
        dimensions.extend(dimension);
    }
    Some(dimensions)
}

impl fmt::Display for InstrumentPortType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
