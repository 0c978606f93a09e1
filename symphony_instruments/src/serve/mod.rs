//! The async serve loop of an instrument extension binary, on tokio.
//!
//! It speaks the same protocol as every Symphony extension, by the same rules (handshake
//! first, unique ids, `$/cancelRequest`, `shutdown` then `exit`; the handshake checks the
//! protocol version, grants, config and sandbox) and forwards `tracing` records to the host
//! as `$/log` ([`log`]). Requests run as tasks, so that many inferences are in flight at once
//! (and batch).
//!
//! The methods it serves are [`methods`](crate::methods).
//!
//! `$/cancelRequest` stops a request: queued work is dropped, a stream stops, and the request
//! is answered with the `Cancelled` error. A failing (or panicking) request is answered with
//! an error; the extension keeps serving. After `shutdown`, running requests get a short
//! drain period, then are cancelled. Messages to the host wait in a bounded queue: a host that
//! stops reading holds responses and streams back.
//!
//! An extension's `main` is usually [`main!`](crate::main) (or [`run`](crate::run)), from a
//! plain `fn main` (not `#[tokio::main]`): it reads the host's `initialize` and applies the kernel sandbox
//! while the process has one thread, and only then starts the tokio runtime, so that every
//! worker and blocking-pool thread is confined. On kernels that cannot confine threads that
//! already run (Landlock ABI < 8), a sandbox asked of [`serve`] inside a running runtime is
//! refused with `SandboxUnavailable` rather than applied to one thread.

mod connection;
mod dispatch;
mod outbox;

use std::future::Future;
use std::process::ExitCode;

use symphony_core::manifest::Manifest;
use symphony_core::serve::Context;
#[doc(inline)]
pub use symphony_core::serve::{Exit, ServeOptions, log};
use symphony_core::serve::{landlock_sandbox, sandbox_before_threads};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite};

use crate::error::InstrumentError;
use crate::pipeline::Pipeline;
use connection::{Connection, Ended};
use outbox::Outbox;

/// Serves an instrument over stdin/stdout from a plain `fn main` ([`run`](crate::run)), starting the tokio runtime
/// itself; returns the exit code.
///
/// The order is what makes the kernel sandbox hold: it reads the host's `initialize` on the
/// calling thread and, if the host asks for a sandbox, confines the process
/// ([`landlock_sandbox`]) while that thread is its only one; then it starts the multi-thread
/// runtime, whose workers and blocking pool inherit the confinement, and serves the session
/// from that `initialize` on (its answer reports what is enforced). If another thread already
/// runs when the sandbox is applied and the kernel cannot confine it, `initialize` is refused
/// with `SandboxUnavailable`. `start` runs on the runtime during `initialize`, after the
/// sandbox.
pub(crate) fn serve_main<F, Fut>(manifest: Manifest, start: F) -> ExitCode
where
    F: FnOnce(Context) -> Fut,
    Fut: Future<Output = Result<Pipeline, InstrumentError>>,
{
    let options = ServeOptions::default();
    let early = sandbox_before_threads(
        &mut std::io::stdin(),
        &manifest,
        options.max_message_size,
        landlock_sandbox(),
    );
    let (read, sandbox) = match early {
        Ok(early) => early,
        Err(error) => {
            tracing::error!(%error, "reading from the host failed");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            tracing::error!(%error, "cannot start the tokio runtime");
            return ExitCode::FAILURE;
        }
    };
    let input = std::io::Cursor::new(read).chain(tokio::io::stdin());
    let exit = runtime.block_on(serve_io(
        manifest,
        start,
        input,
        tokio::io::stdout(),
        options.with_sandbox(sandbox),
    ));
    // The blocking read of stdin cannot be cancelled: do not wait for it.
    runtime.shutdown_background();
    if let Exit::ReadFailed { error } = &exit {
        tracing::error!(%error, "reading from the host failed");
    }
    ExitCode::from(exit.code())
}

