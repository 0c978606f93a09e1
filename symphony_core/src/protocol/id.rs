//! Request ids.

use std::fmt;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;

/// The id of a request, chosen by the sender and echoed in the response exactly as sent.
///
/// JSON-RPC 2.0 allows any string or number (and, discouraged, `null`). Integers that fit an
/// `i64` and strings get their own variants; any other id keeps the exact JSON text it arrived
/// as, so that `1.5`, `1e3`, `-0` or `18446744073709551616` come back byte for byte.
///
/// ```
/// # use symphony_core::protocol::Id;
/// let id: Id = serde_json::from_str("7").unwrap();
/// assert_eq!(id, Id::Number(7));
/// assert_eq!(serde_json::to_string(&Id::from("a")).unwrap(), r#""a""#);
/// let odd: Id = serde_json::from_str("1.50").unwrap();
/// assert_eq!(odd, Id::Raw("1.50".into()));
/// assert_eq!(serde_json::to_string(&odd).unwrap(), "1.50");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Id {
    /// An integer id in canonical form that fits an `i64` (what the SDK's host uses).
    Number(i64),
    /// A string id.
    String(String),
    /// Any other id, as the exact JSON text it arrived as: a number that is not a canonical
    /// 64-bit integer, or `null`. It is serialised as that text again.
    Raw(String),
}

impl Id {
    /// Reads an id from its JSON text (one JSON value, no surrounding whitespace).
    ///
    /// # Errors
    ///
    /// What the value is when it cannot be an id (a boolean, array or object), or why the text
    /// is not one JSON string.
    pub(crate) fn from_json(text: &str) -> Result<Id, String> {
        match text.as_bytes().first() {
            Some(b'"') => serde_json::from_str(text)
                .map(Id::String)
                .map_err(|error| error.to_string()),
            Some(b'-' | b'0'..=b'9') => Ok(match text.parse::<i64>() {
                // `i64::from_str` also takes `+1` and `01`, which JSON does not; JSON did
                // already reject those, but only a canonical text is the same id as the integer.
                Ok(n) if itoa_matches(n, text) => Id::Number(n),
                _ => Id::Raw(text.to_owned()),
            }),
            Some(b'n') => Ok(Id::Raw(text.to_owned())),
            Some(b't' | b'f') => Err(format!("{text} is a boolean")),
            Some(b'[') => Err("is an array".into()),
            Some(b'{') => Err("is an object".into()),
            _ => Err(format!("{text} is not a JSON value")),
        }
    }
}

/// Whether `text` is how `n` is written, so that the id can be echoed from the integer.
fn itoa_matches(n: i64, text: &str) -> bool {
    // Only `-0` and leading zeros differ, and JSON forbids leading zeros.
    !(n == 0 && text.starts_with('-'))
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Id::Number(n) => write!(f, "{n}"),
            Id::String(s) => write!(f, "{s:?}"),
            Id::Raw(text) => f.write_str(text),
        }
    }
}

impl From<i64> for Id {
    fn from(n: i64) -> Self {
        Id::Number(n)
    }
}

impl From<&str> for Id {
    fn from(s: &str) -> Self {
        Id::String(s.to_owned())
    }
}

impl From<String> for Id {
    fn from(s: String) -> Self {
        Id::String(s)
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Id::Number(n) => serializer.serialize_i64(*n),
            Id::String(s) => serializer.serialize_str(s),
            Id::Raw(text) => RawValue::from_string(text.clone())
                .map_err(|error| serde::ser::Error::custom(format_args!("id {text}: {error}")))?
                .serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // The raw text, so that a number is kept exactly as written.
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        Id::from_json(raw.get()).map_err(|what| {
            de::Error::custom(format_args!(
                "id {what}; ids must be strings, numbers or null"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_byte_for_byte() {
        for text in [
            "0",
            "-5",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775809",
            "18446744073709551616",
            "123456789012345678901234567890",
            "1.5",
            "1.0",
            "-0",
            "1e3",
            "1E+3",
            "null",
            r#""abc""#,
            r#""""#,
            r#""a\"b\u00e9""#,
        ] {
            let id: Id = serde_json::from_str(text).expect(text);
            let back = serde_json::to_string(&id).expect("serialise");
            // Strings are re-escaped canonically; everything else is echoed as written.
            if text.starts_with('"') {
                assert_eq!(
                    serde_json::from_str::<String>(&back).ok(),
                    serde_json::from_str::<String>(text).ok()
                );
            } else {
                assert_eq!(back, text);
            }
        }
    }

    #[test]
    fn canonical_integers_are_numbers_and_others_stay_raw() {
        assert_eq!(Id::from_json("-1"), Ok(Id::Number(-1)));
        assert_eq!(Id::from_json("-0"), Ok(Id::Raw("-0".into())));
        assert_eq!(Id::from_json("1.0"), Ok(Id::Raw("1.0".into())));
        assert_ne!(Id::from_json("1.0"), Id::from_json("1"));
    }

    #[test]
    fn ids_also_deserialize_from_a_json_value_tree() {
        let id: Id = serde_json::from_value(serde_json::json!(1.5)).expect("from a Value");
        assert_eq!(id, Id::Raw("1.5".into()));
        let id: Id = serde_json::from_value(serde_json::json!("s")).expect("from a Value");
        assert_eq!(id, Id::from("s"));
    }

    #[test]
    fn other_json_types_are_rejected() {
        for text in ["true", "[1]", "{}"] {
            assert!(serde_json::from_str::<Id>(text).is_err(), "{text} accepted");
        }
    }
}
