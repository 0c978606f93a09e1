//! Building a workflow: nodes, connections, and every check that can run before data flows.

use std::sync::Arc;

use serde_json::Value;

use super::{Step, WorkflowError};
use crate::error::OperatorError;
use crate::io::compatible;
use crate::operator::{Operator, PortSpec, Task};

/// One node: an operator configured with parameters.
pub(crate) struct Node {
    pub(crate) name: String,
    pub(crate) operator: Arc<dyn Operator>,
    pub(crate) params: Value,
    pub(crate) task: Box<dyn Task>,
}

impl Node {
    pub(crate) fn inputs(&self) -> &[PortSpec] {
        &self.operator.spec().inputs
    }
    pub(crate) fn outputs(&self) -> &[PortSpec] {
        &self.operator.spec().outputs
    }
}

/// A connection from output `from_port` of node `from` to input `to_port` of node `to`
/// (indices into the node and port lists).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Edge {
    pub(crate) from: usize,
    pub(crate) from_port: usize,
    pub(crate) to: usize,
    pub(crate) to_port: usize,
}

/// Builds a [`Workflow`], checking each step as it is added.
///
/// ```
/// use symphony_operators::ops;
/// use symphony_operators::workflow::{RunOptions, Workflow};
///
/// let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join("in.csv"), "name,city\nada,London\nalan,Wilmslow\n")?;
/// let out = dir.path().join("out.csv");
///
/// let mut builder = Workflow::builder();
/// builder
///     .then("read", ops::CsvRead::path(dir.path().join("in.csv")))?
///     .then("keep", ops::RegexFilter::pattern("^Lon").column("city"))?
///     .then("write", ops::CsvWrite::path(&out))?;
/// let workflow = builder.build()?;
/// workflow.run(&RunOptions::default())?;
/// assert_eq!(std::fs::read_to_string(&out)?, "name,city\nada,London\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Default)]
pub struct WorkflowBuilder {
    nodes: Vec<Node>,
    edges: Vec<Edge>,
}

impl std::fmt::Debug for WorkflowBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.nodes.iter().map(|n| n.name.as_str()).collect();
        f.debug_struct("WorkflowBuilder")
            .field("nodes", &names)
            .field("edges", &self.edges)
            .finish()
    }
}

impl WorkflowBuilder {
    /// Adds node `name` running `step` (an operator with its parameters), which the operator
    /// checks and compiles now.
    ///
    /// # Errors
    ///
    /// [`WorkflowError::InvalidNodeName`], [`WorkflowError::DuplicateNode`],
    /// [`WorkflowError::Configure`] (naming the parameter that is wrong).
    pub fn node(&mut self, name: &str, step: impl Into<Step>) -> Result<&mut Self, WorkflowError> {
        let Step {
            operator,
            params,
            problems,
        } = step.into();
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !valid {
            return Err(WorkflowError::InvalidNodeName {
                node: name.to_owned(),
            });
        }
        if self.nodes.iter().any(|node| node.name == name) {
            return Err(WorkflowError::DuplicateNode {
                node: name.to_owned(),
            });
        }
        let params = Value::Object(params);
        let task = operator
            .spec()
            .check()
            .and_then(|()| {
                if problems.is_empty() {
                    operator.configure(&params)
                } else {
                    Err(OperatorError::InvalidStep { problems })
                }
            })
            .map_err(|source| WorkflowError::Configure {
                node: name.to_owned(),
                operator: operator.spec().name.clone(),
                source,
            })?;
        self.nodes.push(Node {
            name: name.to_owned(),
            operator,
            params,
            task,
        });
        Ok(self)
    }

