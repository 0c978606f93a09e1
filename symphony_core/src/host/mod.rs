//! The host side: start an extension, hand it its grants and config, and call it.
//!
//! [`Extension::spawn`] runs an extension binary as a child process (stdin/stdout carry the
//! protocol, stderr is kept as a ring of its last lines for crash reports);
//! [`Extension::in_process`] runs a [`Handler`]'s serve loop on a thread of this process, over an
//! in-memory transport and the real codec; [`Extension::direct`] calls a [`Handler`] directly on
//! the calling thread (same handshake and session rules, no bytes, no thread hop) for
//! extensions built into the host. All three have the same API.
//!
//! An `Extension` is `Sync`: any number of threads may call at once. The thread that sends a request
//! normally reads its answer itself (see the `connection` module), so a call costs no thread
//! wake-up beyond the extension's. Every call has a time limit and ends by it, whatever the
//! extension does (stop reading its input, stop being scheduled, flood its output): when it
//! passes, the call fails with [`CallError::TimedOut`], the request is cancelled, and an
//! extension that does not acknowledge the cancellation within [`ExtensionOptions::cancel_grace`]
//! is killed as hung. If the extension exits or crashes, every call in flight fails with an
//! error naming its exit status and its last stderr lines, even when a process it started
//! still holds its pipes. Restarting is explicit ([`Extension::restart`]), or by a
//! [`RestartPolicy`](crate::lifecycle::RestartPolicy) through a [`Supervisor`], which watches
//! on its own; dropping an `Extension` kills and reaps the extension and kills its process group.
//!
//! ```
//! use symphony_core::host::{Extension, ExtensionOptions};
//! use symphony_core::protocol::{ErrorObject, RawValue};
//! use symphony_core::serve::{Call, Handler};
//!
//! struct Double;
//! impl Handler for Double {
//!     fn manifest(&self) -> &symphony_core::manifest::Manifest {
//!         symphony_core::embed_manifest!("src/testing/example.toml").get().expect("valid")
//!     }
//!     fn handle(&self, call: &Call<'_>) -> Result<Box<RawValue>, ErrorObject> {
//!         let [n]: [i64; 1] = call.params()?;
//!         symphony_core::serve::reply(&(2 * n))
//!     }
//! }
//!
//! let host = Extension::in_process(Double, ExtensionOptions::default())?;
//! // The manifest arrives typed and validated.
//! assert_eq!(host.initialize_result().manifest.id().as_str(), "acme.example");
//! let four: i64 = host.call("double", &[2])?;
//! assert_eq!(four, 4);
//! host.shutdown()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod batch;
#[cfg(unix)]
mod child_io;
mod confine;
mod connection;
mod direct;
mod error;
mod extension_end;
mod launch;
mod monitor;
mod options;
#[cfg(unix)]
mod os;
mod outbox;
mod stderr;
mod supervisor;

use std::process::Command;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

pub use batch::Batch;
pub use confine::{ALWAYS_PASSED_ENV, ConfineError, Confinement};
pub use error::{CallError, Ended, HostError};
pub use options::{ExtensionOptions, NotificationHandler};
pub use supervisor::{Recovery, Supervisor, SupervisorError};

use crate::codec::EncodeError;
use crate::protocol::{Id, InitializeResult, Notification, RawValue, method, to_raw};
use crate::serve::{Handler, ServeOptions, serve_transport};
use connection::Connection;
use direct::DirectExtension;
use launch::Launcher;

/// A running extension and the connection to it.
pub struct Extension {
    launcher: Launcher,
    options: ExtensionOptions,
    backend: RwLock<Backend>,
}

/// What a host talks to.
#[derive(Clone)]
enum Backend {
    /// A child process or in-process serve loop, through the codec.
    Remote(Arc<Connection>, Arc<InitializeResult>),
    /// A handler called on the host's threads.
    Direct(Arc<DirectExtension>),
}

impl std::fmt::Debug for Extension {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let extension = match self.backend() {
            Backend::Remote(connection, _) => connection.name.clone(),
            Backend::Direct(_) => direct::NAME.to_owned(),
        };
        f.debug_struct("Extension")
            .field("extension", &extension)
            .field("ended", &self.ended())
            .finish_non_exhaustive()
    }
}

