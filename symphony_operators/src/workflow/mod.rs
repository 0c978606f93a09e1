//! Workflows: operators connected port to port, as a chain or a DAG.
//!
//! [`WorkflowBuilder`] checks everything it can before anything runs: node names, parameters
//! (each operator compiles its own), that connected ports exist and carry the same type, that
//! every input is fed exactly once, and that there is no cycle. [`Workflow::run`] then runs
//! each streaming node (see [`Task::streaming`](crate::Task::streaming)) on the thread of
//! the node that feeds it, so a linear chain runs on one thread; other nodes run on threads
//! kept between runs. Records stream between threads in bounded channels, so independent
//! branches run in parallel and memory stays flat however large the input.
//!
//! With a checkpoint directory, every node's outputs are recorded as they stream and the node
//! is marked complete when it finishes; a later run with the same workflow and directory skips
//! complete nodes (replaying their recorded outputs where an incomplete node still needs them)
//! and produces the same result.

mod build;
mod checkpoint;
mod error;
mod failure;
mod fused;
mod gather;
mod group;
mod options;
mod plan;
mod pool;
mod report;
mod run;
mod step;

pub use build::{Workflow, WorkflowBuilder};
pub use error::WorkflowError;
pub(crate) use fused::Fused;
pub use options::RunOptions;
pub use report::{NodeOutcome, NodeReport, RunReport};
pub use step::Step;
