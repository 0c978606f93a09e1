//! What a server writes back for one line it read: a response, or the array answering a batch.

use serde::{Serialize, Serializer};

use super::Response;

/// The answer to one line of input.
///
/// A single request is answered with one [`Response`]; a batch (a JSON array of messages) with
/// one array holding a response for each request in it, in any order, and nothing for its
/// notifications.
///
/// ```
/// # use symphony_core::protocol::{ErrorCode, ErrorObject, Id, Reply, Response, to_raw};
/// let one = Response::ok(Id::Number(1), to_raw(&"a").unwrap());
/// let two = Response::error(None, ErrorObject::from_code(ErrorCode::InvalidRequest));
/// let text = serde_json::to_string(&Reply::Batch(vec![one, two])).unwrap();
/// assert!(text.starts_with(r#"[{"jsonrpc":"2.0","id":1,"result":"a"},{"#));
/// ```
#[non_exhaustive]
#[derive(Debug, Clone)]
pub enum Reply {
    /// The response to a single message.
    One(Response),
    /// The responses to a batch, written as one JSON array.
    Batch(Vec<Response>),
}

impl Serialize for Reply {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Reply::One(response) => response.serialize(serializer),
            Reply::Batch(responses) => responses.serialize(serializer),
        }
    }
}
