//! Server-sent events, sans-IO: bytes in, `data` payloads out.

/// Splits a byte stream into the `data` of each event (multi-line data joined with `\n`).
#[derive(Debug, Default)]
pub(super) struct SseDecoder {
    buffer: Vec<u8>,
    data: Option<String>,
}

impl SseDecoder {
    pub(super) fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// The next complete event's data, if one is buffered.
    pub(super) fn next_event(&mut self) -> Option<String> {
        while let Some(end) = self.buffer.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.buffer.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\n', '\r']);
            if line.is_empty() {
                if let Some(data) = self.data.take() {
                    return Some(data);
                }
                continue;
            }
            if let Some(value) = line.strip_prefix("data:") {
                let value = value.strip_prefix(' ').unwrap_or(value);
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
        None
    }

    /// The data of an event cut off by the end of the stream, if any.
    pub(super) fn finish(&mut self) -> Option<String> {
        if !self.buffer.is_empty() {
            self.buffer.push(b'\n');
            if let Some(data) = self.next_event() {
                return Some(data);
            }
        }
        self.data.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_across_reads_are_joined() {
        let mut decoder = SseDecoder::default();
        decoder.push(b": comment\nevent: x\ndata: {\"a\"");
        assert_eq!(decoder.next_event(), None);
        decoder.push(b":1}\r\n\r\ndata: one\ndata: two\n\ndata: [DONE]");
        assert_eq!(decoder.next_event().as_deref(), Some("{\"a\":1}"));
        assert_eq!(decoder.next_event().as_deref(), Some("one\ntwo"));
        assert_eq!(decoder.next_event(), None);
        assert_eq!(decoder.finish().as_deref(), Some("[DONE]"));
    }
}
