//! Bytes in, messages out.

use memchr::memchr;
use serde_json::error::Category;

use super::peek::leading_id;
use crate::protocol::wire::{WireIdOnly, WireMessage};
use crate::protocol::{
    DEFAULT_MAX_MESSAGE_SIZE, ErrorCode, ErrorObject, Id, Message, RawValue, Response,
};

/// How much room each read is offered, at least.
const READ_CHUNK: usize = 64 * 1024;
/// After a message this large, the buffer is given back once it is empty again.
const SHRINK_ABOVE: usize = 1024 * 1024;

/// Splits a byte stream into lines and parses each into a [`Message`].
///
/// Feed it by reading into [`spare`](Self::spare) and calling [`commit`](Self::commit) (no
/// copy), or with [`extend`](Self::extend); then take messages with [`next`](Self::next) until
/// it returns `None`. The buffer is reused across messages: it only grows for a message larger
/// than any before, and lines are found with a vectorised scan of the newly read bytes only.
///
/// A line longer than the limit is not buffered: [`next`](Self::next) reports
/// [`DecodeError::TooLarge`] as soon as the limit is passed, then the decoder drops bytes up to
/// the next newline and carries on with the message after it.
///
/// ```
/// use symphony_core::codec::{DecodeError, Decoder};
///
/// let mut decoder = Decoder::with_limit(16);
/// decoder.extend(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"much too long\"}\n");
/// decoder.extend(b"{\"jsonrpc\"\n");
/// assert!(matches!(decoder.next(), Some(Err(DecodeError::TooLarge { .. }))));
/// assert!(matches!(decoder.next(), Some(Err(DecodeError::Parse { .. }))));
/// assert!(decoder.next().is_none());
/// ```
#[derive(Debug)]
pub struct Decoder {
    /// Initialised storage; `buf[start..end]` holds bytes not yet returned as messages.
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// `buf[start..scanned]` is known to contain no newline.
    scanned: usize,
    limit: usize,
    /// Dropping the rest of an oversized line.
    discarding: bool,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new()
    }
}

impl Decoder {
    /// A decoder with the default limit of 16 MiB per message.
    pub fn new() -> Self {
        Decoder::with_limit(DEFAULT_MAX_MESSAGE_SIZE)
    }

    /// A decoder that rejects messages longer than `limit` bytes (newline excluded).
    pub fn with_limit(limit: usize) -> Self {
        Decoder {
            buf: vec![0; READ_CHUNK],
            start: 0,
            end: 0,
            scanned: 0,
            limit,
            discarding: false,
        }
    }

    /// The largest message accepted, in bytes.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Changes the largest message accepted (for example after the handshake negotiated it).
    pub fn set_limit(&mut self, limit: usize) {
        self.limit = limit;
    }

    /// Bytes received but not yet returned as messages.
    pub fn buffered(&self) -> usize {
        self.end - self.start
    }

    /// Room to read the next bytes into; never empty. Follow with [`commit`](Self::commit).
    pub fn spare(&mut self) -> &mut [u8] {
        if self.end == self.buf.len() {
            if self.start > 0 {
                // Move the partial line to the front rather than growing.
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.scanned -= self.start;
                self.start = 0;
            }
            if self.end == self.buf.len() {
                let doubled = self.buf.len().saturating_mul(2);
                let cap = self.limit.saturating_add(READ_CHUNK);
                let len = doubled.min(cap).max(self.buf.len() + READ_CHUNK);
                self.buf.resize(len, 0);
            }
        }
        &mut self.buf[self.end..]
    }

    /// Records that `n` bytes were written at the start of [`spare`](Self::spare).
    pub fn commit(&mut self, n: usize) {
        self.end = (self.end + n).min(self.buf.len());
    }

