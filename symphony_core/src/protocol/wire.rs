//! The loose shape a message is first parsed into, and its validation into a [`Message`].
//!
//! Parsing into one flat struct (rather than an untagged enum) keeps decoding a single pass
//! over the bytes; validation afterwards can then say precisely what is wrong.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::{ErrorObject, Id, Message, Notification, Request, Response};

/// A JSON object that may be a message.
///
/// Only a JSON object is read as one: serde's derived `Deserialize` would also take a JSON
/// array positionally (`["2.0",8,"echo"]` as `jsonrpc`, `id`, `method`), so the derived
/// impl is reached only through [`object`].
pub(crate) struct WireMessage<'a>(WireFields<'a>);

#[derive(Deserialize)]
struct WireFields<'a> {
    #[serde(borrow, default)]
    jsonrpc: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "raw_id")]
    id: WireId,
    #[serde(default)]
    method: Option<String>,
    #[serde(default, deserialize_with = "present")]
    params: Option<Box<RawValue>>,
    // `"result": null` is a successful result, so presence is tracked separately from null.
    #[serde(default, deserialize_with = "present")]
    result: Option<Box<RawValue>>,
    #[serde(default, deserialize_with = "some_object")]
    error: Option<ErrorObject>,
}

impl<'de> Deserialize<'de> for WireMessage<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        object(deserializer).map(WireMessage)
    }
}

/// Only the id of a message, for answering one that failed validation.
pub(crate) struct WireIdOnly(IdField);

#[derive(Deserialize)]
struct IdField {
    #[serde(default, deserialize_with = "raw_id")]
    id: WireId,
}

impl<'de> Deserialize<'de> for WireIdOnly {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        object(deserializer).map(WireIdOnly)
    }
}

impl WireIdOnly {
    /// The id, if it is a valid one.
    pub(crate) fn id(self) -> Option<Id> {
        match self.0.id {
            WireId::Valid(id) => Some(id),
            _ => None,
        }
    }
}

/// Deserialises `T` from a JSON object only, never from an array read positionally.
///
/// This is the one way the message types are read: the derived impls behind it see the
/// object's members through a map and nothing else.
pub(crate) fn object<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct ObjectVisitor<T>(PhantomData<T>);

    impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::deserialize(MapAccessDeserializer::new(map))
        }
    }

    deserializer.deserialize_map(ObjectVisitor(PhantomData))
}

fn some_object<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    object(deserializer).map(Some)
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
        self.0.into_message()
    }
}

impl WireFields<'_> {
    fn into_message(self) -> Result<Message, Invalid> {
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
                // Discouraged by JSON-RPC 2.0 but valid: answered with `"id": null`.
                WireId::Null => Ok(Message::Request(Request {
                    id: Id::Raw("null".into()),
                    method,
                    params,
                })),
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

/// Reads the id as its raw text, so that a number is echoed exactly as written and a bad id
/// is reported by validation (with a precise message) instead of failing the whole parse.
fn raw_id<'de, D: Deserializer<'de>>(d: D) -> Result<WireId, D::Error> {
    let raw = <&'de RawValue>::deserialize(d)?;
    Ok(match raw.get() {
        "null" => WireId::Null,
        text => match Id::from_json(text) {
            Ok(id) => WireId::Valid(id),
            Err(what) => WireId::Invalid(format!("{what}; ids must be strings or numbers")),
        },
    })
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
        assert!(reason(r#"{"jsonrpc":"2.0","id":[1],"method":"m"}"#).contains("array"));
        assert!(reason(r#"{"jsonrpc":"2.0","id":true,"method":"m"}"#).contains("boolean"));
        assert!(reason(r#"{"jsonrpc":"2.0","id":1,"method":"m","params":3}"#).contains("found 3"));
        assert!(reason(r#"{"jsonrpc":"2.0","id":1}"#).contains("not a message"));
        assert!(reason(r#"{"jsonrpc":"2.0","result":1}"#).contains("`id`"));
        assert!(
            reason(r#"{"jsonrpc":"2.0","id":1,"result":1,"error":{"code":1,"message":""}}"#)
                .contains("both")
        );
    }

    #[test]
    fn arrays_are_never_read_as_messages() {
        for text in [r#"["2.0",8,"echo",["hi"]]"#, "[5]", "[]"] {
            assert!(
                serde_json::from_str::<WireMessage<'_>>(text).is_err(),
                "{text} read as a message"
            );
            assert!(serde_json::from_str::<Message>(text).is_err(), "{text}");
            assert!(serde_json::from_str::<WireIdOnly>(text).is_err(), "{text}");
        }
        let positional_error = r#"{"jsonrpc":"2.0","id":1,"error":[-32000,"m"]}"#;
        assert!(serde_json::from_str::<WireMessage<'_>>(positional_error).is_err());
    }

    #[test]
    fn odd_ids_are_kept_as_written_and_null_is_a_request() {
        for (text, id) in [
            (
                r#"{"jsonrpc":"2.0","id":1.5,"method":"m"}"#,
                Id::Raw("1.5".into()),
            ),
            (r#"{"jsonrpc":"2.0","id":-1,"method":"m"}"#, Id::Number(-1)),
            (
                r#"{"jsonrpc":"2.0","id":null,"method":"m"}"#,
                Id::Raw("null".into()),
            ),
            (
                r#"{"jsonrpc":"2.0","id":9223372036854775808,"method":"m"}"#,
                Id::Raw("9223372036854775808".into()),
            ),
        ] {
            match check(text) {
                Ok(Message::Request(request)) => assert_eq!(request.id, id, "{text}"),
                _ => panic!("{text} is not a request"),
            }
        }
    }

    #[test]
    fn keeps_the_id_of_an_invalid_request() {
        let invalid = check(r#"{"jsonrpc":"2.0","id":9,"method":"m","params":"x"}"#)
            .expect_err("string params");
        assert_eq!(invalid.id, Some(Id::Number(9)));
    }
}