impl Extension {
    /// Starts the program of `command` as an extension and completes the handshake.
    ///
    /// The command's stdin, stdout and stderr are replaced by pipes. [`restart`](Self::restart)
    /// runs the same program with the same arguments, environment changes and working
    /// directory.
    ///
    /// # Errors
    ///
    /// The program cannot be started, or the handshake fails (the extension rejects the
    /// config, speaks an incompatible protocol version, crashes or does not answer within
    /// [`ExtensionOptions::handshake_timeout`]); the child is killed and reaped in every case.
    pub fn spawn(command: Command, options: ExtensionOptions) -> Result<Extension, HostError> {
        Extension::launch(Launcher::Process(command), options)
    }

    /// Runs `handler` on a thread of this process, connected through an in-memory transport
    /// and the real codec, and completes the handshake.
    ///
    /// # Errors
    ///
    /// The handshake fails, or no thread can be started.
    pub fn in_process<H: Handler>(
        handler: H,
        options: ExtensionOptions,
    ) -> Result<Extension, HostError> {
        Extension::in_process_with(handler, options, ServeOptions::default())
    }

    /// [`in_process`](Self::in_process), with settings for the serve loop.
    ///
    /// # Errors
    ///
    /// The handshake fails, or no thread can be started.
    pub fn in_process_with<H: Handler>(
        handler: H,
        options: ExtensionOptions,
        serve_options: ServeOptions,
    ) -> Result<Extension, HostError> {
        let handler = Arc::new(handler);
        let serve = Arc::new(move |transport| {
            serve_transport(Arc::clone(&handler), transport, serve_options.clone())
        });
        Extension::launch(Launcher::InProcess(serve), options)
    }

    /// Runs `serve` (any serve loop, such as an async kind's) on a thread of this process over
    /// an in-memory transport and the real codec, and completes the handshake. `serve` is
    /// called again for each [`restart`](Self::restart).
    ///
    /// # Errors
    ///
    /// The handshake fails, or no thread can be started.
    pub fn in_process_serve<F>(serve: F, options: ExtensionOptions) -> Result<Extension, HostError>
    where
        F: Fn(crate::transport::Transport) -> crate::serve::Exit + Send + Sync + 'static,
    {
        Extension::launch(Launcher::InProcess(Arc::new(serve)), options)
    }

    /// Embeds `handler` in this host: each call runs it directly on the calling thread, with
    /// the handshake and session rules of a served extension but no transport, codec or
    /// thread hop in between.
    ///
    /// For extensions built into the host, where a call should cost little more than calling
    /// the handler itself. What a direct extension cannot do: run in a sandbox, be killed
    /// when hung (its time limit becomes a deadline on the call's
    /// [`CancelToken`](crate::serve::CancelToken), which the handler must poll), or survive a
    /// crash of the host.
    ///
    /// A limit of a second or more is kept to within a tick of the system's coarse clock (at
    /// most 10 ms, under 1 % of the limit): reading the precise clock twice was half of what
    /// the SDK added to each call.
    ///
    /// # Errors
    ///
    /// The handler rejects the handshake (for example the config), or a sandbox was asked for.
    pub fn direct<H: Handler>(
        handler: H,
        options: ExtensionOptions,
    ) -> Result<Extension, HostError> {
        let handler = Arc::new(handler);
        let embed = Arc::new(move |sink| crate::serve::direct::embed(Arc::clone(&handler), sink));
        Extension::launch(Launcher::Direct(embed), options)
    }

    fn launch(launcher: Launcher, options: ExtensionOptions) -> Result<Extension, HostError> {
        let backend = launcher.launch(&options)?;
        Ok(Extension {
            launcher,
            options,
            backend: RwLock::new(backend),
        })
    }

