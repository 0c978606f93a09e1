//! The loose shape a message is first parsed into, and its validation into a [`Message`].
//!
//! Parsing into one flat struct (rather than an untagged enum) keeps decoding a single pass
//! over the bytes; validation afterwards can then say precisely what is wrong.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::{ErrorObject, Id, Message, Notification, Request, Response};

/// A JSON object that may be a message.
#[derive(Deserialize)]
pub(crate) struct WireMessage<'a> {
    #[serde(borrow, default)]
    jsonrpc: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "any_id")]
    id: WireId,
    #[serde(default)]
    method: Option<String>,
    #[serde(default, deserialize_with = "present")]
    params: Option<Box<RawValue>>,
    // `"result": null` is a successful result, so presence is tracked separately from null.
    #[serde(default, deserialize_with = "present")]
    result: Option<Box<RawValue>>,
    #[serde(default)]
    error: Option<ErrorObject>,
}

/// Only the id of a message, for answering one that failed validation.
#[derive(Deserialize)]
pub(crate) struct WireIdOnly {
    #[serde(default, deserialize_with = "any_id")]
    id: WireId,
}

impl WireIdOnly {
    /// The id, if it is a valid one.
    pub(crate) fn id(self) -> Option<Id> {
        match self.id {
            WireId::Valid(id) => Some(id),
            _ => None,
        }
    }
}

/// What the `id` member held.
#[derive(Default)]
pub(crate) enum WireId {
    #[default]
    Absent,
    Null,
    Valid(Id),
    Invalid(String),
}

/// Why an object is not a valid message, and the id to answer with if it has one.
pub(crate) struct Invalid {
    pub(crate) id: Option<Id>,
    pub(crate) reason: String,
}

impl WireMessage<'_> {
    pub(crate) fn into_message(self) -> Result<Message, Invalid> {
        let id = match self.id {
            WireId::Valid(ref id) => Some(id.clone()),
            _ => None,
        };
        let invalid = |reason: String| Invalid {
            id: id.clone(),
            reason,
        };
        match self.jsonrpc.as_deref() {
            Some("2.0") => {}
            Some(other) => {
                return Err(invalid(format!(
                    "`jsonrpc` must be \"2.0\", found {other:?}"
                )));
            }
            None => return Err(invalid("`jsonrpc` is missing; it must be \"2.0\"".into())),
        }
        if let WireId::Invalid(reason) = &self.id {
            return Err(invalid(format!("`id` {reason}")));
        }
        if let Some(method) = self.method {
            if self.result.is_some() || self.error.is_some() {
                return Err(invalid(
                    "a message with `method` must not carry `result` or `error`".into(),
                ));
            }
            let params = match self.params {
                Some(params) => match params.get().as_bytes().first() {
                    Some(b'{' | b'[') => Some(params),
                    // Lenient: `"params": null` means no params.
                    Some(b'n') => None,
                    _ => {
                        return Err(invalid(format!(
                            "`params` must be an object or an array, found {}",
                            params.get()
                        )));
                    }
                },
                None => None,
            };
            return match self.id {
                WireId::Absent => Ok(Message::Notification(Notification { method, params })),
                WireId::Valid(id) => Ok(Message::Request(Request { id, method, params })),
                WireId::Null => Err(invalid(
                    "`id` is null; a request's id must be an integer or a string".into(),
                )),
                WireId::Invalid(_) => unreachable_invalid_id(),
            };
        }
        let result = match (self.result, self.error) {
            (Some(result), None) => Ok(result),
            (None, Some(error)) => Err(error),
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "a response must not carry both `result` and `error`".into(),
                ));
            }
            (None, None) => {
                return Err(invalid(
                    "the object has no `method`, `result` or `error`; it is not a message".into(),
                ));
            }
        };
        match self.id {
            WireId::Valid(id) => Ok(Message::Response(Response {
                id: Some(id),
                result,
            })),
            WireId::Null => Ok(Message::Response(Response { id: None, result })),
            WireId::Absent => Err(invalid("a response must carry the request's `id`".into())),
            WireId::Invalid(_) => unreachable_invalid_id(),
        }
    }
}

