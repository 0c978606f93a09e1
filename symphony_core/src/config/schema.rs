//! The schema types: [`ConfigSchema`], [`FieldSchema`], [`FieldType`], [`Pattern`].

use std::fmt;

use regex::Regex;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::error::ConfigErrors;
use super::name_index::NameIndex;
use super::values::ConfigValues;
use super::{json_schema, load, validate};
use crate::document::{FieldPath, Node, Reader};

/// The configuration an extension accepts: named fields in declaration order.
///
/// In a manifest this is the `[config]` table; it also deserialises on its own from TOML or JSON
/// (with all problems joined into the error message), and serialises back to the same shape.
///
/// ```
/// # use symphony_core::config::ConfigSchema;
/// use serde_json::json;
///
/// let schema: ConfigSchema = toml::from_str(r#"
///     [threshold]
///     type = "float"
///     default = 0.5
///     min = 0.0
///     max = 1.0
///
///     [api_key]
///     type = "secret"
///     required = true
/// "#)?;
///
/// let values = schema.validate(&json!({ "api_key": "sk-123" }))?;
/// assert_eq!(values.get::<f64>("threshold")?, Some(0.5));
/// assert_eq!(values.secret("api_key").map(|key| key.expose()), Some("sk-123"));
///
/// let errors = schema.validate(&json!({ "threshold": 2 })).unwrap_err();
/// assert_eq!(errors.len(), 2); // threshold above max, api_key missing
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConfigSchema {
    fields: Vec<(String, FieldSchema)>,
    index: NameIndex,
}

impl ConfigSchema {
    /// A schema with no fields, which accepts only an empty set of values.
    pub fn new() -> Self {
        Self::default()
    }

    pub(crate) fn from_fields(fields: Vec<(String, FieldSchema)>) -> Self {
        let names: Vec<&str> = fields.iter().map(|(name, _)| name.as_str()).collect();
        let index = NameIndex::new(&names);
        Self { fields, index }
    }

    /// The field called `name`.
    pub fn get(&self, name: &str) -> Option<&FieldSchema> {
        let name_at = |position: usize| self.fields.get(position).map_or("", |(name, _)| name);
        let position = self.index.find(name_at, name)?;
        self.fields.get(position).map(|(_, schema)| schema)
    }

    /// The fields, in declaration order.
    pub fn fields(&self) -> impl ExactSizeIterator<Item = (&str, &FieldSchema)> {
        self.fields
            .iter()
            .map(|(name, schema)| (name.as_str(), schema))
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether the schema declares no fields.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Checks host-provided values (a JSON object) against the schema and applies defaults.
    ///
    /// Reports one error per offending field, each naming the field path and the reason; keys
    /// the schema does not declare are errors too. `null` counts as "not given".
    pub fn validate(&self, values: &Value) -> Result<ConfigValues, ConfigErrors> {
        validate::validate(self, values)
    }

    /// The schema as a JSON Schema (draft 2020-12) for the whole set of values.
    ///
    /// Secrets are marked `writeOnly`, URLs have `format: "uri"`, and every object is closed
    /// with `additionalProperties: false`.
    ///
    /// ```
    /// # use symphony_core::config::ConfigSchema;
    /// let schema: ConfigSchema = serde_json::from_str(r#"{"token": {"type": "secret"}}"#)?;
    /// let json_schema = schema.to_json_schema();
    /// assert_eq!(json_schema["properties"]["token"]["writeOnly"], true);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn to_json_schema(&self) -> Value {
        json_schema::document(self)
    }
}

/// One configuration field: its type with constraints, and what applies to every type.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSchema {
    pub(crate) field_type: FieldType,
    pub(crate) description: Option<String>,
    pub(crate) required: bool,
    pub(crate) default: Option<Value>,
    /// For an `enum`, its values by name, so each value checked costs O(log n).
    pub(crate) enum_index: NameIndex,
}

impl FieldSchema {
    /// The field's type and its type-specific constraints.
    pub fn field_type(&self) -> &FieldType {
        &self.field_type
    }

    /// The name of the type as written in the manifest (`"float"`, `"secret"`, …).
    pub fn type_name(&self) -> &'static str {
        self.field_type.name()
    }

    /// Human-readable description for settings UIs.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// Whether the host must provide a value when the field has no default.
    pub fn is_required(&self) -> bool {
        self.required
    }

    /// The default value, already checked against the field's own constraints.
    /// Secrets never have one.
    pub fn default(&self) -> Option<&Value> {
        self.default.as_ref()
    }

    /// Whether this is a `secret` field, whose values are never printed.
    pub fn is_secret(&self) -> bool {
        matches!(self.field_type, FieldType::Secret { .. })
    }

    /// Whether `text` is one of an `enum` field's values.
    pub(crate) fn allows(&self, text: &str) -> bool {
        let FieldType::Enum { values } = &self.field_type else {
            return false;
        };
        let name_at = |position: usize| values.get(position).map_or("", String::as_str);
        self.enum_index.find(name_at, text).is_some()
    }

    pub(crate) fn new(field_type: FieldType, description: Option<String>, required: bool) -> Self {
        let enum_index = match &field_type {
            FieldType::Enum { values } => {
                NameIndex::new(&values.iter().map(String::as_str).collect::<Vec<_>>())
            }
            _ => NameIndex::default(),
        };
        Self {
            field_type,
            description,
            required,
            default: None,
            enum_index,
        }
    }
}

