//! Blocking transports: they move bytes, the [`codec`](crate::codec) makes messages of them.
//!
//! A [`Transport`] is a byte reader and a byte writer: the process's stdin and stdout
//! ([`Transport::stdio`]), a child's pipes, or (with the `host` feature) an in-memory pipe
//! pair for in-process hosting and tests. The crate puts a codec on each half.

#[cfg(feature = "host")]
pub mod memory;
mod message_io;

use std::io::{Read, Write};

pub use message_io::SendError;
pub(crate) use message_io::{MessageReader, MessageWriter};

/// The two byte streams of one end of a connection.
pub struct Transport {
    /// Bytes from the peer.
    pub reader: Box<dyn Read + Send>,
    /// Bytes to the peer.
    pub writer: Box<dyn Write + Send>,
}

impl Transport {
    /// A transport over any reader and writer.
    pub fn new(reader: impl Read + Send + 'static, writer: impl Write + Send + 'static) -> Self {
        Transport {
            reader: Box::new(reader),
            writer: Box::new(writer),
        }
    }

    /// This process's stdin and stdout: how an extension talks to the host that spawned it.
    ///
    /// Nothing else may write to stdout while the protocol runs: log to stderr instead.
    pub fn stdio() -> Self {
        Transport::new(std::io::stdin(), std::io::stdout())
    }
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport").finish_non_exhaustive()
    }
}
