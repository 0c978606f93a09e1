//! Running a workflow: one thread per node, bounded channels between them.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::{Duration, Instant};

use symphony_core::serve::CancelToken;

use super::WorkflowError;
use super::build::Workflow;
use super::checkpoint::Checkpoint;
use crate::error::OperatorError;
use crate::files::Files;
use crate::io::{Input, Io, Message, Output, ProgressFn, Tap};

/// How a workflow runs.
#[derive(Clone)]
#[non_exhaustive]
pub struct RunOptions {
    /// Where completed nodes are recorded, to resume an interrupted run.
    pub checkpoint: Option<PathBuf>,
    /// Cancels the run: every node stops at its next chunk.
    pub cancel: CancelToken,
    /// The files the operators may touch.
    pub files: Files,
    /// Called with each chunk a node sends.
    pub progress: Option<Arc<ProgressFn>>,
    /// Chunks a connection holds before its sender waits; bounds memory.
    pub channel_depth: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            checkpoint: None,
            cancel: CancelToken::new(),
            files: Files::unrestricted(),
            progress: None,
            channel_depth: 4,
        }
    }
}

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions")
            .field("checkpoint", &self.checkpoint)
            .field("files", &self.files)
            .field("channel_depth", &self.channel_depth)
            .finish_non_exhaustive()
    }
}

impl RunOptions {
    /// These options with checkpoints in `dir` (created if missing).
    #[must_use]
    pub fn with_checkpoint(mut self, dir: impl Into<PathBuf>) -> Self {
        self.checkpoint = Some(dir.into());
        self
    }

    /// These options with `cancel` as the run's token.
    #[must_use]
    pub fn with_cancel(mut self, cancel: CancelToken) -> Self {
        self.cancel = cancel;
        self
    }

    /// These options with file access limited to `files`.
    #[must_use]
    pub fn with_files(mut self, files: Files) -> Self {
        self.files = files;
        self
    }

    /// These options with a progress callback.
    #[must_use]
    pub fn with_progress(mut self, progress: Arc<ProgressFn>) -> Self {
        self.progress = Some(progress);
        self
    }
}

/// What happened to one node in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NodeOutcome {
    /// It ran.
    Ran,
    /// It had completed in the checkpoint; its recorded outputs were replayed to nodes that
    /// had not.
    Replayed,
    /// It had completed in the checkpoint and nothing needed its outputs again.
    Skipped,
}

/// One node's part in a run.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct NodeReport {
    /// The node.
    pub node: String,
    /// What happened.
    pub outcome: NodeOutcome,
    /// Items sent on each output port.
    pub sent: Vec<(String, u64)>,
    /// Wall time on its thread.
    pub elapsed: Duration,
}

/// The result of a successful run.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct RunReport {
    /// Every node, in start order.
    pub nodes: Vec<NodeReport>,
}

impl RunReport {
    /// The report of node `name`.
    pub fn node(&self, name: &str) -> Option<&NodeReport> {
        self.nodes.iter().find(|report| report.node == name)
    }
}