/// Serves an instrument over stdin/stdout until the host says `exit`; returns the exit code.
///
/// `start` runs during `initialize` and builds the [`Pipeline`] (loading the model); its
/// error fails the handshake with a message the host shows the user. When the host asks for
/// a sandbox, it is applied before `start` runs ([`landlock_sandbox`]); inside a multi-thread
/// runtime, whose threads already run, that is refused on kernels that cannot confine them
/// (Landlock ABI < 8): prefer [`run`](crate::run), which starts the runtime after the sandbox.
///
/// ```no_run
/// use std::sync::Arc;
/// use symphony_instruments::serve::serve;
/// use symphony_instruments::{Context, Instrument, InstrumentError, ModelConfig, Pipeline};
///
/// # async fn load(_: &Context) -> Result<Arc<dyn Instrument>, InstrumentError> { unimplemented!() }
/// #[tokio::main]
/// async fn main() -> std::process::ExitCode {
///     let manifest = symphony_instruments::manifest::Manifest::from_toml_str("…").unwrap();
///     serve(manifest, |context: Context| async move {
///         let instrument = load(&context).await?;
///         Ok(Pipeline::new(instrument, ModelConfig::from_context(&context, ".")?.limits))
///     })
///     .await
/// }
/// ```
pub async fn serve<F, Fut>(manifest: Manifest, start: F) -> ExitCode
where
    F: FnOnce(Context) -> Fut,
    Fut: Future<Output = Result<Pipeline, InstrumentError>>,
{
    // Over stdio the extension is this whole process, so the kernel sandbox is the right
    // default.
    let options = ServeOptions::default().with_sandbox(landlock_sandbox());
    let Ended { exit, abandoned } = serve_connection(
        manifest,
        start,
        tokio::io::stdin(),
        tokio::io::stdout(),
        options,
    )
    .await;
    if let Exit::ReadFailed { error } = &exit {
        tracing::error!(%error, "reading from the host failed");
    }
    if abandoned {
        // A handler ignores cancellation: returning to the runtime would wait for it when the
        // runtime is dropped, so the process ends here; what was answered is written already.
        tracing::warn!("exiting with requests still running: their handlers ignore cancellation");
        std::process::exit(i32::from(exit.code()));
    }
    ExitCode::from(exit.code())
}

/// Serves over any byte streams (in-process hosting, tests) with `options`; [`serve`] is
/// this over stdio with the Landlock sandbox.
///
/// Without [`ServeOptions::sandbox`], a host asking for a sandbox is refused
/// (`Context::handshake`), since these streams may be inside the host's own process.
pub async fn serve_io<F, Fut, R, W>(
    manifest: Manifest,
    start: F,
    reader: R,
    writer: W,
    options: ServeOptions,
) -> Exit
where
    F: FnOnce(Context) -> Fut,
    Fut: Future<Output = Result<Pipeline, InstrumentError>>,
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin + Send + 'static,
{
    serve_connection(manifest, start, reader, writer, options)
        .await
        .exit
}

/// [`serve_io`], also saying whether requests were abandoned.
async fn serve_connection<F, Fut, R, W>(
    manifest: Manifest,
    start: F,
    reader: R,
    writer: W,
    options: ServeOptions,
) -> Ended
where
    F: FnOnce(Context) -> Fut,
    Fut: Future<Output = Result<Pipeline, InstrumentError>>,
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (outbox, writer_task) = Outbox::spawn(writer);
    let forwarding = log::forward_to(outbox.log_peer());
    let mut ended = Connection::new(manifest, options, start, outbox)
        .run(reader)
        .await;
    drop(forwarding);
    // The writer writes out what was sent and stops; a host that no longer reads cannot hold
    // the ending up for more than the drain period.
    let flushed = tokio::time::timeout(symphony_core::serve::EXIT_DRAIN, writer_task).await;
    ended.abandoned |= flushed.is_err();
    ended
}
