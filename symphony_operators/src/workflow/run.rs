//! Running a workflow: one group of nodes on the calling thread, the others on pooled
//! threads, channels between groups and direct calls within one.

use std::sync::Arc;

use super::WorkflowError;
use super::build::Workflow;
use super::checkpoint::Checkpoint;
use super::failure::first_cause;
use super::gather::Gather;
use super::group::{self, Context, NodeResult};
use super::options::RunOptions;
use super::plan::Plan;
use super::pool;
use super::report::{NodeOutcome, NodeReport, RunReport};
use crate::error::OperatorError;

impl Workflow {
    /// Runs the workflow to completion.
    ///
    /// Streaming nodes (see [`Task::streaming`](crate::Task::streaming)) run on the thread
    /// of the node feeding them, so a linear chain runs on one thread with no hand-off per
    /// chunk; the other nodes run on threads kept between runs, connected by bounded
    /// channels, so independent branches run in parallel and memory stays flat.
    ///
    /// # Errors
    ///
    /// The first failure that is a cause rather than an echo of another node's failure:
    /// [`WorkflowError::Node`] or [`WorkflowError::Panicked`] naming the node, or
    /// [`WorkflowError::Checkpoint`].
    pub fn run(&self, options: &RunOptions) -> Result<RunReport, WorkflowError> {
        let checkpoint = match &options.checkpoint {
            Some(dir) => Some(Arc::new(Checkpoint::open(dir, &self.describe())?)),
            None => None,
        };
        let plan = Plan::new(self, checkpoint.as_deref(), options.channel_depth)?;
        let context = Context {
            nodes: Arc::clone(&self.nodes),
            checkpoint,
            cancel: options.cancel.clone(),
            files: options.files.clone(),
            progress: options.progress.clone(),
        };
        let mut groups = plan.groups.into_iter();
        let here = groups.next();
        let gather = Gather::new(groups.len());
        let mut gathered: Vec<NodeResult> = Vec::new();
        for group in groups {
            let (context, reporter, root) = (context.clone(), gather.reporter(), group.root);
            // A job that is never run drops its reporter, which counts it as reported.
            if let Err(error) = pool::execute(move || reporter.deliver(group::run(&context, group)))
            {
                options.cancel.cancel();
                gathered.push((
                    root,
                    Err(WorkflowError::Node {
                        node: self.nodes[root].name.clone(),
                        source: OperatorError::failed(format!("cannot start its thread: {error}")),
                    }),
                ));
            }
        }
        if let Some(group) = here {
            gathered.extend(group::run(&context, group));
        }
        gathered.extend(gather.wait());
        self.report(&plan.outcome, gathered)
    }

    /// The run's report in start order, or its first cause of failure.
    fn report(
        &self,
        outcome: &[NodeOutcome],
        mut gathered: Vec<NodeResult>,
    ) -> Result<RunReport, WorkflowError> {
        let position = |node: usize| self.order.iter().position(|&i| i == node);
        gathered.sort_by_key(|(node, _)| position(*node));
        let mut reports = Vec::with_capacity(self.nodes.len());
        let mut errors = Vec::new();
        for (_, result) in gathered {
            match result {
                Ok(report) => reports.push((report.node.clone(), report)),
                Err(error) => errors.push(error),
            }
        }
        if let Some(error) = first_cause(errors) {
            return Err(error);
        }
        let mut nodes = Vec::with_capacity(self.nodes.len());
        for &index in &self.order {
            let name = &self.nodes[index].name;
            if outcome[index] == NodeOutcome::Skipped {
                nodes.push(NodeReport {
                    node: name.clone(),
                    outcome: NodeOutcome::Skipped,
                    sent: Vec::new(),
                    elapsed: std::time::Duration::ZERO,
                });
            } else if let Some(found) = reports.iter().position(|(node, _)| node == name) {
                nodes.push(reports.swap_remove(found).1);
            } else {
                // A group whose thread was lost without reporting: fail closed.
                return Err(WorkflowError::Panicked {
                    node: name.clone(),
                    message: "its thread ended without reporting".to_owned(),
                });
            }
        }
        Ok(RunReport { nodes })
    }
}
