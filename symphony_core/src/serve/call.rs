//! What a handler sees of one request.

use std::path::PathBuf;

use serde::de::DeserializeOwned;

use super::{CancelToken, Context, Notifier};
use crate::config::ConfigValues;
use crate::permission::{Permissions, Policy};
use crate::protocol::{ErrorObject, Id, RawValue};

/// One request being handled: its method and params, its cancellation token, the session's
/// [`Context`] (effective permission policy, validated config), and a [`Notifier`] for progress
/// notifications.
#[derive(Debug)]
pub struct Call<'a> {
    pub(crate) id: &'a Id,
    pub(crate) method: &'a str,
    pub(crate) params: Option<&'a RawValue>,
    pub(crate) cancel: &'a CancelToken,
    pub(crate) peer: &'a Notifier,
    pub(crate) context: &'a Context,
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
    pub fn peer(&self) -> &Notifier {
        self.peer
    }

    /// The effective permissions (the manifest's request ∩ the host's grants): check every
    /// resource with it before touching it, e.g.
    /// `call.policy().require(&Resource::env_var(&name))?`.
    pub fn policy(&self) -> &Policy {
        self.context.policy()
    }

    /// The permissions the host granted, as sent (check with [`policy`](Self::policy)).
    pub fn grants(&self) -> &Permissions {
        &self.context.params().grants
    }

    /// The host's configuration, validated against the manifest's `[config]` schema, with
    /// defaults filled in (the values as sent are in [`context`](Self::context)`.params()`).
    pub fn config(&self) -> &ConfigValues {
        self.context.config()
    }

    /// The host's workspace roots.
    pub fn workspace_roots(&self) -> &[PathBuf] {
        &self.context.params().workspace_roots
    }

    /// The session's terms: params, policy and config.
    pub fn context(&self) -> &Context {
        self.context
    }
}
