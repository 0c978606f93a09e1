//! Settings of a host connection.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};

use super::confine::Confinement;
use crate::permission::Permissions;
use crate::protocol::{
    DEFAULT_MAX_MESSAGE_SIZE, HostInfo, Notification, SandboxEnforcement, Theme,
};

/// Receives the notifications an extension sends (`$/progress`, `$/log`, kind notifications).
///
/// It runs on whichever thread is reading the extension's output at the time (often a thread
/// waiting in [`Extension::call`](super::Extension::call)): keep it short and never call the host from it.
pub type NotificationHandler = Arc<dyn Fn(&Notification) + Send + Sync>;

/// What the host tells an extension in `initialize`, and how it supervises it.
///
/// ```
/// use std::time::Duration;
/// use symphony_core::host::ExtensionOptions;
/// let options = ExtensionOptions::default()
///     .with_config("greeting", "hi".into())
///     .with_request_timeout(Some(Duration::from_secs(5)));
/// assert_eq!(options.config["greeting"], "hi");
/// ```
#[non_exhaustive]
#[derive(Clone)]
pub struct ExtensionOptions {
    /// The host application, as named in `initialize`.
    pub host: HostInfo,
    /// The permissions granted to the extension.
    pub grants: Permissions,
    /// Configuration values, by key.
    pub config: Map<String, Value>,
    /// The workspace folders open in the host.
    pub workspace_roots: Vec<PathBuf>,
    /// The IDE's theme, sent in `initialize` (motifs style their pages with it).
    pub theme: Option<Theme>,
    /// Whether the extension must lock itself down to its grants before answering
    /// `initialize`.
    pub sandbox: bool,
    /// Whether the host confines the extension's process itself (environment cleared to the
    /// granted variables, Landlock applied before the program runs, own process group); see
    /// [`Confinement`]. Default: when [`sandbox`](Self::sandbox) is on.
    pub confinement: Confinement,
    /// What the extension's `initialize` result must report the kernel enforces
    /// ([`SandboxEnforcement::satisfies`]); less (or no report) stops the extension with
    /// [`HostError::SandboxInsufficient`](super::HostError::SandboxInsufficient).
    /// `None` (the default) accepts whatever it reports.
    pub required_sandbox: Option<SandboxEnforcement>,
    /// Time limit of a request unless the call gives its own; `None` waits forever.
    /// Default: 30 s.
    pub request_timeout: Option<Duration>,
    /// Time limit of the handshake. Default: 10 s.
    pub handshake_timeout: Duration,
    /// Time the extension has to answer `shutdown` and exit. Default: 5 s.
    pub shutdown_timeout: Duration,
    /// After a request times out, how long the extension has to acknowledge the cancellation
    /// before it is considered hung and killed. Default: 2 s.
    pub cancel_grace: Duration,
    /// How many of the extension's last stderr lines are kept for crash reports. Default: 50.
    pub stderr_lines: usize,
    /// The largest message accepted from the extension, in bytes. Default: 16 MiB.
    pub max_message_size: usize,
    /// Receives the extension's notifications; `$/log` records are also logged through
    /// `tracing`.
    pub on_notification: Option<NotificationHandler>,
}

impl Default for ExtensionOptions {
    fn default() -> Self {
        ExtensionOptions {
            host: HostInfo::new("symphony-host", env!("CARGO_PKG_VERSION")),
            grants: Permissions::default(),
            config: Map::new(),
            workspace_roots: Vec::new(),
            theme: None,
            sandbox: false,
            confinement: Confinement::default(),
            required_sandbox: None,
            request_timeout: Some(Duration::from_secs(30)),
            handshake_timeout: Duration::from_secs(10),
            shutdown_timeout: Duration::from_secs(5),
            cancel_grace: Duration::from_secs(2),
            stderr_lines: 50,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            on_notification: None,
        }
    }
}