    /// Appends `bytes` (a copying alternative to [`spare`](Self::spare) and
    /// [`commit`](Self::commit)).
    pub fn extend(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let spare = self.spare();
            let n = spare.len().min(bytes.len());
            spare[..n].copy_from_slice(&bytes[..n]);
            self.commit(n);
            bytes = &bytes[n..];
        }
    }

    /// The next complete message, `None` when no complete line is buffered.
    ///
    /// Blank lines are skipped. A line that is not a valid message yields an error, and the
    /// decoder continues with the next line, so one bad message never poisons the stream.
    /// A batch (a JSON array) is an error here: this is for a peer that sends single messages,
    /// such as an extension answering a host; a server reads lines with
    /// [`next_frame`](Self::next_frame).
    #[allow(clippy::should_implement_trait)] // Iterator would hide the "need more bytes" case.
    pub fn next(&mut self) -> Option<Result<Message, DecodeError>> {
        self.next_frame().map(Frame::into_single)
    }

    /// The next complete line: one message, or a batch of them; `None` when no complete line
    /// is buffered.
    ///
    /// ```
    /// use symphony_core::codec::{Decoder, Frame};
    ///
    /// let mut decoder = Decoder::new();
    /// decoder.extend(b"[{\"jsonrpc\":\"2.0\",\"method\":\"n\"},7]\n");
    /// let Some(Frame::Batch(entries)) = decoder.next_frame() else { panic!() };
    /// assert!(entries[0].is_ok() && entries[1].is_err());
    /// ```
    pub fn next_frame(&mut self) -> Option<Frame> {
        loop {
            if self.discarding {
                match memchr(b'\n', &self.buf[self.start..self.end]) {
                    Some(i) => {
                        self.start += i + 1;
                        self.scanned = self.start;
                        self.discarding = false;
                    }
                    None => {
                        self.reset();
                        return None;
                    }
                }
            }
            let Some(i) = memchr(b'\n', &self.buf[self.scanned..self.end]) else {
                self.scanned = self.end;
                if self.end - self.start > self.limit {
                    let error = self.too_large(self.start, self.end);
                    self.discarding = true;
                    self.reset();
                    return Some(Frame::Single(Err(error)));
                }
                if self.start == self.end {
                    self.reset();
                }
                return None;
            };
            let (line_start, line_end) = (self.start, self.scanned + i);
            self.start = line_end + 1;
            self.scanned = self.start;
            if line_end - line_start > self.limit {
                return Some(Frame::Single(Err(self.too_large(line_start, line_end))));
            }
            let line = trim(&self.buf[line_start..line_end]);
            if !line.is_empty() {
                return Some(parse_frame(line));
            }
        }
    }

    /// At end of input: the final message if the stream ended without a newline after it.
    pub fn finish(&mut self) -> Option<Result<Message, DecodeError>> {
        self.finish_frame().map(Frame::into_single)
    }

    /// At end of input: the final line (message or batch) if the stream ended without a
    /// newline after it.
    pub fn finish_frame(&mut self) -> Option<Frame> {
        if self.discarding {
            self.reset();
            self.discarding = false;
            return None;
        }
        let line = trim(&self.buf[self.start..self.end]);
        let result = (!line.is_empty()).then(|| parse_frame(line));
        self.reset();
        result
    }

    fn too_large(&self, start: usize, end: usize) -> DecodeError {
        let prefix = &self.buf[start..end.min(start + 4096)];
        DecodeError::TooLarge {
            id: leading_id(prefix),
            size: end - start,
            limit: self.limit,
        }
    }

    /// Empties the buffer, giving memory back after an unusually large message.
    fn reset(&mut self) {
        self.start = 0;
        self.end = 0;
        self.scanned = 0;
        if self.buf.len() > SHRINK_ABOVE {
            self.buf = vec![0; READ_CHUNK];
        }
    }
}

/// The line without its trailing `\r` and surrounding whitespace.
fn trim(line: &[u8]) -> &[u8] {
    line.trim_ascii()
}

/// One line of input, as JSON-RPC 2.0 defines it: a message, or a batch of messages (a JSON
/// array of them, answered with one array of responses).
#[non_exhaustive]
#[derive(Debug)]
pub enum Frame {
    /// A line holding one message (or that failed to decode as a whole: invalid JSON, an
    /// empty batch, a line over the limit).
    Single(Result<Message, DecodeError>),
    /// A non-empty JSON array: each entry decoded on its own, in order.
    Batch(Vec<Result<Message, DecodeError>>),
}

