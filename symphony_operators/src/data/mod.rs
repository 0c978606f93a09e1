//! The data that flows between operators: record batches with shared headers, and the other
//! kinds of chunk a port can carry.
//!
//! Records stream in [`RecordBatch`]es of reused [`ByteRecord`](csv::ByteRecord)s: a file of
//! any size is processed in bounded memory, fields stay bytes (no per-field `String`, no
//! UTF-8 check unless someone needs text), and a batch's buffers go back to the producer's
//! pool when the batch is dropped.

mod batch;
mod chunk;
mod error;
mod headers;
mod json;

pub use batch::{BatchPool, RecordBatch};
pub use chunk::Chunk;
pub use error::DataError;
pub use headers::Headers;
pub use json::{record_to_json, records_from_json};
