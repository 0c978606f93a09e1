//! Server-sent events, sans-IO: bytes in, `data` payloads out, each line and each event
//! bounded as it arrives.

/// An event's data (or a line) grew past the decoder's limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TooLong {
    /// The limit, in bytes.
    pub(super) limit: usize,
}

/// Splits a byte stream into the `data` of each event (multi-line data joined with `\n`).
#[derive(Debug)]
pub(super) struct SseDecoder {
    buffer: Vec<u8>,
    /// How much of `buffer` is known to hold no newline.
    scanned: usize,
    data: Option<String>,
    limit: usize,
}

impl SseDecoder {
    /// A decoder refusing lines and events longer than `limit` bytes.
    pub(super) fn new(limit: usize) -> Self {
        SseDecoder {
            buffer: Vec::new(),
            scanned: 0,
            data: None,
            limit,
        }
    }

    /// Takes more bytes; fails when an unfinished line would pass the limit.
    pub(super) fn push(&mut self, bytes: &[u8]) -> Result<(), TooLong> {
        // The buffer starts just after a newline, and its scanned part holds none.
        let unscanned = self.buffer.get(self.scanned..).unwrap_or_default();
        let unfinished = unscanned
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(self.buffer.len(), |end| unscanned.len() - end - 1);
        let tail = bytes
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(unfinished + bytes.len(), |end| bytes.len() - end - 1);
        if tail > self.limit {
            return Err(TooLong { limit: self.limit });
        }
        self.buffer.extend_from_slice(bytes);
        Ok(())
    }

    /// The next complete event's data, if one is buffered; fails when an event's data passes
    /// the limit.
    pub(super) fn next_event(&mut self) -> Result<Option<String>, TooLong> {
        while let Some(offset) = self
            .buffer
            .get(self.scanned..)
            .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
        {
            let end = self.scanned + offset;
            let line: Vec<u8> = self.buffer.drain(..=end).collect();
            self.scanned = 0;
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\n', '\r']);
            if line.is_empty() {
                if let Some(data) = self.data.take() {
                    return Ok(Some(data));
                }
                continue;
            }
            if let Some(value) = line.strip_prefix("data:") {
                let value = value.strip_prefix(' ').unwrap_or(value);
                let held = self.data.as_ref().map_or(0, |data| data.len() + 1);
                if held + value.len() > self.limit {
                    self.data = None;
                    return Err(TooLong { limit: self.limit });
                }
                match &mut self.data {
                    Some(data) => {
                        data.push('\n');
                        data.push_str(value);
                    }
                    None => self.data = Some(value.to_owned()),
                }
            }
            // Comments (`:`), `event:`, `id:` and `retry:` carry nothing we use.
        }
        self.scanned = self.buffer.len();
        Ok(None)
    }

    /// The data of an event cut off by the end of the stream, if any.
    pub(super) fn finish(&mut self) -> Result<Option<String>, TooLong> {
        if !self.buffer.is_empty() {
            self.buffer.push(b'\n');
            if let Some(data) = self.next_event()? {
                return Ok(Some(data));
            }
        }
        Ok(self.data.take())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_across_reads_are_joined() {
        let mut decoder = SseDecoder::new(1024);
        assert_eq!(decoder.push(b": comment\nevent: x\ndata: {\"a\""), Ok(()));
        assert_eq!(decoder.next_event(), Ok(None));
        assert_eq!(
            decoder.push(b":1}\r\n\r\ndata: one\ndata: two\n\ndata: [DONE]"),
            Ok(())
        );
        assert_eq!(decoder.next_event(), Ok(Some("{\"a\":1}".into())));
        assert_eq!(decoder.next_event(), Ok(Some("one\ntwo".into())));
        assert_eq!(decoder.next_event(), Ok(None));
        assert_eq!(decoder.finish(), Ok(Some("[DONE]".into())));
    }

    #[test]
    fn a_line_without_end_is_refused_once_it_passes_the_limit() {
        let mut decoder = SseDecoder::new(16);
        assert_eq!(decoder.push(b"data: 0123456789"), Ok(()));
        assert_eq!(decoder.next_event(), Ok(None));
        assert_eq!(decoder.push(b"abcdef"), Err(TooLong { limit: 16 }));
        // A long buffer of short lines is fine: only the unfinished tail counts.
        let mut decoder = SseDecoder::new(16);
        assert_eq!(decoder.push(&b": keep-alive\n".repeat(100)), Ok(()));
        assert_eq!(decoder.next_event(), Ok(None));
    }

    #[test]
    fn an_event_of_many_short_lines_is_refused_once_it_passes_the_limit() {
        let mut decoder = SseDecoder::new(16);
        assert_eq!(decoder.push(b"data: 01234567\ndata: 89abcdef\n"), Ok(()));
        assert_eq!(decoder.next_event(), Err(TooLong { limit: 16 }));
    }
}