/// A field's type with its constraints.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum FieldType {
    /// A string: `min_length`, `max_length` (in characters), `pattern`.
    String {
        /// Minimum length in characters.
        min_length: Option<usize>,
        /// Maximum length in characters.
        max_length: Option<usize>,
        /// Regular expression the value must contain a match of (anchor it with `^…$` to
        /// match the whole value, as in JSON Schema).
        pattern: Option<Pattern>,
    },
    /// A secret string: like `String`, never printed, never with a default, top level only.
    Secret {
        /// Minimum length in characters.
        min_length: Option<usize>,
        /// Maximum length in characters.
        max_length: Option<usize>,
        /// Regular expression the value must contain a match of.
        pattern: Option<Pattern>,
    },
    /// A 64-bit signed integer: `min`, `max` (inclusive).
    Integer {
        /// Smallest allowed value.
        min: Option<i64>,
        /// Largest allowed value.
        max: Option<i64>,
    },
    /// A finite 64-bit float; integers are accepted too: `min`, `max` (inclusive).
    Float {
        /// Smallest allowed value.
        min: Option<f64>,
        /// Largest allowed value.
        max: Option<f64>,
    },
    /// `true` or `false`.
    Boolean,
    /// One string out of a fixed list.
    Enum {
        /// The allowed values, at least one, no duplicates.
        values: Vec<String>,
    },
    /// A list of values of one schema: `items`, `min_items`, `max_items`.
    Array {
        /// Schema of each item.
        items: Box<FieldSchema>,
        /// Minimum number of items.
        min_items: Option<usize>,
        /// Maximum number of items.
        max_items: Option<usize>,
    },
    /// A nested object with its own fields (`properties`); unknown keys are rejected.
    Object {
        /// The object's fields.
        properties: ConfigSchema,
    },
    /// A filesystem path: non-empty, without NUL bytes.
    Path,
    /// An absolute URL, optionally restricted to some `schemes`.
    Url {
        /// Allowed schemes, lowercase; empty means any.
        schemes: Vec<String>,
    },
}

impl FieldType {
    /// Every type name, as written in a manifest's `type` key.
    pub const NAMES: [&'static str; 10] = [
        "string", "integer", "float", "boolean", "enum", "array", "object", "secret", "path", "url",
    ];

    /// The type's name as written in a manifest's `type` key.
    pub fn name(&self) -> &'static str {
        match self {
            Self::String { .. } => "string",
            Self::Secret { .. } => "secret",
            Self::Integer { .. } => "integer",
            Self::Float { .. } => "float",
            Self::Boolean => "boolean",
            Self::Enum { .. } => "enum",
            Self::Array { .. } => "array",
            Self::Object { .. } => "object",
            Self::Path => "path",
            Self::Url { .. } => "url",
        }
    }
}

/// A compiled regular expression (the `regex` crate's syntax) with the text it came from.
#[derive(Clone)]
pub struct Pattern {
    source: String,
    regex: Regex,
}

impl Pattern {
    pub(crate) fn new(source: &str) -> Result<Self, regex::Error> {
        Ok(Self {
            source: source.to_owned(),
            regex: Regex::new(source)?,
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether `text` contains a match.
    pub fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pattern").field(&self.source).finish()
    }
}

impl Serialize for ConfigSchema {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.fields.len()))?;
        for (name, field) in &self.fields {
            map.serialize_entry(name, field)?;
        }
        map.end()
    }
}

/// Serialises to the manifest's shape: `type`, then the common keys, then the constraints.
impl Serialize for FieldSchema {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("type", self.type_name())?;
        if let Some(description) = &self.description {
            map.serialize_entry("description", description)?;
        }
        if self.required {
            map.serialize_entry("required", &true)?;
        }
        if let Some(default) = &self.default {
            map.serialize_entry("default", default)?;
        }
        match &self.field_type {
            FieldType::String {
                min_length,
                max_length,
                pattern,
            }
            | FieldType::Secret {
                min_length,
                max_length,
                pattern,
            } => {
                entry_if(&mut map, "min_length", min_length)?;
                entry_if(&mut map, "max_length", max_length)?;
                entry_if(&mut map, "pattern", &pattern.as_ref().map(Pattern::as_str))?;
            }
            FieldType::Integer { min, max } => {
                entry_if(&mut map, "min", min)?;
                entry_if(&mut map, "max", max)?;
            }
            FieldType::Float { min, max } => {
                entry_if(&mut map, "min", min)?;
                entry_if(&mut map, "max", max)?;
            }
            FieldType::Boolean | FieldType::Path => {}
            FieldType::Enum { values } => map.serialize_entry("values", values)?,
            FieldType::Array {
                items,
                min_items,
                max_items,
            } => {
                entry_if(&mut map, "min_items", min_items)?;
                entry_if(&mut map, "max_items", max_items)?;
                map.serialize_entry("items", items)?;
            }
            FieldType::Object { properties } => map.serialize_entry("properties", properties)?,
            FieldType::Url { schemes } => {
                if !schemes.is_empty() {
                    map.serialize_entry("schemes", schemes)?;
                }
            }
        }
        map.end()
    }
}

fn entry_if<M: SerializeMap, T: Serialize>(
    map: &mut M,
    key: &str,
    value: &Option<T>,
) -> Result<(), M::Error> {
    match value {
        Some(value) => map.serialize_entry(key, value),
        None => Ok(()),
    }
}

impl<'de> Deserialize<'de> for ConfigSchema {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let node = Node::deserialize(deserializer)?;
        let mut reader = Reader::new();
        let schema = load::schema(&node, &FieldPath::Root("config"), &mut reader);
        let (issues, unlisted) = reader.into_issues();
        if issues.is_empty() {
            return Ok(schema);
        }
        let mut messages: Vec<String> = issues.iter().map(ToString::to_string).collect();
        if unlisted > 0 {
            messages.push(format!("… and {unlisted} more not listed"));
        }
        Err(serde::de::Error::custom(format_args!(
            "invalid config schema: {}",
            messages.join("; ")
        )))
    }
}