impl Frame {
    /// The message of a single-message line; a batch is an error.
    pub(crate) fn into_single(self) -> Result<Message, DecodeError> {
        match self {
            Frame::Single(message) => message,
            Frame::Batch(entries) => Err(DecodeError::Invalid {
                id: None,
                reason: format!(
                    "a batch of {} messages arrived where one message was expected",
                    entries.len()
                ),
            }),
        }
    }
}

fn parse_frame(line: &[u8]) -> Frame {
    if line.first() != Some(&b'[') {
        return Frame::Single(parse(line));
    }
    // A batch: the entries are split without building them, then each is read as a message,
    // so an entry is never taken for anything but one message.
    match serde_json::from_slice::<Vec<&RawValue>>(line) {
        Ok(entries) if entries.is_empty() => Frame::Single(Err(DecodeError::Invalid {
            id: None,
            reason: "the batch is empty; a batch holds at least one message".into(),
        })),
        Ok(entries) => Frame::Batch(
            entries
                .iter()
                .map(|entry| parse(entry.get().as_bytes()))
                .collect(),
        ),
        Err(error) => Frame::Single(Err(DecodeError::Parse {
            reason: error.to_string(),
        })),
    }
}

fn parse(line: &[u8]) -> Result<Message, DecodeError> {
    match serde_json::from_slice::<WireMessage<'_>>(line) {
        Ok(wire) => wire.into_message().map_err(|invalid| DecodeError::Invalid {
            id: invalid.id,
            reason: invalid.reason,
        }),
        // Invalid JSON is a parse error even where the parser met a type error first (`"a",1`).
        Err(error)
            if error.classify() == Category::Data
                && serde_json::from_slice::<serde::de::IgnoredAny>(line).is_ok() =>
        {
            let reason = match line.first() {
                Some(b'{') => error.to_string(),
                _ => "a message must be a JSON object".into(),
            };
            let id = serde_json::from_slice::<WireIdOnly>(line)
                .ok()
                .and_then(WireIdOnly::id);
            Err(DecodeError::Invalid { id, reason })
        }
        Err(error) => Err(DecodeError::Parse {
            reason: error.to_string(),
        }),
    }
}

/// A line that could not be decoded into a message.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The line is not valid JSON.
    #[error("the message is not valid JSON: {reason}")]
    Parse {
        /// What the JSON parser objected to, with line and column.
        reason: String,
    },
    /// The line is JSON, but not a JSON-RPC 2.0 message.
    #[error("the message is not a valid JSON-RPC 2.0 message: {reason}")]
    Invalid {
        /// The message's id, if it had a valid one.
        id: Option<Id>,
        /// What is wrong with it.
        reason: String,
    },
    /// The line is longer than the decoder's limit; it was discarded.
    #[error(
        "the message is {size} bytes or longer, over the limit of {limit} bytes; it was \
         discarded (send smaller payloads, or negotiate a larger maxMessageSize)"
    )]
    TooLarge {
        /// The message's id, if it could be found at its start.
        id: Option<Id>,
        /// How many bytes had arrived when the limit was passed.
        size: usize,
        /// The limit.
        limit: usize,
    },
}

impl DecodeError {
    /// The offending message's id, when it could be read.
    pub fn id(&self) -> Option<&Id> {
        match self {
            DecodeError::Parse { .. } => None,
            DecodeError::Invalid { id, .. } | DecodeError::TooLarge { id, .. } => id.as_ref(),
        }
    }

    /// The JSON-RPC error to answer the offending message with.
    pub fn to_error_object(&self) -> ErrorObject {
        let code = match self {
            DecodeError::Parse { .. } => ErrorCode::ParseError,
            DecodeError::Invalid { .. } => ErrorCode::InvalidRequest,
            DecodeError::TooLarge { .. } => ErrorCode::MessageTooLarge,
        };
        ErrorObject::new(code, self.to_string())
    }

