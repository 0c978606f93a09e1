//! What a run reports: each node's outcome, items sent and time.

use std::time::Duration;

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
    /// Wall time from the start of its thread (shared with the nodes fused into it) to its end.
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
