//! Running one group: the root's task on this thread, with the streaming nodes fused after
//! it called from its sends; then each node ends, or fails, in turn.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Instant;

use symphony_core::serve::CancelToken;

use super::WorkflowError;
use super::build::Node;
use super::checkpoint::Checkpoint;
use super::fused::{Failure, Fused, abandon};
use super::plan::{Group, Parts};
use super::report::{NodeOutcome, NodeReport};
use crate::error::OperatorError;
use crate::files::Files;
use crate::io::{Io, Message, Output, ProgressFn};

/// What every group of a run shares (owned, so that a group can run on a pooled thread).
#[derive(Clone)]
pub(super) struct Context {
    pub(super) nodes: Arc<[Node]>,
    pub(super) checkpoint: Option<Arc<Checkpoint>>,
    pub(super) cancel: CancelToken,
    pub(super) files: Files,
    pub(super) progress: Option<Arc<ProgressFn>>,
}

/// A node's index and how it ended.
pub(super) type NodeResult = (usize, Result<NodeReport, WorkflowError>);

/// Runs `group` to its end on this thread.
pub(super) fn run(context: &Context, group: Group) -> Vec<NodeResult> {
    let started = Instant::now();
    let Group {
        root,
        outcome,
        members,
        fed_by,
    } = group;
    let mut members: Vec<(usize, Option<Parts>)> = members
        .into_iter()
        .map(|(node, parts)| (node, Some(parts)))
        .collect();
    let mut assembly = Assembly {
        context,
        members: &mut members,
        fed_by: &fed_by,
        started,
    };
    let mut io = assembly.io(root);
    let node = &context.nodes[root];
    let result = catch_unwind(AssertUnwindSafe(|| match outcome {
        NodeOutcome::Replayed => match &context.checkpoint {
            Some(checkpoint) => checkpoint.replay(&node.name, node.outputs(), &mut io),
            None => Ok(()),
        },
        _ => node.task.run(&mut io),
    }));
    let mut results = Vec::with_capacity(fed_by.len() + 1);
    let failure = match result {
        Ok(Ok(())) => {
            complete(
                context,
                root,
                outcome,
                io.into_outputs(),
                started,
                &mut results,
            );
            return results;
        }
        Ok(Err(error)) => Failure::Error(error),
        Err(panic) => Failure::Panic(symphony_core::panic::message(panic.as_ref()).to_owned()),
    };
    results.push((root, Err(error_of(&node.name, failure))));
    abandon(io.outputs_mut());
    report_fused(context, io.into_outputs(), &mut results);
    results
}

/// Builds the ports of a group's nodes, opening the fused ones' stages.
struct Assembly<'c, 'm> {
    context: &'c Context,
    members: &'m mut [(usize, Option<Parts>)],
    fed_by: &'m [(usize, usize, usize)],
    started: Instant,
}

