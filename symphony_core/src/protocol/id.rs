//! Request ids.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// The id of a request: a JSON integer or string, chosen by the sender and echoed in the
/// response.
///
/// ```
/// use symphony_core::protocol::Id;
/// let id: Id = serde_json::from_str("7").unwrap();
/// assert_eq!(id, Id::Number(7));
/// assert_eq!(serde_json::to_string(&Id::from("a")).unwrap(), r#""a""#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Id {
    /// An integer id (what the SDK's host uses).
    Number(i64),
    /// A string id.
    String(String),
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Id::Number(n) => write!(f, "{n}"),
            Id::String(s) => write!(f, "{s:?}"),
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
        }
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(IdVisitor)
    }
}

struct IdVisitor;

impl Visitor<'_> for IdVisitor {
    type Value = Id;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer or a string")
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Id, E> {
        Ok(Id::Number(n))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Id, E> {
        i64::try_from(n)
            .map(Id::Number)
            .map_err(|_| E::custom(format_args!("id {n} is larger than {}", i64::MAX)))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Id, E> {
        Ok(Id::String(s.to_owned()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Id, E> {
        Ok(Id::String(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_strings_round_trip() {
        for text in ["0", "-5", "9223372036854775807", r#""abc""#, r#""""#] {
            let id: Id = serde_json::from_str(text).expect(text);
            assert_eq!(serde_json::to_string(&id).expect("serialise"), text);
        }
    }

    #[test]
    fn other_json_types_are_rejected() {
        for text in ["1.5", "null", "true", "[1]", "{}", "18446744073709551615"] {
            assert!(serde_json::from_str::<Id>(text).is_err(), "{text} accepted");
        }
    }
}