    fn backend(&self) -> Backend {
        self.backend
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// What the extension answered to `initialize`: its manifest and capabilities.
    pub fn initialize_result(&self) -> Arc<InitializeResult> {
        match self.backend() {
            // A remote `Extension` only exists once the handshake has stored the result.
            Backend::Remote(_, info) => Arc::clone(&info),
            Backend::Direct(extension) => Arc::clone(&extension.info),
        }
    }

    /// The options the extension was started with.
    pub fn options(&self) -> &ExtensionOptions {
        &self.options
    }

    /// Calls `method` with `params` (serialised to a JSON object or array; `()` sends none)
    /// and deserialises the result as `R`, within [`ExtensionOptions::request_timeout`].
    ///
    /// # Errors
    ///
    /// See [`CallError`]: the extension's own error, a timeout, the extension ending, or
    /// params or result of the wrong shape.
    pub fn call<R, P>(&self, method: &str, params: &P) -> Result<R, CallError>
    where
        R: DeserializeOwned,
        P: Serialize + ?Sized,
    {
        self.call_with_timeout(method, params, self.options.request_timeout)
    }

    /// Calls the typed method `M` (see [`Method`](crate::protocol::method::Method)): its name,
    /// params and result types come from the one definition the extension dispatches on.
    ///
    /// # Errors
    ///
    /// As for [`call`](Self::call).
    pub fn request<M: crate::protocol::method::Method>(
        &self,
        params: &M::Params,
    ) -> Result<M::Result, CallError> {
        self.call(M::NAME, params)
    }

    /// Sends the typed notification `M`.
    ///
    /// # Errors
    ///
    /// As for [`notify`](Self::notify).
    pub fn notify_typed<M: crate::protocol::method::NotificationMethod>(
        &self,
        params: &M::Params,
    ) -> Result<(), CallError> {
        self.notify(M::NAME, params)
    }

    /// [`call`](Self::call) with its own time limit (`None`: wait as long as it takes).
    ///
    /// # Errors
    ///
    /// As for [`call`](Self::call).
    pub fn call_with_timeout<R, P>(
        &self,
        method: &str,
        params: &P,
        timeout: Option<Duration>,
    ) -> Result<R, CallError>
    where
        R: DeserializeOwned,
        P: Serialize + ?Sized,
    {
        let raw = self.call_raw(method, encode_params(method, params)?, timeout)?;
        decode_result(method, &raw)
    }

    /// Calls `method` with already-serialised params and returns the raw result.
    ///
    /// # Errors
    ///
    /// As for [`call`](Self::call), except decoding.
    pub fn call_raw(
        &self,
        method: &str,
        params: Option<Box<RawValue>>,
        timeout: Option<Duration>,
    ) -> Result<Box<RawValue>, CallError> {
        match self.backend() {
            Backend::Remote(connection, _) => {
                let (id, _) = connection.send_request(method, params, timeout, false)?;
                connection.wait(id, method, timeout)
            }
            Backend::Direct(extension) => {
                extension.call(extension.next_id(), method, params.as_deref(), timeout)
            }
        }
    }

    /// Sends a request without waiting for its answer: many calls can be in flight from one
    /// thread (pipelining). Wait with [`PendingCall::wait`]. To send many at once, a
    /// [`batch`](Self::batch) saves a write per call.
    ///
    /// # Errors
    ///
    /// The params cannot be encoded, or the connection has ended.
    pub fn start<P: Serialize + ?Sized>(
        &self,
        method: &str,
        params: &P,
    ) -> Result<PendingCall, CallError> {
        let params = encode_params(method, params)?;
        let timeout = self.options.request_timeout;
        match self.backend() {
            Backend::Remote(connection, _) => {
                let (id, shared) = connection.send_request(method, params, timeout, true)?;
                Ok(PendingCall::remote(connection, id, shared, timeout))
            }
            Backend::Direct(extension) => {
                let id = extension.next_id();
                let result = extension.call(id, method, params.as_deref(), timeout);
                Ok(PendingCall::ready(id, method, result))
            }
        }
    }

    /// A batch of requests written together: for pipelining many calls from one thread.
    pub fn batch(&self) -> Batch<'_> {
        Batch::new(self.backend(), self.options.request_timeout)
    }

