//! The extension side: the blocking loop an extension binary runs from `main`.
//!
//! An extension implements [`Handler`] and calls [`serve`]; the loop does the handshake,
//! settling the session's [`Context`] from the extension's manifest and the host's
//! `initialize`: the effective permission [`Policy`](crate::permission::Policy) (the
//! manifest's request ∩ the host's grants, against its workspace roots), the host's config
//! validated against the manifest's `[config]` schema (every field error fails the handshake
//! with [`InvalidConfig`](ErrorCode::InvalidConfig)), and, when the host asks, the kernel
//! sandbox ([`landlock_sandbox`] by default; never claimed where the kernel cannot enforce it).
//! Handlers reach the context in [`Handler::initialize`] and from every [`Call`]
//! ([`Call::policy`], [`Call::config`]).
//!
//! The loop then dispatches requests (several at once if [`Handler::concurrency`] allows),
//! honours `$/cancelRequest`, turns a panicking handler into an error response, answers
//! malformed input with the JSON-RPC error codes, answers a batch with one array, and exits
//! with code 0 after `shutdown` and `exit`.
//!
//! Messages are taken in the order they arrive, so a host may write a whole session at once.
//! `exit` (or end of input) ends the loop promptly: after `shutdown`, requests still running
//! get [`EXIT_DRAIN`] to finish; then (and at once without `shutdown`) they are cancelled and
//! get [`CANCEL_GRACE`] to answer; what is answered is written, and the loop returns without
//! waiting for a handler that ignores cancellation.
//!
//! Stdout belongs to the protocol: never print to it. Log with `tracing`; [`log`] installs
//! a subscriber that writes to stderr and can forward records to the host as `$/log`.
//!
//! ```
//! # use symphony_core::manifest::{EmbeddedManifest, Manifest};
//! # use symphony_core::protocol::{Capabilities, ErrorObject, RawValue};
//! # use symphony_core::serve::{Call, Handler};
//!
//! // In an extension crate: `symphony_core::embed_manifest!()` embeds its `symphony.toml`.
//! static MANIFEST: &EmbeddedManifest = symphony_core::embed_manifest!("src/testing/example.toml");
//!
//! struct Upper {
//!     manifest: &'static Manifest,
//! }
//!
//! impl Handler for Upper {
//!     fn manifest(&self) -> &Manifest {
//!         self.manifest
//!     }
//!     fn capabilities(&self) -> Capabilities {
//!         Capabilities::new(["upper"])
//!     }
//!     fn handle(&self, call: &Call<'_>) -> Result<Box<RawValue>, ErrorObject> {
//!         match call.method() {
//!             "upper" => {
//!                 let [text]: [String; 1] = call.params()?;
//!                 symphony_core::serve::reply(&text.to_uppercase())
//!             }
//!             other => Err(ErrorObject::method_not_found(other)),
//!         }
//!     }
//! }
//!
//! // In the extension binary's `main`:
//! let upper = Upper { manifest: MANIFEST.get()? };
//! // return symphony_core::serve::serve(upper);
//! # let _ = (upper, symphony_core::serve::serve::<Upper>);
//! # Ok::<(), &symphony_core::manifest::ManifestErrors>(())
//! ```

mod call;
mod cancel;
mod context;
mod deadline;
#[cfg(feature = "host")]
pub(crate) mod direct;
mod handshake;
pub mod log;
mod machine;
mod notifier;
mod pool;
mod sandbox;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

pub use call::Call;
pub use cancel::{CancelToken, Cancelled};
pub use context::Context;
pub use machine::{Action, SessionMachine};
#[cfg(feature = "host")]
pub(crate) use notifier::NotificationSink;
pub use notifier::Notifier;
pub use sandbox::{SandboxHook, enforce_sandbox, landlock_sandbox, sandbox_before_threads};

use crate::codec::Decoder;
use crate::manifest::Manifest;
use crate::protocol::{
    Capabilities, DEFAULT_MAX_MESSAGE_SIZE, ErrorCode, ErrorObject, Notification, RawValue,
};
use crate::transport::{MessageReader, Transport};

/// After `shutdown` and then `exit` (or end of input), how long the requests still in flight
/// may run before they are cancelled: the host asked for their answers.
pub const EXIT_DRAIN: Duration = Duration::from_millis(500);

/// When a session ends, how long cancelled handlers may take to answer before the serve loop
/// returns without them (a handler that ignores cancellation is left behind).
pub const CANCEL_GRACE: Duration = Duration::from_millis(100);

