//! Errors of the host side.

use std::time::Duration;

use crate::codec::EncodeError;
use crate::protocol::{ErrorCode, ErrorObject, IncompatibleVersion, SandboxEnforcement};

/// A call to an extension that did not produce a result.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The extension answered with an error.
    #[error("`{method}` failed: {error}")]
    Remote {
        /// The method called.
        method: String,
        /// The extension's error.
        error: ErrorObject,
    },
    /// The call was cancelled with [`PendingCall::cancel`](super::PendingCall::cancel).
    #[error("`{method}` was cancelled")]
    Cancelled {
        /// The method called.
        method: String,
    },
    /// The extension did not answer in time. The call ends at its deadline; a request the
    /// extension received is cancelled, and the extension is killed as hung if it does not
    /// acknowledge within [`ExtensionOptions::cancel_grace`](super::ExtensionOptions::cancel_grace)
    /// ([`Extension::ended`](super::Extension::ended) then says so).
    #[error(
        "`{method}` timed out after {timeout:?}{}",
        if *killed { "; the extension did not acknowledge the cancellation and was killed" } else { "" }
    )]
    TimedOut {
        /// The method called.
        method: String,
        /// The time limit.
        timeout: Duration,
        /// Whether the extension had already been killed as hung when the call gave up.
        killed: bool,
    },
    /// The connection ended (the extension exited, crashed or was killed) before answering.
    #[error("`{method}` did not complete: {ended}")]
    Ended {
        /// The method called.
        method: String,
        /// How the connection ended, with the extension's exit status and last stderr lines.
        ended: Ended,
    },
    /// The params could not be encoded (not serialisable, or over the extension's limit).
    #[error("cannot send `{method}`: {source}")]
    Encode {
        /// The method called.
        method: String,
        /// Why.
        #[source]
        source: EncodeError,
    },
    /// The result is not of the type the caller asked for.
    #[error("the result of `{method}` does not have the expected shape: {source}")]
    Decode {
        /// The method called.
        method: String,
        /// What the JSON parser objected to.
        #[source]
        source: serde_json::Error,
    },
}

impl CallError {
    /// The error code the extension answered with, for [`CallError::Remote`].
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            CallError::Remote { error, .. } => error.kind(),
            _ => None,
        }
    }
}

/// How a connection to an extension ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ended {
    /// The extension's name (its program, or "in-process").
    pub extension: String,
    /// What happened: "exited with exit status: 3", "was killed: …", "closed its output".
    pub what: String,
    /// The extension's last stderr lines, oldest first.
    pub stderr: Vec<String>,
}

impl std::fmt::Display for Ended {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the extension `{}` {}", self.extension, self.what)?;
        if self.stderr.is_empty() {
            write!(f, " (its stderr was empty)")
        } else {
            write!(f, "; its last stderr lines:")?;
            for line in &self.stderr {
                write!(f, "\n    {line}")?;
            }
            Ok(())
        }
    }
}

/// Starting, restarting or stopping an extension failed.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// The extension's program could not be started.
    #[error("cannot start the extension `{program}`: {source}")]
    Spawn {
        /// The program.
        program: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The extension speaks an incompatible protocol version.
    #[error(transparent)]
    IncompatibleVersion(#[from] IncompatibleVersion),
    /// The extension refused or failed the handshake.
    #[error("the extension `{extension}` failed the handshake: {source}")]
    Handshake {
        /// The extension.
        extension: String,
        /// What went wrong.
        #[source]
        source: CallError,
    },
    /// The extension answered `initialize`, but reports less kernel confinement than
    /// [`ExtensionOptions::required_sandbox`](super::ExtensionOptions::required_sandbox) asks for; it
    /// was stopped.
    #[error(
        "the extension `{extension}` does not enforce the sandbox the host requires (requires \
         {required}; it reports {})",
        match reported {
            Some(reported) => reported.to_string(),
            None => "no sandbox at all".to_owned(),
        }
    )]
    SandboxInsufficient {
        /// The extension.
        extension: String,
        /// What the host requires.
        required: SandboxEnforcement,
        /// What the extension reported in its `initialize` result (`None`: nothing).
        reported: Option<SandboxEnforcement>,
    },
    /// The extension did not shut down cleanly (it was killed, or exited with a failure).
    #[error("the extension did not shut down cleanly: {ended}")]
    UncleanShutdown {
        /// How it ended.
        ended: Ended,
    },
}
