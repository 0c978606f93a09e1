//! The `Handler` for a set of operators.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{Map, Value, json};
use symphony_core::manifest::Manifest;
use symphony_core::protocol::{Capabilities, ErrorCode, ErrorObject, Id, RawValue};
use symphony_core::serve::{Call, Context, Handler, ServeOptions, reply, serve_with};

use super::inline::{Sink, Source, chunk_from_json, chunks_to_json};
use crate::files::Files;
use crate::io::{Progress, ProgressFn};
use crate::operator::Operator;
use crate::workflow::{RunOptions, RunReport, Workflow};

/// The methods an [`OperatorServer`] answers.
const METHODS: [&str; 3] = ["operator/list", "operator/run", "operator/workflow"];

/// The least time between two `$/progress` notifications of one request.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

/// Serves `operators` over stdin/stdout until the host says `exit`; returns the exit code.
///
/// When the host asks for a sandbox, core's serve loop locks the process down with Landlock
/// to the session's granted paths before answering `initialize`.
///
/// An extension binary embeds its `symphony.toml` with
/// `symphony_operators::embed_manifest!()`; here the manifest is inline:
///
/// ```no_run
/// use symphony_operators::manifest::Manifest;
/// use symphony_operators::serve::serve_operators;
///
/// fn main() -> std::process::ExitCode {
///     let manifest = Manifest::from_toml_str(
///         r#"
///         id = "acme.ops"
///         name = "Acme operators"
///         version = "1.0.0"
///         kind = "operator"
///         description = "The SDK's built-in operators."
///         license = "MIT"
///         engine = "^1.0"
///         [operator]
///         category = "transform"
///         "#,
///     );
///     match manifest {
///         Ok(manifest) => serve_operators(manifest, symphony_operators::ops::all()),
///         Err(errors) => {
///             eprintln!("{errors}");
///             std::process::ExitCode::FAILURE
///         }
///     }
/// }
/// ```
pub fn serve_operators(
    manifest: Manifest,
    operators: impl IntoIterator<Item = Arc<dyn Operator>>,
) -> ExitCode {
    serve_with(
        OperatorServer::new(manifest, operators),
        ServeOptions::default(),
    )
}

/// A set of operators behind the Orchestra Kit protocol (see the [module](super) for the
/// methods).
pub struct OperatorServer {
    manifest: Manifest,
    operators: BTreeMap<String, Arc<dyn Operator>>,
    // Set from the session's policy in `initialize`; no access before.
    files: RwLock<Files>,
}