    /// Adds a node and connects the previous node's first (main) output to its only input (the
    /// first node of a chain is just added): the way to build a linear chain.
    ///
    /// # Errors
    ///
    /// As [`node`](Self::node) and [`connect`](Self::connect), and
    /// [`WorkflowError::Unchainable`] if the previous node has no output or the new one has
    /// not exactly one input.
    pub fn then(&mut self, name: &str, step: impl Into<Step>) -> Result<&mut Self, WorkflowError> {
        let step = step.into();
        let operator = Arc::clone(&step.operator);
        let previous = self.nodes.last().map(|node| {
            let single = node.outputs().first().map(|port| port.name.clone());
            (node.name.clone(), single)
        });
        let single_input =
            (operator.spec().inputs.len() == 1).then(|| operator.spec().inputs[0].name.clone());
        self.node(name, step)?;
        if let Some((from, output)) = previous {
            let (Some(output), Some(input)) = (output, single_input) else {
                self.nodes.pop();
                return Err(WorkflowError::Unchainable {
                    from,
                    to: name.to_owned(),
                });
            };
            if let Err(error) =
                self.connect(&format!("{from}.{output}"), &format!("{name}.{input}"))
            {
                self.nodes.pop();
                return Err(error);
            }
        }
        Ok(self)
    }

    /// Connects output `from` to input `to`, each written `node.port` (or just `node` when
    /// the node has one port on that side).
    ///
    /// # Errors
    ///
    /// [`WorkflowError::UnknownNode`], [`WorkflowError::UnknownPort`],
    /// [`WorkflowError::TypeMismatch`], [`WorkflowError::InputConnectedTwice`].
    pub fn connect(&mut self, from: &str, to: &str) -> Result<&mut Self, WorkflowError> {
        let (from_node, from_port) = self.endpoint(from, Side::Output)?;
        let (to_node, to_port) = self.endpoint(to, Side::Input)?;
        let output = &self.nodes[from_node].outputs()[from_port];
        let input = &self.nodes[to_node].inputs()[to_port];
        let from_name = format!("{}.{}", self.nodes[from_node].name, output.name);
        let to_name = format!("{}.{}", self.nodes[to_node].name, input.name);
        if !compatible(output.port_type, input.port_type) {
            return Err(WorkflowError::TypeMismatch {
                from: from_name,
                from_type: output.port_type.to_string(),
                to: to_name,
                to_type: input.port_type.to_string(),
            });
        }
        if let Some(existing) = self
            .edges
            .iter()
            .find(|edge| edge.to == to_node && edge.to_port == to_port)
        {
            let node = &self.nodes[existing.from];
            return Err(WorkflowError::InputConnectedTwice {
                to: to_name,
                existing: format!("{}.{}", node.name, node.outputs()[existing.from_port].name),
            });
        }
        self.edges.push(Edge {
            from: from_node,
            from_port,
            to: to_node,
            to_port,
        });
        Ok(self)
    }

    /// Checks that every input is connected and that there is no cycle, and fixes the order
    /// the nodes start in.
    ///
    /// # Errors
    ///
    /// [`WorkflowError::UnconnectedInput`], [`WorkflowError::Cycle`].
    pub fn build(self) -> Result<Workflow, WorkflowError> {
        for (index, node) in self.nodes.iter().enumerate() {
            for (port_index, port) in node.inputs().iter().enumerate() {
                if !self
                    .edges
                    .iter()
                    .any(|edge| edge.to == index && edge.to_port == port_index)
                {
                    return Err(WorkflowError::UnconnectedInput {
                        node: node.name.clone(),
                        port: port.name.clone(),
                    });
                }
            }
        }
        let order = topological_order(self.nodes.len(), &self.edges).map_err(|cycle| {
            WorkflowError::Cycle {
                cycle: cycle.iter().map(|&i| self.nodes[i].name.clone()).collect(),
            }
        })?;
        Ok(Workflow {
            nodes: self.nodes.into(),
            edges: self.edges,
            order,
        })
    }

