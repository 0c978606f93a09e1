//! The `Operator` trait and what describes an operator.

use serde_json::{Map, Value};
use symphony_core::config::{ConfigSchema, ConfigValues};
use symphony_core::manifest::{OperatorCategory, OperatorPort, OperatorPortType};

use crate::error::OperatorError;
use crate::io::Io;
use crate::stage::Streaming;

/// A named, typed input or output of an operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortSpec {
    /// Name, unique among the operator's inputs (or outputs).
    pub name: String,
    /// What flows through the port.
    pub port_type: OperatorPortType,
}

impl PortSpec {
    /// A port called `name` carrying `port_type`.
    pub fn new(name: impl Into<String>, port_type: OperatorPortType) -> Self {
        Self {
            name: name.into(),
            port_type,
        }
    }
}

impl From<&OperatorPort> for PortSpec {
    fn from(port: &OperatorPort) -> Self {
        Self::new(port.name.clone(), port.port_type)
    }
}

/// What an operator is: its name, category, ports and parameter schema.
///
/// Built with [`OperatorSpec::new`] and its chained methods; a mistake in the description
/// (two ports or parameters with one name, a default that does not fit its parameter) is
/// kept and reported by [`check`](Self::check), which runs when the operator is registered
/// or put in a workflow, naming the operator and the mistake.
///
/// ```
/// use symphony_operators::{OperatorSpec, Param};
/// use symphony_operators::manifest::{OperatorCategory, OperatorPortType};
///
/// let spec = OperatorSpec::new("text.shout", OperatorCategory::Transform)
///     .describe("Upper-cases a column")
///     .input("records", OperatorPortType::Records)
///     .output("records", OperatorPortType::Records)
///     .param(Param::string("column").required().describe("The column to shout"))
///     .param(Param::boolean("trim").default(false));
/// spec.check()?;
/// assert_eq!(spec.params.get("column").map(|p| p.is_required()), Some(true));
///
/// let typo = OperatorSpec::new("text.shout", OperatorCategory::Transform)
///     .param(Param::integer("limit").default("ten"));
/// assert!(typo.check().unwrap_err().to_string().contains("limit"));
/// # Ok::<(), symphony_operators::OperatorError>(())
/// ```
#[derive(Debug, Clone)]
pub struct OperatorSpec {
    /// The name a host and a workflow refer to it by, such as `csv.read`.
    pub name: String,
    /// One line saying what it does.
    pub description: String,
    /// What kind of work it does.
    pub category: OperatorCategory,
    /// Its inputs.
    pub inputs: Vec<PortSpec>,
    /// Its outputs.
    pub outputs: Vec<PortSpec>,
    /// Its parameters.
    pub params: ConfigSchema,
    // Mistakes made while building, reported by `check`.
    problems: Vec<String>,
}

impl OperatorSpec {
    /// An operator called `name` doing `category` work, with no ports and no parameters yet.
    pub fn new(name: impl Into<String>, category: OperatorCategory) -> Self {
        Self {
            name: name.into(),
            description: String::new(),
            category,
            inputs: Vec::new(),
            outputs: Vec::new(),
            params: ConfigSchema::new(),
            problems: Vec::new(),
        }
    }

    /// Sets the one-line description.
    #[must_use]
    pub fn describe(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// Adds an input port.
    #[must_use]
    pub fn input(mut self, name: impl Into<String>, port_type: OperatorPortType) -> Self {
        add_port(
            &mut self.inputs,
            &mut self.problems,
            "input",
            name.into(),
            port_type,
        );
        self
    }

    /// Adds an output port.
    #[must_use]
    pub fn output(mut self, name: impl Into<String>, port_type: OperatorPortType) -> Self {
        add_port(
            &mut self.outputs,
            &mut self.problems,
            "output",
            name.into(),
            port_type,
        );
        self
    }

    /// Adds a parameter.
    #[must_use]
    pub fn param(mut self, param: Param) -> Self {
        let Param { name, field } = param;
        if self.params.get(&name).is_some() {
            self.problems
                .push(format!("parameter `{name}` is declared twice"));
            return self;
        }
        let mut fields = match serde_json::to_value(&self.params) {
            Ok(Value::Object(fields)) => fields,
            _ => Map::new(),
        };
        fields.insert(name.clone(), Value::Object(field));
        match serde_json::from_value::<ConfigSchema>(Value::Object(fields)) {
            Ok(params) => self.params = params,
            Err(error) => self.problems.push(format!("parameter `{name}`: {error}")),
        }
        self
    }

    /// Replaces the whole parameter schema (one written in TOML or JSON, say).
    #[must_use]
    pub fn params(mut self, params: ConfigSchema) -> Self {
        self.params = params;
        self
    }

    /// Notes a mistake found while building, for [`check`](Self::check).
    pub(crate) fn problem(mut self, problem: String) -> Self {
        self.problems.push(problem);
        self
    }

    /// Whether the description was built without mistakes.
    ///
    /// # Errors
    ///
    /// [`OperatorError::InvalidSpec`] naming the operator and every mistake.
    pub fn check(&self) -> Result<(), OperatorError> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(OperatorError::InvalidSpec {
                operator: self.name.clone(),
                problems: self.problems.clone(),
            })
        }
    }
}

