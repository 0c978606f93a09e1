//! What a handler sees of one request.

use std::path::PathBuf;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::{CancelToken, Peer};
use crate::permission::Permissions;
use crate::protocol::{ErrorObject, Id, InitializeParams, RawValue};

/// One request being handled: its method and params, its cancellation token, the session's
/// grants and config, and a [`Peer`] for progress notifications.
#[derive(Debug)]
pub struct Call<'a> {
    pub(crate) id: &'a Id,
    pub(crate) method: &'a str,
    pub(crate) params: Option<&'a RawValue>,
    pub(crate) cancel: &'a CancelToken,
    pub(crate) peer: &'a Peer,
    pub(crate) session: &'a InitializeParams,
}

impl Call<'_> {
    /// The request's id.
    pub fn id(&self) -> &Id {
        self.id
    }

    /// The method called, such as `operator/run`.
    pub fn method(&self) -> &str {
        self.method
    }

    /// The params deserialised as `T` (absent params deserialise from `null`).
    ///
    /// # Errors
    ///
    /// An [`InvalidParams`](crate::protocol::ErrorCode::InvalidParams) error saying what does
    /// not match, ready to be returned with `?`.
    pub fn params<T: DeserializeOwned>(&self) -> Result<T, ErrorObject> {
        serde_json::from_str(self.params.map_or("null", RawValue::get))
            .map_err(ErrorObject::invalid_params)
    }

    /// The params as sent, if any.
    pub fn raw_params(&self) -> Option<&RawValue> {
        self.params
    }

    /// Whether the host cancelled this request.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// `Err(Cancelled)` once the host cancelled this request: `call.check_cancelled()?`.
    ///
    /// # Errors
    ///
    /// The request was cancelled.
    pub fn check_cancelled(&self) -> Result<(), ErrorObject> {
        self.cancel.check()
    }

    /// The cancellation token, to hand to other threads working on this request.
    pub fn cancel_token(&self) -> &CancelToken {
        self.cancel
    }

    /// Sends notifications (such as `$/progress`) to the host.
    pub fn peer(&self) -> &Peer {
        self.peer
    }

    /// The permissions the host granted.
    pub fn grants(&self) -> &Permissions {
        &self.session.grants
    }

    /// The configuration values the host sent.
    pub fn config(&self) -> &Map<String, Value> {
        &self.session.config
    }

    /// The host's workspace roots.
    pub fn workspace_roots(&self) -> &[PathBuf] {
        &self.session.workspace_roots
    }

    /// Everything the host sent in `initialize`.
    pub fn session(&self) -> &InitializeParams {
        self.session
    }
}
