//! What a running task sees: its input and output ports.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender};
use std::time::Duration;

use symphony_core::manifest::OperatorPortType;
use symphony_core::serve::CancelToken;

use crate::data::{Chunk, RecordBatch};
use crate::error::OperatorError;
use crate::files::Files;
use crate::operator::PortSpec;
use crate::workflow::Fused;

/// How often a task blocked on an input looks at its cancellation token.
const CANCEL_POLL: Duration = Duration::from_millis(20);

/// A message on a connection: data, or the sender's clean end of stream. A connection that
/// closes without `End` means the sender failed.
#[derive(Debug)]
pub(crate) enum Message {
    Chunk(Chunk),
    End,
}

/// Something that sees every chunk an output sends (the checkpoint recorder).
pub(crate) trait Tap: Send {
    fn chunk(&mut self, chunk: &Chunk) -> Result<(), OperatorError>;
    /// Makes what was recorded durable; called once the node succeeded.
    fn commit(self: Box<Self>) -> Result<(), OperatorError>;
}

/// Called with each chunk an output sends, for progress reports.
pub type ProgressFn = dyn Fn(&Progress<'_>) + Send + Sync;

/// Progress of one node: an output port sent another chunk.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Progress<'a> {
    /// The node.
    pub node: &'a str,
    /// The output port.
    pub port: &'a str,
    /// Items (records, values, bytes) sent on the port so far.
    pub items: u64,
}

pub(crate) struct Input {
    pub(crate) spec: PortSpec,
    pub(crate) receiver: Option<Receiver<Message>>,
}

pub(crate) struct Output<'a> {
    pub(crate) spec: PortSpec,
    pub(crate) senders: Vec<SyncSender<Message>>,
    /// Streaming nodes run on this thread, called with each chunk (see [`crate::stage`]).
    pub(crate) fused: Vec<Fused<'a>>,
    pub(crate) tap: Option<Box<dyn Tap>>,
    pub(crate) items: u64,
}

/// A running task's ports, its cancellation token and its file access.
///
/// Inputs and outputs are addressed by the port names of the operator's spec.
pub struct Io<'a> {
    node: &'a str,
    inputs: Vec<Input>,
    outputs: Vec<Output<'a>>,
    cancel: CancelToken,
    files: &'a Files,
    progress: Option<Arc<ProgressFn>>,
}

impl std::fmt::Debug for Io<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Io")
            .field("node", &self.node)
            .finish_non_exhaustive()
    }
}

impl<'a> Io<'a> {
    pub(crate) fn new(
        node: &'a str,
        inputs: Vec<Input>,
        outputs: Vec<Output<'a>>,
        cancel: CancelToken,
        files: &'a Files,
        progress: Option<Arc<ProgressFn>>,
    ) -> Self {
        Self {
            node,
            inputs,
            outputs,
            cancel,
            files,
            progress,
        }
    }

    /// The name of the node this task runs as.
    pub fn node(&self) -> &str {
        self.node
    }

    /// The files this task may touch.
    pub fn files(&self) -> &Files {
        self.files
    }

    /// The run's progress callback, to hand to a workflow this task runs inside itself.
    pub fn progress(&self) -> Option<Arc<ProgressFn>> {
        self.progress.clone()
    }

    /// The run's cancellation token.
    pub fn cancel_token(&self) -> &CancelToken {
        &self.cancel
    }

    /// Options for a workflow this task runs inside itself: this run's files, cancellation
    /// and progress, so the inner workflow is held to the same grants and stops with it.
    pub fn run_options(&self) -> crate::workflow::RunOptions {
        let options = crate::workflow::RunOptions::default()
            .with_files(self.files.clone())
            .with_cancel(self.cancel.clone());
        match self.progress() {
            Some(progress) => options.with_progress(progress),
            None => options,
        }
    }

    /// `Err(Cancelled)` once the run was cancelled.
    ///
    /// # Errors
    ///
    /// [`OperatorError::Cancelled`].
    pub fn check_cancelled(&self) -> Result<(), OperatorError> {
        if self.cancel.is_cancelled() {
            Err(OperatorError::Cancelled)
        } else {
            Ok(())
        }
    }