    fn endpoint(&self, text: &str, side: Side) -> Result<(usize, usize), WorkflowError> {
        let (node_name, port_name) = match text.split_once('.') {
            Some((node, port)) => (node, Some(port)),
            None => (text, None),
        };
        let node_index = self
            .nodes
            .iter()
            .position(|node| node.name == node_name)
            .ok_or_else(|| WorkflowError::UnknownNode {
                node: node_name.to_owned(),
                endpoint: text.to_owned(),
            })?;
        let node = &self.nodes[node_index];
        let ports = match side {
            Side::Input => node.inputs(),
            Side::Output => node.outputs(),
        };
        let found = match port_name {
            Some(name) => ports.iter().position(|port| port.name == name),
            None if ports.len() == 1 => Some(0),
            None => None,
        };
        found
            .map(|port| (node_index, port))
            .ok_or_else(|| WorkflowError::UnknownPort {
                node: node.name.clone(),
                operator: node.operator.spec().name.clone(),
                direction: side.name(),
                port: port_name.unwrap_or_default().to_owned(),
                available: ports.iter().map(|port| port.name.clone()).collect(),
            })
    }
}

#[derive(Clone, Copy)]
enum Side {
    Input,
    Output,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Input => "input",
            Side::Output => "output",
        }
    }
}

/// Kahn's algorithm; on a cycle, returns one cycle (first node repeated at the end).
fn topological_order(count: usize, edges: &[Edge]) -> Result<Vec<usize>, Vec<usize>> {
    let mut indegree = vec![0usize; count];
    for edge in edges {
        indegree[edge.to] += 1;
    }
    let mut ready: Vec<usize> = (0..count).rev().filter(|&n| indegree[n] == 0).collect();
    let mut order = Vec::with_capacity(count);
    while let Some(node) = ready.pop() {
        order.push(node);
        for edge in edges.iter().filter(|edge| edge.from == node) {
            indegree[edge.to] -= 1;
            if indegree[edge.to] == 0 {
                ready.push(edge.to);
            }
        }
    }
    if order.len() == count {
        return Ok(order);
    }
    // Every node left has a predecessor that is also left: walk backwards until a repeat.
    let start = (0..count).find(|&n| indegree[n] > 0).unwrap_or(0);
    let mut path = vec![start];
    let mut current = start;
    loop {
        let Some(previous) = edges
            .iter()
            .find(|edge| edge.to == current && indegree[edge.from] > 0)
            .map(|edge| edge.from)
        else {
            return Err(path);
        };
        if let Some(position) = path.iter().position(|&n| n == previous) {
            let mut cycle: Vec<usize> = path[position..].to_vec();
            cycle.reverse();
            cycle.push(cycle[0]);
            return Err(cycle);
        }
        path.push(previous);
        current = previous;
    }
}

/// A checked workflow, ready to run (any number of times).
pub struct Workflow {
    /// Shared with the threads a run's nodes run on.
    pub(crate) nodes: Arc<[Node]>,
    pub(crate) edges: Vec<Edge>,
    pub(crate) order: Vec<usize>,
}

impl std::fmt::Debug for Workflow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self
            .order
            .iter()
            .map(|&i| self.nodes[i].name.as_str())
            .collect();
        f.debug_struct("Workflow").field("order", &names).finish()
    }
}

impl Workflow {
    /// A new builder.
    pub fn builder() -> WorkflowBuilder {
        WorkflowBuilder::default()
    }

    /// The node names in the order they start (a topological order).
    pub fn node_names(&self) -> impl Iterator<Item = &str> {
        self.order.iter().map(|&i| self.nodes[i].name.as_str())
    }

    /// A JSON description of the workflow (nodes with operators and parameters, and
    /// connections); a checkpoint is only resumed by a workflow with the same description.
    pub fn describe(&self) -> Value {
        let nodes: Vec<Value> = self
            .nodes
            .iter()
            .map(|node| {
                serde_json::json!({
                    "name": node.name,
                    "operator": node.operator.spec().name,
                    "params": node.params,
                })
            })
            .collect();
        let edges: Vec<String> = self
            .edges
            .iter()
            .map(|edge| {
                let from = &self.nodes[edge.from];
                let to = &self.nodes[edge.to];
                format!(
                    "{}.{} -> {}.{}",
                    from.name,
                    from.outputs()[edge.from_port].name,
                    to.name,
                    to.inputs()[edge.to_port].name
                )
            })
            .collect();
        serde_json::json!({ "nodes": nodes, "edges": edges })
    }
}