    /// The response to send back for the offending message (with id `null` if unknown).
    pub fn to_response(&self) -> Response {
        Response::error(self.id().cloned(), self.to_error_object())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const REQUEST: &[u8] = br#"{"jsonrpc":"2.0","id":1,"method":"m","params":[1]}"#;

    fn messages(decoder: &mut Decoder) -> Vec<Result<Message, DecodeError>> {
        std::iter::from_fn(|| decoder.next()).collect()
    }

    #[test]
    fn splits_lines_and_skips_blank_ones() {
        let mut decoder = Decoder::new();
        decoder.extend(b"\n  \r\n");
        decoder.extend(REQUEST);
        decoder.extend(b"\r\n");
        decoder.extend(REQUEST);
        assert_eq!(messages(&mut decoder).len(), 1);
        decoder.extend(b"\n");
        assert_eq!(messages(&mut decoder).len(), 1);
        assert_eq!(decoder.buffered(), 0);
    }

    #[test]
    fn bad_lines_are_reported_and_the_stream_continues() {
        let mut decoder = Decoder::new();
        decoder.extend(b"not json\n[1,2]\n{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":5}\n");
        decoder.extend(REQUEST);
        decoder.extend(b"\n");
        let out = messages(&mut decoder);
        assert!(matches!(out[0], Err(DecodeError::Parse { .. })));
        match &out[1] {
            Err(DecodeError::Invalid { reason, .. }) => assert!(reason.contains("batch of 2")),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            out[2].as_ref().expect_err("bad method").id(),
            Some(&Id::Number(4))
        );
        assert!(matches!(out[3], Ok(Message::Request(_))));
        let response = out[0].as_ref().expect_err("parse").to_response();
        assert_eq!(response.id, None);
        assert_eq!(
            response.result.expect_err("error").kind(),
            Some(ErrorCode::ParseError)
        );
    }

    fn frames(decoder: &mut Decoder) -> Vec<Frame> {
        std::iter::from_fn(|| decoder.next_frame()).collect()
    }

    #[test]
    fn batches_are_split_into_entries_and_never_read_positionally() {
        let mut decoder = Decoder::new();
        decoder.extend(br#"[{"jsonrpc":"2.0","id":1,"method":"a"}, ["2.0",8,"echo",["hi"]], 5, {"jsonrpc":"2.0","method":"n"}]"#);
        decoder.extend(b"\n[]\n[1,2\n");
        decoder.extend(br#"["2.0",8,"echo",["hi"]]"#);
        decoder.extend(b"\n");
        let out = frames(&mut decoder);
        assert_eq!(out.len(), 4, "{out:?}");
        let Frame::Batch(entries) = &out[0] else {
            panic!("{:?}", out[0])
        };
        assert!(matches!(entries[0], Ok(Message::Request(_))));
        for entry in &entries[1..3] {
            assert!(
                matches!(entry, Err(DecodeError::Invalid { id: None, .. })),
                "{entry:?}"
            );
        }
        assert!(matches!(entries[3], Ok(Message::Notification(_))));
        assert!(matches!(
            out[1],
            Frame::Single(Err(DecodeError::Invalid { id: None, .. }))
        ));
        assert!(matches!(
            out[2],
            Frame::Single(Err(DecodeError::Parse { .. }))
        ));
        // A positional "request" is a batch of four entries, none of them a message.
        let Frame::Batch(entries) = &out[3] else {
            panic!("{:?}", out[3])
        };
        assert_eq!(entries.len(), 4);
        assert!(
            entries
                .iter()
                .all(|e| matches!(e, Err(DecodeError::Invalid { id: None, .. })))
        );
    }

    #[test]
    fn oversized_line_is_discarded_without_buffering_it() {
        let mut decoder = Decoder::with_limit(1000);
        decoder.extend(br#"{"jsonrpc":"2.0","id":"big","method":"m","params":[""#);
        let filler = vec![b'x'; 100_000];
        let mut reported = Vec::new();
        for _ in 0..50 {
            decoder.extend(&filler);
            reported.extend(messages(&mut decoder));
            assert!(decoder.buf.len() <= 1000 + 2 * READ_CHUNK, "buffer grew");
        }
        decoder.extend(b"\"]}\n");
        decoder.extend(REQUEST);
        decoder.extend(b"\n");
        reported.extend(messages(&mut decoder));
        assert_eq!(reported.len(), 2, "{reported:?}");
        match &reported[0] {
            Err(error @ DecodeError::TooLarge { size, limit, .. }) => {
                assert!(*size > 1000 && *limit == 1000);
                assert_eq!(error.id(), Some(&Id::String("big".into())));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(reported[1], Ok(Message::Request(_))));
    }

    #[test]
    fn oversized_line_arriving_whole_is_rejected() {
        let mut decoder = Decoder::with_limit(10);
        decoder.extend(REQUEST);
        decoder.extend(b"\n");
        decoder.extend(b"{}\n");
        let out = messages(&mut decoder);
        assert!(matches!(
            out[0],
            Err(DecodeError::TooLarge {
                id: Some(Id::Number(1)),
                ..
            })
        ));
        assert!(matches!(out[1], Err(DecodeError::Invalid { .. })));
    }

    #[test]
    fn finish_returns_an_unterminated_last_message() {
        let mut decoder = Decoder::new();
        decoder.extend(REQUEST);
        assert!(decoder.next().is_none());
        assert!(matches!(decoder.finish(), Some(Ok(Message::Request(_)))));
        assert!(decoder.finish().is_none());
    }

    #[test]
    fn large_messages_grow_the_buffer_and_it_shrinks_afterwards() {
        let mut decoder = Decoder::new();
        let big = crate::protocol::to_raw(&["y".repeat(3 * SHRINK_ABOVE)]).expect("raw");
        let text =
            serde_json::to_vec(&crate::protocol::Request::new(1, "m", Some(big))).expect("ser");
        decoder.extend(&text);
        decoder.extend(b"\n");
        assert!(matches!(decoder.next(), Some(Ok(Message::Request(_)))));
        assert!(decoder.next().is_none());
        assert_eq!(decoder.buf.len(), READ_CHUNK);
    }

    proptest! {
        #[test]
        fn any_split_of_the_stream_yields_the_same_messages(
            cuts in proptest::collection::vec(0usize..400, 0..8),
            limit in 40usize..200,
        ) {
            let mut stream = Vec::new();
            for i in 0..5 {
                stream.extend_from_slice(format!(
                    r#"{{"jsonrpc":"2.0","id":{i},"method":"m","params":["{}"]}}"#,
                    "z".repeat(i * 30)
                ).as_bytes());
                stream.push(b'\n');
                stream.extend_from_slice(b"garbage\n");
            }
            let whole = {
                let mut decoder = Decoder::with_limit(limit);
                decoder.extend(&stream);
                messages(&mut decoder)
            };
            let mut decoder = Decoder::with_limit(limit);
            let mut pieces = Vec::new();
            let mut cuts = cuts;
            cuts.sort_unstable();
            let mut last = 0;
            for cut in cuts.into_iter().map(|c| c.min(stream.len())) {
                decoder.extend(&stream[last..cut]);
                pieces.extend(messages(&mut decoder));
                last = cut;
            }
            decoder.extend(&stream[last..]);
            pieces.extend(messages(&mut decoder));
            let summary = |v: &[Result<Message, DecodeError>]| -> Vec<String> {
                v.iter().map(|m| match m {
                    Ok(m) => serde_json::to_string(m).unwrap_or_default(),
                    Err(DecodeError::TooLarge { id, limit, .. }) => format!("too large {id:?} {limit}"),
                    Err(e) => e.to_string(),
                }).collect()
            };
            prop_assert_eq!(summary(&whole), summary(&pieces));
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let mut decoder = Decoder::with_limit(64);
            decoder.extend(&bytes);
            let _ = messages(&mut decoder);
            let _ = decoder.finish();
        }
    }
}
