//! The extension side: this binary serving one of its three extensions when the quickstart
//! starts it as a child process (`quickstart __serve <kind>`).
//!
//! One binary plays the host and all three extensions so that `cargo run -p quickstart`
//! alone builds everything it runs, and an installed copy needs nothing beside it. Each child
//! is still a separate process that knows nothing but what the protocol tells it. The
//! extensions use only their focused crate, as an extension author would; the host side uses
//! `symphony_core::host`, which is what a host is built on.

mod instrument;
mod motif;
mod operator;

use std::ffi::OsStr;
use std::fmt;
use std::process::ExitCode;

pub(crate) use motif::COMPONENT;

/// The hidden first argument that makes this binary an extension instead of the host.
pub(crate) const SERVE_ARG: &str = "__serve";

/// The three extensions of the quickstart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Operator,
    Instrument,
    Motif,
}

impl Kind {
    /// The name on the command line (and in the summary).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Operator => "operator",
            Kind::Instrument => "instrument",
            Kind::Motif => "motif",
        }
    }

    fn from_arg(arg: &OsStr) -> Option<Kind> {
        [Kind::Operator, Kind::Instrument, Kind::Motif]
            .into_iter()
            .find(|kind| arg == kind.name())
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Serves the extension `kind` names over stdin/stdout until the host says `exit`.
pub(crate) fn serve(kind: Option<&OsStr>) -> ExitCode {
    match kind.and_then(Kind::from_arg) {
        Some(Kind::Operator) => operator::serve(),
        Some(Kind::Instrument) => instrument::serve(),
        Some(Kind::Motif) => motif::serve(),
        None => {
            eprintln!(
                "quickstart {SERVE_ARG}: name the extension to serve: operator, instrument or motif"
            );
            ExitCode::FAILURE
        }
    }
}