impl<'c> Assembly<'c, '_> {
    fn io(&mut self, index: usize) -> Io<'c> {
        let context = self.context;
        let node = &context.nodes[index];
        let parts = self
            .members
            .iter_mut()
            .find(|(member, _)| *member == index)
            .and_then(|(_, parts)| parts.take())
            .unwrap_or_else(|| Parts {
                inputs: Vec::new(),
                senders: node.outputs().iter().map(|_| Vec::new()).collect(),
                taps: node.outputs().iter().map(|_| None).collect(),
            });
        let mut outputs = Vec::with_capacity(parts.senders.len());
        for (port, ((spec, senders), tap)) in node
            .outputs()
            .iter()
            .zip(parts.senders)
            .zip(parts.taps)
            .enumerate()
        {
            let children: Vec<usize> = self
                .fed_by
                .iter()
                .filter(|&&(_, from, from_port)| from == index && from_port == port)
                .map(|&(child, _, _)| child)
                .collect();
            let fused = children
                .into_iter()
                .map(|child| self.fused(child))
                .collect();
            outputs.push(Output {
                spec: spec.clone(),
                senders,
                fused,
                tap,
                items: 0,
            });
        }
        Io::new(
            &node.name,
            parts.inputs,
            outputs,
            context.cancel.clone(),
            &context.files,
            context.progress.clone(),
        )
    }

    fn fused(&mut self, index: usize) -> Fused<'c> {
        let node = &self.context.nodes[index];
        let mut fused = Fused {
            node: index,
            input: node.inputs().first().map_or("", |port| port.name.as_str()),
            stage: None,
            io: self.io(index),
            failure: None,
            started: self.started,
        };
        let Some(streaming) = node.task.streaming() else {
            // The plan fuses only streaming tasks; a task that changed its mind fails closed.
            fused.fail(Failure::Error(OperatorError::failed(
                "its task stopped offering a streaming form between planning and running",
            )));
            return fused;
        };
        match catch_unwind(AssertUnwindSafe(|| streaming.open(&mut fused.io))) {
            Ok(Ok(stage)) => fused.stage = Some(stage),
            Ok(Err(error)) => fused.fail(Failure::Error(error)),
            Err(panic) => fused.fail(Failure::Panic(
                symphony_core::panic::message(panic.as_ref()).to_owned(),
            )),
        }
        fused
    }
}

/// Ends a node that succeeded: commits its recorded outputs and marks it complete, ends its
/// connections, then ends the nodes fused after it.
fn complete(
    context: &Context,
    index: usize,
    outcome: NodeOutcome,
    mut outputs: Vec<Output<'_>>,
    started: Instant,
    results: &mut Vec<NodeResult>,
) {
    let name = context.nodes[index].name.as_str();
    let failed = |source| WorkflowError::Node {
        node: name.to_owned(),
        source,
    };
    let mut ended = Ok(());
    for output in &mut outputs {
        if let Some(tap) = output.tap.take() {
            ended = ended.and_then(|()| tap.commit().map_err(failed));
        }
    }
    if let (Ok(()), Some(checkpoint), NodeOutcome::Ran) = (&ended, &context.checkpoint, outcome) {
        ended = checkpoint.mark_done(name);
    }
    if let Err(error) = ended {
        results.push((index, Err(error)));
        abandon(&mut outputs);
        report_fused(context, outputs, results);
        return;
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
    results.push((
        index,
        Ok(NodeReport {
            node: name.to_owned(),
            outcome,
            sent,
            elapsed: started.elapsed(),
        }),
    ));
    for output in outputs {
        for mut fused in output.fused {
            if fused.finish() {
                let outputs = fused.io.into_outputs();
                complete(
                    context,
                    fused.node,
                    NodeOutcome::Ran,
                    outputs,
                    fused.started,
                    results,
                );
            } else {
                report_failed(context, fused, results);
            }
        }
    }
}

/// Reports the nodes fused after a failed node (each has failed by now).
fn report_fused(context: &Context, outputs: Vec<Output<'_>>, results: &mut Vec<NodeResult>) {
    for output in outputs {
        for fused in output.fused {
            report_failed(context, fused, results);
        }
    }
}

fn report_failed(context: &Context, mut fused: Fused<'_>, results: &mut Vec<NodeResult>) {
    let failure = fused.failure.take().unwrap_or_else(|| {
        Failure::Error(OperatorError::UpstreamFailed {
            port: fused.input.to_owned(),
        })
    });
    let name = context.nodes[fused.node].name.as_str();
    results.push((fused.node, Err(error_of(name, failure))));
    abandon(fused.io.outputs_mut());
    report_fused(context, fused.io.into_outputs(), results);
}

fn error_of(node: &str, failure: Failure) -> WorkflowError {
    match failure {
        Failure::Error(source) => WorkflowError::Node {
            node: node.to_owned(),
            source,
        },
        Failure::Panic(message) => WorkflowError::Panicked {
            node: node.to_owned(),
            message,
        },
    }
}