/// An extension, as the serve loop sees it: a manifest, and handlers for requests and
/// notifications.
///
/// The kind crates (`symphony_instruments`, `symphony_operators`, `symphony_motifs`) implement
/// this for their own traits; implement it directly only for a new kind of extension.
pub trait Handler: Send + Sync + 'static {
    /// The extension's manifest, returned to the host in `initialize`; its `[permissions]`
    /// and `[config]` are what the host's grants and config are checked against. An
    /// extension binary embeds it with [`embed_manifest!`](crate::embed_manifest).
    fn manifest(&self) -> &Manifest;

    /// What the extension supports; `concurrency` is filled in from
    /// [`concurrency`](Self::concurrency).
    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }

    /// Accepts (or rejects) the session before any request arrives. The serve loop has
    /// already compiled the [`Policy`](crate::permission::Policy), validated the config
    /// against the manifest's schema and, if asked, applied the sandbox: `context` holds them.
    ///
    /// # Errors
    ///
    /// An error object (typically [`InvalidConfig`](ErrorCode::InvalidConfig)) that fails the
    /// handshake.
    fn initialize(&self, context: &Context) -> Result<(), ErrorObject> {
        let _ = context;
        Ok(())
    }

    /// Handles one request. Unknown methods should return
    /// [`ErrorObject::method_not_found`]. A panic here becomes an
    /// [`ExtensionFailed`](ErrorCode::ExtensionFailed) response; the extension keeps serving.
    ///
    /// # Errors
    ///
    /// The error object the request fails with.
    fn handle(&self, call: &Call<'_>) -> Result<Box<RawValue>, ErrorObject>;

    /// Handles a notification from the host (protocol notifications such as
    /// `$/cancelRequest` are handled by the serve loop). It runs on the reading thread: keep
    /// it short.
    fn notification(&self, notification: &Notification) {
        let _ = notification;
    }

    /// How many requests may run at once (at least 1, the default).
    fn concurrency(&self) -> usize {
        1
    }
}

impl<H: Handler> Handler for Arc<H> {
    fn manifest(&self) -> &Manifest {
        (**self).manifest()
    }
    fn capabilities(&self) -> Capabilities {
        (**self).capabilities()
    }
    fn initialize(&self, context: &Context) -> Result<(), ErrorObject> {
        (**self).initialize(context)
    }
    fn handle(&self, call: &Call<'_>) -> Result<Box<RawValue>, ErrorObject> {
        (**self).handle(call)
    }
    fn notification(&self, notification: &Notification) {
        (**self).notification(notification);
    }
    fn concurrency(&self) -> usize {
        (**self).concurrency()
    }
}

/// Serialises a handler's result.
///
/// ```
/// let raw = symphony_core::serve::reply(&serde_json::json!({"ok": true})).unwrap();
/// assert_eq!(raw.get(), r#"{"ok":true}"#);
/// ```
///
/// # Errors
///
/// An [`ExtensionFailed`](ErrorCode::ExtensionFailed) error if `value` cannot be serialised.
pub fn reply<T: Serialize + ?Sized>(value: &T) -> Result<Box<RawValue>, ErrorObject> {
    crate::protocol::to_raw(value).map_err(|error| {
        ErrorObject::new(
            ErrorCode::ExtensionFailed,
            format!("the extension's result cannot be serialised: {error}"),
        )
    })
}

/// Settings of the serve loop.
#[non_exhaustive]
#[derive(Clone)]
pub struct ServeOptions {
    /// The largest message accepted from the host, in bytes (announced in `initialize`).
    pub max_message_size: usize,
    /// Called during `initialize` when the host sets `sandbox`, with the session's
    /// [`Context`] (its policy is the effective grant); what it returns is reported in the
    /// `initialize` result, and an `Err` fails the handshake with
    /// [`SandboxUnavailable`](ErrorCode::SandboxUnavailable).
    ///
    /// The blocking loop calls it on the thread that called [`serve`], before it starts any
    /// pool thread: the process is confined whole as long as that thread was its only one
    /// (otherwise [`landlock_sandbox`] refuses on kernels that cannot confine other threads).
    ///
    /// When it is `None`, [`serve`] and [`serve_with`] (the extension is the process) use
    /// [`landlock_sandbox`]; serving over another transport (in-process hosting, possibly
    /// inside the host's process) refuses the sandbox, failing the handshake rather than
    /// running unconfined or restricting the host.
    pub sandbox: Option<SandboxHook>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            sandbox: None,
        }
    }
}

