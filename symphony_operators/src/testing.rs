//! Testing an operator extension: in this process, or as the real binary, through the real
//! protocol.
//!
//! Put `symphony_operators = { …, features = ["testing"] }` in `[dev-dependencies]`. A
//! [`TestHost`] runs the operators your `setup` registers on a thread of the test, through
//! the real codec and serve loop ([`TestHostBuilder::start`]), or spawns your extension's
//! own binary as a child process ([`TestHostBuilder::spawn`], with
//! `env!("CARGO_BIN_EXE_<name>")`); either way you call it with typed
//! [`methods`](crate::methods):
//!
//! ```
//! use symphony_operators::methods::{self, RunParams};
//! use symphony_operators::testing::TestHost;
//! use symphony_operators::{OperatorError, Operators};
//!
//! fn setup(operators: &mut Operators) -> Result<(), OperatorError> {
//!     operators.add_builtins()?;
//!     Ok(())
//! }
//!
//! // In an extension: `TestHost::start(symphony_operators::embed_manifest!(), setup)`.
//! let host = TestHost::start(symphony_operators::embed_manifest!("src/sample.toml"), setup)?;
//! let run = RunParams::new("regex.filter")
//!     .param("pattern", "^a")
//!     .param("column", "name")
//!     .input("records", serde_json::json!([{ "name": "ada" }, { "name": "grace" }]));
//! let result = host.request::<methods::Run>(&run)?;
//! assert_eq!(result.outputs["records"], serde_json::json!([{ "name": "ada" }]));
//! host.shutdown()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`RawSession`] speaks raw JSON lines, for testing how an extension reacts to exactly the
//! bytes a foreign client might send.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use symphony_core::host::{Extension, ExtensionOptions};
use symphony_core::manifest::EmbeddedManifest;
use symphony_core::permission::Permissions;
use symphony_core::protocol::ProgressParams;
use symphony_core::protocol::method::PROGRESS;

use crate::entry::{Operators, prepare};
use crate::error::OperatorError;
use crate::methods::{Method, RunProgress};
use crate::serve::OperatorServer;

/// JSON for inline inputs and expected outputs, without a `serde_json` dependency.
pub use serde_json::{Value, json};
#[doc(inline)]
pub use symphony_core::host::{CallError, HostError, PendingCall};
#[doc(inline)]
pub use symphony_core::protocol::{ErrorCode, ErrorObject, Notification};
#[doc(inline)]
pub use symphony_core::testing::RawSession;

/// Why a [`TestHost`] could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TestError {
    /// The manifest is invalid, `setup` failed, or the manifest's ports are not the
    /// operators'.
    #[error("{0}")]
    Setup(String),
    /// The extension could not be started or failed the handshake.
    #[error(transparent)]
    Host(#[from] HostError),
    /// A grant could not be built.
    #[error("grants: {0}")]
    Grants(String),
}

/// An operator extension under test, reached through the real protocol.
#[derive(Debug)]
pub struct TestHost {
    host: Extension,
    notifications: Arc<Mutex<Vec<Notification>>>,
}

impl TestHost {
    /// Runs the operators `setup` registers in this process, with no grants.
    ///
    /// # Errors
    ///
    /// As [`TestHostBuilder::start`].
    pub fn start<S>(manifest: &'static EmbeddedManifest, setup: S) -> Result<TestHost, TestError>
    where
        S: FnOnce(&mut Operators) -> Result<(), OperatorError>,
    {
        TestHost::builder().start(manifest, setup)
    }

    /// Spawns the extension binary at `binary`, with no grants.
    ///
    /// # Errors
    ///
    /// As [`TestHostBuilder::spawn`].
    pub fn spawn(binary: impl AsRef<Path>) -> Result<TestHost, TestError> {
        TestHost::builder().spawn(binary)
    }

    /// Settings: grants, configuration, workspace root, sandbox.
    pub fn builder() -> TestHostBuilder {
        TestHostBuilder {
            options: ExtensionOptions::default()
                .with_request_timeout(Some(Duration::from_secs(60)))
                .with_handshake_timeout(Duration::from_secs(30))
                .with_cancel_grace(Duration::from_secs(5)),
            files: Vec::new(),
            grants: None,
        }
    }

    /// Calls method `M` and waits for its result.
    ///
    /// # Errors
    ///
    /// [`CallError::Remote`] with the extension's error (its [`ErrorCode`] from
    /// `error.kind()`), or a transport failure.
    pub fn request<M: Method>(&self, params: &M::Params) -> Result<M::Result, CallError> {
        self.host.request::<M>(params)
    }

    /// Sends method `M` without waiting, to cancel it or to wait later
    /// (`pending.wait::<M::Result>()`).
    ///
    /// # Errors
    ///
    /// The request could not be sent.
    pub fn start_request<M: Method>(&self, params: &M::Params) -> Result<PendingCall, CallError> {
        self.host.start(M::NAME, params)
    }

    /// Every notification the extension has sent so far.
    pub fn notifications(&self) -> Vec<Notification> {
        self.notifications
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The `$/progress` values of runs so far, in order.
    pub fn progress(&self) -> Vec<RunProgress> {
        self.notifications()
            .iter()
            .filter(|n| n.method == PROGRESS)
            .filter_map(|n| n.params_as::<ProgressParams>().ok())
            .filter_map(|progress| serde_json::from_value(progress.value).ok())
            .collect()
    }

    /// The underlying connection (manifest, stderr, process id …).
    pub fn host(&self) -> &Extension {
        &self.host
    }

    /// Shuts the extension down cleanly (`shutdown`, then `exit`).
    ///
    /// # Errors
    ///
    /// The extension did not answer or exit in time, or exited with a failure.
    pub fn shutdown(self) -> Result<(), HostError> {
        self.host.shutdown()
    }
}

/// Settings for a [`TestHost`]: grants, configuration, workspace root, sandbox.
///
/// ```
/// use symphony_operators::methods::{self, RunParams};
/// use symphony_operators::testing::{ErrorCode, TestHost};
/// use symphony_operators::{OperatorError, Operators};
///
/// fn setup(operators: &mut Operators) -> Result<(), OperatorError> {
///     operators.add_builtins()?;
///     Ok(())
/// }
///
/// let dir = tempfile::tempdir()?;
/// std::fs::create_dir(dir.path().join("data"))?;
/// std::fs::write(dir.path().join("data/in.csv"), "name\nada\n")?;
/// std::fs::write(dir.path().join("secret.csv"), "name\nada\n")?;
/// let host = TestHost::builder()
///     .workspace_root(dir.path())
///     .grant_read("data/**")
///     .start(symphony_operators::embed_manifest!("src/sample.toml"), setup)?;
///
/// let path = |file: &str| dir.path().join(file).display().to_string();
/// let read = |file: &str| RunParams::new("csv.read").param("path", path(file));
/// let result = host.request::<methods::Run>(&read("data/in.csv"))?;
/// assert_eq!(result.outputs["records"], serde_json::json!([{ "name": "ada" }]));
/// let refused = host.request::<methods::Run>(&read("secret.csv")).unwrap_err();
/// assert!(matches!(refused.code(), Some(ErrorCode::PermissionDenied)), "{refused}");
/// host.shutdown()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct TestHostBuilder {
    options: ExtensionOptions,
    files: Vec<Value>,
    grants: Option<Permissions>,
}

impl TestHostBuilder {
    /// Grants reading the files matching `glob` (relative to the workspace root).
    pub fn grant_read(self, glob: &str) -> Self {
        self.grant_files(glob, &["read"])
    }

