//! Planning a run: what each node does, which connections are channels between threads and
//! which are fused (a streaming node called on its upstream's thread), and the groups of
//! nodes that share a thread.

use std::sync::mpsc::{SyncSender, sync_channel};

use super::WorkflowError;
use super::build::Workflow;
use super::checkpoint::Checkpoint;
use super::report::NodeOutcome;
use crate::io::{Input, Message, Tap};

/// What one node gets to run with.
pub(super) struct Parts {
    pub(super) inputs: Vec<Input>,
    /// Per output port, the channels to nodes on other threads.
    pub(super) senders: Vec<Vec<SyncSender<Message>>>,
    /// Per output port, the checkpoint recorder.
    pub(super) taps: Vec<Option<Box<dyn Tap>>>,
}

/// Nodes that run on one thread: a root that runs its task, and the streaming nodes fused
/// after it (a tree).
pub(super) struct Group {
    pub(super) root: usize,
    /// The root's outcome: [`NodeOutcome::Ran`] or [`NodeOutcome::Replayed`].
    pub(super) outcome: NodeOutcome,
    /// Every member with its parts; the root first.
    pub(super) members: Vec<(usize, Parts)>,
    /// For each member but the root: the node and output port that feeds it.
    pub(super) fed_by: Vec<(usize, usize, usize)>,
}

pub(super) struct Plan {
    pub(super) outcome: Vec<NodeOutcome>,
    /// In start order.
    pub(super) groups: Vec<Group>,
}

impl Plan {
    /// Plans a run of `workflow`; recorders are created here so that an unusable checkpoint
    /// fails before any node starts.
    pub(super) fn new(
        workflow: &Workflow,
        checkpoint: Option<&Checkpoint>,
        channel_depth: usize,
    ) -> Result<Self, WorkflowError> {
        let nodes = &workflow.nodes;
        let edges = &workflow.edges;
        let done = |node: usize| checkpoint.is_some_and(|c| c.is_done(&nodes[node].name));
        let outcome: Vec<NodeOutcome> = (0..nodes.len())
            .map(|node| {
                if !done(node) {
                    NodeOutcome::Ran
                } else if edges.iter().any(|e| e.from == node && !done(e.to)) {
                    NodeOutcome::Replayed
                } else {
                    NodeOutcome::Skipped
                }
            })
            .collect();

        let mut parts: Vec<Option<Parts>> = nodes
            .iter()
            .map(|node| {
                Some(Parts {
                    inputs: node
                        .inputs()
                        .iter()
                        .map(|spec| Input {
                            spec: spec.clone(),
                            receiver: None,
                        })
                        .collect(),
                    senders: node.outputs().iter().map(|_| Vec::new()).collect(),
                    taps: node.outputs().iter().map(|_| None).collect(),
                })
            })
            .collect();
        // Connections into nodes that will not run are left out. A connection is fused when
        // it is the only reader of its port and leads to a streaming node's only input.
        let live: Vec<_> = edges
            .iter()
            .filter(|edge| outcome[edge.to] == NodeOutcome::Ran)
            .collect();
        let mut fed_by: Vec<Option<(usize, usize)>> = vec![None; nodes.len()];
        for edge in &live {
            let readers = live
                .iter()
                .filter(|e| e.from == edge.from && e.from_port == edge.from_port)
                .count();
            let to = &nodes[edge.to];
            if readers == 1 && to.inputs().len() == 1 && to.task.streaming().is_some() {
                fed_by[edge.to] = Some((edge.from, edge.from_port));
            } else {
                let (sender, receiver) = sync_channel(channel_depth.max(1));
                if let Some(from) = &mut parts[edge.from] {
                    from.senders[edge.from_port].push(sender);
                }
                if let Some(to) = &mut parts[edge.to] {
                    to.inputs[edge.to_port].receiver = Some(receiver);
                }
            }
        }
        for (index, node) in nodes.iter().enumerate() {
            if let (Some(checkpoint), NodeOutcome::Ran, Some(parts)) =
                (checkpoint, outcome[index], &mut parts[index])
            {
                for (port, spec) in node.outputs().iter().enumerate() {
                    parts.taps[port] = Some(Box::new(checkpoint.recorder(&node.name, spec)?));
                }
            }
        }

        let root_of = |mut node: usize| {
            while let Some((from, _)) = fed_by[node] {
                node = from;
            }
            node
        };
        let mut groups: Vec<Group> = Vec::new();
        for &index in &workflow.order {
            if outcome[index] == NodeOutcome::Skipped {
                continue;
            }
            let Some(node_parts) = parts[index].take() else {
                continue;
            };
            let root = root_of(index);
            match fed_by[index] {
                None => groups.push(Group {
                    root,
                    outcome: outcome[index],
                    members: vec![(index, node_parts)],
                    fed_by: Vec::new(),
                }),
                Some((from, port)) => {
                    // Start order is topological, so the root's group already exists.
                    if let Some(group) = groups.iter_mut().find(|g| g.root == root) {
                        group.members.push((index, node_parts));
                        group.fed_by.push((index, from, port));
                    }
                }
            }
        }
        Ok(Self { outcome, groups })
    }
}
