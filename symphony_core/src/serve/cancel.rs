//! Cancellation tokens.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::protocol::ErrorObject;

/// Set when the request it belongs to is cancelled (by `$/cancelRequest`, because the
/// connection ended, or because an embedded call's time limit passed). Handlers poll it during
/// long work and stop early.
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
pub struct CancelToken {
    flag: Arc<AtomicBool>,
    deadline: Option<Instant>,
}

impl CancelToken {
    /// A token that is not cancelled.
    pub fn new() -> Self {
        CancelToken::default()
    }

    /// A token that also counts as cancelled from `deadline` on.
    pub(crate) fn with_deadline(deadline: Option<Instant>) -> Self {
        CancelToken {
            flag: Arc::default(),
            deadline,
        }
    }

    /// Cancels the request; every clone sees it.
    pub fn cancel(&self) {
        self.flag.store(true, Ordering::Release);
    }

    /// Whether the request was cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.flag.load(Ordering::Acquire) || self.deadline_passed()
    }

    /// Whether the token's deadline (if any) has passed.
    pub(crate) fn deadline_passed(&self) -> bool {
        self.deadline
            .is_some_and(|deadline| Instant::now() >= deadline)
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
