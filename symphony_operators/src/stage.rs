//! Streaming tasks: a task that handles its one input chunk by chunk can run fused into the
//! node upstream of it, on that node's thread, with no hand-off between threads per chunk.

use crate::data::Chunk;
use crate::error::OperatorError;
use crate::io::Io;

/// A task that processes its single input one chunk at a time, so a workflow can call it
/// directly from the node that feeds it (see [`Task::streaming`](crate::Task::streaming)).
///
/// ```
/// use symphony_operators::prelude::*;
/// use symphony_operators::{Stage, Streaming};
///
/// /// Forwards every chunk unchanged.
/// struct Pass;
///
/// impl Task for Pass {
///     fn run(&self, io: &mut Io<'_>) -> Result<(), OperatorError> {
///         symphony_operators::stage::drive(self, io)
///     }
///     fn streaming(&self) -> Option<&dyn Streaming> {
///         Some(self)
///     }
/// }
///
/// impl Streaming for Pass {
///     fn open(&self, _io: &mut Io<'_>) -> Result<Box<dyn Stage + '_>, OperatorError> {
///         Ok(Box::new(PassStage))
///     }
/// }
///
/// struct PassStage;
///
/// impl Stage for PassStage {
///     fn chunk(&mut self, chunk: Chunk, io: &mut Io<'_>) -> Result<(), OperatorError> {
///         io.send("records", chunk)
///     }
/// }
/// ```
pub trait Streaming: Send + Sync {
    /// Starts one run of the task (opening files, cloning compiled state).
    ///
    /// # Errors
    ///
    /// Whatever prevents the run from starting.
    fn open(&self, io: &mut Io<'_>) -> Result<Box<dyn Stage + '_>, OperatorError>;
}

/// One run of a [`Streaming`] task.
pub trait Stage: Send {
    /// Handles the next chunk of the input, sending what it makes through `io`.
    ///
    /// # Errors
    ///
    /// Whatever went wrong; the run fails as if [`Task::run`](crate::Task::run) had.
    fn chunk(&mut self, chunk: Chunk, io: &mut Io<'_>) -> Result<(), OperatorError>;

    /// The input ended cleanly: sends what is left. Not called when the run fails.
    ///
    /// # Errors
    ///
    /// As [`chunk`](Self::chunk).
    fn finish(self: Box<Self>, io: &mut Io<'_>) -> Result<(), OperatorError> {
        let _ = io;
        Ok(())
    }
}

/// Runs a streaming task on its own: every chunk of its single input through a [`Stage`],
/// then [`Stage::finish`]. The body of [`Task::run`](crate::Task::run) for such a task.
///
/// # Errors
///
/// What the stage returns, or what [`Io::recv`] returns.
pub fn drive(task: &dyn Streaming, io: &mut Io<'_>) -> Result<(), OperatorError> {
    let port = io.single_input()?;
    let mut stage = task.open(io)?;
    while let Some(chunk) = io.recv(&port)? {
        stage.chunk(chunk, io)?;
    }
    stage.finish(io)
}
