//! Export of a [`ConfigSchema`] as JSON Schema (draft 2020-12), for settings UIs and hosts.

use serde_json::{Map, Value, json};

use super::schema::{ConfigSchema, FieldSchema, FieldType};

const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// The schema of the whole set of values, with the `$schema` dialect.
pub(crate) fn document(schema: &ConfigSchema) -> Value {
    let mut root = object(schema);
    if let Value::Object(map) = &mut root {
        map.insert("$schema".to_owned(), Value::String(DIALECT.to_owned()));
    }
    root
}

/// A closed object with one property per field; required fields without a default are
/// `required`, since a default satisfies the requirement.
fn object(schema: &ConfigSchema) -> Value {
    let properties: Map<String, Value> = schema
        .fields()
        .map(|(name, field)| (name.to_owned(), field_schema(field)))
        .collect();
    let required: Vec<&str> = schema
        .fields()
        .filter(|(_, field)| field.is_required() && field.default().is_none())
        .map(|(name, _)| name)
        .collect();
    let mut map = Map::new();
    map.insert("type".to_owned(), json!("object"));
    map.insert("properties".to_owned(), Value::Object(properties));
    if !required.is_empty() {
        map.insert("required".to_owned(), json!(required));
    }
    map.insert("additionalProperties".to_owned(), json!(false));
    Value::Object(map)
}

fn field_schema(field: &FieldSchema) -> Value {
    let mut map = match type_schema(field.field_type()) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    if let Some(description) = field.description() {
        map.insert("description".to_owned(), json!(description));
    }
    if let Some(default) = field.default() {
        map.insert("default".to_owned(), default.clone());
    }
    Value::Object(map)
}

fn type_schema(field_type: &FieldType) -> Value {
    let mut map = Map::new();
    let mut set = |key: &str, value: Value| {
        map.insert(key.to_owned(), value);
    };
    match field_type {
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
            set("type", json!("string"));
            if let Some(min) = min_length {
                set("minLength", json!(min));
            }
            if let Some(max) = max_length {
                set("maxLength", json!(max));
            }
            if let Some(pattern) = pattern {
                set("pattern", json!(pattern.as_str()));
            }
            if matches!(field_type, FieldType::Secret { .. }) {
                set("writeOnly", json!(true));
            }
        }
        FieldType::Integer { min, max } => {
            set("type", json!("integer"));
            if let Some(min) = min {
                set("minimum", json!(min));
            }
            if let Some(max) = max {
                set("maximum", json!(max));
            }
        }
        FieldType::Float { min, max } => {
            set("type", json!("number"));
            if let Some(min) = min {
                set("minimum", json!(min));
            }
            if let Some(max) = max {
                set("maximum", json!(max));
            }
        }
        FieldType::Boolean => set("type", json!("boolean")),
        FieldType::Enum { values } => {
            set("type", json!("string"));
            set("enum", json!(values));
        }
        FieldType::Array {
            items,
            min_items,
            max_items,
        } => {
            set("type", json!("array"));
            set("items", field_schema(items));
            if let Some(min) = min_items {
                set("minItems", json!(min));
            }
            if let Some(max) = max_items {
                set("maxItems", json!(max));
            }
        }
        FieldType::Object { properties } => return object(properties),
        FieldType::Path => {
            set("type", json!("string"));
            set("minLength", json!(1));
            // Not a standard format; an annotation so settings UIs can offer a file picker.
            set("x-symphony-type", json!("path"));
        }
        FieldType::Url { schemes } => {
            set("type", json!("string"));
            set("format", json!("uri"));
            if !schemes.is_empty() {
                let alternatives: Vec<String> =
                    schemes.iter().map(|scheme| regex::escape(scheme)).collect();
                set(
                    "pattern",
                    json!(format!("^(?i:{}):", alternatives.join("|"))),
                );
            }
        }
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::super::load::parse_for_test;
    use super::*;

    #[test]
    fn exports_draft_2020_12() {
        let schema = parse_for_test(
            r#"
            [threshold]
            type = "float"
            description = "Minimum score"
            default = 0.5
            min = 0.0
            max = 1.0
            [api_key]
            type = "secret"
            required = true
            [tags]
            type = "array"
            items = { type = "string", pattern = "^[a-z]+$" }
            max_items = 8
            [endpoint]
            type = "url"
            schemes = ["https", "http"]
            [output_dir]
            type = "path"
            [mode]
            type = "enum"
            values = ["fast", "accurate"]
            [retry]
            type = "object"
            properties = { attempts = { type = "integer", min = 0, max = 10, default = 3 } }
            "#,
        )
        .expect("valid");
        assert_eq!(
            document(&schema),
            json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "type": "object",
                "additionalProperties": false,
                "required": ["api_key"],
                "properties": {
                    "threshold": {
                        "type": "number", "minimum": 0.0, "maximum": 1.0,
                        "description": "Minimum score", "default": 0.5
                    },
                    "api_key": { "type": "string", "writeOnly": true },
                    "tags": {
                        "type": "array", "maxItems": 8,
                        "items": { "type": "string", "pattern": "^[a-z]+$" }
                    },
                    "endpoint": { "type": "string", "format": "uri", "pattern": "^(?i:https|http):" },
                    "output_dir": { "type": "string", "minLength": 1, "x-symphony-type": "path" },
                    "mode": { "type": "string", "enum": ["fast", "accurate"] },
                    "retry": {
                        "type": "object",
                        "additionalProperties": false,
                        "properties": {
                            "attempts": { "type": "integer", "minimum": 0, "maximum": 10, "default": 3 }
                        }
                    }
                }
            })
        );
    }
}
