//! Finding the `id` at the start of a message too large to parse.
//!
//! An oversized message is discarded rather than buffered, but answering it with its own id
//! (instead of `null`) lets the sender fail that one request at once. Senders normally write
//! `id` before `params`, so the id sits within the first bytes; this scans only the top level
//! of the object prefix, skipping other members without building anything.

use crate::protocol::Id;

/// The value of the top-level `id` member, if it appears complete in `prefix`.
pub(super) fn leading_id(prefix: &[u8]) -> Option<Id> {
    let mut scan = Scanner {
        bytes: prefix,
        pos: 0,
    };
    scan.whitespace();
    scan.expect(b'{')?;
    loop {
        scan.whitespace();
        let key = scan.string()?;
        scan.whitespace();
        scan.expect(b':')?;
        scan.whitespace();
        let value = scan.value()?;
        if key == b"\"id\"" {
            // `null` is no id to answer with (the answer says `null` anyway).
            return serde_json::from_slice(value)
                .ok()
                .filter(|id| *id != Id::Raw("null".into()));
        }
        scan.whitespace();
        scan.expect(b',')?;
    }
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    /// A string, quotes included.
    fn string(&mut self) -> Option<&'a [u8]> {
        let start = self.pos;
        self.expect(b'"')?;
        loop {
            match self.peek()? {
                b'"' => {
                    self.pos += 1;
                    return self.bytes.get(start..self.pos);
                }
                b'\\' => self.pos += 2,
                _ => self.pos += 1,
            }
        }
    }

    /// Any value, as its bytes; `None` if it does not end within the prefix.
    fn value(&mut self) -> Option<&'a [u8]> {
        let start = self.pos;
        match self.peek()? {
            b'"' => {
                self.string()?;
            }
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.pos += 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                    self.pos += 1;
                }
            }
            _ => {
                // Number or literal: runs to the next delimiter, which must be in the prefix.
                while !matches!(
                    self.peek()?,
                    b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n'
                ) {
                    self.pos += 1;
                }
            }
        }
        self.bytes.get(start..self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_ids_after_other_members() {
        let cases: [(&str, Option<Id>); 9] = [
            (
                r#"{"jsonrpc":"2.0","id":42,"method":"m","params":["#,
                Some(Id::Number(42)),
            ),
            (r#"{ "id" : "a\"b" , "#, Some(Id::String("a\"b".into()))),
            (
                r#"{"params":{"x":[1,{"id":3}],"s":"}\""},"id":7,"#,
                Some(Id::Number(7)),
            ),
            (r#"{"method":"m","params":"#, None),
            (r#"{"id":12"#, None), // the number may continue beyond the prefix
            (r#"{"id":null,"#, None),
            (r#"["id",1]"#, None),
            (r#"{"idx":1,"id":-3}"#, Some(Id::Number(-3))),
            (r#"{"id":2.50,"#, Some(Id::Raw("2.50".into()))),
        ];
        for (prefix, expected) in cases {
            assert_eq!(leading_id(prefix.as_bytes()), expected, "{prefix}");
        }
    }

    #[test]
    fn never_panics_on_garbage() {
        for prefix in [
            "",
            "{",
            "{\"",
            "{\"id",
            "{\"a\":[[[",
            "{\"a\":\"\\",
            "}}}]]]",
            "{\"a\":]",
        ] {
            let _ = leading_id(prefix.as_bytes());
        }
    }
}
