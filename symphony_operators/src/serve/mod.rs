//! Serving operators to a host: an extension binary's `main` in one call.
//!
//! [`serve_operators`] runs core's blocking serve loop with an [`OperatorServer`], which
//! implements the loop's `Handler` for a set of operators:
//!
//! | method | params | result |
//! |---|---|---|
//! | [`List`](crate::methods::List) | — | the operators: name, description, category, ports, parameters as JSON Schema |
//! | [`Run`](crate::methods::Run) | operator, params, inline inputs | outputs and a report |
//! | [`RunWorkflow`](crate::methods::RunWorkflow) | nodes and connections | a report |
//!
//! The [`methods`](crate::methods) module documents the JSON shapes (inline data on each
//! type of port among them). Operators that work on files take paths in their parameters,
//! and every file they touch is checked by the session's permission policy: what the
//! manifest requests, narrowed to what the host granted. While a run streams, `$/progress`
//! notifications go to the host (at most every 100 ms); `$/cancelRequest` stops the run at
//! its next batch. When the host asks for a sandbox, core's serve loop locks the process
//! down with Landlock to the session's granted paths before answering `initialize` (and
//! fails the handshake where the kernel cannot).

mod inline;
mod server;

pub use server::{OperatorServer, serve_operators};
