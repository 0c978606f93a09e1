//! Test support for instrument authors (feature `testing`, for `[dev-dependencies]`): an
//! async [`TestHost`] that runs an instrument through the real codec and serve loop, either
//! in-process ([`TestHost::start`]) or as the author's own binary with grants and config
//! ([`TestHostBuilder::spawn`]), and a [`RawSession`] for exact bytes.
//!
//! ```
//! use std::sync::Arc;
//! use symphony_instruments::methods::{self, InferParams};
//! use symphony_instruments::testing::TestHost;
//! use symphony_instruments::prelude::*;
//!
//! struct Shout(ModelInfo);
//!
//! #[async_trait]
//! impl Instrument for Shout {
//!     fn info(&self) -> &ModelInfo {
//!         &self.0
//!     }
//!     async fn infer(&self, input: InferenceInput) -> Result<Inference, InstrumentError> {
//!         let InferenceInput::Text(text) = input else {
//!             return Err(InstrumentError::invalid_input("expected text"));
//!         };
//!         Ok(Inference::new(InferenceOutput::Text(text.to_uppercase()), Usage::default()))
//!     }
//! }
//!
//! async fn setup(_: Context) -> Result<Pipeline, InstrumentError> {
//!     let info = ModelInfo::new("shout", [Modality::Text], [Modality::Text]);
//!     Ok(Pipeline::new(Arc::new(Shout(info)), Default::default()))
//! }
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! // `embed_manifest!()` embeds the crate's own `symphony.toml`.
//! let manifest = symphony_instruments::embed_manifest!("src/testing/example.toml");
//! let host = TestHost::start(manifest, setup).await?;
//! let input = InferenceInput::Text("hi".into());
//! let answer = host.request::<methods::Infer>(&InferParams::new(input)).await?;
//! assert_eq!(answer.output, InferenceOutput::Text("HI".into()));
//! assert_eq!(answer.usage.batch_size, 1);
//! host.shutdown().await?;
//! # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
//! ```

mod bridge;

use std::future::Future;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use symphony_core::host::Extension;
use symphony_core::protocol::InitializeResult;
use symphony_core::protocol::method::Method;
use symphony_core::serve::Context;
use symphony_core::testing as core_testing;

#[doc(inline)]
pub use symphony_core::host::{CallError, HostError};
#[doc(inline)]
pub use symphony_core::protocol::{ErrorCode, ErrorObject, Notification};
#[doc(inline)]
pub use symphony_core::testing::{RawError, RawSession};

use crate::error::InstrumentError;
use crate::manifest::EmbeddedManifest;
use crate::permission::Permissions;
use crate::pipeline::Pipeline;

/// An instrument running for a test, reached through the real protocol. Every call is
/// async; a time limit (10 s unless [`TestHostBuilder::request_timeout`] says otherwise)
/// bounds each.
#[derive(Debug)]
pub struct TestHost {
    host: Arc<core_testing::TestHost>,
}

/// Settings for a [`TestHost`]: grants, config and workspace roots to hand the instrument.
#[derive(Debug, Clone)]
pub struct TestHostBuilder {
    inner: core_testing::TestHostBuilder,
}

/// Why a [`TestHost`] did not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The embedded manifest is invalid: its located errors.
    #[error("the manifest is invalid: {0}")]
    Manifest(String),
    /// The instrument did not complete the handshake (its setup failed, it rejected the
    /// config, the binary could not be started …).
    #[error(transparent)]
    Host(#[from] HostError),
}

