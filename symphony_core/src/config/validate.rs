//! Checking host-provided values against a schema, one error per offending field.

use serde_json::{Map, Number, Value};

use super::error::{ConfigError, ConfigErrors};
use super::schema::{ConfigSchema, FieldSchema, FieldType, Pattern};
use super::uri;
use super::values::ConfigValues;
use crate::document::{FieldPath, closest};

/// Validates a whole set of values (the JSON object a host sends) against `schema`.
pub(crate) fn validate(
    schema: &ConfigSchema,
    values: &Value,
) -> Result<ConfigValues, ConfigErrors> {
    let root = FieldPath::Root("config");
    let empty = Map::new();
    let object = match values {
        Value::Object(object) => object,
        Value::Null => &empty,
        other => {
            return Err(ConfigErrors::new(vec![ConfigError::WrongType {
                path: root.to_string(),
                expected: "an object",
                found: json_type(other),
            }]));
        }
    };
    let mut errors = ConfigErrors::new(Vec::new());
    let checked = check_object(schema, object, &root, &mut errors);
    if errors.found() == 0 {
        Ok(ConfigValues::from_checked(schema, checked))
    } else {
        Err(errors)
    }
}

/// Checks a field's `default` when its schema is loaded, returning the value to keep.
pub(crate) fn check_default(
    field: &FieldSchema,
    default: &Value,
    path: &FieldPath<'_>,
) -> Result<Value, ConfigErrors> {
    let mut errors = ConfigErrors::new(Vec::new());
    match check_value(field, default, path, &mut errors) {
        Some(value) if errors.found() == 0 => Ok(value),
        _ => Err(errors),
    }
}

/// Checks an object against its fields: unknown keys, then each field in schema order.
fn check_object(
    schema: &ConfigSchema,
    object: &Map<String, Value>,
    path: &FieldPath<'_>,
    errors: &mut ConfigErrors,
) -> Map<String, Value> {
    for key in object.keys() {
        if schema.get(key).is_none() {
            // Past the listed errors, a hint would be computed only to be dropped.
            let suggestion = if errors.is_full() {
                None
            } else {
                closest(key, schema.fields().map(|(name, _)| name)).map(str::to_owned)
            };
            errors.push(ConfigError::UnknownKey {
                path: path.key(key).to_string(),
                suggestion,
            });
        }
    }
    let mut checked = Map::new();
    for (name, field) in schema.fields() {
        let field_path = path.key(name);
        let value = match object.get(name).filter(|value| !value.is_null()) {
            Some(value) => check_value(field, value, &field_path, errors),
            None => absent_value(field, &field_path, errors),
        };
        if let Some(value) = value {
            checked.insert(name.to_owned(), value);
        }
    }
    checked
}

/// The value of a field the host did not give: its default, the defaults of an object's
/// properties, or nothing (an error if the field is required).
fn absent_value(
    field: &FieldSchema,
    path: &FieldPath<'_>,
    errors: &mut ConfigErrors,
) -> Option<Value> {
    if let Some(default) = field.default() {
        return Some(default.clone());
    }
    if let FieldType::Object { properties } = field.field_type() {
        let mut nested = ConfigErrors::new(Vec::new());
        let object = check_object(properties, &Map::new(), path, &mut nested);
        if nested.found() > 0 {
            // An optional object whose properties cannot all be defaulted is simply absent;
            // a required one reports what is missing inside it.
            if field.is_required() {
                errors.append(nested);
            }
            return None;
        }
        return (field.is_required() || !object.is_empty()).then_some(Value::Object(object));
    }
    if field.is_required() {
        errors.push(ConfigError::Missing {
            path: path.to_string(),
        });
    }
    None
}

