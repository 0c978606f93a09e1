//! Testing a motif extension (feature `testing`, for `[dev-dependencies]`).
//!
//! [`MotifTestHost`] runs your extension through the real protocol: in-process from your
//! setup function ([`MotifTestHost::start`]: the real codec and serve loop on a thread), or
//! as your own binary ([`MotifTestHost::spawn`], with `env!("CARGO_BIN_EXE_<name>")`), with
//! the grants, config and workspace roots you give it. You call its methods by type
//! ([`crate::methods`]). [`RawSession`] speaks raw JSON lines, for testing exactly what a
//! foreign client might send. [`webdriver`] drives a preview window (or a browser) by CSS
//! selector over W3C WebDriver, on a [`display::VirtualDisplay`] where there is no screen.
//!
//! ```toml
//! [dev-dependencies]
//! symphony_motifs = { version = "0.1", features = ["testing"] }
//! ```
//!
//! ```
//! use symphony_motifs::bridge::BridgeEvent;
//! use symphony_motifs::methods::motif::{ComponentParams, Event, EventParams, Render};
//! use symphony_motifs::prelude::*;
//! use symphony_motifs::testing::MotifTestHost;
//!
//! struct Counter;
//!
//! impl Motif for Counter {
//!     type State = i64;
//!     fn placement(&self) -> Placement { Placement::Panel }
//!     fn initial_state(&self) -> i64 { 0 }
//!     fn render(&self, n: &i64) -> Node {
//!         el("button").on("click", "increment").child(n.to_string()).into()
//!     }
//!     fn update(&self, n: &mut i64, _: &symphony_motifs::motif::Event) -> Effects {
//!         *n += 1;
//!         Effects::changed()
//!     }
//! }
//!
//! fn setup(motifs: &mut Motifs) {
//!     motifs.component("hello", Counter);
//! }
//!
//! // In a test of your crate: `MotifTestHost::start(symphony_motifs::embed_manifest!(), setup)`.
//! let manifest = symphony_motifs::embed_manifest!("src/sample/symphony.toml");
//! let panel = MotifTestHost::start(manifest, setup)?;
//! let update = panel.request::<Event>(&EventParams::new("hello", &BridgeEvent::click([])))?;
//! assert_eq!(update.patches.len(), 1);
//! let view = panel.request::<Render>(&ComponentParams::new("hello"))?;
//! assert_eq!(view.html, r#"<button data-motif-on-click="increment">1</button>"#);
//! panel.shutdown()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod display;
pub mod webdriver;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use symphony_core::host::{Extension, ExtensionOptions};
use symphony_core::manifest::EmbeddedManifest;
use symphony_core::protocol::method::Method;

use crate::entry::{SetupOutcome, server};
use crate::serve::{Motifs, SetupError};

#[doc(inline)]
pub use symphony_core::host::{CallError, HostError};
#[doc(inline)]
pub use symphony_core::permission::{FsAccess, FsRule, Permissions};
#[doc(inline)]
pub use symphony_core::protocol::{ErrorCode, ErrorObject};
#[doc(inline)]
pub use symphony_core::testing::{RawError, RawSession};

/// A motif extension under test, reached through the real protocol: in-process or as its
/// own process.
#[derive(Debug)]
pub struct MotifTestHost {
    host: Extension,
}

/// Grants, config and workspace roots to start a [`MotifTestHost`] with.
#[derive(Debug, Clone)]
pub struct MotifTestHostBuilder {
    options: ExtensionOptions,
}