impl TestHost {
    /// Runs the instrument that `setup` builds in this process, with nothing granted and no
    /// config, and completes the handshake. Its serve loop runs on its own thread and tokio
    /// runtime, so a test's runtime (even `#[tokio::test]`'s single thread) never waits on it.
    ///
    /// # Errors
    ///
    /// [`StartError`]: the manifest is invalid, or the handshake fails (setup's error).
    pub async fn start<S, Fut, P>(
        manifest: &'static EmbeddedManifest,
        setup: S,
    ) -> Result<TestHost, StartError>
    where
        S: Fn(Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<P, InstrumentError>>,
        P: Into<Pipeline>,
    {
        TestHost::builder().start(manifest, setup).await
    }

    /// Starts the author's own instrument binary with nothing granted and no config; see
    /// [`TestHostBuilder::spawn`] (grants, config, workspace roots).
    ///
    /// # Errors
    ///
    /// As for [`TestHostBuilder::spawn`].
    pub async fn spawn(binary: impl Into<PathBuf>) -> Result<TestHost, StartError> {
        TestHost::builder().spawn(binary).await
    }

    /// Settings to start an instrument with.
    pub fn builder() -> TestHostBuilder {
        TestHostBuilder {
            inner: core_testing::TestHost::builder(),
        }
    }

    /// Calls the typed method `M` ([`methods`](crate::methods)).
    ///
    /// # Errors
    ///
    /// [`CallError`]: the instrument's own error (its code in
    /// [`CallError::code`]), a timeout, the instrument ending, or a result of the wrong shape.
    pub async fn request<M: Method>(&self, params: &M::Params) -> Result<M::Result, CallError> {
        let params = serde_json::to_value(params).map_err(|error| CallError::Encode {
            method: M::NAME.to_owned(),
            source: symphony_core::codec::EncodeError::Serialize(error),
        })?;
        let raw: Value = self
            .blocking(move |host| host.call(M::NAME, &params))
            .await?;
        serde_json::from_value(raw).map_err(|source| CallError::Decode {
            method: M::NAME.to_owned(),
            source,
        })
    }

    /// Calls `method` with any JSON `params` and returns the raw result: for requests that
    /// typed params cannot express (a malformed tensor, an unknown field).
    ///
    /// # Errors
    ///
    /// As for [`request`](Self::request).
    pub async fn call_json(&self, method: &str, params: Value) -> Result<Value, CallError> {
        let method = method.to_owned();
        self.blocking(move |host| host.call(&method, &params)).await
    }

    /// Every notification the instrument has sent so far (`$/progress` chunks of a stream,
    /// `$/log` records), in order.
    pub fn notifications(&self) -> Vec<Notification> {
        self.host.notifications()
    }

    /// What the instrument answered to `initialize`: its manifest and capabilities.
    pub fn initialize_result(&self) -> Arc<InitializeResult> {
        self.host.initialize_result()
    }

    /// Shuts the instrument down (`shutdown`, then `exit`) and checks that it ended cleanly.
    ///
    /// # Errors
    ///
    /// The instrument did not end cleanly (for a binary: its exit status and last stderr
    /// lines).
    pub async fn shutdown(self) -> Result<(), HostError> {
        let mut host = self.host;
        join(tokio::task::spawn_blocking(move || {
            // A call whose future was dropped still holds the host until it ends, which its
            // time limit bounds.
            loop {
                match Arc::try_unwrap(host) {
                    Ok(host) => return host.shutdown(),
                    Err(shared) => host = shared,
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        }))
        .await
    }

    /// Runs a call of the blocking host on tokio's blocking pool.
    async fn blocking<T: Send + 'static>(
        &self,
        call: impl FnOnce(&core_testing::TestHost) -> T + Send + 'static,
    ) -> T {
        let host = Arc::clone(&self.host);
        join(tokio::task::spawn_blocking(move || call(&host))).await
    }
}

/// The task's value; a panic in it is the test's panic.
async fn join<T>(task: tokio::task::JoinHandle<T>) -> T {
    match task.await {
        Ok(value) => value,
        Err(error) => std::panic::resume_unwind(error.into_panic()),
    }
}

impl TestHostBuilder {
    /// Grants `grants` to the instrument.
    #[must_use]
    pub fn grants(mut self, grants: Permissions) -> Self {
        self.inner = self.inner.grants(grants);
        self
    }

    /// Sets the config value `key`.
    #[must_use]
    pub fn config(mut self, key: &str, value: Value) -> Self {
        self.inner = self.inner.config(key, value);
        self
    }

    /// Adds a workspace root (relative grants resolve in it).
    #[must_use]
    pub fn workspace_root(mut self, root: impl Into<PathBuf>) -> Self {
        self.inner = self.inner.workspace_root(root);
        self
    }

    /// Sets each request's time limit.
    #[must_use]
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.inner = self.inner.request_timeout(timeout);
        self
    }

    /// Runs the instrument that `setup` builds in this process (see [`TestHost::start`]).
    ///
    /// # Errors
    ///
    /// As for [`TestHost::start`].
    pub async fn start<S, Fut, P>(
        self,
        manifest: &'static EmbeddedManifest,
        setup: S,
    ) -> Result<TestHost, StartError>
    where
        S: Fn(Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<P, InstrumentError>>,
        P: Into<Pipeline>,
    {
        let manifest = parsed(manifest)?;
        let serve = move |transport| bridge::serve(manifest.clone(), &setup, transport);
        self.launch(move |options| Extension::in_process_serve(serve, options))
            .await
    }

    /// Starts the author's own instrument binary (`env!("CARGO_BIN_EXE_<name>")` in an
    /// integration test), as a host would: a child process over pipes, with these grants and
    /// config, and completes the handshake.
    ///
    /// ```no_run
    /// # async fn test() -> Result<(), Box<dyn std::error::Error>> {
    /// use symphony_instruments::methods;
    /// use symphony_instruments::testing::TestHost;
    ///
    /// // `env!("CARGO_BIN_EXE_shout")` in the extension's `tests/`.
    /// let host = TestHost::builder().spawn("target/debug/shout").await?;
    /// assert_eq!(host.request::<methods::Info>(&()).await?.id, "shout");
    /// host.shutdown().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`StartError::Host`]: the binary cannot be started, or the handshake fails (with its
    /// stderr lines).
    pub async fn spawn(self, binary: impl Into<PathBuf>) -> Result<TestHost, StartError> {
        let binary = binary.into();
        self.launch(move |options| Extension::spawn(Command::new(binary), options))
            .await
    }

    /// Starts the instrument with `launch` on tokio's blocking pool (the handshake blocks).
    async fn launch(
        self,
        launch: impl FnOnce(symphony_core::host::ExtensionOptions) -> Result<Extension, HostError>
        + Send
        + 'static,
    ) -> Result<TestHost, StartError> {
        let inner = self.inner;
        let host = join(tokio::task::spawn_blocking(move || inner.launch(launch))).await?;
        Ok(TestHost {
            host: Arc::new(host),
        })
    }
}

/// A raw JSON-lines session with the instrument that `setup` builds, in this process:
/// exactly the bytes a foreign client would send, nothing checked on the way.
///
/// # Errors
///
/// The embedded manifest is invalid.
pub fn raw_session<S, Fut, P>(
    manifest: &'static EmbeddedManifest,
    setup: S,
) -> Result<RawSession, StartError>
where
    S: FnOnce(Context) -> Fut + Send + 'static,
    Fut: Future<Output = Result<P, InstrumentError>>,
    P: Into<Pipeline>,
{
    let manifest = parsed(manifest)?;
    Ok(RawSession::start_serve(move |transport| {
        bridge::serve(manifest, setup, transport)
    }))
}

/// The embedded manifest, or its located errors.
fn parsed(manifest: &EmbeddedManifest) -> Result<crate::manifest::Manifest, StartError> {
    manifest
        .get()
        .cloned()
        .map_err(|errors| StartError::Manifest(errors.to_string()))
}
