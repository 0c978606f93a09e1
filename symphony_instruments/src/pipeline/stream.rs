//! A chunk stream that holds a concurrency slot until it ends or is dropped.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use tokio::sync::OwnedSemaphorePermit;

use crate::error::InstrumentError;
use crate::instrument::ChunkStream;
use crate::io::StreamChunk;

pub(super) struct Guarded {
    inner: ChunkStream,
    permit: Option<OwnedSemaphorePermit>,
}

impl Guarded {
    pub(super) fn new(inner: ChunkStream, permit: OwnedSemaphorePermit) -> Self {
        Guarded {
            inner,
            permit: Some(permit),
        }
    }
}

impl Stream for Guarded {
    type Item = Result<StreamChunk, InstrumentError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let next = self.inner.as_mut().poll_next(cx);
        if let Poll::Ready(None) = next {
            // Finished: free the slot now rather than when the caller drops the stream.
            self.permit = None;
        }
        next
    }
}