/// Invalid ids return early above; kept as a function so the match stays exhaustive without
/// a panic path.
fn unreachable_invalid_id() -> Result<Message, Invalid> {
    Err(Invalid {
        id: None,
        reason: "`id` must be an integer or a string".into(),
    })
}

fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Box<RawValue>>, D::Error> {
    Box::<RawValue>::deserialize(d).map(Some)
}

fn any_id<'de, D: Deserializer<'de>>(d: D) -> Result<WireId, D::Error> {
    d.deserialize_any(AnyIdVisitor)
}

/// Accepts every JSON value, so that a bad id is reported by validation (with a precise
/// message) instead of failing the whole parse.
struct AnyIdVisitor;

impl<'de> Visitor<'de> for AnyIdVisitor {
    type Value = WireId;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<WireId, E> {
        Ok(WireId::Valid(Id::Number(n)))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<WireId, E> {
        Ok(match i64::try_from(n) {
            Ok(n) => WireId::Valid(Id::Number(n)),
            Err(_) => WireId::Invalid(format!("{n} is larger than {}", i64::MAX)),
        })
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<WireId, E> {
        Ok(WireId::Invalid(format!(
            "{n} is not an integer; ids must be integers or strings"
        )))
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<WireId, E> {
        Ok(WireId::Invalid(format!(
            "{b} is a boolean; ids must be integers or strings"
        )))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<WireId, E> {
        Ok(WireId::Valid(Id::String(s.to_owned())))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<WireId, E> {
        Ok(WireId::Valid(Id::String(s)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<WireId, E> {
        Ok(WireId::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<WireId, E> {
        Ok(WireId::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<WireId, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(WireId::Invalid(
            "is an array; ids must be integers or strings".into(),
        ))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<WireId, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(WireId::Invalid(
            "is an object; ids must be integers or strings".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<Message, Invalid> {
        serde_json::from_str::<WireMessage<'_>>(text)
            .expect("object parses")
            .into_message()
    }

    fn reason(text: &str) -> String {
        match check(text) {
            Ok(message) => panic!("{text} accepted as {message:?}"),
            Err(invalid) => invalid.reason,
        }
    }

    #[test]
    fn classifies_requests_notifications_and_responses() {
        assert!(matches!(
            check(r#"{"jsonrpc":"2.0","id":1,"method":"m"}"#),
            Ok(Message::Request(_))
        ));
        assert!(matches!(
            check(r#"{"jsonrpc":"2.0","method":"m","params":null}"#),
            Ok(Message::Notification(Notification { params: None, .. }))
        ));
        assert!(matches!(
            check(r#"{"jsonrpc":"2.0","id":1,"result":null}"#),
            Ok(Message::Response(Response { result: Ok(_), .. }))
        ));
        assert!(matches!(
            check(r#"{"jsonrpc":"2.0","id":null,"error":{"code":1,"message":"m"}}"#),
            Ok(Message::Response(Response {
                id: None,
                result: Err(_)
            }))
        ));
    }

    #[test]
    fn explains_what_is_wrong() {
        assert!(reason(r#"{"id":1,"method":"m"}"#).contains("`jsonrpc` is missing"));
        assert!(reason(r#"{"jsonrpc":"1.0","id":1,"method":"m"}"#).contains("\"1.0\""));
        assert!(reason(r#"{"jsonrpc":"2.0","id":1.5,"method":"m"}"#).contains("not an integer"));
        assert!(reason(r#"{"jsonrpc":"2.0","id":null,"method":"m"}"#).contains("is null"));
        assert!(reason(r#"{"jsonrpc":"2.0","id":1,"method":"m","params":3}"#).contains("found 3"));
        assert!(reason(r#"{"jsonrpc":"2.0","id":1}"#).contains("not a message"));
        assert!(reason(r#"{"jsonrpc":"2.0","result":1}"#).contains("`id`"));
        assert!(
            reason(r#"{"jsonrpc":"2.0","id":1,"result":1,"error":{"code":1,"message":""}}"#)
                .contains("both")
        );
    }

    #[test]
    fn keeps_the_id_of_an_invalid_request() {
        let invalid = check(r#"{"jsonrpc":"2.0","id":9,"method":"m","params":"x"}"#)
            .expect_err("string params");
        assert_eq!(invalid.id, Some(Id::Number(9)));
    }
}