impl Workflow {
    /// Runs the workflow to completion.
    ///
    /// # Errors
    ///
    /// The first failure that is a cause rather than an echo of another node's failure:
    /// [`WorkflowError::Node`] or [`WorkflowError::Panicked`] naming the node, or
    /// [`WorkflowError::Checkpoint`].
    pub fn run(&self, options: &RunOptions) -> Result<RunReport, WorkflowError> {
        let checkpoint = match &options.checkpoint {
            Some(dir) => Some(Checkpoint::open(dir, &self.describe())?),
            None => None,
        };
        let done = |node: usize| {
            checkpoint
                .as_ref()
                .is_some_and(|c| c.is_done(&self.nodes[node].name))
        };
        let outcome: Vec<NodeOutcome> = (0..self.nodes.len())
            .map(|node| {
                if !done(node) {
                    NodeOutcome::Ran
                } else if self.edges.iter().any(|e| e.from == node && !done(e.to)) {
                    NodeOutcome::Replayed
                } else {
                    NodeOutcome::Skipped
                }
            })
            .collect();

        // Connections into nodes that will not run are left out.
        let mut senders: Vec<Vec<Vec<SyncSender<Message>>>> = self
            .nodes
            .iter()
            .map(|node| node.outputs().iter().map(|_| Vec::new()).collect())
            .collect();
        let mut receivers: Vec<Vec<Option<Receiver<Message>>>> = self
            .nodes
            .iter()
            .map(|node| node.inputs().iter().map(|_| None).collect())
            .collect();
        for edge in &self.edges {
            if outcome[edge.to] == NodeOutcome::Ran {
                let (sender, receiver) = sync_channel(options.channel_depth.max(1));
                senders[edge.from][edge.from_port].push(sender);
                receivers[edge.to][edge.to_port] = Some(receiver);
            }
        }

        // Recorders are created up front so that an unusable checkpoint fails before any node
        // starts.
        let mut taps: Vec<Vec<Option<Box<dyn Tap>>>> = Vec::with_capacity(self.nodes.len());
        for (index, node) in self.nodes.iter().enumerate() {
            let mut node_taps = Vec::new();
            for spec in node.outputs() {
                let tap: Option<Box<dyn Tap>> = match &checkpoint {
                    Some(checkpoint) if outcome[index] == NodeOutcome::Ran => {
                        Some(Box::new(checkpoint.recorder(&node.name, spec)?))
                    }
                    _ => None,
                };
                node_taps.push(tap);
            }
            taps.push(node_taps);
        }

        let results: Vec<(usize, Result<NodeReport, WorkflowError>)> =
            std::thread::scope(|scope| {
                let mut handles = Vec::new();
                for &index in &self.order {
                    let node = &self.nodes[index];
                    if outcome[index] == NodeOutcome::Skipped {
                        continue;
                    }
                    let inputs: Vec<Input> = node
                        .inputs()
                        .iter()
                        .zip(std::mem::take(&mut receivers[index]))
                        .map(|(spec, receiver)| Input {
                            spec: spec.clone(),
                            receiver,
                        })
                        .collect();
                    let outputs: Vec<Output> = node
                        .outputs()
                        .iter()
                        .zip(std::mem::take(&mut senders[index]))
                        .zip(std::mem::take(&mut taps[index]))
                        .map(|((spec, senders), tap)| Output {
                            spec: spec.clone(),
                            senders,
                            tap,
                            items: 0,
                        })
                        .collect();
                    let checkpoint = checkpoint.as_ref();
                    let cancel = options.cancel.clone();
                    let files = &options.files;
                    let progress = options.progress.clone();
                    let kind = outcome[index];
                    let handle = std::thread::Builder::new()
                        .name(format!("node-{}", node.name))
                        .spawn_scoped(scope, move || {
                            let started = Instant::now();
                            let mut io =
                                Io::new(&node.name, inputs, outputs, cancel, files, progress);
                            let result = match kind {
                                NodeOutcome::Replayed => match checkpoint {
                                    Some(checkpoint) => {
                                        checkpoint.replay(&node.name, node.outputs(), &mut io)
                                    }
                                    None => Ok(()),
                                },
                                _ => node.task.run(&mut io),
                            };
                            finish(node.name.as_str(), kind, result, io, checkpoint, started)
                        });
                    match handle {
                        Ok(handle) => handles.push((index, handle)),
                        Err(error) => {
                            options.cancel.cancel();
                            return vec![(
                                index,
                                Err(WorkflowError::Node {
                                    node: node.name.clone(),
                                    source: OperatorError::failed(format!(
                                        "cannot start its thread: {error}"
                                    )),
                                }),
                            )];
                        }
                    }
                }
                handles
                    .into_iter()
                    .map(|(index, handle)| {
                        let result = handle.join().unwrap_or_else(|panic| {
                            Err(WorkflowError::Panicked {
                                node: self.nodes[index].name.clone(),
                                message: symphony_core::panic::message(panic.as_ref()).to_owned(),
                            })
                        });
                        (index, result)
                    })
                    .collect()
            });

        let mut reports = Vec::new();
        let mut echo: Option<WorkflowError> = None;
        let mut cause: Option<WorkflowError> = None;
        for (_, result) in results {
            match result {
                Ok(report) => reports.push(report),
                Err(error) if is_echo(&error) => {
                    echo.get_or_insert(error);
                }
                Err(error) => {
                    cause.get_or_insert(error);
                }
            }
        }
        if let Some(error) = cause.or(echo) {
            return Err(error);
        }
        for &index in &self.order {
            if outcome[index] == NodeOutcome::Skipped {
                reports.push(NodeReport {
                    node: self.nodes[index].name.clone(),
                    outcome: NodeOutcome::Skipped,
                    sent: Vec::new(),
                    elapsed: Duration::ZERO,
                });
            }
        }
        let position = |name: &str| self.order.iter().position(|&i| self.nodes[i].name == name);
        reports.sort_by_key(|report| position(&report.node));
        Ok(RunReport { nodes: reports })
    }
}

/// Ends a node: on success, commits its recorded outputs and marks it complete, then ends its
/// outputs; on failure, drops them unended so that downstream nodes discard their work.
fn finish(
    node: &str,
    outcome: NodeOutcome,
    result: Result<(), OperatorError>,
    io: Io<'_>,
    checkpoint: Option<&Checkpoint>,
    started: Instant,
) -> Result<NodeReport, WorkflowError> {
    let fail = |source| WorkflowError::Node {
        node: node.to_owned(),
        source,
    };
    result.map_err(fail)?;
    let mut outputs = io.into_outputs();
    for output in &mut outputs {
        if let Some(tap) = output.tap.take() {
            tap.commit().map_err(fail)?;
        }
    }
    if let Some(checkpoint) = checkpoint
        && outcome == NodeOutcome::Ran
    {
        checkpoint.mark_done(node)?;
    }
    let sent = outputs
        .iter()
        .map(|output| (output.spec.name.clone(), output.items))
        .collect();
    for output in &outputs {
        for sender in &output.senders {
            // A reader that already stopped does not need the end marker.
            let _ = sender.send(Message::End);
        }
    }
    Ok(NodeReport {
        node: node.to_owned(),
        outcome,
        sent,
        elapsed: started.elapsed(),
    })
}

fn is_echo(error: &WorkflowError) -> bool {
    matches!(error, WorkflowError::Node { source, .. } if source.is_consequence())
}