/// Checks one value; on success returns it as kept (objects with defaults filled in).
fn check_value(
    field: &FieldSchema,
    value: &Value,
    path: &FieldPath<'_>,
    errors: &mut ConfigErrors,
) -> Option<Value> {
    let problem = match field.field_type() {
        FieldType::String {
            min_length,
            max_length,
            pattern,
        } => check_string(value, *min_length, *max_length, pattern.as_ref(), path),
        FieldType::Secret {
            min_length,
            max_length,
            pattern,
        } => check_secret(value, *min_length, *max_length, pattern.as_ref(), path),
        FieldType::Integer { min, max } => check_integer(value, *min, *max, path),
        FieldType::Float { min, max } => check_float(value, *min, *max, path),
        FieldType::Boolean => match value {
            Value::Bool(_) => None,
            other => Some(wrong_type(path, "a boolean", other)),
        },
        FieldType::Enum { values } => check_enum(value, field, values, path, errors.is_full()),
        FieldType::Path => check_path(value, path),
        FieldType::Url { schemes } => check_url(value, schemes, path, errors.is_full()),
        FieldType::Array {
            items,
            min_items,
            max_items,
        } => return check_array(value, items, *min_items, *max_items, path, errors),
        FieldType::Object { properties } => {
            let Value::Object(object) = value else {
                errors.push(wrong_type(path, "an object", value));
                return None;
            };
            let before = errors.found();
            let checked = check_object(properties, object, path, errors);
            return (errors.found() == before).then_some(Value::Object(checked));
        }
    };
    match problem {
        Some(error) => {
            errors.push(error);
            None
        }
        None => Some(value.clone()),
    }
}

fn check_string(
    value: &Value,
    min_length: Option<usize>,
    max_length: Option<usize>,
    pattern: Option<&Pattern>,
    path: &FieldPath<'_>,
) -> Option<ConfigError> {
    let Value::String(text) = value else {
        return Some(wrong_type(path, "a string", value));
    };
    let length = text.chars().count();
    if let Some(min_length) = min_length.filter(|min| length < *min) {
        return Some(ConfigError::TooShort {
            path: path.to_string(),
            length,
            min_length,
        });
    }
    if let Some(max_length) = max_length.filter(|max| length > *max) {
        return Some(ConfigError::TooLong {
            path: path.to_string(),
            length,
            max_length,
        });
    }
    match pattern {
        Some(pattern) if !pattern.is_match(text) => Some(ConfigError::PatternMismatch {
            path: path.to_string(),
            value: text.clone(),
            pattern: pattern.as_str().to_owned(),
        }),
        _ => None,
    }
}

/// Like [`check_string`], but no message ever contains the value.
fn check_secret(
    value: &Value,
    min_length: Option<usize>,
    max_length: Option<usize>,
    pattern: Option<&Pattern>,
    path: &FieldPath<'_>,
) -> Option<ConfigError> {
    let Value::String(text) = value else {
        return Some(wrong_type(path, "a string", value));
    };
    let length = text.chars().count();
    let reason = if let Some(min) = min_length.filter(|min| length < *min) {
        format!("too short (minimum {min} characters)")
    } else if let Some(max) = max_length.filter(|max| length > *max) {
        format!("too long (maximum {max} characters)")
    } else if let Some(pattern) = pattern.filter(|pattern| !pattern.is_match(text)) {
        format!("does not match the pattern `{}`", pattern.as_str())
    } else {
        return None;
    };
    Some(ConfigError::SecretRejected {
        path: path.to_string(),
        reason,
    })
}

fn check_integer(
    value: &Value,
    min: Option<i64>,
    max: Option<i64>,
    path: &FieldPath<'_>,
) -> Option<ConfigError> {
    let Value::Number(number) = value else {
        return Some(wrong_type(path, "an integer", value));
    };
    let Some(integer) = number.as_i64() else {
        return Some(if number.is_u64() {
            // Larger than any i64: above the type's own maximum.
            ConfigError::AboveMaximum {
                path: path.to_string(),
                value: number.clone(),
                max: max.unwrap_or(i64::MAX).into(),
            }
        } else {
            wrong_type(path, "an integer", value)
        });
    };
    if let Some(min) = min.filter(|min| integer < *min) {
        return Some(ConfigError::BelowMinimum {
            path: path.to_string(),
            value: number.clone(),
            min: min.into(),
        });
    }
    max.filter(|max| integer > *max)
        .map(|max| ConfigError::AboveMaximum {
            path: path.to_string(),
            value: number.clone(),
            max: max.into(),
        })
}

fn check_float(
    value: &Value,
    min: Option<f64>,
    max: Option<f64>,
    path: &FieldPath<'_>,
) -> Option<ConfigError> {
    let (Value::Number(given), Some(float)) = (value, value.as_f64()) else {
        return Some(wrong_type(path, "a number", value));
    };
    // Bounds were checked to be finite when the schema was loaded, so `from_f64` succeeds.
    let number = |bound: f64| Number::from_f64(bound).unwrap_or_else(|| given.clone());
    if let Some(min) = min.filter(|min| float < *min) {
        return Some(ConfigError::BelowMinimum {
            path: path.to_string(),
            value: given.clone(),
            min: number(min),
        });
    }
    max.filter(|max| float > *max)
        .map(|max| ConfigError::AboveMaximum {
            path: path.to_string(),
            value: given.clone(),
            max: number(max),
        })
}

