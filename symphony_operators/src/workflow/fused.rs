//! A streaming node running on the thread of the node that feeds it.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use crate::data::Chunk;
use crate::error::OperatorError;
use crate::io::{Io, Output};
use crate::stage::Stage;

/// Why a fused node stopped before its input ended.
pub(crate) enum Failure {
    Error(OperatorError),
    Panic(String),
}

/// A node fused into its upstream: its open [`Stage`] and its own ports.
pub(crate) struct Fused<'a> {
    pub(super) node: usize,
    /// The name of its one input, to report an upstream failure.
    pub(super) input: &'a str,
    /// `None` once it failed (dropping it discards what it had written).
    pub(super) stage: Option<Box<dyn Stage + 'a>>,
    pub(super) io: Io<'a>,
    pub(super) failure: Option<Failure>,
    pub(super) started: Instant,
}

impl<'a> Fused<'a> {
    pub(crate) fn alive(&self) -> bool {
        self.stage.is_some()
    }

    /// Hands `chunk` to the stage; false once the node has failed (now or before).
    pub(crate) fn push(&mut self, chunk: Chunk) -> bool {
        let Some(stage) = &mut self.stage else {
            return false;
        };
        let failure = match catch_unwind(AssertUnwindSafe(|| stage.chunk(chunk, &mut self.io))) {
            Ok(Ok(())) => return true,
            Ok(Err(error)) => Failure::Error(error),
            Err(panic) => Failure::Panic(symphony_core::panic::message(panic.as_ref()).to_owned()),
        };
        self.fail(failure);
        false
    }

    /// Ends the input cleanly: the stage sends what is left.
    pub(super) fn finish(&mut self) -> bool {
        let Some(stage) = self.stage.take() else {
            return false;
        };
        let failure = match catch_unwind(AssertUnwindSafe(|| stage.finish(&mut self.io))) {
            Ok(Ok(())) => return true,
            Ok(Err(error)) => Failure::Error(error),
            Err(panic) => Failure::Panic(symphony_core::panic::message(panic.as_ref()).to_owned()),
        };
        self.fail(failure);
        false
    }

    /// Stops the node: its stage is dropped and its readers on other threads learn at once
    /// that their input failed.
    pub(super) fn fail(&mut self, failure: Failure) {
        self.stage = None;
        self.failure.get_or_insert(failure);
        abandon(self.io.outputs_mut());
    }
}

/// Drops what a failed node would still send: connections to other threads close unended,
/// recordings are discarded, and the nodes fused after it stop.
pub(super) fn abandon(outputs: &mut [Output<'_>]) {
    for output in outputs {
        output.senders.clear();
        output.tap = None;
        for fused in &mut output.fused {
            if fused.alive() {
                let port = fused.input.to_owned();
                fused.fail(Failure::Error(OperatorError::UpstreamFailed { port }));
            }
        }
    }
}
