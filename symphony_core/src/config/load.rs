//! Building a [`ConfigSchema`] from a document tree, reporting every problem found.

use std::collections::HashSet;

use super::schema::{ConfigSchema, FieldSchema, FieldType, Pattern};
use super::uri::is_scheme;
use super::validate;
use crate::document::{FieldPath, IssueKind, Node, Reader, Table};

/// Where a field schema sits, which decides the keys it may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    /// A field of `[config]` itself.
    TopLevel,
    /// A property of an `object` field.
    Property,
    /// The `items` schema of an `array` field.
    Items,
}

/// The most values an `enum` may list: every value rejected is named with the whole list.
const MAX_ENUM_VALUES: usize = 1024;

/// The most schemes a `url` field may list (each URL is checked against every one).
const MAX_SCHEMES: usize = 64;

/// Keys every field may have (except `required`/`default` under `items`).
const COMMON_KEYS: [&str; 4] = ["type", "description", "required", "default"];

/// Reads a `[config]` table; fields with problems are left out and reported to `reader`.
pub(crate) fn schema(node: &Node, path: &FieldPath<'_>, reader: &mut Reader) -> ConfigSchema {
    schema_at(node, path, reader, Position::TopLevel)
}

fn schema_at(
    node: &Node,
    path: &FieldPath<'_>,
    reader: &mut Reader,
    position: Position,
) -> ConfigSchema {
    let Some(table) = reader.table(node, path) else {
        return ConfigSchema::new();
    };
    let mut fields = Vec::new();
    // Every key of the table is a field name, so there are no unknown keys to look for.
    for entry in table.entries() {
        let field_path = path.key(&entry.key);
        if !is_field_name(&entry.key) {
            reader.report(
                &field_path,
                entry.key_span.as_ref(),
                IssueKind::Invalid(
                    "not a valid field name: use letters, digits, `_` and `-`, starting with a \
                     letter or `_`"
                        .to_owned(),
                ),
            );
            continue;
        }
        if let Some(field) = field(&entry.node, &field_path, reader, position) {
            fields.push((entry.key.clone(), field));
        }
    }
    ConfigSchema::from_fields(fields)
}

fn is_field_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn field(
    node: &Node,
    path: &FieldPath<'_>,
    reader: &mut Reader,
    position: Position,
) -> Option<FieldSchema> {
    let mut table = reader.table(node, path)?;
    let type_node = table.required("type", path, reader)?;
    let type_path = path.key("type");
    let type_name = reader.one_of(type_node, &type_path, &TYPE_CHOICES)?;
    if type_name == "secret" && position != Position::TopLevel {
        reader.invalid(
            type_node,
            &type_path,
            "secret fields are only allowed at the top level of [config]",
        );
    }

    let description = table
        .get("description")
        .and_then(|node| reader.string(node, &path.key("description")))
        .map(str::to_owned);
    let required = match table.get("required") {
        Some(node) if position == Position::Items => {
            reader.invalid(node, &path.key("required"), "not allowed inside `items`");
            false
        }
        Some(node) => reader.boolean(node, &path.key("required")).unwrap_or(false),
        None => false,
    };
    let default_node = table.get("default");
    let default = match default_node {
        Some(node) if position == Position::Items => {
            reader.invalid(
                node,
                &path.key("default"),
                "not allowed inside `items`; give the array field a default instead",
            );
            None
        }
        Some(node) if type_name == "secret" => {
            reader.invalid(
                node,
                &path.key("default"),
                "a secret cannot have a default: the manifest is public",
            );
            None
        }
        Some(node) => reader.json(node, &path.key("default")),
        None => None,
    };

    let (field_type, type_keys) = field_type(type_name, &mut table, path, reader);
    let known: Vec<&str> = COMMON_KEYS.iter().chain(type_keys).copied().collect();
    table.finish(path, &known, reader);
    let mut field = FieldSchema::new(field_type?, description, required);

    // A default must satisfy the field's own schema; keep it in its checked form (objects
    // with their properties' defaults filled in).
    if let (Some(default), Some(default_node)) = (default, default_node) {
        let default_path = path.key("default");
        match validate::check_default(&field, &default, &default_path) {
            Ok(checked) => field.default = Some(checked),
            Err(errors) => {
                reader.count_unlisted(errors.unlisted());
                for error in errors {
                    reader.report_at(
                        error.path().to_owned(),
                        default_node.span.as_ref(),
                        IssueKind::Invalid(format!(
                            "the default does not satisfy the field's schema: {}",
                            error.reason()
                        )),
                    );
                }
            }
        }
    }
    Some(field)
}

