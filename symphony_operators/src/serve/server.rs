//! The `Handler` for a set of operators.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use symphony_core::manifest::Manifest;
use symphony_core::protocol::{Capabilities, ErrorCode, ErrorObject, Id, RawValue};
use symphony_core::serve::{Call, Context, Handler, ServeOptions, reply, serve_with};

use super::inline::{Sink, Source, chunk_from_json, chunks_to_json};
use crate::files::Files;
use crate::io::{Progress, ProgressFn};
use crate::methods::{
    self, ListParams, ListResult, Method, NodeRun, OperatorInfo, PortInfo, Report, RunParams,
    RunProgress, RunResult, WorkflowParams, WorkflowResult,
};
use crate::operator::Operator;
use crate::workflow::{RunOptions, RunReport, Step, Workflow};

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

    fn list(&self) -> ListResult {
        let ports = |ports: &[crate::PortSpec]| -> Vec<PortInfo> {
            ports
                .iter()
                .map(|port| PortInfo {
                    name: port.name.clone(),
                    port_type: port.port_type.as_str().to_owned(),
                })
                .collect()
        };
        let operators = self
            .operators
            .values()
            .map(|operator| {
                let spec = operator.spec();
                OperatorInfo {
                    name: spec.name.clone(),
                    description: spec.description.clone(),
                    category: spec.category.as_str().to_owned(),
                    inputs: ports(&spec.inputs),
                    outputs: ports(&spec.outputs),
                    params: spec.params.to_json_schema(),
                }
            })
            .collect();
        ListResult { operators }
    }

    fn run_options(&self, call: &Call<'_>) -> RunOptions {
        let files = self
            .files
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let peer = call.peer().clone();
        let token = Id::String(methods::progress_token(call.id()));
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
                &RunProgress {
                    node: progress.node.to_owned(),
                    port: progress.port.to_owned(),
                    items: progress.items,
                },
            );
        });
        RunOptions::default()
            .with_files(files)
            .with_cancel(call.cancel_token().clone())
            .with_progress(progress)
    }

    fn run(&self, call: &Call<'_>) -> Result<RunResult, ErrorObject> {
        let params: RunParams = call.params()?;
        let operator = self.operator(&params.operator)?;
        let spec = operator.spec();
        let mut builder = Workflow::builder();
        builder.node(
            "operator",
            Step::with_json(
                Arc::clone(operator),
                Value::Object(params.params.into_iter().collect()),
            ),
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
                    Step::with_json(Arc::new(Source::new(port.port_type, chunk)), json!({})),
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
                .node(
                    &name,
                    Step::with_json(Arc::clone(&sink) as Arc<dyn Operator>, json!({})),
                )
                .and_then(|b| b.connect(&format!("operator.{}", port.name), &name))?;
            sinks.push((port, sink));
        }
        let workflow = builder.build()?;
        let report = workflow.run(&self.run_options(call))?;
        let mut outputs = std::collections::BTreeMap::new();
        for (port, sink) in sinks {
            let value = chunks_to_json(port.port_type, sink.take()).map_err(|error| {
                ErrorObject::new(
                    ErrorCode::InvalidInput,
                    format!("output `{}`: {error}", port.name),
                )
            })?;
            outputs.insert(port.name.clone(), value);
        }
        Ok(RunResult {
            outputs,
            report: report_json(&report),
        })
    }

    fn workflow(&self, call: &Call<'_>) -> Result<WorkflowResult, ErrorObject> {
        let params: WorkflowParams = call.params()?;
        let mut builder = Workflow::builder();
        for node in params.nodes {
            let operator = self.operator(&node.operator)?;
            let params = Value::Object(node.params.into_iter().collect());
            builder.node(&node.name, Step::with_json(Arc::clone(operator), params))?;
        }
        for [from, to] in &params.connections {
            builder.connect(from, to)?;
        }
        let workflow = builder.build()?;
        let report = workflow.run(&self.run_options(call))?;
        Ok(WorkflowResult {
            report: report_json(&report),
        })
    }
}

fn report_json(report: &RunReport) -> Report {
    let nodes = report
        .nodes
        .iter()
        .map(|node| NodeRun {
            node: node.node.clone(),
            outcome: format!("{:?}", node.outcome).to_lowercase(),
            sent: node.sent.iter().cloned().collect(),
            elapsed_ms: node.elapsed.as_secs_f64() * 1000.0,
        })
        .collect();
    Report { nodes }
}

impl Handler for OperatorServer {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::new(methods::ALL)
    }

    fn initialize(&self, context: &Context) -> Result<(), ErrorObject> {
        // Core built the session's policy: the manifest's request narrowed to the grants.
        let files = Files::new(Arc::new(context.policy().clone()));
        *self.files.write().unwrap_or_else(PoisonError::into_inner) = files;
        Ok(())
    }

    fn handle(&self, call: &Call<'_>) -> Result<Box<RawValue>, ErrorObject> {
        match call.method() {
            methods::List::NAME => {
                // No params: `{}`, `null` or none at all.
                let _: Option<ListParams> = call.params()?;
                reply(&self.list())
            }
            methods::Run::NAME => reply(&self.run(call)?),
            methods::RunWorkflow::NAME => reply(&self.workflow(call)?),
            other => Err(ErrorObject::method_not_found(other)),
        }
    }

    fn concurrency(&self) -> usize {
        2
    }
}
