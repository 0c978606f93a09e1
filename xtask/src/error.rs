//! The one error type of every task.

use std::io;
use std::process::ExitStatus;

use crate::build_times::BuildTimesError;
use crate::isolation::TreeParseError;
use crate::release::ReleaseError;

/// Why a task failed; each message says what to look at or run next.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    /// The command line did not name a task or its arguments correctly.
    #[error("{0}")]
    Usage(String),
    /// The rendered docs break a rule (see `doc_paths`).
    #[error("{0}")]
    Doc(String),
    /// A program could not be started at all.
    #[error("could not start `{command}`: {source}")]
    Spawn {
        /// The command line, as echoed.
        command: String,
        /// What the OS said.
        source: io::Error,
    },
    /// A program ran and failed; its own output (already shown) says why.
    #[error("`{command}` failed ({status}); its output above says why")]
    Failed {
        /// The command line, as echoed.
        command: String,
        /// How it exited.
        status: ExitStatus,
    },
    /// A program printed something other than UTF-8 where text was expected.
    #[error("`{command}` printed output that is not UTF-8")]
    NotUtf8 {
        /// The command line, as echoed.
        command: String,
    },
    /// A component could not be made available.
    #[error("{component} is missing and cannot be installed: {reason}")]
    MissingComponent {
        /// The rustup component.
        component: &'static str,
        /// Why it could not be installed, and what to do instead.
        reason: String,
    },
    /// `cargo tree` printed something the parser does not understand.
    #[error("cannot read the dependency graph from `{command}`: {source}")]
    Tree {
        /// The command line, as echoed.
        command: String,
        /// Where the output stopped making sense.
        source: TreeParseError,
    },
    /// The dependency graphs break the isolation table; each violation was printed.
    #[error(
        "dependency isolation is broken: {count} violation(s) listed above; remove the dependency or make it an opt-in feature"
    )]
    Isolation {
        /// How many violations were found.
        count: usize,
    },
    /// A cargo subcommand is still missing after `cargo install`.
    #[error(
        "`cargo {subcommand}` is still not found after `cargo install --locked {package}`; is `~/.cargo/bin` on PATH?"
    )]
    ToolMissing {
        /// What follows `cargo`.
        subcommand: &'static str,
        /// The crate that was installed.
        package: &'static str,
    },
    /// `cargo metadata` printed JSON of an unexpected shape.
    #[error("cannot read the output of `{command}`: {source}")]
    Metadata {
        /// The command line, as echoed.
        command: String,
        /// What did not fit.
        source: serde_json::Error,
    },
    /// A crate a task works on is not a member of the workspace.
    #[error("package `{package}` is not a member of the workspace; was it renamed or removed?")]
    NotInWorkspace {
        /// The package name.
        package: String,
    },
    /// The release was refused before anything was published.
    #[error(transparent)]
    Release(#[from] ReleaseError),
    /// A guide's code does not build or its tests fail.
    #[error(transparent)]
    Guide(#[from] crate::guides::GuideError),
    /// A build-time measurement could not be made.
    #[error(transparent)]
    BuildTimes(#[from] BuildTimesError),
    /// `cargo xtask migrate` could not migrate the crate; nothing was written.
    #[error("migrate: {0}")]
    Migrate(#[from] cargo_symphony::migrate::MigrateError),
    /// An example does not survive the trip to the other import style and back.
    #[error("styles: {example}: {reason}")]
    Styles {
        /// The example (or its binary).
        example: String,
        /// What went wrong.
        reason: String,
    },
    /// Benches of `cargo xtask bench` failed; the report holds those that ran.
    #[error("these benches failed (their output above says why): {0}")]
    BenchesFailed(String),
    /// A file or directory could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: std::path::PathBuf,
        /// What the OS said.
        source: io::Error,
    },
    /// A fuzz target crashed (or timed out, leaked or ran out of memory) on an input.
    #[error(
        "fuzz target `{target}` failed; input kept as a regression test in {inputs} (commit it with the fix); reproduce with `{reproduce}`"
    )]
    FuzzCrash {
        /// The target.
        target: String,
        /// Where the failing inputs were copied.
        inputs: String,
        /// The command that replays one.
        reproduce: String,
    },
    /// The soak benchmark saw requests lost, duplicated, answered wrongly or late, or the
    /// host's threads, file descriptors or children not back to their baseline.
    #[error("soak: {0}")]
    Soak(String),
    /// A CI step failed; later steps were not run.
    #[error("ci step `{step}` failed: {source}")]
    Step {
        /// The step's name.
        step: &'static str,
        /// Why it failed.
        source: Box<Error>,
    },
}
