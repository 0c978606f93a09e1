//! A node's operator with its parameters, before it is added to a workflow.

use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::operator::Operator;

/// An operator and the parameters to configure it with, for
/// [`WorkflowBuilder::then`](super::WorkflowBuilder::then) and
/// [`node`](super::WorkflowBuilder::node).
///
/// The built-in operators make typed steps (`ops::CsvRead::path(p)`,
/// `ops::RegexFilter::pattern(p).column("email")` …), which convert into this; for any other
/// operator, name the parameters: a name the operator does not take, or a value of the wrong
/// type, fails when the step is added, naming the node and the parameter.
///
/// ```
/// use symphony_operators::ops;
/// use symphony_operators::workflow::{Step, Workflow, WorkflowError};
///
/// let mut builder = Workflow::builder();
/// let error = builder
///     .node("keep", Step::of(ops::RegexFilter).param("pattern", "^a").param("colum", "name"))
///     .unwrap_err();
/// assert!(error.to_string().contains("colum"), "{error}");
/// ```
#[derive(Clone)]
pub struct Step {
    pub(crate) operator: Arc<dyn Operator>,
    pub(crate) params: Map<String, Value>,
    // Parameters that could not be turned into JSON, reported when the step is added.
    pub(crate) problems: Vec<String>,
}

impl std::fmt::Debug for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Step")
            .field("operator", &self.operator.spec().name)
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

impl Step {
    /// `operator` with no parameters yet.
    pub fn of(operator: impl Operator + 'static) -> Self {
        Self::shared(Arc::new(operator))
    }

    /// A shared `operator` with no parameters yet.
    pub fn shared(operator: Arc<dyn Operator>) -> Self {
        Self {
            operator,
            params: Map::new(),
            problems: Vec::new(),
        }
    }

    /// A shared `operator` with `params`, a JSON object (as a host sends them); anything
    /// else than an object is reported when the step is added.
    pub fn with_json(operator: Arc<dyn Operator>, params: Value) -> Self {
        let mut step = Self::shared(operator);
        match params {
            Value::Object(params) => step.params = params,
            Value::Null => {}
            other => step
                .problems
                .push(format!("parameters must be a JSON object, not `{other}`")),
        }
        step
    }

    /// Sets parameter `name` to `value` (anything that serialises to JSON).
    #[must_use]
    pub fn param(mut self, name: &str, value: impl Serialize) -> Self {
        match serde_json::to_value(value) {
            Ok(value) => {
                self.params.insert(name.to_owned(), value);
            }
            Err(error) => self.problems.push(format!("parameter `{name}`: {error}")),
        }
        self
    }

    /// The operator.
    pub fn operator(&self) -> &Arc<dyn Operator> {
        &self.operator
    }
}

impl<O: Operator + 'static> From<O> for Step {
    fn from(operator: O) -> Self {
        Self::of(operator)
    }
}
