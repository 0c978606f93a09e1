//! The one entry of a motif extension's binary: [`main!`](crate::main) and [`run`].
//!
//! ```no_run
//! use symphony_motifs::prelude::*;
//!
//! struct Hello;
//!
//! impl Motif for Hello {
//!     type State = ();
//!     fn placement(&self) -> Placement { Placement::Panel }
//!     fn initial_state(&self) {}
//!     fn render(&self, _: &()) -> Node { el("p").child("hello").into() }
//!     fn update(&self, _: &mut (), _: &Event) -> Effects { Effects::none() }
//! }
//!
//! fn setup(motifs: &mut Motifs) {
//!     motifs.component("hello", Hello);
//! }
//!
//! // `main!(setup)` embeds the crate's `symphony.toml`; this example names another file.
//! symphony_motifs::main!(setup, "src/sample/symphony.toml");
//! ```

use std::fmt::Display;
use std::process::ExitCode;

use symphony_core::manifest::{EmbeddedManifest, Manifest};

use crate::serve::{MotifServer, Motifs, SetupError};

/// What a setup function may return: nothing, or a `Result` whose error is shown to the
/// user (`Result<(), SetupError>`, `Result<(), Box<dyn Error>>`, …).
pub trait SetupOutcome {
    /// `Err` with the message if setup failed.
    ///
    /// # Errors
    ///
    /// The setup function's own error, as text.
    fn into_outcome(self) -> Result<(), String>;
}

impl SetupOutcome for () {
    fn into_outcome(self) -> Result<(), String> {
        Ok(())
    }
}

impl<E: Display> SetupOutcome for Result<(), E> {
    fn into_outcome(self) -> Result<(), String> {
        self.map_err(|error| error.to_string())
    }
}

/// Runs a motif extension: gets the embedded manifest, calls `setup` to register its parts,
/// checks them against the manifest, and serves the host over stdin/stdout (applying the
/// kernel sandbox before any thread starts, when the host asks for it).
///
/// Returns the exit code: 0 after the host's `shutdown` and `exit`. An invalid manifest
/// prints its errors (file, line and column) to stderr and exits 1; a failed setup prints
/// `<binary>: <error>` and exits 1. [`main!`](crate::main) is this as `fn main`.
///
/// `setup` runs before the sandbox is applied, on the only thread: it must not start threads
/// (a process with other threads cannot be confined whole, and a host that asks for the
/// sandbox is then refused rather than served unconfined).
pub fn run<S, R>(manifest: &'static EmbeddedManifest, setup: S) -> ExitCode
where
    S: FnOnce(&mut Motifs) -> R,
    R: SetupOutcome,
{
    let manifest = match manifest.get() {
        Ok(manifest) => manifest,
        Err(errors) => {
            eprintln!("{errors}");
            return ExitCode::FAILURE;
        }
    };
    match server(manifest, setup) {
        Ok(server) => symphony_core::serve::serve(server),
        Err(error) => {
            eprintln!("{}: {error}", binary_name());
            ExitCode::FAILURE
        }
    }
}

/// The server for what `setup` registers: the one path from a setup function to a server,
/// for [`run`] and for the test host.
pub(crate) fn server<S, R>(manifest: &'static Manifest, setup: S) -> Result<MotifServer, SetupError>
where
    S: FnOnce(&mut Motifs) -> R,
    R: SetupOutcome,
{
    let mut motifs = Motifs::new();
    setup(&mut motifs)
        .into_outcome()
        .map_err(SetupError::Setup)?;
    MotifServer::new(manifest, motifs)
}

/// This program's file name, to prefix its errors.
fn binary_name() -> String {
    std::env::args_os()
        .next()
        .as_deref()
        .and_then(|path| std::path::Path::new(path).file_name())
        .map_or_else(
            || "motif extension".to_owned(),
            |name| name.to_string_lossy().into_owned(),
        )
}

/// Defines `fn main` for a motif extension: `symphony_motifs::main!(setup);` with `setup` a
/// function that registers the extension's parts (see [`Motifs`]). The manifest is the
/// crate's `symphony.toml`, embedded at compile time (`main!(setup, "file.toml")` embeds
/// another file, relative to `Cargo.toml`); see [`run`] for what `main` does.
///
/// ```no_run
/// # use symphony_motifs::prelude::*;
/// fn setup(motifs: &mut Motifs) -> Result<(), symphony_motifs::SetupError> {
///     // motifs.component("counter", Counter);
/// #   let _ = motifs;
///     Ok(())
/// }
///
/// symphony_motifs::main!(setup, "src/sample/symphony.toml");
/// ```
#[macro_export]
macro_rules! main {
    ($setup:expr $(,)?) => {
        $crate::main!($setup, "symphony.toml");
    };
    ($setup:expr, $manifest:literal $(,)?) => {
        fn main() -> ::std::process::ExitCode {
            $crate::run($crate::embed_manifest!($manifest), $setup)
        }
    };
}
