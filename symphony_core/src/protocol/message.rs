//! JSON-RPC 2.0 messages: requests, notifications and responses.

use serde::de::{DeserializeOwned, Deserializer};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::{ErrorObject, Id, wire};

/// Any message of the protocol.
///
/// Params and results are kept as [`RawValue`]s: decoding a message checks that they are
/// well-formed JSON without building a tree, and the receiver deserialises them straight into
/// its own types.
///
/// ```
/// # use symphony_core::protocol::{Message, Request};
/// let message: Message = serde_json::from_str(
///     r#"{"jsonrpc":"2.0","id":1,"method":"operator/run","params":{"rows":3}}"#,
/// ).unwrap();
/// let Message::Request(request) = message else { panic!("not a request") };
/// assert_eq!(request.method, "operator/run");
/// assert_eq!(request.params_as::<serde_json::Value>().unwrap()["rows"], 3);
/// ```
#[derive(Debug, Clone)]
pub enum Message {
    /// A call that expects a response.
    Request(Request),
    /// A one-way message.
    Notification(Notification),
    /// The answer to a request.
    Response(Response),
}

/// A call that expects a [`Response`] with the same id.
#[derive(Debug, Clone)]
pub struct Request {
    /// Chosen by the sender; unique among its requests in flight.
    pub id: Id,
    /// The method to call, such as `operator/run`.
    pub method: String,
    /// The method's params: a JSON object or array, if any.
    pub params: Option<Box<RawValue>>,
}

/// A one-way message: no response is sent.
#[derive(Debug, Clone)]
pub struct Notification {
    /// The notification's method, such as `$/progress`.
    pub method: String,
    /// The notification's params: a JSON object or array, if any.
    pub params: Option<Box<RawValue>>,
}

/// The answer to a request.
#[derive(Debug, Clone)]
pub struct Response {
    /// The request's id; `None` (JSON `null`) when the request could not be read at all.
    pub id: Option<Id>,
    /// The result, or the error the request failed with.
    pub result: Result<Box<RawValue>, ErrorObject>,
}

impl Request {
    /// A request with already-serialised params.
    pub fn new(
        id: impl Into<Id>,
        method: impl Into<String>,
        params: Option<Box<RawValue>>,
    ) -> Self {
        Request {
            id: id.into(),
            method: method.into(),
            params,
        }
    }

    /// A request whose params are serialised from `params`.
    ///
    /// # Errors
    ///
    /// Fails if `params` cannot be serialised to JSON.
    pub fn with_params<P: Serialize + ?Sized>(
        id: impl Into<Id>,
        method: impl Into<String>,
        params: &P,
    ) -> Result<Self, serde_json::Error> {
        Ok(Request::new(id, method, Some(super::to_raw(params)?)))
    }

    /// The params deserialised as `T` (absent params deserialise from `null`).
    ///
    /// # Errors
    ///
    /// An [`InvalidParams`](super::ErrorCode::InvalidParams) error object that says what does
    /// not match, ready to be sent back.
    pub fn params_as<T: DeserializeOwned>(&self) -> Result<T, ErrorObject> {
        params_as(self.params.as_deref())
    }
}

impl Notification {
    /// A notification with already-serialised params.
    pub fn new(method: impl Into<String>, params: Option<Box<RawValue>>) -> Self {
        Notification {
            method: method.into(),
            params,
        }
    }

    /// A notification whose params are serialised from `params`.
    ///
    /// # Errors
    ///
    /// Fails if `params` cannot be serialised to JSON.
    pub fn with_params<P: Serialize + ?Sized>(
        method: impl Into<String>,
        params: &P,
    ) -> Result<Self, serde_json::Error> {
        Ok(Notification::new(method, Some(super::to_raw(params)?)))
    }

    /// The params deserialised as `T` (absent params deserialise from `null`).
    ///
    /// # Errors
    ///
    /// An [`InvalidParams`](super::ErrorCode::InvalidParams) error object that says what does
    /// not match.
    pub fn params_as<T: DeserializeOwned>(&self) -> Result<T, ErrorObject> {
        params_as(self.params.as_deref())
    }
}

impl Response {
    /// A successful response.
    pub fn ok(id: Id, result: Box<RawValue>) -> Self {
        Response {
            id: Some(id),
            result: Ok(result),
        }
    }

    /// A failed response.
    pub fn error(id: Option<Id>, error: ErrorObject) -> Self {
        Response {
            id,
            result: Err(error),
        }
    }
}

fn params_as<T: DeserializeOwned>(params: Option<&RawValue>) -> Result<T, ErrorObject> {
    let text = params.map_or("null", RawValue::get);
    serde_json::from_str(text).map_err(ErrorObject::invalid_params)
}

const JSONRPC: &str = "2.0";

impl Serialize for Request {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Request", 4)?;
        s.serialize_field("jsonrpc", JSONRPC)?;
        s.serialize_field("id", &self.id)?;
        s.serialize_field("method", &self.method)?;
        if let Some(params) = &self.params {
            s.serialize_field("params", params)?;
        }
        s.end()
    }
}

impl Serialize for Notification {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Notification", 3)?;
        s.serialize_field("jsonrpc", JSONRPC)?;
        s.serialize_field("method", &self.method)?;
        if let Some(params) = &self.params {
            s.serialize_field("params", params)?;
        }
        s.end()
    }
}

impl Serialize for Response {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Response", 3)?;
        s.serialize_field("jsonrpc", JSONRPC)?;
        // `id` is always present; `null` when the request was unreadable.
        s.serialize_field("id", &self.id)?;
        match &self.result {
            Ok(result) => s.serialize_field("result", result)?,
            Err(error) => s.serialize_field("error", error)?,
        }
        s.end()
    }
}

impl Serialize for Message {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Message::Request(request) => request.serialize(serializer),
            Message::Notification(notification) => notification.serialize(serializer),
            Message::Response(response) => response.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Message {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = wire::WireMessage::deserialize(deserializer)?;
        raw.into_message()
            .map_err(|invalid| serde::de::Error::custom(invalid.reason))
    }
}

impl From<Request> for Message {
    fn from(request: Request) -> Self {
        Message::Request(request)
    }
}

impl From<Notification> for Message {
    fn from(notification: Notification) -> Self {
        Message::Notification(notification)
    }
}

impl From<Response> for Message {
    fn from(response: Response) -> Self {
        Message::Response(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::ErrorCode;

    fn round_trip(text: &str) {
        let message: Message = serde_json::from_str(text).expect(text);
        assert_eq!(serde_json::to_string(&message).expect("serialise"), text);
    }

    #[test]
    fn every_kind_round_trips_in_canonical_form() {
        round_trip(r#"{"jsonrpc":"2.0","id":1,"method":"a","params":[1,2]}"#);
        round_trip(r#"{"jsonrpc":"2.0","id":"x","method":"a"}"#);
        round_trip(r#"{"jsonrpc":"2.0","method":"$/progress","params":{"token":1,"value":2}}"#);
        round_trip(r#"{"jsonrpc":"2.0","id":3,"result":null}"#);
        round_trip(r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"bad"}}"#);
    }

    #[test]
    fn params_mismatch_is_an_invalid_params_error() {
        let request = Request::with_params(1, "m", &serde_json::json!({"n": "x"})).expect("ok");
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct P {
            n: u32,
        }
        let error = request.params_as::<P>().expect_err("type mismatch");
        assert_eq!(error.kind(), Some(ErrorCode::InvalidParams));
        assert!(error.message.contains("invalid type"), "{}", error.message);
    }
}
