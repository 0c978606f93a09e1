//! The entry point of an instrument extension binary: [`main!`](crate::main) or [`run`].
//!
//! ```no_run
//! use std::sync::Arc;
//! use symphony_instruments::{Context, InstrumentError, ModelConfig, Pipeline};
//! # use symphony_instruments::Instrument;
//! # async fn load(_: &ModelConfig) -> Result<Arc<dyn Instrument>, InstrumentError> { unimplemented!() }
//!
//! async fn setup(context: Context) -> Result<Pipeline, InstrumentError> {
//!     let config = ModelConfig::from_context(&context, ".")?;
//!     Ok(Pipeline::new(load(&config).await?, config.limits))
//! }
//!
//! // Embeds `symphony.toml` beside Cargo.toml; another file: `main!(setup, "path.toml")`.
//! symphony_instruments::main!(setup, "src/testing/example.toml");
//! ```

use std::future::Future;
use std::process::ExitCode;

use symphony_core::manifest::EmbeddedManifest;
use symphony_core::serve::{Context, log};

use crate::error::InstrumentError;
use crate::pipeline::Pipeline;
use crate::serve::serve_main;

/// The whole `main` of an instrument extension, from a plain `fn main` (not
/// `#[tokio::main]`); [`main!`](crate::main) writes that `fn main` for you.
///
/// In order: installs the stderr log subscriber (level from `$SYMPHONY_LOG`, records also
/// forwarded to the host as `$/log`); checks the embedded manifest, printing its located
/// errors as `<binary>: <errors>` and exiting with 1 if it is invalid; reads the host's
/// `initialize` and, when the host asks for a sandbox, confines the process while it has one
/// thread; only then starts the tokio runtime (whose threads inherit the confinement) and
/// serves stdin/stdout until the host says `exit`, returning the exit code.
///
/// `setup` runs on the runtime during `initialize`, after the sandbox, with the session's
/// [`Context`] (grants, config, manifest); its [`Pipeline`] serves the requests. It may return
/// the [`Instrument`](crate::Instrument) itself, which then gets a pipeline with the default
/// [`Limits`](crate::Limits). Its error
/// fails the handshake with a message the host shows the user, and is printed to stderr as
/// `<binary>: <error>`.
pub fn run<S, Fut, P>(manifest: &'static EmbeddedManifest, setup: S) -> ExitCode
where
    S: FnOnce(Context) -> Fut,
    Fut: Future<Output = Result<P, InstrumentError>>,
    P: Into<Pipeline>,
{
    log::init(log::LogOptions::from_env().forward_to_host(true));
    let binary = binary_name();
    let manifest = match manifest.get() {
        Ok(manifest) => manifest.clone(),
        Err(errors) => {
            eprintln!("{binary}: {errors}");
            return ExitCode::FAILURE;
        }
    };
    serve_main(manifest, move |context| async move {
        let pipeline = setup(context).await.map(Into::into);
        if let Err(error) = &pipeline {
            eprintln!("{binary}: {error}");
        }
        pipeline
    })
}

/// The name this process was started as, for messages on stderr.
fn binary_name() -> String {
    std::env::args_os()
        .next()
        .as_deref()
        .map(std::path::Path::new)
        .and_then(std::path::Path::file_name)
        .map_or_else(
            || "instrument".to_owned(),
            |name| name.to_string_lossy().into_owned(),
        )
}

/// Writes the `fn main` of an instrument extension: `symphony_instruments::main!(setup);`
/// embeds the crate's `symphony.toml` and calls [`run`](crate::run) with `setup`, an
/// `async fn(Context) -> Result<Pipeline, InstrumentError>` (or returning the instrument); `main!(setup, "other.toml")`
/// embeds another file (relative to the crate's `Cargo.toml`).
///
/// Through the umbrella crate it is `symphony::instruments::main!(setup);`.
#[macro_export]
macro_rules! main {
    ($setup:expr $(,)?) => {
        fn main() -> ::std::process::ExitCode {
            $crate::run($crate::embed_manifest!(), $setup)
        }
    };
    ($setup:expr, $manifest:literal $(,)?) => {
        fn main() -> ::std::process::ExitCode {
            $crate::run($crate::embed_manifest!($manifest), $setup)
        }
    };
}
