//! Test support for extension authors: run an extension in-process, through the real codec
//! and serve loop, in a few lines.
//!
//! [`TestHost`] is an [`Extension`] with test-friendly defaults that also records every
//! notification the extension sends; [`RawSession`] speaks raw JSON lines, for testing how an
//! extension reacts to exactly the bytes a foreign client might send.
//!
//! ```
//! # use symphony_core::manifest::Manifest;
//! # use symphony_core::protocol::{ErrorCode, ErrorObject, RawValue};
//! # use symphony_core::serve::{Call, Handler, reply};
//! # use symphony_core::testing::TestHost;
//!
//! struct Greeter(Manifest);
//! impl Handler for Greeter {
//!     fn manifest(&self) -> &Manifest { &self.0 }
//!     fn handle(&self, call: &Call<'_>) -> Result<Box<RawValue>, ErrorObject> {
//!         // Validated against the manifest's `[config]` schema during the handshake.
//!         let greeting = call.config().value("greeting").and_then(|g| g.as_str()).unwrap_or("hello");
//!         let [name]: [String; 1] = call.params()?;
//!         call.peer().progress(&"greet".into(), &"working").ok();
//!         reply(&format!("{greeting}, {name}"))
//!     }
//! }
//!
//! let manifest = Manifest::from_toml_str(r#"
//!     id = "acme.greeter"
//!     name = "Greeter"
//!     version = "1.0.0"
//!     kind = "operator"
//!     engine = "^1"
//!     config.greeting = { type = "string", default = "hello" }
//!     operator.category = "custom"
//! "#)?;
//! let wrong = TestHost::builder().config("greeting", 7.into()).start(Greeter(manifest.clone()));
//! let why = wrong.unwrap_err().to_string();
//! assert!(why.contains("config.greeting: expected a string, found an integer"), "{why}");
//!
//! let greeter = TestHost::builder().config("greeting", "hi".into()).start(Greeter(manifest))?;
//! let text: String = greeter.call("greet", &["Ada"])?;
//! assert_eq!(text, "hi, Ada");
//! assert_eq!(greeter.notifications()[0].method, "$/progress");
//! greeter.shutdown()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod raw;
mod skip;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

pub use raw::{RawError, RawSession};
pub use skip::{SKIP_LANDLOCK, landlock_or_skip, require_or_skip};

use crate::host::{CallError, Extension, ExtensionOptions, HostError, PendingCall};
use crate::permission::Permissions;
use crate::protocol::{InitializeResult, Notification};
use crate::serve::{Handler, ServeOptions};

/// An extension running in-process for a test, reached through the real protocol.
#[derive(Debug)]
pub struct TestHost {
    host: Extension,
    notifications: Arc<Mutex<Vec<Notification>>>,
}

/// Settings for a [`TestHost`]: grants, config and workspace roots to hand the extension.
#[derive(Debug, Clone)]
pub struct TestHostBuilder {
    options: ExtensionOptions,
    serve_options: ServeOptions,
}

impl TestHost {
    /// Starts `handler` with nothing granted, no config, and a 10 s request time limit.
    ///
    /// # Errors
    ///
    /// The extension fails the handshake.
    pub fn start<H: Handler>(handler: H) -> Result<TestHost, HostError> {
        TestHost::builder().start(handler)
    }

    /// Settings to start an extension with.
    pub fn builder() -> TestHostBuilder {
        TestHostBuilder {
            options: ExtensionOptions::default()
                .with_request_timeout(Some(Duration::from_secs(10)))
                .with_cancel_grace(Duration::from_secs(1)),
            serve_options: ServeOptions::default(),
        }
    }

    /// Calls `method` and deserialises its result; see [`Extension::call`].
    ///
    /// # Errors
    ///
    /// As for [`Extension::call`].
    pub fn call<R, P>(&self, method: &str, params: &P) -> Result<R, CallError>
    where
        R: DeserializeOwned,
        P: Serialize + ?Sized,
    {
        self.host.call(method, params)
    }

    /// Calls the typed method `M` (see [`Method`](crate::protocol::method::Method)).
    ///
    /// # Errors
    ///
    /// As for [`Extension::call`].
    pub fn request<M: crate::protocol::method::Method>(
        &self,
        params: &M::Params,
    ) -> Result<M::Result, CallError> {
        self.host.request::<M>(params)
    }