/// Adds port `name` to `ports` (one side of a spec), noting a second port of that name.
fn add_port(
    ports: &mut Vec<PortSpec>,
    problems: &mut Vec<String>,
    side: &str,
    name: String,
    port_type: OperatorPortType,
) {
    if ports.iter().any(|port| port.name == name) {
        problems.push(format!("{side} port `{name}` is declared twice"));
    }
    ports.push(PortSpec::new(name, port_type));
}

/// One parameter of an operator, for [`OperatorSpec::param`].
///
/// Start from its type ([`string`](Self::string), [`path`](Self::path) …), then say whether
/// it is [`required`](Self::required), its [`default`](Self::default) and what it is for.
#[derive(Debug, Clone)]
pub struct Param {
    name: String,
    field: Map<String, Value>,
}

impl Param {
    fn typed(name: impl Into<String>, type_name: &str) -> Self {
        let mut field = Map::new();
        field.insert("type".to_owned(), Value::from(type_name));
        Self {
            name: name.into(),
            field,
        }
    }

    /// A text parameter.
    pub fn string(name: impl Into<String>) -> Self {
        Self::typed(name, "string")
    }

    /// A file or directory path (checked against the session's grants when it is used).
    pub fn path(name: impl Into<String>) -> Self {
        Self::typed(name, "path")
    }

    /// `true` or `false`.
    pub fn boolean(name: impl Into<String>) -> Self {
        Self::typed(name, "boolean")
    }

    /// A 64-bit signed integer.
    pub fn integer(name: impl Into<String>) -> Self {
        Self::typed(name, "integer")
    }

    /// A finite 64-bit float.
    pub fn float(name: impl Into<String>) -> Self {
        Self::typed(name, "float")
    }

    /// One of `values`.
    pub fn one_of<S: Into<String>>(
        name: impl Into<String>,
        values: impl IntoIterator<Item = S>,
    ) -> Self {
        let values: Vec<Value> = values.into_iter().map(|v| Value::from(v.into())).collect();
        Self::typed(name, "enum").with("values", Value::Array(values))
    }

    /// A list of strings (column names, say).
    pub fn strings(name: impl Into<String>) -> Self {
        let mut items = Map::new();
        items.insert("type".to_owned(), Value::from("string"));
        Self::typed(name, "array").with("items", Value::Object(items))
    }

    /// The host must give it (unless it has a default).
    #[must_use]
    pub fn required(self) -> Self {
        self.with("required", Value::Bool(true))
    }

    /// Its value when none is given (checked against the type when the spec is built).
    #[must_use]
    pub fn default(self, value: impl Into<Value>) -> Self {
        self.with("default", value.into())
    }

    /// What it is for, shown to users.
    #[must_use]
    pub fn describe(self, description: impl Into<String>) -> Self {
        self.with("description", Value::from(description.into()))
    }

    /// Sets any other key of the parameter's schema (`min`, `max`, `pattern` …, as in a
    /// manifest's `[config]` table); an unknown key is reported by [`OperatorSpec::check`].
    #[must_use]
    pub fn with(mut self, key: &str, value: Value) -> Self {
        self.field.insert(key.to_owned(), value);
        self
    }
}

