//! Messages in, bytes out.

use memchr::memchr_iter;
use serde::Serialize;

use crate::protocol::DEFAULT_MAX_MESSAGE_SIZE;

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
