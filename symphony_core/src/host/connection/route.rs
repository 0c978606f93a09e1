//! Routing what the extension writes: answers to their callers, notifications (and `$/log`
//! records) to the host, garbage to an error naming it.

use super::Connection;

use crate::codec::DecodeError;
use crate::host::options::NotificationHandler;
use crate::host::outbox::Room;
use crate::protocol::{
    ErrorObject, Id, LogLevel, LogParams, Message, Notification, RawValue, Response, method,
};

impl Connection {
    pub(super) fn route(&self, message: Message) {
        match message {
            Message::Response(Response {
                id: Some(Id::Number(id)),
                result,
            }) => self.complete(id, result),
            Message::Response(Response { id, result }) => match result {
                Err(error) => tracing::warn!(
                    extension = %self.name, ?id, %error,
                    "the extension rejected a message from the host"
                ),
                Ok(_) => tracing::warn!(
                    extension = %self.name, ?id,
                    "ignoring a response to no request of this host"
                ),
            },
            Message::Notification(notification) => self.deliver(&notification),
            Message::Request(request) => {
                // Hosts built on this SDK take no requests from extensions (yet). The answer
                // goes through the outbox without waiting: the reader never blocks on a write,
                // and an extension that sends requests without reading the answers loses them.
                let answer = Response::error(
                    Some(request.id),
                    ErrorObject::method_not_found(&request.method),
                );
                if let Err(error) = self.outbox.send(&answer, None, Room::OrDrop) {
                    tracing::debug!(
                        extension = %self.name, ?error,
                        "dropped the answer to a request from the extension"
                    );
                }
            }
        }
    }

    pub(super) fn complete(&self, id: i64, result: Result<Box<RawValue>, ErrorObject>) {
        let mut state = self.lock();
        match state.pending.get_mut(&id) {
            // The acknowledgement of a cancellation the caller no longer waits for.
            Some(slot) if slot.orphan => {
                state.pending.remove(&id);
            }
            Some(slot) => {
                slot.result = Some(result);
                if let Some(waiter) = &slot.waiter {
                    waiter.notify_one();
                }
            }
            None => tracing::debug!(id, "dropping the late answer to a call given up on"),
        }
    }

    pub(super) fn route_garbage(&self, error: &DecodeError) {
        tracing::warn!(
            extension = %self.name, %error,
            "the extension wrote a line that is not a valid message"
        );
        // A broken answer still ends its call, with an error saying what was wrong.
        if let Some(Id::Number(id)) = error.id() {
            let mut object = error.to_error_object();
            object.message = format!("the extension's answer was unusable: {}", object.message);
            self.complete(*id, Err(object));
        }
    }

    pub(super) fn deliver(&self, notification: &Notification) {
        deliver(&self.name, self.on_notification.as_ref(), notification);
    }
}

/// Hands a notification from the extension to the host: `$/log` records are logged, and
/// everything goes to the host's handler.
pub(in crate::host) fn deliver(
    extension: &str,
    handler: Option<&NotificationHandler>,
    notification: &Notification,
) {
    if notification.method == method::LOG
        && let Ok(log) = notification.params_as::<LogParams>()
    {
        log_record(extension, &log);
    }
    if let Some(handler) = handler {
        handler(notification);
    }
}

fn log_record(extension: &str, log: &LogParams) {
    let target = log.target.as_deref().unwrap_or("");
    match log.level {
        LogLevel::Error => tracing::error!(extension, target, "{}", log.message),
        LogLevel::Warn => tracing::warn!(extension, target, "{}", log.message),
        LogLevel::Info => tracing::info!(extension, target, "{}", log.message),
        LogLevel::Debug => tracing::debug!(extension, target, "{}", log.message),
        LogLevel::Trace => tracing::trace!(extension, target, "{}", log.message),
    }
}