/// A synchronous data operator.
///
/// An operator is configured once per use with [`configure`](Self::configure) (parameters
/// checked against its schema, then [`task`](Self::task) compiles them into a [`Task`]),
/// so a bad parameter is reported when a workflow is built, not halfway through a file. The
/// task then runs on its own thread, reading its inputs and writing its outputs through
/// [`Io`].
///
/// Operators are object-safe and `Send + Sync`: a host keeps `Box<dyn Operator>`s (or `Arc`s)
/// in a map and shares them between threads.
pub trait Operator: Send + Sync {
    /// The operator's description.
    fn spec(&self) -> &OperatorSpec;

    /// Compiles validated parameters into a runnable task.
    ///
    /// # Errors
    ///
    /// [`OperatorError::InvalidParam`] for a parameter that fits the schema but cannot be used.
    fn task(&self, params: &ConfigValues) -> Result<Box<dyn Task>, OperatorError>;

    /// Checks `params` (a JSON object) against the schema, then makes the [`task`](Self::task).
    ///
    /// # Errors
    ///
    /// [`OperatorError::InvalidParams`] naming every offending parameter, or what `task`
    /// returns.
    fn configure(&self, params: &Value) -> Result<Box<dyn Task>, OperatorError> {
        let values = self
            .spec()
            .params
            .validate(params)
            .map_err(OperatorError::InvalidParams)?;
        self.task(&values)
    }
}

/// A configured operator, ready to run (any number of times).
pub trait Task: Send + Sync {
    /// Processes the inputs into the outputs. Returning `Ok` ends every output cleanly;
    /// returning an error (or panicking) tells the downstream nodes that their input failed,
    /// so they discard what they have instead of completing partial output.
    ///
    /// # Errors
    ///
    /// Whatever went wrong, naming the port, column, row or path.
    fn run(&self, io: &mut Io<'_>) -> Result<(), OperatorError>;

    /// The task's chunk-by-chunk form, if it has one input and handles it one chunk at a time;
    /// a workflow then runs it on the thread of the node feeding it, with no hand-off between
    /// threads per chunk. Such a task's [`run`](Self::run) is usually
    /// [`stage::drive`](crate::stage::drive).
    fn streaming(&self) -> Option<&dyn Streaming> {
        None
    }
}

/// Typed access to an operator's checked parameters, in [`Operator::task`].
///
/// ```
/// use symphony_operators::{OperatorSpec, Param, ParamValues};
/// use symphony_operators::manifest::OperatorCategory;
///
/// let spec = OperatorSpec::new("demo", OperatorCategory::Custom)
///     .param(Param::integer("limit").default(10))
///     .param(Param::string("column"));
/// let values = spec.params.validate(&serde_json::json!({}))?;
/// assert_eq!(values.require::<u32>("limit")?, 10);
/// assert_eq!(values.optional::<String>("column")?, None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait ParamValues {
    /// A parameter the schema makes required or gives a default.
    ///
    /// # Errors
    ///
    /// [`OperatorError::InvalidParam`] naming it, if it is missing or not a `T`.
    fn require<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<T, OperatorError>;

    /// A parameter that may be absent.
    ///
    /// # Errors
    ///
    /// [`OperatorError::InvalidParam`] naming it, if it is not a `T`.
    fn optional<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
    ) -> Result<Option<T>, OperatorError>;
}

impl ParamValues for ConfigValues {
    fn require<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<T, OperatorError> {
        required(self, name)
    }

    fn optional<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
    ) -> Result<Option<T>, OperatorError> {
        param(self, name)
    }
}

/// Reads an optional parameter, mapping a conversion error to [`OperatorError::InvalidParam`].
pub(crate) fn param<T: serde::de::DeserializeOwned>(
    values: &ConfigValues,
    name: &str,
) -> Result<Option<T>, OperatorError> {
    values
        .get(name)
        .map_err(|error| OperatorError::InvalidParam {
            name: name.to_owned(),
            reason: error.to_string(),
        })
}

/// Reads a parameter that the schema makes required or gives a default.
pub(crate) fn required<T: serde::de::DeserializeOwned>(
    values: &ConfigValues,
    name: &str,
) -> Result<T, OperatorError> {
    param(values, name)?.ok_or_else(|| OperatorError::InvalidParam {
        name: name.to_owned(),
        reason: "missing".to_owned(),
    })
}