impl std::fmt::Debug for ServeOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeOptions")
            .field("max_message_size", &self.max_message_size)
            .field("sandbox", &self.sandbox.is_some())
            .finish()
    }
}

impl ServeOptions {
    /// This with the largest accepted message set to `bytes`.
    #[must_use]
    pub fn with_max_message_size(mut self, bytes: usize) -> Self {
        self.max_message_size = bytes;
        self
    }

    /// This with `hook` applying the sandbox when the host asks for one.
    #[must_use]
    pub fn with_sandbox(mut self, hook: SandboxHook) -> Self {
        self.sandbox = Some(hook);
        self
    }
}

/// How a serve loop ended.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    /// `shutdown`, then `exit`: exit code 0.
    Clean,
    /// `exit` without `shutdown` first: exit code 1.
    WithoutShutdown,
    /// The host closed the connection: exit code 0 if it had sent `shutdown`, else 1.
    EndOfInput {
        /// Whether `shutdown` had been received.
        after_shutdown: bool,
    },
    /// Reading from the host failed: exit code 1.
    ReadFailed {
        /// The I/O error.
        error: String,
    },
}

impl Exit {
    /// The process exit code for this ending.
    pub fn code(&self) -> u8 {
        match self {
            Exit::Clean
            | Exit::EndOfInput {
                after_shutdown: true,
            } => 0,
            _ => 1,
        }
    }
}

/// Serves `handler` over stdin/stdout until the host says `exit`; returns the exit code.
///
/// This is the one call an extension's `main` makes:
///
/// ```no_run
/// # struct MyExtension;
/// # impl symphony_core::serve::Handler for MyExtension {
/// #     fn manifest(&self) -> &symphony_core::manifest::Manifest {
/// #         symphony_core::embed_manifest!("src/testing/example.toml").get().expect("valid")
/// #     }
/// #     fn handle(&self, call: &symphony_core::serve::Call<'_>)
/// #         -> Result<Box<symphony_core::protocol::RawValue>, symphony_core::protocol::ErrorObject>
/// #     { Err(symphony_core::protocol::ErrorObject::method_not_found(call.method())) }
/// # }
/// fn main() -> std::process::ExitCode {
///     symphony_core::serve::serve(MyExtension)
/// }
/// ```
pub fn serve<H: Handler>(handler: H) -> ExitCode {
    serve_with(handler, ServeOptions::default())
}

/// [`serve`] with settings (for example a sandbox hook replacing [`landlock_sandbox`]).
pub fn serve_with<H: Handler>(handler: H, mut options: ServeOptions) -> ExitCode {
    // Over stdio the extension is this whole process, so the kernel sandbox is the right
    // default. The pool's threads start with the session: the sandbox is applied first, on
    // this thread while it is still the only one, and the bytes read meanwhile are replayed.
    let hook = options.sandbox.take().unwrap_or_else(landlock_sandbox);
    let mut stdin = std::io::stdin();
    let early = sandbox_before_threads(
        &mut stdin,
        handler.manifest(),
        options.max_message_size,
        hook,
    );
    let (read, hook) = match early {
        Ok(early) => early,
        Err(error) => {
            tracing::error!(%error, "reading from the host failed");
            return ExitCode::FAILURE;
        }
    };
    options.sandbox = Some(hook);
    let input = std::io::Read::chain(std::io::Cursor::new(read), stdin);
    let exit = serve_transport(handler, Transport::new(input, std::io::stdout()), options);
    if let Exit::ReadFailed { error } = &exit {
        tracing::error!(%error, "reading from the host failed");
    }
    ExitCode::from(exit.code())
}

/// Serves `handler` over `transport` on the calling thread until the session ends.
///
/// Use it for custom transports and in-process hosting; [`serve`] is this over stdio.
pub(crate) fn serve_transport<H: Handler>(
    handler: H,
    transport: Transport,
    options: ServeOptions,
) -> Exit {
    let Transport { reader, writer } = transport;
    let reader = MessageReader::with_decoder(reader, Decoder::with_limit(options.max_message_size));
    let outbox = Arc::new(notifier::Outbox::new(writer));
    let _forwarding = log::forward_to(Notifier::new(Arc::clone(&outbox)));
    Arc::new(pool::Server::new(handler, reader, outbox, options)).run()
}

#[cfg(test)]
mod tests;
