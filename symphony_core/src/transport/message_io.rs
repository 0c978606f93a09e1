//! Blocking message reading and writing: a codec on each half of a transport.

use std::io::{self, ErrorKind, Read, Write};

use serde::Serialize;

use crate::codec::{DecodeError, Decoder, EncodeError, Encoder, Frame};
use crate::protocol::Message;

/// Reads messages from a byte stream.
///
/// ```
/// use symphony_core::transport::MessageReader;
/// let input: &[u8] = b"{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}\n";
/// let mut reader = MessageReader::new(input);
/// assert!(matches!(reader.read(), Ok(Some(Ok(_)))));
/// assert!(matches!(reader.read(), Ok(None))); // end of stream
/// ```
#[derive(Debug)]
pub struct MessageReader<R> {
    reader: R,
    decoder: Decoder,
    eof: bool,
}

impl<R: Read> MessageReader<R> {
    /// A reader with the default message size limit.
    pub fn new(reader: R) -> Self {
        MessageReader::with_decoder(reader, Decoder::new())
    }

    /// A reader using `decoder` (for a custom limit).
    pub fn with_decoder(reader: R, decoder: Decoder) -> Self {
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
    pub fn read(&mut self) -> io::Result<Option<Result<Message, DecodeError>>> {
        Ok(self.read_frame()?.map(Frame::into_single))
    }

    /// The next line: a message or a batch; `Ok(None)` at end of stream. Blocks until a whole
    /// line has arrived.
    ///
    /// # Errors
    ///
    /// The underlying reader's I/O errors (interrupted reads are retried).
    pub fn read_frame(&mut self) -> io::Result<Option<Frame>> {
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

    /// The next message if a whole line is already buffered; never blocks.
    pub fn read_buffered(&mut self) -> Option<Result<Message, DecodeError>> {
        self.decoder.next()
    }

    /// The next line (message or batch) if a whole one is already buffered; never blocks.
    pub fn read_buffered_frame(&mut self) -> Option<Frame> {
        self.decoder.next_frame()
    }

    /// The decoder, for changing its limit.
    pub fn decoder_mut(&mut self) -> &mut Decoder {
        &mut self.decoder
    }
}

/// Writes messages to a byte stream, batching several into one write when asked.
///
/// ```
/// use symphony_core::protocol::Notification;
/// use symphony_core::transport::MessageWriter;
/// let mut writer = MessageWriter::new(Vec::new());
/// writer.send(&Notification::new("exit", None)).unwrap();
/// assert_eq!(writer.get_ref(), b"{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}\n");
/// ```
#[derive(Debug)]
pub struct MessageWriter<W> {
    writer: W,
    encoder: Encoder,
}

impl<W: Write> MessageWriter<W> {
    /// A writer with the default message size limit.
    pub fn new(writer: W) -> Self {
        MessageWriter::with_encoder(writer, Encoder::new())
    }

    /// A writer using `encoder` (for a custom limit).
    pub fn with_encoder(writer: W, encoder: Encoder) -> Self {
        MessageWriter { writer, encoder }
    }

    /// Writes `message` now, with anything queued before it.
    ///
    /// # Errors
    ///
    /// [`SendError::Encode`] if the message cannot be encoded (nothing is written for it);
    /// [`SendError::Io`] if writing fails.
    pub fn send<M: Serialize + ?Sized>(&mut self, message: &M) -> Result<(), SendError> {
        self.queue(message)?;
        self.flush().map_err(SendError::Io)
    }

    /// Writes bytes that are already encoded messages (whole lines), bypassing the queue.
    ///
    /// # Errors
    ///
    /// The underlying writer's error.
    pub fn write_raw(&mut self, lines: &[u8]) -> io::Result<()> {
        self.writer.write_all(lines)?;
        self.writer.flush()
    }

    /// Encodes `message` to be written by the next [`flush`](Self::flush) or
    /// [`send`](Self::send).
    ///
    /// # Errors
    ///
    /// The message cannot be encoded; nothing is queued for it.
    pub fn queue<M: Serialize + ?Sized>(&mut self, message: &M) -> Result<(), EncodeError> {
        self.encoder.encode(message)
    }

    /// Bytes queued and not yet written.
    pub fn queued(&self) -> usize {
        self.encoder.bytes().len()
    }

    /// Writes everything queued.
    ///
    /// # Errors
    ///
    /// The underlying writer's error; the queued bytes are dropped, since a stream cut
    /// mid-line cannot be resumed.
    pub fn flush(&mut self) -> io::Result<()> {
        if !self.encoder.is_empty() {
            let result = self.writer.write_all(self.encoder.bytes());
            self.encoder.clear();
            result?;
        }
        self.writer.flush()
    }

    /// The encoder, for changing its limit.
    pub fn encoder_mut(&mut self) -> &mut Encoder {
        &mut self.encoder
    }

    /// The underlying writer.
    pub fn get_ref(&self) -> &W {
        &self.writer
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
