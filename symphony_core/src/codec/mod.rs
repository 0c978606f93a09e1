//! The sans-IO codec of the Orchestra Kit protocol: bytes in, [`Message`]s out, and back.
//!
//! Framing is one JSON message per line. The codec owns no I/O: a transport reads bytes into
//! [`Decoder::spare`] and writes out [`Encoder::bytes`], so the blocking transports of this
//! crate and the async ones of `symphony_instruments` share one implementation.
//!
//! ```
//! use symphony_core::codec::{Decoder, Encoder};
//! use symphony_core::protocol::{Message, Request};
//!
//! let mut encoder = Encoder::new();
//! encoder.encode(&Request::with_params(1, "echo", &["hi"]).unwrap()).unwrap();
//! assert_eq!(encoder.bytes(), b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":[\"hi\"]}\n");
//!
//! let mut decoder = Decoder::new();
//! decoder.extend(encoder.bytes());
//! let Some(Ok(Message::Request(request))) = decoder.next() else { panic!() };
//! assert_eq!(request.method, "echo");
//! assert!(decoder.next().is_none()); // nothing more buffered
//! ```
//!
//! [`Message`]: crate::protocol::Message

mod decoder;
mod encoder;
mod peek;

pub use decoder::{DecodeError, Decoder, Frame};
pub use encoder::{EncodeError, Encoder};
