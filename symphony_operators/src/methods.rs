//! The `operator/…` methods, each defined once: its name, params type and result type.
//!
//! The extension's dispatch ([`serve`](mod@crate::serve)) and a host's client both go through
//! these definitions, so neither spells a method name: a host writes
//! `host.request::<methods::Run>(&params)`. Each method's JSON Schema comes from its types
//! ([`Method::params_schema`], [`Method::result_schema`]):
//!
//! ```
//! use symphony_operators::methods::{self, Method};
//!
//! assert_eq!(methods::Run::NAME, "operator/run");
//! let schema = methods::Run::params_schema();
//! assert_eq!(schema["required"], serde_json::json!(["operator"]));
//! assert!(schema["properties"]["inputs"]["description"].as_str().unwrap().contains("records"));
//! ```
//!
//! # Data on ports, as JSON
//!
//! Inline inputs (`operator/run`'s `inputs`) and collected outputs (its `outputs`) are JSON
//! values whose shape follows the port's type:
//!
//! | port type | JSON | example |
//! |---|---|---|
//! | `records`, `table` | an array of objects, one key per column | `[{"name": "ada", "age": "36"}]` |
//! | `json` | an array of JSON values | `[1, {"a": true}]` |
//! | `text` | a string | `"hello"` |
//! | `bytes` | an array of numbers 0–255 | `[104, 105]` |
//! | `file` | a path (a string); as an output, an array of paths | `"/data/in.csv"` |
//!
//! Records: the columns are the keys in order of first appearance; a record without a key
//! gets an empty field. A string is taken as it is, `null` as an empty field, and any other
//! value as its JSON text (`36` becomes the field `36`). Output fields are always strings.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[doc(inline)]
pub use symphony_core::protocol::method::Method;

/// `operator/list`: the operators this extension serves.
#[derive(Debug)]
pub enum List {}

impl Method for List {
    const NAME: &'static str = "operator/list";
    type Params = ListParams;
    type Result = ListResult;
}

/// `operator/run`: runs one operator on inline inputs and returns its outputs.
///
/// Operators that work on files take paths in their parameters; every file they touch is
/// checked against the session's grants. While it runs, `$/progress` notifications with the
/// token [`progress_token`]`(request id)` carry a [`RunProgress`] (at most every 100 ms);
/// `$/cancelRequest` stops it at its next batch.
#[derive(Debug)]
pub enum Run {}

impl Method for Run {
    const NAME: &'static str = "operator/run";
    type Params = RunParams;
    type Result = RunResult;
}

/// `operator/workflow`: builds a workflow from the extension's operators and runs it.
///
/// Nodes exchange data among themselves only (files they read and write are named in their
/// parameters), so the result is the run's report. Progress and cancellation as for [`Run`].
#[derive(Debug)]
pub enum RunWorkflow {}

impl Method for RunWorkflow {
    const NAME: &'static str = "operator/workflow";
    type Params = WorkflowParams;
    type Result = WorkflowResult;
}

/// Every method an operator extension answers, by name (announced in its capabilities).
pub const ALL: [&str; 3] = [List::NAME, Run::NAME, RunWorkflow::NAME];

/// The `$/progress` token of the request with id `id` (its JSON text, such as `7`).
pub fn progress_token(id: impl std::fmt::Display) -> String {
    format!("operator/{id}")
}

/// The params of [`List`]: none (`{}`, `null` or absent).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListParams {}

/// The result of [`List`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ListResult {
    /// The operators, by name.
    pub operators: Vec<OperatorInfo>,
}

impl ListResult {
    /// The operator called `name`, if it is served.
    pub fn get(&self, name: &str) -> Option<&OperatorInfo> {
        self.operators.iter().find(|operator| operator.name == name)
    }
}