    /// Sends the notification `method` with `params`.
    ///
    /// It is written at once, or queued if the extension is not reading fast enough; with the
    /// queue full, this waits for room at most [`ExtensionOptions::request_timeout`].
    ///
    /// # Errors
    ///
    /// The params cannot be encoded, the extension has gone away, or there was no room for
    /// the notification in time ([`CallError::TimedOut`]).
    pub fn notify<P: Serialize + ?Sized>(&self, method: &str, params: &P) -> Result<(), CallError> {
        let params = encode_params(method, params)?;
        match self.backend() {
            Backend::Remote(connection, _) => connection.notify(method, params),
            Backend::Direct(extension) => {
                extension.notify(&Notification::new(method, params));
                Ok(())
            }
        }
    }

    /// The extension's last stderr lines (empty unless it runs as a child process).
    pub fn stderr_tail(&self) -> Vec<String> {
        match self.backend() {
            Backend::Remote(connection, _) => connection.stderr_tail(),
            Backend::Direct(_) => Vec::new(),
        }
    }

    /// The extension's process id (`None` unless it runs as a child process).
    pub fn process_id(&self) -> Option<u32> {
        match self.backend() {
            Backend::Remote(connection, _) => connection.process_id(),
            Backend::Direct(_) => None,
        }
    }

    /// How the connection ended, or `None` while the extension runs.
    pub fn ended(&self) -> Option<Ended> {
        match self.backend() {
            Backend::Remote(connection, _) => connection.ended(),
            Backend::Direct(extension) => extension.ended(),
        }
    }

    /// Waits up to `timeout` for the connection to end; how it ended, or `None` if it still
    /// runs.
    pub(crate) fn wait_ended(&self, timeout: Duration) -> Option<Ended> {
        match self.backend() {
            Backend::Remote(connection, _) => connection.wait_ended(timeout),
            // A direct extension ends only when the host stops it.
            Backend::Direct(extension) => extension.ended().or_else(|| {
                std::thread::sleep(timeout);
                extension.ended()
            }),
        }
    }

    /// Stops the current extension (killing it if it still runs; calls in flight fail) and
    /// starts a fresh one with the same options. The caller decides when: after a crash,
    /// following its restart policy.
    ///
    /// # Errors
    ///
    /// The new extension cannot be started or fails the handshake; the host then keeps the
    /// stopped connection, whose calls fail with how it ended.
    pub fn restart(&self) -> Result<(), HostError> {
        match self.backend() {
            Backend::Remote(connection, _) => {
                connection.teardown("was stopped for a restart");
            }
            Backend::Direct(extension) => extension.stop("was stopped for a restart"),
        }
        let fresh = self.launcher.launch(&self.options)?;
        *self.backend.write().unwrap_or_else(|p| p.into_inner()) = fresh;
        Ok(())
    }

    /// Shuts the extension down: `shutdown` (which waits for calls in flight), `exit`, and a
    /// wait for the process to end, killing it after [`ExtensionOptions::shutdown_timeout`].
    ///
    /// # Errors
    ///
    /// [`HostError::UncleanShutdown`] if `shutdown` failed or the extension did not exit with
    /// code 0; it has been killed and reaped in any case.
    pub fn shutdown(self) -> Result<(), HostError> {
        let connection = match self.backend() {
            Backend::Remote(connection, _) => connection,
            Backend::Direct(extension) => {
                extension.stop("was shut down");
                return Ok(());
            }
        };
        let timeout = Some(self.options.shutdown_timeout);
        let acknowledged = connection
            .send_request(method::SHUTDOWN, None, timeout, false)
            .and_then(|(id, _)| connection.wait(id, method::SHUTDOWN, timeout));
        let exit_sent = connection.notify(method::EXIT, None);
        let reaped = connection.finish(self.options.shutdown_timeout);
        if acknowledged.is_ok() && exit_sent.is_ok() && reaped.clean {
            return Ok(());
        }
        let mut ended = connection.ended().unwrap_or_else(|| Ended {
            extension: connection.name.clone(),
            what: reaped.what.clone(),
            stderr: Vec::new(),
        });
        if let Err(error) = acknowledged {
            ended.what = format!("{} after `shutdown` failed: {error}", ended.what);
        }
        Err(HostError::UncleanShutdown { ended })
    }
}

