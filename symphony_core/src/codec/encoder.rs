//! Messages in, bytes out.

use memchr::memchr_iter;
use serde::Serialize;

use crate::protocol::{DEFAULT_MAX_MESSAGE_SIZE, ErrorCode, ErrorObject, Reply, Response};

/// After a message this large, the buffer is given back once it is cleared.
const SHRINK_ABOVE: usize = 1024 * 1024;

/// Serialises messages into newline-terminated lines, appended to a reusable buffer.
///
/// Several messages may be encoded before the buffer is written out in one go; a transport
/// writes [`bytes`](Self::bytes) and then calls [`clear`](Self::clear).
///
/// ```
/// use symphony_core::codec::{EncodeError, Encoder};
/// use symphony_core::protocol::Notification;
///
/// let mut encoder = Encoder::with_limit(40);
/// encoder.encode(&Notification::new("exit", None)).unwrap();
/// let big = Notification::with_params("$/log", &["a long message that will not fit"]).unwrap();
/// assert!(matches!(encoder.encode(&big), Err(EncodeError::TooLarge { .. })));
/// assert_eq!(encoder.bytes(), b"{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}\n");
/// ```
#[derive(Debug)]
pub struct Encoder {
    buf: Vec<u8>,
    limit: usize,
}

impl Default for Encoder {
    fn default() -> Self {
        Encoder::new()
    }
}

impl Encoder {
    /// An encoder with the default limit of 16 MiB per message.
    pub fn new() -> Self {
        Encoder::with_limit(DEFAULT_MAX_MESSAGE_SIZE)
    }

    /// An encoder that refuses messages longer than `limit` bytes (the peer's limit).
    pub fn with_limit(limit: usize) -> Self {
        Encoder {
            buf: Vec::with_capacity(4096),
            limit,
        }
    }

    /// The largest message encoded, in bytes.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Changes the largest message encoded (for example to the limit the peer announced).
    pub fn set_limit(&mut self, limit: usize) {
        self.limit = limit;
    }

    /// Appends `message` as one line.
    ///
    /// # Errors
    ///
    /// [`EncodeError::TooLarge`] if the message is longer than the limit, and
    /// [`EncodeError::Serialize`] if it cannot be serialised; the buffer is left as it was.
    pub fn encode<M: Serialize + ?Sized>(&mut self, message: &M) -> Result<(), EncodeError> {
        let start = self.buf.len();
        if let Err(error) = serde_json::to_writer(&mut self.buf, message) {
            self.buf.truncate(start);
            return Err(EncodeError::Serialize(error));
        }
        let size = self.buf.len() - start;
        if size > self.limit {
            self.buf.truncate(start);
            return Err(EncodeError::TooLarge {
                size,
                limit: self.limit,
            });
        }
        // JSON strings cannot hold a raw newline, so one can only come from whitespace inside
        // a hand-made `RawValue`; a space means the same and keeps the message on one line.
        let newlines: Vec<usize> = memchr_iter(b'\n', &self.buf[start..]).collect();
        for at in newlines {
            self.buf[start + at] = b' ';
        }
        self.buf.push(b'\n');
        Ok(())
    }

    /// Appends `reply`, the answer to a `method` request (or to a batch); a reply that cannot
    /// be encoded is replaced by errors saying why, so the peer is never left waiting.
    ///
    /// A response over the limit becomes a [`MessageTooLarge`](ErrorCode::MessageTooLarge)
    /// error with the same id; so does every result of a batch whose array is over the limit.
    ///
    /// # Errors
    ///
    /// Even the replacement cannot be encoded (a limit too small for an error message); nothing
    /// is appended.
    pub fn encode_reply(&mut self, reply: &Reply, method: &str) -> Result<(), EncodeError> {
        let error = match self.encode(reply) {
            Ok(()) => return Ok(()),
            Err(error) => error,
        };
        let what = match reply {
            Reply::One(_) => format!("the response to `{method}`"),
            Reply::Batch(responses) => format!("the answer to a batch of {}", responses.len()),
        };
        let error = match error {
            EncodeError::TooLarge { size, limit } => ErrorObject::new(
                ErrorCode::MessageTooLarge,
                format!("{what} is {size} bytes, over the peer's limit of {limit} bytes"),
            ),
            error => ErrorObject::new(
                ErrorCode::ExtensionFailed,
                format!("{what} cannot be encoded: {error}"),
            ),
        };
        let failed = |response: &Response| Response::error(response.id.clone(), error.clone());
        let replacement = match reply {
            Reply::One(response) => Reply::One(failed(response)),
            Reply::Batch(responses) => Reply::Batch(responses.iter().map(failed).collect()),
        };
        self.encode(&replacement)
    }