    /// The next chunk on input `port`, or `None` once its sender finished cleanly.
    ///
    /// # Errors
    ///
    /// [`OperatorError::UnknownPort`], [`OperatorError::UpstreamFailed`] if the sender stopped
    /// without finishing, [`OperatorError::Cancelled`].
    pub fn recv(&mut self, port: &str) -> Result<Option<Chunk>, OperatorError> {
        let index = self.input_index(port)?;
        let input = &mut self.inputs[index];
        let Some(receiver) = &input.receiver else {
            return Ok(None);
        };
        loop {
            match receiver.recv_timeout(CANCEL_POLL) {
                Ok(Message::Chunk(chunk)) => return Ok(Some(chunk)),
                Ok(Message::End) => {
                    input.receiver = None;
                    return Ok(None);
                }
                Err(RecvTimeoutError::Timeout) => {
                    if self.cancel.is_cancelled() {
                        return Err(OperatorError::Cancelled);
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(OperatorError::UpstreamFailed {
                        port: port.to_owned(),
                    });
                }
            }
        }
    }

    /// The next record batch on input `port` (of type `records` or `table`).
    ///
    /// # Errors
    ///
    /// As [`recv`](Self::recv), and [`OperatorError::WrongChunk`] if something else arrives.
    pub fn recv_records(&mut self, port: &str) -> Result<Option<RecordBatch>, OperatorError> {
        self.recv(port)?
            .map(|chunk| records(port, chunk))
            .transpose()
    }

    /// Whether anything reads output `port` (a task can skip work for an unread output).
    pub fn is_connected(&self, port: &str) -> bool {
        self.outputs
            .iter()
            .find(|output| output.spec.name == port)
            .is_some_and(|output| {
                !output.senders.is_empty() || !output.fused.is_empty() || output.tap.is_some()
            })
    }

    /// Sends `chunk` on output `port` to every connected input (blocking while they are
    /// behind, which bounds memory).
    ///
    /// # Errors
    ///
    /// [`OperatorError::UnknownPort`], [`OperatorError::WrongChunk`],
    /// [`OperatorError::DownstreamClosed`] once no reader is left, [`OperatorError::Cancelled`].
    pub fn send(&mut self, port: &str, chunk: Chunk) -> Result<(), OperatorError> {
        self.check_cancelled()?;
        let index = self.output_index(port)?;
        let output = &mut self.outputs[index];
        if !chunk.fits(output.spec.port_type) {
            return Err(OperatorError::WrongChunk {
                port: port.to_owned(),
                expected: output.spec.port_type.to_string(),
                found: chunk.kind(),
            });
        }
        if let Some(tap) = &mut output.tap {
            tap.chunk(&chunk)?;
        }
        output.items += chunk.items() as u64;
        if let Some(progress) = &self.progress {
            progress(&Progress {
                node: self.node,
                port,
                items: output.items,
            });
        }
        if output.senders.is_empty() && output.fused.is_empty() {
            return Ok(());
        }
        // Each reader gets a clone but the last, which gets the chunk itself.
        let mut left = output.senders.len() + output.fused.iter().filter(|f| f.alive()).count();
        let mut chunk = Some(chunk);
        let mut take = || {
            left = left.saturating_sub(1);
            if left == 0 {
                chunk.take()
            } else {
                chunk.clone()
            }
        };
        let mut closed = Vec::new();
        for (index, sender) in output.senders.iter().enumerate() {
            if let Some(message) = take()
                && sender.send(Message::Chunk(message)).is_err()
            {
                closed.push(index);
            }
        }
        for index in closed.into_iter().rev() {
            output.senders.swap_remove(index);
        }
        let mut fused_alive = false;
        for fused in output.fused.iter_mut().filter(|f| f.alive()) {
            if let Some(message) = take() {
                fused_alive |= fused.push(message);
            }
        }
        // A recorded output keeps going when its readers stop, so that the checkpoint holds
        // the node's complete output for a resumed run.
        if output.senders.is_empty() && !fused_alive && output.tap.is_none() {
            // A reader on this thread stops at a cancellation before this sender sees it.
            self.check_cancelled()?;
            return Err(OperatorError::DownstreamClosed {
                port: port.to_owned(),
            });
        }
        Ok(())
    }

    /// Sends a record batch on output `port`.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub fn send_records(&mut self, port: &str, batch: RecordBatch) -> Result<(), OperatorError> {
        self.send(port, Chunk::Records(batch))
    }

    /// The outputs, for the runner to end once the task returned `Ok`.
    pub(crate) fn into_outputs(self) -> Vec<Output<'a>> {
        self.outputs
    }

    pub(crate) fn outputs_mut(&mut self) -> &mut [Output<'a>] {
        &mut self.outputs
    }

    /// The name of the task's only input, for a streaming task.
    pub(crate) fn single_input(&self) -> Result<String, OperatorError> {
        match self.inputs.as_slice() {
            [input] => Ok(input.spec.name.clone()),
            inputs => Err(OperatorError::failed(format!(
                "a streaming task has one input, and this node has {}",
                inputs.len()
            ))),
        }
    }

    fn input_index(&self, port: &str) -> Result<usize, OperatorError> {
        self.inputs
            .iter()
            .position(|input| input.spec.name == port)
            .ok_or_else(|| unknown("input", port, self.inputs.iter().map(|i| &i.spec)))
    }

    fn output_index(&self, port: &str) -> Result<usize, OperatorError> {
        self.outputs
            .iter()
            .position(|output| output.spec.name == port)
            .ok_or_else(|| unknown("output", port, self.outputs.iter().map(|o| &o.spec)))
    }
}

fn unknown<'s>(
    direction: &'static str,
    port: &str,
    specs: impl Iterator<Item = &'s PortSpec>,
) -> OperatorError {
    OperatorError::UnknownPort {
        direction,
        port: port.to_owned(),
        available: specs.map(|spec| spec.name.clone()).collect(),
    }
}

/// The record batch in `chunk`, which arrived on input `port`.
///
/// # Errors
///
/// [`OperatorError::WrongChunk`] if it holds something else.
pub(crate) fn records(port: &str, chunk: Chunk) -> Result<RecordBatch, OperatorError> {
    match chunk {
        Chunk::Records(batch) => Ok(batch),
        other => Err(OperatorError::WrongChunk {
            port: port.to_owned(),
            expected: "records".to_owned(),
            found: other.kind(),
        }),
    }
}

/// Whether a value sent on an output of type `from` may go to an input of type `to`.
pub(crate) fn compatible(from: OperatorPortType, to: OperatorPortType) -> bool {
    use OperatorPortType::{Records, Table};
    from == to || matches!((from, to), (Records, Table) | (Table, Records))
}