impl Drop for Extension {
    fn drop(&mut self) {
        match self.backend() {
            // Never leave a child behind: kill (if still running) and reap.
            Backend::Remote(connection, _) => {
                connection.teardown("was stopped: its host was dropped");
            }
            Backend::Direct(extension) => extension.stop("was stopped: its host was dropped"),
        }
    }
}

/// A request sent with [`Extension::start`] or a [`Batch`] whose answer has not been collected yet.
///
/// Dropping it forgets the call (its answer is discarded when it arrives).
#[derive(Debug)]
pub struct PendingCall {
    id: i64,
    method: Arc<str>,
    state: Pending,
}

#[derive(Debug)]
enum Pending {
    /// Sent over a connection; the answer is read when waited for.
    Remote {
        connection: Arc<Connection>,
        timeout: Option<Duration>,
        waited: bool,
    },
    /// Already run (direct extensions).
    Ready(Option<Result<Box<RawValue>, CallError>>),
}

impl PendingCall {
    fn remote(
        connection: Arc<Connection>,
        id: i64,
        method: Arc<str>,
        timeout: Option<Duration>,
    ) -> Self {
        PendingCall {
            id,
            method,
            state: Pending::Remote {
                connection,
                timeout,
                waited: false,
            },
        }
    }

    fn ready(id: i64, method: &str, result: Result<Box<RawValue>, CallError>) -> Self {
        PendingCall {
            id,
            method: Arc::from(method),
            state: Pending::Ready(Some(result)),
        }
    }

    /// The request's id on the wire.
    pub fn id(&self) -> Id {
        Id::Number(self.id)
    }

    /// Asks the extension to cancel the request; [`wait`](Self::wait) then returns
    /// [`CallError::Cancelled`] (or the result, if it was already complete).
    pub fn cancel(&self) {
        if let Pending::Remote { connection, .. } = &self.state {
            connection.cancel(self.id);
        }
    }

    /// Waits for the result and deserialises it as `R`.
    ///
    /// # Errors
    ///
    /// As for [`Extension::call`].
    pub fn wait<R: DeserializeOwned>(self) -> Result<R, CallError> {
        let method = self.method.clone();
        let raw = self.wait_raw()?;
        decode_result(&method, &raw)
    }

    /// Waits for the raw result.
    ///
    /// # Errors
    ///
    /// As for [`Extension::call_raw`].
    pub fn wait_raw(mut self) -> Result<Box<RawValue>, CallError> {
        match &mut self.state {
            Pending::Remote {
                connection,
                timeout,
                waited,
            } => {
                *waited = true;
                connection.wait(self.id, &self.method, *timeout)
            }
            Pending::Ready(result) => result.take().unwrap_or_else(|| {
                Err(CallError::Ended {
                    method: self.method.to_string(),
                    ended: Ended {
                        extension: direct::NAME.into(),
                        what: "already answered this call".into(),
                        stderr: Vec::new(),
                    },
                })
            }),
        }
    }
}

impl Drop for PendingCall {
    fn drop(&mut self) {
        if let Pending::Remote {
            connection,
            waited: false,
            ..
        } = &self.state
        {
            connection.forget(self.id);
        }
    }
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("extension", &self.name)
            .finish_non_exhaustive()
    }
}

/// Params as a raw JSON value; `null` (from `()`) means no params.
fn encode_params<P: Serialize + ?Sized>(
    method: &str,
    params: &P,
) -> Result<Option<Box<RawValue>>, CallError> {
    let raw = to_raw(params).map_err(|error| CallError::Encode {
        method: method.to_owned(),
        source: EncodeError::Serialize(error),
    })?;
    Ok((raw.get() != "null").then_some(raw))
}

fn decode_result<R: DeserializeOwned>(method: &str, raw: &RawValue) -> Result<R, CallError> {
    serde_json::from_str(raw.get()).map_err(|source| CallError::Decode {
        method: method.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests;
