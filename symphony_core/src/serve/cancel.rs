//! Cancellation tokens.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use super::deadline::Deadline;
use crate::protocol::ErrorObject;

/// Set when the request it belongs to is cancelled (by `$/cancelRequest`, because the
/// connection ended, or because a direct call's time limit passed). Handlers poll it during
/// long work and stop early; async code awaits [`cancelled`](Self::cancelled) instead.
///
/// Clones share the flag, so a token can be handed to worker threads.
///
/// ```
/// # use symphony_core::serve::CancelToken;
/// let token = CancelToken::new();
/// let seen_by_worker = token.clone();
/// assert!(token.check().is_ok());
/// token.cancel();
/// assert!(seen_by_worker.is_cancelled());
/// assert!(seen_by_worker.check().is_err());
/// ```
#[derive(Debug, Clone, Default)]
pub struct CancelToken {
    shared: Arc<Shared>,
    deadline: Option<Deadline>,
}

#[derive(Debug, Default)]
struct Shared {
    flag: AtomicBool,
    /// Tasks awaiting [`CancelToken::cancelled`]; woken once by [`CancelToken::cancel`].
    wakers: Mutex<Vec<Waker>>,
}

impl CancelToken {
    /// A token that is not cancelled.
    pub fn new() -> Self {
        CancelToken::default()
    }

    /// A token that also counts as cancelled once `timeout` (from now) has passed.
    ///
    /// It reuses the flag of a token this thread [`recycle`](Self::recycle)d, if any: a
    /// direct call makes one per call, and the allocation was a sixth of a do-nothing call.
    #[cfg(feature = "host")]
    pub(crate) fn with_timeout(timeout: Option<std::time::Duration>) -> Self {
        CancelToken {
            shared: SPARE.take().unwrap_or_default(),
            deadline: timeout.map(Deadline::after),
        }
    }

    /// Keeps this token's flag for the thread's next [`with_timeout`](Self::with_timeout),
    /// if nobody else holds a clone and it was never cancelled or awaited.
    #[cfg(feature = "host")]
    pub(crate) fn recycle(mut self) {
        let Some(shared) = Arc::get_mut(&mut self.shared) else {
            return;
        };
        let untouched = !*shared.flag.get_mut()
            && shared
                .wakers
                .get_mut()
                .is_ok_and(|wakers| wakers.capacity() == 0);
        if untouched {
            SPARE.set(Some(self.shared));
        }
    }

    /// Cancels the request; every clone sees it, and every [`cancelled`](Self::cancelled)
    /// future completes.
    pub fn cancel(&self) {
        self.shared.flag.store(true, Ordering::Release);
        let wakers = std::mem::take(
            &mut *self
                .shared
                .wakers
                .lock()
                .unwrap_or_else(|poison| poison.into_inner()),
        );
        for waker in wakers {
            waker.wake();
        }
    }

    /// Whether the request was cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.shared.flag.load(Ordering::Acquire) || self.deadline_passed()
    }

    /// Whether the token's deadline (if any) has passed.
    pub(crate) fn deadline_passed(&self) -> bool {
        self.deadline.is_some_and(Deadline::passed)
    }

    /// A future that completes once [`cancel`](Self::cancel) is called, on any executor: an
    /// async serve loop races a request's work against it.
    ///
    /// It needs no timer, so it does not complete by itself when a deadline passes; tokens
    /// with deadlines (direct calls) are checked with [`is_cancelled`](Self::is_cancelled).
    ///
    /// ```
    /// use std::future::Future;
    /// use std::pin::pin;
    /// use std::task::{Context, Poll, Waker};
    /// # use symphony_core::serve::CancelToken;
    ///
    /// let token = CancelToken::new();
    /// let mut cancelled = pin!(token.cancelled());
    /// let mut context = Context::from_waker(Waker::noop());
    /// assert!(cancelled.as_mut().poll(&mut context).is_pending());
    /// token.clone().cancel();
    /// assert!(cancelled.poll(&mut context).is_ready());
    /// ```
    pub fn cancelled(&self) -> Cancelled<'_> {
        Cancelled { token: self }
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

#[cfg(feature = "host")]
thread_local! {
    /// The flag of this thread's last direct call, when it can be reused.
    static SPARE: std::cell::Cell<Option<Arc<Shared>>> = const { std::cell::Cell::new(None) };
}

/// The future returned by [`CancelToken::cancelled`].
#[derive(Debug)]
#[must_use = "a future does nothing unless awaited"]
pub struct Cancelled<'a> {
    token: &'a CancelToken,
}

impl Future for Cancelled<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<()> {
        let shared = &self.token.shared;
        if shared.flag.load(Ordering::Acquire) {
            return Poll::Ready(());
        }
        let mut wakers = shared
            .wakers
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        // Checked again under the lock: `cancel` sets the flag before taking the wakers, so
        // either it sees this waker or this sees the flag.
        if shared.flag.load(Ordering::Acquire) {
            return Poll::Ready(());
        }
        if !wakers.iter().any(|waker| waker.will_wake(context.waker())) {
            wakers.push(context.waker().clone());
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancel_wakes_a_task_waiting_on_another_thread() {
        struct Flag(std::thread::Thread, AtomicBool);
        impl std::task::Wake for Flag {
            fn wake(self: Arc<Self>) {
                self.1.store(true, Ordering::Release);
                self.0.unpark();
            }
        }
        let token = CancelToken::new();
        let flag = Arc::new(Flag(std::thread::current(), AtomicBool::new(false)));
        let waker = Waker::from(Arc::clone(&flag));
        let mut context = Context::from_waker(&waker);
        let mut cancelled = std::pin::pin!(token.cancelled());
        assert!(cancelled.as_mut().poll(&mut context).is_pending());
        // Polling again with the same waker registers it once.
        assert!(cancelled.as_mut().poll(&mut context).is_pending());
        assert_eq!(token.shared.wakers.lock().expect("lock").len(), 1);
        let canceller = token.clone();
        let thread = std::thread::spawn(move || canceller.cancel());
        while !flag.1.load(Ordering::Acquire) {
            std::thread::park();
        }
        thread.join().expect("canceller");
        assert!(cancelled.poll(&mut context).is_ready());
    }

    #[cfg(feature = "host")]
    #[test]
    fn only_an_unshared_uncancelled_token_is_reused() {
        let first = CancelToken::with_timeout(None);
        let flag = Arc::as_ptr(&first.shared);
        first.recycle();
        let second = CancelToken::with_timeout(None);
        assert_eq!(
            Arc::as_ptr(&second.shared),
            flag,
            "an untouched token is reused"
        );
        assert!(!second.is_cancelled());

        // A clone kept by the handler must not become another call's token.
        let kept = second.clone();
        second.recycle();
        let third = CancelToken::with_timeout(None);
        assert_ne!(Arc::as_ptr(&third.shared), flag);
        kept.cancel();
        assert!(!third.is_cancelled());

        // Nor may a cancelled one, whose flag stays set.
        third.cancel();
        third.recycle();
        let fourth = CancelToken::with_timeout(Some(std::time::Duration::from_secs(60)));
        assert!(!fourth.is_cancelled());
    }
}