const TYPE_CHOICES: [(&str, &str); 10] = [
    ("string", "string"),
    ("integer", "integer"),
    ("float", "float"),
    ("boolean", "boolean"),
    ("enum", "enum"),
    ("array", "array"),
    ("object", "object"),
    ("secret", "secret"),
    ("path", "path"),
    ("url", "url"),
];

/// Reads the type-specific keys; returns the type (if valid) and the keys it allows.
fn field_type(
    type_name: &str,
    table: &mut Table<'_>,
    path: &FieldPath<'_>,
    reader: &mut Reader,
) -> (Option<FieldType>, &'static [&'static str]) {
    match type_name {
        "string" | "secret" => {
            let (min_length, max_length) =
                bounds::<usize>(table, path, reader, "min_length", "max_length");
            let pattern = table.get("pattern").and_then(|node| {
                let pattern_path = path.key("pattern");
                let source = reader.string(node, &pattern_path)?;
                Pattern::new(source)
                    .map_err(|error| {
                        reader.invalid(
                            node,
                            &pattern_path,
                            format!("invalid regular expression: {error}"),
                        );
                    })
                    .ok()
            });
            let field_type = if type_name == "secret" {
                FieldType::Secret {
                    min_length,
                    max_length,
                    pattern,
                }
            } else {
                FieldType::String {
                    min_length,
                    max_length,
                    pattern,
                }
            };
            (Some(field_type), &["min_length", "max_length", "pattern"])
        }
        "integer" => {
            let (min, max) = bounds::<i64>(table, path, reader, "min", "max");
            (Some(FieldType::Integer { min, max }), &["min", "max"])
        }
        "float" => {
            let min = table
                .get("min")
                .and_then(|node| reader.number(node, &path.key("min")));
            let max = table
                .get("max")
                .and_then(|node| reader.number(node, &path.key("max")));
            if let (Some(low), Some(high), Some(node)) = (min, max, table.get("max"))
                && high < low
            {
                reader.invalid(
                    node,
                    &path.key("max"),
                    format!("max ({high}) is less than min ({low})"),
                );
            }
            (Some(FieldType::Float { min, max }), &["min", "max"])
        }
        "boolean" => (Some(FieldType::Boolean), &[]),
        "path" => (Some(FieldType::Path), &[]),
        "enum" => (enum_values(table, path, reader), &["values"]),
        "array" => {
            let (min_items, max_items) =
                bounds::<usize>(table, path, reader, "min_items", "max_items");
            let items = table
                .required("items", path, reader)
                .and_then(|node| field(node, &path.key("items"), reader, Position::Items));
            let field_type = items.map(|items| FieldType::Array {
                items: Box::new(items),
                min_items,
                max_items,
            });
            (field_type, &["items", "min_items", "max_items"])
        }
        "object" => {
            let properties = table
                .required("properties", path, reader)
                .map(|node| schema_at(node, &path.key("properties"), reader, Position::Property));
            (
                properties.map(|properties| FieldType::Object { properties }),
                &["properties"],
            )
        }
        "url" => (url_schemes(table, path, reader), &["schemes"]),
        // `one_of` only lets the names above through.
        _ => (None, &[]),
    }
}