impl std::fmt::Debug for ExtensionOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExtensionOptions")
            .field("host", &self.host)
            .field("grants", &self.grants)
            .field("config_keys", &self.config.keys().collect::<Vec<_>>())
            .field("workspace_roots", &self.workspace_roots)
            .field("theme", &self.theme)
            .field("sandbox", &self.sandbox)
            .field("confinement", &self.confinement)
            .field("required_sandbox", &self.required_sandbox)
            .field("request_timeout", &self.request_timeout)
            .field("handshake_timeout", &self.handshake_timeout)
            .field("shutdown_timeout", &self.shutdown_timeout)
            .field("cancel_grace", &self.cancel_grace)
            .field("stderr_lines", &self.stderr_lines)
            .field("max_message_size", &self.max_message_size)
            .field("on_notification", &self.on_notification.is_some())
            .finish()
    }
}

impl ExtensionOptions {
    /// This with the host named `host`.
    #[must_use]
    pub fn with_host(mut self, host: HostInfo) -> Self {
        self.host = host;
        self
    }

    /// This with `grants` granted.
    #[must_use]
    pub fn with_grants(mut self, grants: Permissions) -> Self {
        self.grants = grants;
        self
    }

    /// This with the config value `key` set.
    #[must_use]
    pub fn with_config(mut self, key: impl Into<String>, value: Value) -> Self {
        self.config.insert(key.into(), value);
        self
    }

    /// This sending `theme` in `initialize`.
    #[must_use]
    pub fn with_theme(mut self, theme: Theme) -> Self {
        self.theme = Some(theme);
        self
    }

    /// This with `root` added to the workspace roots.
    #[must_use]
    pub fn with_workspace_root(mut self, root: impl Into<PathBuf>) -> Self {
        self.workspace_roots.push(root.into());
        self
    }

    /// This asking the extension to sandbox itself (or not).
    #[must_use]
    pub fn with_sandbox(mut self, sandbox: bool) -> Self {
        self.sandbox = sandbox;
        self
    }

    /// This with the host confining the extension's process as `confinement` says.
    #[must_use]
    pub fn with_confinement(mut self, confinement: Confinement) -> Self {
        self.confinement = confinement;
        self
    }

    /// This asking the extension to sandbox itself and refusing it unless its `initialize`
    /// result reports at least `required`:
    ///
    /// ```
    /// use symphony_core::host::ExtensionOptions;
    /// use symphony_core::protocol::SandboxEnforcement;
    /// // Confined to its grants on every thread, and no TCP.
    /// let options = ExtensionOptions::default().with_required_sandbox(SandboxEnforcement::required(true, true));
    /// assert!(options.sandbox);
    /// ```
    #[must_use]
    pub fn with_required_sandbox(mut self, required: SandboxEnforcement) -> Self {
        self.sandbox = true;
        self.required_sandbox = Some(required);
        self
    }

    /// This with the default request time limit set.
    #[must_use]
    pub fn with_request_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// This with the handshake time limit set.
    #[must_use]
    pub fn with_handshake_timeout(mut self, timeout: Duration) -> Self {
        self.handshake_timeout = timeout;
        self
    }

    /// This with the shutdown time limit set.
    #[must_use]
    pub fn with_shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }

    /// This with the grace period for acknowledging a cancellation set.
    #[must_use]
    pub fn with_cancel_grace(mut self, grace: Duration) -> Self {
        self.cancel_grace = grace;
        self
    }

    /// This keeping the last `lines` lines of stderr.
    #[must_use]
    pub fn with_stderr_lines(mut self, lines: usize) -> Self {
        self.stderr_lines = lines;
        self
    }

    /// This accepting messages up to `bytes` long.
    #[must_use]
    pub fn with_max_message_size(mut self, bytes: usize) -> Self {
        self.max_message_size = bytes;
        self
    }

    /// This with `handler` receiving the extension's notifications.
    #[must_use]
    pub fn on_notification(
        mut self,
        handler: impl Fn(&Notification) + Send + Sync + 'static,
    ) -> Self {
        self.on_notification = Some(Arc::new(handler));
        self
    }
}
