//! Workflows: operators connected port to port, as a chain or a DAG.
//!
//! [`WorkflowBuilder`] checks everything it can before anything runs: node names, parameters
//! (each operator compiles its own), that connected ports exist and carry the same type, that
//! every input is fed exactly once, and that there is no cycle. [`Workflow::run`] then starts
//! one thread per node; records stream between them in bounded channels, so independent
//! branches run in parallel and memory stays flat however large the input.
//!
//! With a checkpoint directory, every node's outputs are recorded as they stream and the node
//! is marked complete when it finishes; a later run with the same workflow and directory skips
//! complete nodes (replaying their recorded outputs where an incomplete node still needs them)
//! and produces the same result.

mod build;
mod checkpoint;
mod error;
mod run;
mod step;

pub use build::{Workflow, WorkflowBuilder};
pub use error::WorkflowError;
pub use run::{NodeOutcome, NodeReport, RunOptions, RunReport};
pub use step::Step;