/// Why a [`MotifTestHost`] did not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The embedded manifest is invalid.
    #[error("{0}")]
    Manifest(String),
    /// The setup function failed, or its parts do not match the manifest.
    #[error(transparent)]
    Setup(#[from] SetupError),
    /// The extension could not be started, or failed the handshake.
    #[error(transparent)]
    Host(#[from] HostError),
}

impl MotifTestHost {
    /// Runs the parts `setup` registers in-process, announcing `manifest` (in your tests,
    /// `symphony_motifs::embed_manifest!()`), with nothing granted and a 10 s time limit on
    /// each request.
    ///
    /// # Errors
    ///
    /// A [`StartError`]: the manifest is invalid, setup failed, or the handshake failed.
    pub fn start<S, R>(manifest: &'static EmbeddedManifest, setup: S) -> Result<Self, StartError>
    where
        S: FnOnce(&mut Motifs) -> R,
        R: SetupOutcome,
    {
        MotifTestHost::builder().start(manifest, setup)
    }

    /// Starts `binary` (your extension: `env!("CARGO_BIN_EXE_<name>")`) as a child process
    /// and completes the handshake, with nothing granted.
    ///
    /// ```no_run
    /// use symphony_motifs::methods::motif::List;
    /// use symphony_motifs::testing::MotifTestHost;
    ///
    /// // let panel = MotifTestHost::spawn(env!("CARGO_BIN_EXE_my-panel"))?;
    /// let panel = MotifTestHost::spawn("target/debug/my-panel")?;
    /// assert_eq!(panel.request::<List>(&())?.len(), 1);
    /// panel.shutdown()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A [`StartError::Host`]: the program cannot start, or fails the handshake.
    pub fn spawn(binary: impl AsRef<Path>) -> Result<Self, StartError> {
        MotifTestHost::builder().spawn(binary)
    }

    /// Settings to start an extension with.
    pub fn builder() -> MotifTestHostBuilder {
        MotifTestHostBuilder {
            options: ExtensionOptions::default()
                .with_request_timeout(Some(Duration::from_secs(10)))
                .with_cancel_grace(Duration::from_secs(1)),
        }
    }

    /// Calls method `M` (one of [`crate::methods`]) and returns its result.
    ///
    /// # Errors
    ///
    /// A [`CallError`]: the extension's error answer ([`CallError::Remote`], with its
    /// [`ErrorCode`]), a timeout, or the extension ending.
    pub fn request<M: Method>(&self, params: &M::Params) -> Result<M::Result, CallError> {
        self.host.request::<M>(params)
    }

    /// Calls method `M` expecting an error answer; returns it.
    ///
    /// # Errors
    ///
    /// The call succeeded (the result, as JSON, is in the message), or failed other than by
    /// the extension's answer (a timeout, the extension ending).
    pub fn request_error<M: Method>(&self, params: &M::Params) -> Result<ErrorObject, String> {
        match self.host.request::<M>(params) {
            Err(CallError::Remote { error, .. }) => Ok(error),
            Err(other) => Err(format!("{}: {other}", M::NAME)),
            Ok(result) => Err(format!(
                "{}: expected an error, got {}",
                M::NAME,
                serde_json::to_string(&result).unwrap_or_default()
            )),
        }
    }

    /// The underlying host connection, for everything else (raw calls, stderr, batches).
    pub fn host(&self) -> &Extension {
        &self.host
    }

    /// Shuts the extension down and checks that it ended cleanly.
    ///
    /// # Errors
    ///
    /// The extension did not answer `shutdown`, or exited with a failure.
    pub fn shutdown(self) -> Result<(), HostError> {
        self.host.shutdown()
    }
}

impl MotifTestHostBuilder {
    /// Grants `grants` (the manifest's `[permissions]` request is narrowed to them).
    #[must_use]
    pub fn grants(mut self, grants: Permissions) -> Self {
        self.options = self.options.with_grants(grants);
        self
    }

    /// Grants `access` to files under `path` (a glob, relative to the workspace roots, or
    /// absolute), in addition to earlier grants.
    #[must_use]
    pub fn grant_files(mut self, path: impl Into<String>, access: &[FsAccess]) -> Self {
        let mut grants = self.options.grants.clone();
        grants.filesystem.push(FsRule {
            path: path.into(),
            access: access.to_vec(),
        });
        self.options = self.options.with_grants(grants);
        self
    }

    /// Sets config value `key` (checked against the manifest's `[config]` schema).
    #[must_use]
    pub fn config(mut self, key: &str, value: Value) -> Self {
        self.options = self.options.with_config(key, value);
        self
    }

    /// Adds a workspace root (relative grants and paths resolve against the roots).
    #[must_use]
    pub fn workspace_root(mut self, root: impl Into<PathBuf>) -> Self {
        self.options = self.options.with_workspace_root(root);
        self
    }

    /// Sets how long the extension may take to start and answer `initialize`.
    #[must_use]
    pub fn handshake_timeout(mut self, timeout: Duration) -> Self {
        self.options = self.options.with_handshake_timeout(timeout);
        self
    }

    /// Sends `theme` in `initialize`, as the IDE sends its theme.
    #[must_use]
    pub fn theme(mut self, theme: crate::theme::Theme) -> Self {
        self.options = self.options.with_theme(theme);
        self
    }

    /// Sets the time limit of each request.
    #[must_use]
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.options = self.options.with_request_timeout(Some(timeout));
        self
    }

    /// Runs the parts `setup` registers in-process; see [`MotifTestHost::start`].
    ///
    /// # Errors
    ///
    /// As for [`MotifTestHost::start`].
    pub fn start<S, R>(
        self,
        manifest: &'static EmbeddedManifest,
        setup: S,
    ) -> Result<MotifTestHost, StartError>
    where
        S: FnOnce(&mut Motifs) -> R,
        R: SetupOutcome,
    {
        let manifest = manifest
            .get()
            .map_err(|errors| StartError::Manifest(errors.to_string()))?;
        let server = server(manifest, setup)?;
        let host = Extension::in_process(server, self.options)?;
        Ok(MotifTestHost { host })
    }

    /// Starts `binary` as a child process; see [`MotifTestHost::spawn`].
    ///
    /// # Errors
    ///
    /// As for [`MotifTestHost::spawn`].
    pub fn spawn(self, binary: impl AsRef<Path>) -> Result<MotifTestHost, StartError> {
        let host = Extension::spawn(Command::new(binary.as_ref()), self.options)?;
        Ok(MotifTestHost { host })
    }
}