impl std::fmt::Debug for OperatorServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperatorServer")
            .field("operators", &self.operators.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl OperatorServer {
    /// A server for `operators` (by their spec names), announcing `manifest` in the
    /// handshake.
    pub fn new(manifest: Manifest, operators: impl IntoIterator<Item = Arc<dyn Operator>>) -> Self {
        Self {
            manifest,
            operators: operators
                .into_iter()
                .map(|operator| (operator.spec().name.clone(), operator))
                .collect(),
            files: RwLock::new(Files::none()),
        }
    }

    fn operator(&self, name: &str) -> Result<&Arc<dyn Operator>, ErrorObject> {
        self.operators.get(name).ok_or_else(|| {
            ErrorObject::invalid_params(format!(
                "unknown operator `{name}`; this extension has: {}",
                self.operators
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
    }

    fn list(&self) -> Value {
        let operators: Vec<Value> = self
            .operators
            .values()
            .map(|operator| {
                let spec = operator.spec();
                let ports = |ports: &[crate::PortSpec]| -> Vec<Value> {
                    ports
                        .iter()
                        .map(|port| json!({ "name": port.name, "type": port.port_type.as_str() }))
                        .collect()
                };
                json!({
                    "name": spec.name,
                    "description": spec.description,
                    "category": spec.category.as_str(),
                    "inputs": ports(&spec.inputs),
                    "outputs": ports(&spec.outputs),
                    "params": spec.params.to_json_schema(),
                })
            })
            .collect();
        json!({ "operators": operators })
    }

    fn run_options(&self, call: &Call<'_>) -> RunOptions {
        let files = self
            .files
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let peer = call.peer().clone();
        let token = Id::String(format!("operator/{}", call.id()));
        let last = Mutex::new(None::<Instant>);
        let progress: Arc<ProgressFn> = Arc::new(move |progress: &Progress<'_>| {
            let mut last = last.lock().unwrap_or_else(PoisonError::into_inner);
            if last.is_some_and(|at| at.elapsed() < PROGRESS_INTERVAL) {
                return;
            }
            *last = Some(Instant::now());
            // A host that went away is noticed by the serve loop.
            let _ = peer.progress(
                &token,
                &json!({ "node": progress.node, "port": progress.port, "items": progress.items }),
            );
        });
        RunOptions::default()
            .with_files(files)
            .with_cancel(call.cancel_token().clone())
            .with_progress(progress)
    }

    fn run(&self, call: &Call<'_>) -> Result<Value, ErrorObject> {
        let params: RunParams = call.params()?;
        let operator = self.operator(&params.operator)?;
        let spec = operator.spec();
        let mut builder = Workflow::builder();
        builder.node(
            "operator",
            Arc::clone(operator),
            Value::Object(params.params),
        )?;
        let mut inputs = params.inputs;
        for port in &spec.inputs {
            let value = inputs.remove(&port.name).ok_or_else(|| {
                ErrorObject::invalid_params(format!(
                    "input `{}` ({}) is missing from `inputs`",
                    port.name, port.port_type
                ))
            })?;
            let chunk = chunk_from_json(&port.name, port.port_type, value)
                .map_err(ErrorObject::invalid_params)?;
            let source = format!("in-{}", port.name);
            builder
                .node(
                    &source,
                    Arc::new(Source::new(port.port_type, chunk)),
                    json!({}),
                )
                .and_then(|b| b.connect(&source, &format!("operator.{}", port.name)))?;
        }
        if let Some(extra) = inputs.keys().next() {
            return Err(ErrorObject::invalid_params(format!(
                "operator `{}` has no input `{extra}`; its inputs are: {}",
                spec.name,
                spec.inputs
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let mut sinks = Vec::new();
        for port in &spec.outputs {
            let sink = Arc::new(Sink::new(port.port_type));
            let name = format!("out-{}", port.name);
            builder
                .node(&name, Arc::clone(&sink) as Arc<dyn Operator>, json!({}))
                .and_then(|b| b.connect(&format!("operator.{}", port.name), &name))?;
            sinks.push((port, sink));
        }
        let workflow = builder.build()?;
        let report = workflow.run(&self.run_options(call))?;
        let mut outputs = Map::new();
        for (port, sink) in sinks {
            let value = chunks_to_json(port.port_type, sink.take()).map_err(|error| {
                ErrorObject::new(
                    ErrorCode::InvalidInput,
                    format!("output `{}`: {error}", port.name),
                )
            })?;
            outputs.insert(port.name.clone(), value);
        }
        Ok(json!({ "outputs": outputs, "report": report_json(&report) }))
    }

    fn workflow(&self, call: &Call<'_>) -> Result<Value, ErrorObject> {
        let params: WorkflowParams = call.params()?;
        let mut builder = Workflow::builder();
        for node in params.nodes {
            let operator = self.operator(&node.operator)?;
            builder.node(&node.name, Arc::clone(operator), Value::Object(node.params))?;
        }
        for [from, to] in &params.connections {
            builder.connect(from, to)?;
        }
        let workflow = builder.build()?;
        let report = workflow.run(&self.run_options(call))?;
        Ok(json!({ "report": report_json(&report) }))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RunParams {
    operator: String,
    #[serde(default)]
    params: Map<String, Value>,
    #[serde(default)]
    inputs: Map<String, Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkflowParams {
    nodes: Vec<NodeParams>,
    #[serde(default)]
    connections: Vec<[String; 2]>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NodeParams {
    name: String,
    operator: String,
    #[serde(default)]
    params: Map<String, Value>,
}

fn report_json(report: &RunReport) -> Value {
    let nodes: Vec<Value> = report
        .nodes
        .iter()
        .map(|node| {
            let sent: Map<String, Value> = node
                .sent
                .iter()
                .map(|(port, n)| (port.clone(), json!(n)))
                .collect();
            json!({
                "node": node.node,
                "outcome": format!("{:?}", node.outcome).to_lowercase(),
                "sent": sent,
                "elapsedMs": node.elapsed.as_secs_f64() * 1000.0,
            })
        })
        .collect();
    json!({ "nodes": nodes })
}

impl Handler for OperatorServer {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::new(METHODS)
    }

    fn initialize(&self, context: &Context) -> Result<(), ErrorObject> {
        // Core built the session's policy: the manifest's request narrowed to the grants.
        let files = Files::new(Arc::new(context.policy().clone()));
        *self.files.write().unwrap_or_else(PoisonError::into_inner) = files;
        Ok(())
    }

    fn handle(&self, call: &Call<'_>) -> Result<Box<RawValue>, ErrorObject> {
        match call.method() {
            "operator/list" => reply(&self.list()),
            "operator/run" => reply(&self.run(call)?),
            "operator/workflow" => reply(&self.workflow(call)?),
            other => Err(ErrorObject::method_not_found(other)),
        }
    }

    fn concurrency(&self) -> usize {
        2
    }
}