/// Reads a `min`/`max`-style pair of integer bounds and checks that they are in order.
fn bounds<T>(
    table: &mut Table<'_>,
    path: &FieldPath<'_>,
    reader: &mut Reader,
    low_key: &str,
    high_key: &str,
) -> (Option<T>, Option<T>)
where
    T: TryFrom<i128> + crate::document::Bounded + PartialOrd + std::fmt::Display + Copy,
{
    let low = table
        .get(low_key)
        .and_then(|node| reader.integer::<T>(node, &path.key(low_key)));
    let high_node = table.get(high_key);
    let high = high_node.and_then(|node| reader.integer::<T>(node, &path.key(high_key)));
    if let (Some(low), Some(high), Some(node)) = (low, high, high_node)
        && high < low
    {
        reader.invalid(
            node,
            &path.key(high_key),
            format!("{high_key} ({high}) is less than {low_key} ({low})"),
        );
    }
    (low, high)
}

fn enum_values(
    table: &mut Table<'_>,
    path: &FieldPath<'_>,
    reader: &mut Reader,
) -> Option<FieldType> {
    let node = table.required("values", path, reader)?;
    let values_path = path.key("values");
    let strings = reader.strings(node, &values_path)?;
    if strings.is_empty() {
        reader.invalid(node, &values_path, "must list at least one value");
        return None;
    }
    if strings.len() > MAX_ENUM_VALUES {
        reader.invalid(
            node,
            &values_path,
            format!(
                "lists {} values; an enum takes at most {MAX_ENUM_VALUES} (use a string with a \
                 `pattern` for larger sets)",
                strings.len()
            ),
        );
        return None;
    }
    let mut values: Vec<String> = Vec::with_capacity(strings.len());
    let mut seen: HashSet<&str> = HashSet::with_capacity(strings.len());
    for (index, (value, item)) in strings.into_iter().enumerate() {
        if !seen.insert(value) {
            reader.invalid(
                item,
                &values_path.index(index),
                format!("duplicate value `{value}`"),
            );
        } else {
            values.push(value.to_owned());
        }
    }
    Some(FieldType::Enum { values })
}

fn url_schemes(
    table: &mut Table<'_>,
    path: &FieldPath<'_>,
    reader: &mut Reader,
) -> Option<FieldType> {
    let Some(node) = table.get("schemes") else {
        return Some(FieldType::Url {
            schemes: Vec::new(),
        });
    };
    let schemes_path = path.key("schemes");
    let listed = reader.strings(node, &schemes_path)?;
    if listed.len() > MAX_SCHEMES {
        reader.invalid(
            node,
            &schemes_path,
            format!(
                "lists {} schemes; a url field takes at most {MAX_SCHEMES}",
                listed.len()
            ),
        );
        return None;
    }
    let mut schemes = Vec::new();
    for (index, (scheme, item)) in listed.into_iter().enumerate() {
        if is_scheme(scheme) {
            schemes.push(scheme.to_ascii_lowercase());
        } else {
            reader.invalid(
                item,
                &schemes_path.index(index),
                format!("`{scheme}` is not a URL scheme (letters, digits, `+`, `-`, `.`)"),
            );
        }
    }
    Some(FieldType::Url { schemes })
}