    /// The encoded lines not yet cleared.
    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Whether nothing is waiting to be written.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Forgets the encoded bytes (after they were written), keeping the buffer for reuse.
    pub fn clear(&mut self) {
        self.buf.clear();
        if self.buf.capacity() > SHRINK_ABOVE {
            self.buf.shrink_to(4096);
        }
    }
}

/// A message that could not be encoded.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    /// The message's params or result failed to serialise.
    #[error("the message cannot be serialised to JSON: {0}")]
    Serialize(#[source] serde_json::Error),
    /// The message is longer than the peer accepts.
    #[error(
        "the message is {size} bytes, over the peer's limit of {limit} bytes (send smaller \
         payloads, or negotiate a larger maxMessageSize)"
    )]
    TooLarge {
        /// The message's size in bytes.
        size: usize,
        /// The limit.
        limit: usize,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::Decoder;
    use crate::protocol::{Message, Notification, RawValue};

    #[test]
    fn raw_newlines_never_split_a_message() {
        let raw = RawValue::from_string("{\n  \"a\": \"x\\ny\"\n}".into()).expect("valid JSON");
        let mut encoder = Encoder::new();
        encoder
            .encode(&Notification::new("n", Some(raw)))
            .expect("fits");
        assert_eq!(encoder.bytes().iter().filter(|b| **b == b'\n').count(), 1);
        let mut decoder = Decoder::new();
        decoder.extend(encoder.bytes());
        let Some(Ok(Message::Notification(n))) = decoder.next() else {
            panic!("not decoded back")
        };
        let value: serde_json::Value = n.params_as().expect("object");
        assert_eq!(value["a"], "x\ny");
    }

    #[test]
    fn a_reply_over_the_limit_is_replaced_by_errors_with_the_same_ids() {
        use crate::protocol::{Id, Reply, Response, to_raw};
        let big = to_raw(&"x".repeat(500)).expect("raw");
        let mut encoder = Encoder::with_limit(300);
        let one = Reply::One(Response::ok(Id::Raw("1.5".into()), big.clone()));
        encoder.encode_reply(&one, "big").expect("replaced");
        let batch = Reply::Batch(vec![
            Response::ok(Id::Number(1), big.clone()),
            Response::ok(Id::from("b"), to_raw(&1).expect("raw")),
        ]);
        encoder.encode_reply(&batch, "").expect("replaced");
        let text = String::from_utf8(encoder.bytes().to_vec()).expect("utf-8");
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|line| serde_json::from_str(line).expect("json"))
            .collect();
        assert!(
            text.lines()
                .next()
                .is_some_and(|l| l.contains(r#""id":1.5,"#)),
            "{text}"
        );
        assert_eq!(lines[0]["error"]["code"], -32009);
        assert_eq!(lines[1][0]["id"], 1);
        assert_eq!(lines[1][1]["id"], "b");
        assert_eq!(lines[1][1]["error"]["code"], -32009);
    }

    #[test]
    fn several_messages_accumulate_until_cleared() {
        let mut encoder = Encoder::new();
        for _ in 0..3 {
            encoder.encode(&Notification::new("n", None)).expect("fits");
        }
        assert_eq!(encoder.bytes().iter().filter(|b| **b == b'\n').count(), 3);
        encoder.clear();
        assert!(encoder.is_empty());
    }
}
