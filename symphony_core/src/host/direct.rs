//! The host's side of a direct extension (see [`Extension::direct`](super::Extension::direct)).

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::error::{CallError, Ended};
use crate::protocol::{ErrorCode, Id, InitializeResult, Notification, RawValue};
use crate::serve::direct::Direct;

/// The name direct extensions go by in messages.
pub(super) const NAME: &str = "direct";

pub(super) struct DirectExtension {
    extension: Arc<dyn Direct>,
    pub(super) info: Arc<InitializeResult>,
    ended: Mutex<Option<Ended>>,
    /// `ended.is_some()`, readable without the lock on every call.
    stopped: AtomicBool,
    next_id: AtomicI64,
}

impl DirectExtension {
    pub(super) fn new(extension: Arc<dyn Direct>, info: InitializeResult) -> Self {
        DirectExtension {
            extension,
            info: Arc::new(info),
            ended: Mutex::new(None),
            stopped: AtomicBool::new(false),
            next_id: AtomicI64::new(0),
        }
    }

    pub(super) fn next_id(&self) -> i64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Runs a call on this thread.
    pub(super) fn call(
        &self,
        id: i64,
        method: &str,
        params: Option<&RawValue>,
        timeout: Option<Duration>,
    ) -> Result<Box<RawValue>, CallError> {
        if self.stopped.load(Ordering::Acquire)
            && let Some(ended) = self.ended()
        {
            return Err(CallError::Ended {
                method: method.to_owned(),
                ended,
            });
        }
        self.extension
            .call(Id::Number(id), method, params, timeout)
            .map_err(|error| match error.kind() {
                Some(ErrorCode::TimedOut) => CallError::TimedOut {
                    method: method.to_owned(),
                    timeout: timeout.unwrap_or_default(),
                    killed: false,
                },
                _ => CallError::Remote {
                    method: method.to_owned(),
                    error,
                },
            })
    }

    pub(super) fn notify(&self, notification: &Notification) {
        self.extension.notify(notification);
    }

    /// Waits for the calls in flight, then refuses new ones, saying `what` happened.
    pub(super) fn stop(&self, what: &str) {
        self.extension.shutdown();
        self.ended
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert_with(|| Ended {
                extension: NAME.into(),
                what: what.into(),
                stderr: Vec::new(),
            });
        self.stopped.store(true, Ordering::Release);
    }

    pub(super) fn ended(&self) -> Option<Ended> {
        self.ended.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}