/// Loads a `[config]`-shaped TOML table, returning the rendered issues on failure.
#[cfg(test)]
pub(crate) fn parse_for_test(source: &str) -> Result<ConfigSchema, Vec<String>> {
    let node = Node::from_toml(source).map_err(|error| vec![error.message])?;
    let mut reader = Reader::new();
    let schema = schema(&node, &FieldPath::Root("config"), &mut reader);
    let (issues, _) = reader.into_issues();
    if issues.is_empty() {
        Ok(schema)
    } else {
        Err(issues.iter().map(ToString::to_string).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"
        [threshold]
        type = "float"
        description = "Minimum score to keep a row"
        default = 0.5
        min = 0.0
        max = 1.0
        [mode]
        type = "enum"
        values = ["fast", "accurate"]
        default = "fast"
        [api_key]
        type = "secret"
        required = true
        min_length = 8
        [tags]
        type = "array"
        items = { type = "string", pattern = "^[a-z]+$" }
        max_items = 8
        [endpoint]
        type = "url"
        schemes = ["HTTPS", "http"]
        [output_dir]
        type = "path"
        [retry]
        type = "object"
        properties = { attempts = { type = "integer", min = 0, max = 10, default = 3 } }
    "#;

    #[test]
    fn loads_every_type_in_declaration_order() {
        let schema = parse_for_test(FULL).expect("valid schema");
        let names: Vec<&str> = schema.fields().map(|(name, _)| name).collect();
        assert_eq!(
            names,
            [
                "threshold",
                "mode",
                "api_key",
                "tags",
                "endpoint",
                "output_dir",
                "retry"
            ]
        );
        let threshold = schema.get("threshold").expect("threshold");
        assert_eq!(
            threshold.field_type(),
            &FieldType::Float {
                min: Some(0.0),
                max: Some(1.0)
            }
        );
        assert_eq!(threshold.default(), Some(&serde_json::json!(0.5)));
        assert_eq!(threshold.description(), Some("Minimum score to keep a row"));
        assert!(
            schema
                .get("api_key")
                .is_some_and(|f| f.is_secret() && f.is_required())
        );
        assert_eq!(
            schema.get("endpoint").map(FieldSchema::field_type),
            Some(&FieldType::Url {
                schemes: vec!["https".into(), "http".into()]
            })
        );
        // The object's default is derived from its properties.
        match schema.get("retry").map(FieldSchema::field_type) {
            Some(FieldType::Object { properties }) => {
                assert_eq!(
                    properties.get("attempts").and_then(FieldSchema::default),
                    Some(&3.into())
                );
            }
            other => panic!("expected an object, got {other:?}"),
        }
    }

    #[test]
    fn reports_every_problem_with_its_path() {
        let errors = parse_for_test(
            r#"
            [a]
            type = "flaot"
            [b]
            type = "integer"
            min = 5
            max = 1
            [c]
            type = "string"
            pattern = "(unclosed"
            min = 3
            [d]
            type = "enum"
            values = []
            [e]
            type = "array"
            items = { type = "string", default = "x" }
            [f]
            type = "secret"
            default = "hunter2"
            [g]
            type = "object"
            properties = { token = { type = "secret" } }
            [h]
            description = "no type"
            [i]
            type = "url"
            schemes = ["ht tp"]
            [j]
            type = "float"
            default = 2.5
            max = 1.0
            [k]
            type = "array"
            items = { type = "integer", max = 3 }
            default = [1, 2, 7]
            "#,
        )
        .expect_err("invalid schema");
        let expected = [
            "config.a.type: unknown value `flaot` (did you mean `float`?)",
            "config.b.max: max (1) is less than min (5)",
            "config.c.pattern: invalid regular expression",
            "config.c.min: unknown field (did you mean `min_length`?)",
            "config.d.values: must list at least one value",
            "config.e.items.default: not allowed inside `items`",
            "config.f.default: a secret cannot have a default",
            "config.g.properties.token.type: secret fields are only allowed at the top level",
            "config.h.type: missing required field",
            "config.i.schemes[0]: `ht tp` is not a URL scheme",
            "config.j.default: the default does not satisfy the field's schema: 2.5 is above the maximum 1",
            "config.k.default[2]: the default does not satisfy the field's schema: 7 is above the maximum 3",
        ];
        assert_eq!(errors.len(), expected.len(), "{errors:#?}");
        for (error, expected) in errors.iter().zip(expected) {
            assert!(
                error.starts_with(expected),
                "{error}\n  does not start with\n{expected}"
            );
        }
        assert!(!errors.iter().any(|error| error.contains("hunter2")));
    }

    #[test]
    fn type_choices_are_the_public_type_names() {
        let names: Vec<&str> = TYPE_CHOICES.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, FieldType::NAMES);
    }

    #[test]
    fn rejects_bad_field_names_and_non_tables() {
        let errors =
            parse_for_test("\"a b\" = { type = \"string\" }\nplain = 3\n").expect_err("invalid");
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].starts_with("config.\"a b\": not a valid field name"));
        assert_eq!(
            errors[1],
            "config.plain: expected a table, found an integer"
        );
    }
}