    /// Grants reading, writing and deleting the files matching `glob` (replacing a file
    /// atomically deletes the old one).
    pub fn grant_write(self, glob: &str) -> Self {
        self.grant_files(glob, &["read", "write", "delete"])
    }

    /// Grants `access` (`read`, `write`, `delete`) to the files matching `glob`; an unknown
    /// access is reported by `start` or `spawn`.
    pub fn grant_files(mut self, glob: &str, access: &[&str]) -> Self {
        self.files.push(json!({ "path": glob, "access": access }));
        self
    }

    /// Grants exactly `grants` (any category), in place of the `grant_*` calls.
    pub fn grants(mut self, grants: Permissions) -> Self {
        self.grants = Some(grants);
        self
    }

    /// Sets configuration value `key` (checked against the manifest's `[config]`).
    pub fn config(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.options = self.options.with_config(key, value.into());
        self
    }

    /// The workspace root that relative grants and paths are resolved against.
    pub fn workspace_root(mut self, root: impl Into<PathBuf>) -> Self {
        self.options = self.options.with_workspace_root(root);
        self
    }

    /// Asks the extension to lock itself down with the kernel sandbox (Landlock) before it
    /// answers the handshake; for [`spawn`](Self::spawn) only, as it confines the whole
    /// process.
    pub fn sandbox(mut self, sandbox: bool) -> Self {
        self.options = self.options.with_sandbox(sandbox);
        self
    }

    /// How long a request may take (60 s unless set).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.options = self.options.with_request_timeout(Some(timeout));
        self
    }

    /// Runs the operators `setup` registers on a thread of this process, through the real
    /// codec and serve loop, checked as the extension's `main` checks them.
    ///
    /// # Errors
    ///
    /// [`TestError::Setup`] for a broken manifest, a failing `setup` or ports that differ
    /// from the manifest's; [`TestError::Host`] if the handshake fails.
    pub fn start<S>(
        self,
        manifest: &'static EmbeddedManifest,
        setup: S,
    ) -> Result<TestHost, TestError>
    where
        S: FnOnce(&mut Operators) -> Result<(), OperatorError>,
    {
        let (manifest, operators) = prepare(manifest, setup).map_err(TestError::Setup)?;
        let (options, notifications) = self.host_options()?;
        let host = Extension::in_process(OperatorServer::new(manifest, operators), options)?;
        Ok(TestHost {
            host,
            notifications,
        })
    }

    /// Spawns the extension binary at `binary` (in a test of the extension's own crate,
    /// `env!("CARGO_BIN_EXE_<name>")`) and completes the handshake.
    ///
    /// # Errors
    ///
    /// [`TestError::Host`] if it does not start or fails the handshake (its stderr is in the
    /// error).
    pub fn spawn(self, binary: impl AsRef<Path>) -> Result<TestHost, TestError> {
        let (options, notifications) = self.host_options()?;
        let host = Extension::spawn(Command::new(binary.as_ref()), options)?;
        Ok(TestHost {
            host,
            notifications,
        })
    }

    #[allow(clippy::type_complexity)]
    fn host_options(self) -> Result<(ExtensionOptions, Arc<Mutex<Vec<Notification>>>), TestError> {
        let grants = match self.grants {
            Some(grants) => grants,
            None => serde_json::from_value(json!({ "filesystem": self.files }))
                .map_err(|error| TestError::Grants(error.to_string()))?,
        };
        let notifications: Arc<Mutex<Vec<Notification>>> = Arc::default();
        let record = Arc::clone(&notifications);
        let options =
            self.options
                .with_grants(grants)
                .on_notification(move |notification: &Notification| {
                    record
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(notification.clone());
                });
        Ok((options, notifications))
    }
}
