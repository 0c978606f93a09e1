//! Cancellation tokens.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::protocol::ErrorObject;

/// Set when the request it belongs to is cancelled (by `$/cancelRequest`, or because the
/// connection ended). Handlers poll it during long work and stop early.
///
/// Clones share the flag, so a token can be handed to worker threads.
///
/// ```
/// use symphony_core::serve::CancelToken;
/// let token = CancelToken::new();
/// let seen_by_worker = token.clone();
/// assert!(token.check().is_ok());
/// token.cancel();
/// assert!(seen_by_worker.is_cancelled());
/// assert!(seen_by_worker.check().is_err());
/// ```
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token that is not cancelled.
    pub fn new() -> Self {
        CancelToken::default()
    }

    /// Cancels the request; every clone sees it.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Release);
    }

    /// Whether the request was cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }

    /// `Err` with the [`Cancelled`](crate::protocol::ErrorCode::Cancelled) error once the
    /// request was cancelled, so a handler can stop with `call.check_cancelled()?`.
    ///
    /// # Errors
    ///
    /// The request was cancelled.
    pub fn check(&self) -> Result<(), ErrorObject> {
        if self.is_cancelled() {
            Err(ErrorObject::cancelled())
        } else {
            Ok(())
        }
    }
}