/// `unlisted`: the error will only be counted, so it is not described (naming every allowed
/// value for each of a million bad items would cost a million copies of the list).
fn check_enum(
    value: &Value,
    field: &FieldSchema,
    allowed: &[String],
    path: &FieldPath<'_>,
    unlisted: bool,
) -> Option<ConfigError> {
    let Value::String(text) = value else {
        return Some(wrong_type(path, "a string", value));
    };
    if field.allows(text) {
        return None;
    }
    if unlisted {
        return Some(ConfigError::NotAllowed {
            path: String::new(),
            value: String::new(),
            allowed: Vec::new(),
            suggestion: None,
        });
    }
    Some(ConfigError::NotAllowed {
        path: path.to_string(),
        value: text.clone(),
        allowed: allowed.to_vec(),
        suggestion: closest(text, allowed.iter().map(String::as_str)).map(str::to_owned),
    })
}

fn check_path(value: &Value, path: &FieldPath<'_>) -> Option<ConfigError> {
    let Value::String(text) = value else {
        return Some(wrong_type(path, "a string", value));
    };
    let reason = if text.is_empty() {
        "must not be empty"
    } else if text.contains('\0') {
        "contains a NUL byte"
    } else {
        return None;
    };
    Some(ConfigError::InvalidPath {
        path: path.to_string(),
        reason,
    })
}

/// `unlisted`: as for [`check_enum`].
fn check_url(
    value: &Value,
    schemes: &[String],
    path: &FieldPath<'_>,
    unlisted: bool,
) -> Option<ConfigError> {
    let Value::String(text) = value else {
        return Some(wrong_type(path, "a string", value));
    };
    match uri::parse_absolute(text) {
        Err(reason) => Some(ConfigError::InvalidUrl {
            path: path.to_string(),
            value: text.clone(),
            reason,
        }),
        Ok(parsed)
            if !schemes.is_empty()
                && !schemes
                    .iter()
                    .any(|scheme| scheme.eq_ignore_ascii_case(parsed.scheme)) =>
        {
            Some(ConfigError::SchemeNotAllowed {
                path: path.to_string(),
                scheme: parsed.scheme.to_owned(),
                allowed: if unlisted {
                    Vec::new()
                } else {
                    schemes.to_vec()
                },
            })
        }
        Ok(_) => None,
    }
}

fn check_array(
    value: &Value,
    items: &FieldSchema,
    min_items: Option<usize>,
    max_items: Option<usize>,
    path: &FieldPath<'_>,
    errors: &mut ConfigErrors,
) -> Option<Value> {
    let Value::Array(elements) = value else {
        errors.push(wrong_type(path, "an array", value));
        return None;
    };
    let count = elements.len();
    if let Some(min_items) = min_items.filter(|min| count < *min) {
        errors.push(ConfigError::TooFewItems {
            path: path.to_string(),
            count,
            min_items,
        });
        return None;
    }
    if let Some(max_items) = max_items.filter(|max| count > *max) {
        errors.push(ConfigError::TooManyItems {
            path: path.to_string(),
            count,
            max_items,
        });
        return None;
    }
    let before = errors.found();
    let checked: Vec<Value> = elements
        .iter()
        .enumerate()
        .filter_map(|(index, element)| check_value(items, element, &path.index(index), errors))
        .collect();
    (errors.found() == before).then_some(Value::Array(checked))
}

fn wrong_type(path: &FieldPath<'_>, expected: &'static str, value: &Value) -> ConfigError {
    ConfigError::WrongType {
        path: path.to_string(),
        expected,
        found: json_type(value),
    }
}

