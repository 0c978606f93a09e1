//! Blocking message reading and writing: a codec on each half of a transport.

use std::io::{self, ErrorKind, Read, Write};

use serde::Serialize;

use crate::codec::{Decoder, EncodeError, Encoder, Frame};

/// Reads messages from a byte stream.
#[derive(Debug)]
pub(crate) struct MessageReader<R> {
    reader: R,
    decoder: Decoder,
    eof: bool,
}

impl<R: Read> MessageReader<R> {
    /// A reader using `decoder` (for a custom limit).
    pub(crate) fn with_decoder(reader: R, decoder: Decoder) -> Self {
        MessageReader {
            reader,
            decoder,
            eof: false,
        }
    }

    /// The next message, or the error for a line that is not one; `Ok(None)` at end of
    /// stream. Blocks until a whole line has arrived. A batch is an error here (see
    /// [`read_frame`](Self::read_frame)).
    ///
    /// # Errors
    ///
    /// The underlying reader's I/O errors (interrupted reads are retried).
    #[cfg(feature = "host")]
    pub(crate) fn read(
        &mut self,
    ) -> io::Result<Option<Result<crate::protocol::Message, crate::codec::DecodeError>>> {
        Ok(self.read_frame()?.map(Frame::into_single))
    }

    /// The next line: a message or a batch; `Ok(None)` at end of stream. Blocks until a whole
    /// line has arrived.
    ///
    /// # Errors
    ///
    /// The underlying reader's I/O errors (interrupted reads are retried).
    pub(crate) fn read_frame(&mut self) -> io::Result<Option<Frame>> {
        loop {
            if let Some(frame) = self.decoder.next_frame() {
                return Ok(Some(frame));
            }
            if self.eof {
                return Ok(self.decoder.finish_frame());
            }
            match self.reader.read(self.decoder.spare()) {
                Ok(0) => self.eof = true,
                Ok(n) => self.decoder.commit(n),
                Err(error) if error.kind() == ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
    }

    /// The next line (message or batch) if a whole one is already buffered; never blocks.
    pub(crate) fn read_buffered_frame(&mut self) -> Option<Frame> {
        self.decoder.next_frame()
    }
}

/// Writes messages to a byte stream, batching several into one write when asked.
#[derive(Debug)]
pub(crate) struct MessageWriter<W> {
    writer: W,
    encoder: Encoder,
}

impl<W: Write> MessageWriter<W> {
    /// A writer with the default message size limit.
    pub(crate) fn new(writer: W) -> Self {
        MessageWriter::with_encoder(writer, Encoder::new())
    }

    /// A writer using `encoder` (for a custom limit).
    pub(crate) fn with_encoder(writer: W, encoder: Encoder) -> Self {
        MessageWriter { writer, encoder }
    }

    /// Writes `message` now, with anything queued before it.
    ///
    /// # Errors
    ///
    /// [`SendError::Encode`] if the message cannot be encoded (nothing is written for it);
    /// [`SendError::Io`] if writing fails.
    pub(crate) fn send<M: Serialize + ?Sized>(&mut self, message: &M) -> Result<(), SendError> {
        self.queue(message)?;
        self.flush().map_err(SendError::Io)
    }

    /// Encodes `message` to be written by the next [`flush`](Self::flush) or
    /// [`send`](Self::send).
    ///
    /// # Errors
    ///
    /// The message cannot be encoded; nothing is queued for it.
    pub(crate) fn queue<M: Serialize + ?Sized>(&mut self, message: &M) -> Result<(), EncodeError> {
        self.encoder.encode(message)
    }

    /// Bytes queued and not yet written.
    pub(crate) fn queued(&self) -> usize {
        self.encoder.bytes().len()
    }

    /// Writes everything queued.
    ///
    /// # Errors
    ///
    /// The underlying writer's error; the queued bytes are dropped, since a stream cut
    /// mid-line cannot be resumed.
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        if !self.encoder.is_empty() {
            let result = self.writer.write_all(self.encoder.bytes());
            self.encoder.clear();
            result?;
        }
        self.writer.flush()
    }

    /// The encoder, for changing its limit.
    pub(crate) fn encoder_mut(&mut self) -> &mut Encoder {
        &mut self.encoder
    }
}

/// A message that could not be sent.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The message could not be encoded (too large, or not serialisable).
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// Writing to the peer failed (it has usually gone away).
    #[error("cannot write to the peer: {0}")]
    Io(#[source] io::Error),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Message, Notification};

    #[test]
    fn a_written_message_reads_back_then_the_stream_ends() {
        let mut writer = MessageWriter::new(Vec::new());
        writer
            .send(&Notification::new("exit", None))
            .expect("written");
        assert_eq!(
            writer.writer,
            b"{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}\n"
        );
        let mut reader = MessageReader::with_decoder(writer.writer.as_slice(), Decoder::new());
        assert!(matches!(
            reader.read(),
            Ok(Some(Ok(Message::Notification(_))))
        ));
        assert!(matches!(reader.read(), Ok(None)));
    }
}
