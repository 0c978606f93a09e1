//! Serving operators to a host: an extension binary's `main` in one call.
//!
//! [`serve_operators`] runs core's blocking serve loop with an [`OperatorServer`], which
//! implements the loop's `Handler` for a set of operators:
//!
//! | method | params | result |
//! |---|---|---|
//! | `operator/list` | — | `{operators: [{name, description, category, inputs, outputs, params}]}` (params as JSON Schema) |
//! | `operator/run` | `{operator, params, inputs: {port: data}}` | `{outputs: {port: data}, report}` |
//! | `operator/workflow` | `{nodes: [{name, operator, params}], connections: [["a.out", "b.in"]]}` | `{report}` |
//!
//! Inline data is JSON: an array of objects for `records`/`table` ports, an array of values
//! for `json`, a string for `text` and a path for `file`. Operators that work on files take
//! paths in their parameters, and every file they touch is checked by the session's
//! permission policy: what the manifest requests, narrowed to what the host granted. While a run streams, `$/progress` notifications
//! `{node, port, items}` go to the host (at most every 100 ms) with the token
//! `operator/<request id>`; `$/cancelRequest` stops the run at its next batch. When the host
//! asks for a sandbox, core's serve loop (run by [`serve_operators`]) locks the process down with Landlock to the
//! session's granted paths before answering `initialize` (and fails the handshake where the
//! kernel cannot).

mod inline;
mod server;

pub use server::{OperatorServer, serve_operators};