/// One operator as [`List`] describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OperatorInfo {
    /// The name it is run by, such as `csv.read`.
    pub name: String,
    /// What it does, in one line.
    pub description: String,
    /// What kind of work it does: `transform`, `filter`, `aggregate`, `validate`, `format`,
    /// `parse` or `custom`.
    pub category: String,
    /// Its inputs.
    pub inputs: Vec<PortInfo>,
    /// Its outputs.
    pub outputs: Vec<PortInfo>,
    /// Its parameters, as a JSON Schema (draft 2020-12) of the `params` object.
    pub params: Value,
}

/// One port as [`List`] describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PortInfo {
    /// Its name, unique on its side.
    pub name: String,
    /// What it carries: `records`, `table`, `json`, `text`, `bytes` or `file` (see the
    /// [module](self) for their JSON shapes).
    #[serde(rename = "type")]
    pub port_type: String,
}

/// The params of [`Run`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunParams {
    /// The operator to run, by name.
    pub operator: String,
    /// Its parameters, checked against its schema (see [`OperatorInfo::params`]).
    #[serde(default)]
    pub params: BTreeMap<String, Value>,
    /// One value per input port, by port name, shaped by the port's type: records as an
    /// array of objects, json as an array of values, text as a string, bytes as an array of
    /// numbers, a file as a path. Every input must be given.
    #[serde(default)]
    pub inputs: BTreeMap<String, Value>,
}

impl RunParams {
    /// Runs `operator` with no parameters and no inputs (yet).
    pub fn new(operator: impl Into<String>) -> Self {
        Self {
            operator: operator.into(),
            ..Self::default()
        }
    }

    /// Sets parameter `name`.
    #[must_use]
    pub fn param(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.params.insert(name.into(), value.into());
        self
    }

    /// Gives input `port` its data.
    #[must_use]
    pub fn input(mut self, port: impl Into<String>, data: impl Into<Value>) -> Self {
        self.inputs.insert(port.into(), data.into());
        self
    }
}

/// The result of [`Run`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RunResult {
    /// What each output port produced, by port name, shaped by the port's type (as the
    /// inputs; a `file` output is an array of the paths it sent).
    pub outputs: BTreeMap<String, Value>,
    /// How each node of the run went.
    pub report: Report,
}

/// The params of [`RunWorkflow`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkflowParams {
    /// The nodes, each an operator of this extension with its parameters.
    pub nodes: Vec<NodeParams>,
    /// Connections `[from, to]`, each end written `node.port` (or just `node` when the node
    /// has one port on that side).
    #[serde(default)]
    pub connections: Vec<[String; 2]>,
}

/// One node of [`WorkflowParams`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeParams {
    /// The node's name: letters, digits, `_` and `-`.
    pub name: String,
    /// The operator it runs.
    pub operator: String,
    /// The operator's parameters.
    #[serde(default)]
    pub params: BTreeMap<String, Value>,
}

/// The result of [`RunWorkflow`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WorkflowResult {
    /// How each node went.
    pub report: Report,
}

/// How each node of a run went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    /// One entry per node, in the order they were added.
    pub nodes: Vec<NodeRun>,
}

/// How one node of a run went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeRun {
    /// The node's name (`operator` for the operator of a [`Run`] request; its inline
    /// inputs and outputs are the nodes `in-<port>` and `out-<port>`).
    pub node: String,
    /// `ran`; with a checkpoint, `replayed` (complete before, its recorded outputs sent again)
    /// or `skipped` (complete before, nothing needed it). A run that fails answers an error
    /// instead of a report.
    pub outcome: String,
    /// Items sent on each output port (records, values, bytes or paths).
    pub sent: BTreeMap<String, u64>,
    /// The node's wall time, in milliseconds.
    pub elapsed_ms: f64,
}

/// The value of a `$/progress` notification during [`Run`] or [`RunWorkflow`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RunProgress {
    /// The node that sent.
    pub node: String,
    /// The output port it sent on.
    pub port: String,
    /// Items sent on that port so far.
    pub items: u64,
}