    /// Sends a request without waiting; see [`Extension::start`].
    ///
    /// # Errors
    ///
    /// As for [`Extension::start`].
    pub fn start_call<P: Serialize + ?Sized>(
        &self,
        method: &str,
        params: &P,
    ) -> Result<PendingCall, CallError> {
        self.host.start(method, params)
    }

    /// Sends a notification to the extension.
    ///
    /// # Errors
    ///
    /// As for [`Extension::notify`].
    pub fn notify<P: Serialize + ?Sized>(&self, method: &str, params: &P) -> Result<(), CallError> {
        self.host.notify(method, params)
    }

    /// Every notification the extension has sent so far, in order.
    pub fn notifications(&self) -> Vec<Notification> {
        self.notifications
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Forgets the notifications recorded so far.
    pub fn clear_notifications(&self) {
        self.notifications
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    /// What the extension answered to `initialize`.
    pub fn initialize_result(&self) -> Arc<InitializeResult> {
        self.host.initialize_result()
    }

    /// The underlying host, for everything else.
    pub fn host(&self) -> &Extension {
        &self.host
    }

    /// Shuts the extension down and checks that it ended cleanly.
    ///
    /// # Errors
    ///
    /// As for [`Extension::shutdown`].
    pub fn shutdown(self) -> Result<(), HostError> {
        self.host.shutdown()
    }
}

impl TestHostBuilder {
    /// Grants `grants` to the extension.
    #[must_use]
    pub fn grants(mut self, grants: Permissions) -> Self {
        self.options = self.options.with_grants(grants);
        self
    }

    /// Sets the config value `key`.
    #[must_use]
    pub fn config(mut self, key: &str, value: Value) -> Self {
        self.options = self.options.with_config(key, value);
        self
    }

    /// Adds a workspace root.
    #[must_use]
    pub fn workspace_root(mut self, root: impl Into<std::path::PathBuf>) -> Self {
        self.options = self.options.with_workspace_root(root);
        self
    }

    /// Sets the default request time limit.
    #[must_use]
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.options = self.options.with_request_timeout(Some(timeout));
        self
    }

    /// Replaces all host options (the notification recorder is still installed).
    #[must_use]
    pub fn options(mut self, options: ExtensionOptions) -> Self {
        self.options = options;
        self
    }

    /// Sets the serve loop's options (for example a sandbox hook).
    #[must_use]
    pub fn serve_options(mut self, options: ServeOptions) -> Self {
        self.serve_options = options;
        self
    }

    /// Starts `handler` in-process and completes the handshake.
    ///
    /// # Errors
    ///
    /// The extension fails the handshake.
    pub fn start<H: Handler>(self, handler: H) -> Result<TestHost, HostError> {
        let serve_options = self.serve_options.clone();
        self.launch(|options| Extension::in_process_with(handler, options, serve_options))
    }

    /// Starts an extension with `launch` (given these options, with the notification
    /// recorder installed), for extensions that [`start`](Self::start) cannot run: a
    /// program ([`Extension::spawn`]) or another serve loop ([`Extension::in_process_serve`]).
    ///
    /// # Errors
    ///
    /// Those of `launch`.
    pub fn launch(
        self,
        launch: impl FnOnce(ExtensionOptions) -> Result<Extension, HostError>,
    ) -> Result<TestHost, HostError> {
        let notifications = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&notifications);
        let forward = self.options.on_notification.clone();
        let options = self
            .options
            .on_notification(move |notification: &Notification| {
                record
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(notification.clone());
                if let Some(forward) = &forward {
                    forward(notification);
                }
            });
        let host = launch(options)?;
        Ok(TestHost {
            host,
            notifications,
        })
    }
}

/// A minimal valid operator manifest with this id and extra TOML tables (such as a
/// `[config]` schema), for the crate's own tests.
#[cfg(test)]
pub(crate) fn manifest(id: &str, extra: &str) -> crate::manifest::Manifest {
    let text = format!(
        "id = \"{id}\"\nname = \"Test\"\nversion = \"1.0.0\"\nkind = \"operator\"\n\
         engine = \"^1\"\n[operator]\ncategory = \"custom\"\n{extra}"
    );
    crate::manifest::Manifest::from_toml_str(&text)
        .unwrap_or_else(|errors| panic!("test manifest `{id}` is invalid: {errors}"))
}