/// A short description of a JSON value's type, for "expected …, found …" messages.
pub(crate) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(number) if number.is_f64() => "a float",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::load::parse_for_test;
    use super::*;

    const SCHEMA: &str = r#"
        [threshold]
        type = "float"
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
        max_items = 3
        [endpoint]
        type = "url"
        schemes = ["https"]
        [output_dir]
        type = "path"
        [retry]
        type = "object"
        properties = { attempts = { type = "integer", min = 0, max = 10, default = 3 } }
        [verbose]
        type = "boolean"
    "#;

    fn schema() -> ConfigSchema {
        parse_for_test(SCHEMA).expect("valid schema")
    }

    #[test]
    fn applies_defaults_and_keeps_given_values() {
        let values = schema()
            .validate(&json!({
                "api_key": "sk-abcdefgh",
                "tags": ["a", "b"],
                "endpoint": "https://api.example.com",
                "retry": { "attempts": 5 },
                "verbose": null
            }))
            .expect("valid values");
        assert_eq!(values.get::<f64>("threshold"), Ok(Some(0.5)));
        assert_eq!(values.get::<String>("mode"), Ok(Some("fast".into())));
        assert_eq!(
            values.get::<Vec<String>>("tags"),
            Ok(Some(vec!["a".into(), "b".into()]))
        );
        assert_eq!(values.value("retry"), Some(&json!({ "attempts": 5 })));
        assert_eq!(values.get::<bool>("verbose"), Ok(None));
        assert_eq!(values.get::<String>("output_dir"), Ok(None));
        assert_eq!(
            values.secret("api_key").map(|s| s.expose()),
            Some("sk-abcdefgh")
        );
        assert!(matches!(
            values.get::<String>("api_key"),
            Err(ConfigError::SecretField { .. })
        ));
        assert!(matches!(
            values.get::<u8>("threshold"),
            Err(ConfigError::Unreadable { .. })
        ));
        assert_eq!(values.len(), 6);
    }

    #[test]
    fn object_defaults_come_from_properties() {
        let values = schema()
            .validate(&json!({ "api_key": "sk-abcdefgh" }))
            .expect("valid");
        assert_eq!(values.value("retry"), Some(&json!({ "attempts": 3 })));
    }

    #[test]
    fn one_error_per_offending_field() {
        let errors = schema()
            .validate(&json!({
                "threshold": 1.5,
                "mode": "fsat",
                "api_key": "short",
                "tags": ["ok", "Bad", "fine"],
                "endpoint": "ftp://files.example.com",
                "output_dir": "",
                "retry": { "attempts": 11, "backof": 2 },
                "verbose": "yes",
                "treshold": 0.2
            }))
            .expect_err("invalid values");
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "config.treshold: unknown configuration key (did you mean `threshold`?)",
                "config.threshold: 1.5 is above the maximum 1.0",
                "config.mode: `fsat` is not one of the allowed values (fast, accurate) (did you mean `fast`?)",
                "config.api_key: secret value rejected: too short (minimum 8 characters)",
                "config.tags[1]: `Bad` does not match the pattern `^[a-z]+$`",
                "config.endpoint: URL scheme `ftp` is not allowed (allowed: https)",
                "config.output_dir: invalid path: must not be empty",
                "config.retry.backof: unknown configuration key",
                "config.retry.attempts: 11 is above the maximum 10",
                "config.verbose: expected a boolean, found a string",
            ]
        );
        assert!(!errors.to_string().contains("short\""));
    }

    #[test]
    fn missing_required_and_wrong_shapes() {
        let schema = schema();
        let errors = schema.validate(&json!({})).expect_err("api_key missing");
        assert_eq!(
            errors.errors(),
            [ConfigError::Missing {
                path: "config.api_key".into()
            }]
        );
        let errors = schema.validate(&json!([1])).expect_err("not an object");
        assert_eq!(
            errors.to_string(),
            "invalid configuration (1 error)\n  config: expected an object, found an array"
        );
        let errors = schema
            .validate(&json!({ "api_key": 12345678, "tags": ["a", "b", "c", "d"], "retry": 3 }))
            .expect_err("wrong types");
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "config.api_key: expected a string, found an integer",
                "config.tags: 4 items is more than the maximum 3",
                "config.retry: expected an object, found an integer",
            ]
        );
    }

    #[test]
    fn integers_reject_floats_and_huge_values() {
        let schema = parse_for_test("[n]\ntype = \"integer\"\n").expect("valid");
        let errors = schema.validate(&json!({ "n": 1.0 })).expect_err("float");
        assert_eq!(
            errors.errors()[0].to_string(),
            "config.n: expected an integer, found a float"
        );
        let errors = schema
            .validate(&json!({ "n": u64::MAX }))
            .expect_err("too big");
        assert!(matches!(
            errors.errors()[0],
            ConfigError::AboveMaximum { .. }
        ));
        let values = schema.validate(&json!({ "n": i64::MIN })).expect("fits");
        assert_eq!(values.get::<i64>("n"), Ok(Some(i64::MIN)));
    }

    #[test]
    fn secret_values_never_appear_in_errors_or_debug() {
        let schema = parse_for_test(
            "[token]\ntype = \"secret\"\nmax_length = 4\npattern = \"^x\"\n[other]\ntype = \"secret\"\npattern = \"^x\"\n",
        )
        .expect("valid");
        let errors = schema
            .validate(&json!({ "token": "SUPERSECRET", "other": "SUPERSECRET" }))
            .expect_err("rejected");
        let text = format!("{errors} {errors:?}");
        assert!(!text.contains("SUPERSECRET"), "{text}");
        assert_eq!(errors.len(), 2);
        let values = schema
            .validate(&json!({ "token": "xab", "other": "xyz" }))
            .expect("valid");
        let text = format!("{values:?}");
        assert!(!text.contains("xab") && !text.contains("xyz"), "{text}");
        assert_eq!(
            serde_json::to_value(&values).expect("serialise"),
            json!({ "token": "xab", "other": "xyz" })
        );
    }

    #[test]
    fn required_objects_report_missing_properties() {
        let schema = parse_for_test(
            "[db]\ntype = \"object\"\nrequired = true\nproperties = { host = { type = \"string\", required = true }, port = { type = \"integer\", default = 5432 } }\n[opt]\ntype = \"object\"\nproperties = { name = { type = \"string\", required = true } }\n",
        )
        .expect("valid");
        let errors = schema.validate(&json!({})).expect_err("db.host missing");
        assert_eq!(
            errors.errors(),
            [ConfigError::Missing {
                path: "config.db.host".into()
            }]
        );
        let values = schema
            .validate(&json!({ "db": { "host": "h" } }))
            .expect("valid");
        assert_eq!(
            values.value("db"),
            Some(&json!({ "host": "h", "port": 5432 }))
        );
        assert!(!values.contains("opt"));
    }

    /// A value with a hundred thousand bad items costs a count for most of them: the first
    /// hundred are listed (each naming the allowed values), the rest counted.
    #[test]
    fn very_many_bad_items_list_a_hundred_and_count_the_rest() {
        let schema = parse_for_test(
            r#"
            [pick]
            type = "array"
            items = { type = "enum", values = ["a", "b", "c"] }
            "#,
        )
        .expect("schema");
        let items: Vec<Value> = (0..100_000)
            .map(|i| json!(if i % 2 == 0 { "a" } else { "x" }))
            .collect();
        let errors = schema
            .validate(&json!({ "pick": items }))
            .expect_err("bad items");
        assert_eq!(errors.len(), crate::document::MAX_LISTED);
        assert_eq!(errors.unlisted(), 50_000 - crate::document::MAX_LISTED);
        assert_eq!(errors.errors()[0].path(), "config.pick[1]");
        let text = errors.to_string();
        assert!(
            text.starts_with("invalid configuration (50000 errors)\n"),
            "{text}"
        );
        assert!(text.ends_with("\n  … and 49900 more not listed"), "{text}");

        let good: Vec<Value> = (0..100_000).map(|_| json!("c")).collect();
        assert!(schema.validate(&json!({ "pick": good })).is_ok());
    }

    #[test]
    fn enums_and_schemes_are_bounded() {
        let values: Vec<String> = (0..1025).map(|i| format!("\"v{i}\"")).collect();
        let errors = parse_for_test(&format!(
            "[pick]\ntype = \"enum\"\nvalues = [{}]\n",
            values.join(",")
        ))
        .expect_err("too many values");
        assert!(
            errors[0].contains("lists 1025 values; an enum takes at most 1024"),
            "{errors:?}"
        );
        let values = &values[..1024];
        let schema = parse_for_test(&format!(
            "[pick]\ntype = \"enum\"\nvalues = [{}]\n",
            values.join(",")
        ))
        .expect("1024 values");
        assert!(schema.validate(&json!({ "pick": "v1023" })).is_ok());
        assert!(schema.validate(&json!({ "pick": "v1024" })).is_err());
        let duplicate = parse_for_test("[pick]\ntype = \"enum\"\nvalues = [\"a\", \"b\", \"a\"]\n")
            .expect_err("duplicate");
        assert!(
            duplicate[0].contains("duplicate value `a`"),
            "{duplicate:?}"
        );
    }
}
