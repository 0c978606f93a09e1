//! An operator extension's `main`: [`main!`](crate::main) or [`run`].
//!
//! The author writes one function that registers the extension's operators; the SDK gets
//! the embedded manifest (its errors printed with their place), checks that the manifest's
//! `[operator]` ports are the ports of a served operator, serves stdio (the kernel sandbox
//! applied before any thread starts, when the host asks for it) and sets the exit code.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;

use symphony_core::manifest::{EmbeddedManifest, Manifest, OperatorPort};

use crate::error::OperatorError;
use crate::operator::{Operator, PortSpec};
use crate::serve::serve_operators;

/// The operators an extension serves, by name; filled by the author's `setup`.
///
/// ```
/// use symphony_operators::{Operators, ops};
///
/// let mut operators = Operators::new();
/// operators.add_builtins()?;
/// assert!(operators.names().any(|name| name == "csv.read"));
/// // A second operator with a name already served is refused, naming it.
/// let error = operators.add(ops::CsvRead).unwrap_err();
/// assert!(error.to_string().contains("csv.read"));
/// # Ok::<(), symphony_operators::OperatorError>(())
/// ```
#[derive(Default, Clone)]
pub struct Operators {
    by_name: BTreeMap<String, Arc<dyn Operator>>,
}

impl std::fmt::Debug for Operators {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.by_name.keys()).finish()
    }
}

impl Operators {
    /// No operators yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Serves `operator`.
    ///
    /// # Errors
    ///
    /// [`OperatorError::InvalidSpec`] if its description has mistakes, or if an operator of
    /// the same name is already served.
    pub fn add(&mut self, operator: impl Operator + 'static) -> Result<(), OperatorError> {
        self.add_shared(Arc::new(operator))
    }

    /// Serves an operator that is shared with other code.
    ///
    /// # Errors
    ///
    /// As [`add`](Self::add).
    pub fn add_shared(&mut self, operator: Arc<dyn Operator>) -> Result<(), OperatorError> {
        let spec = operator.spec();
        spec.check()?;
        if self.by_name.contains_key(&spec.name) {
            return Err(OperatorError::InvalidSpec {
                operator: spec.name.clone(),
                problems: vec!["another operator of this name is already served".to_owned()],
            });
        }
        self.by_name.insert(spec.name.clone(), operator);
        Ok(())
    }

    /// Serves every built-in operator ([`ops::all`](crate::ops::all)).
    ///
    /// # Errors
    ///
    /// As [`add`](Self::add), if one of them is already served.
    pub fn add_builtins(&mut self) -> Result<(), OperatorError> {
        for operator in crate::ops::all() {
            self.add_shared(operator)?;
        }
        Ok(())
    }

    /// The names of the operators, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }

    /// Checks that the ports `manifest` declares in its `[operator]` section are exactly the
    /// ports of one served operator (the manifest describes the extension's main operator).
    /// A manifest that declares no ports, or has no `[operator]` section, is not compared.
    ///
    /// # Errors
    ///
    /// [`OperatorError::ManifestPorts`] naming the served operator closest to the manifest
    /// and each port that differs.
    pub fn check_manifest(&self, manifest: &Manifest) -> Result<(), OperatorError> {
        let Some(section) = manifest.operator() else {
            return Ok(());
        };
        if section.inputs.is_empty() && section.outputs.is_empty() {
            return Ok(());
        }
        let mut closest: Option<(&str, Vec<String>)> = None;
        for (name, operator) in &self.by_name {
            let spec = operator.spec();
            let mut problems = port_differences("input", &section.inputs, &spec.inputs);
            problems.extend(port_differences("output", &section.outputs, &spec.outputs));
            if problems.is_empty() {
                return Ok(());
            }
            if closest
                .as_ref()
                .is_none_or(|(_, fewest)| problems.len() < fewest.len())
            {
                closest = Some((name, problems));
            }
        }
        let (operator, problems) = closest.unwrap_or_default();
        Err(OperatorError::ManifestPorts {
            operator: operator.to_owned(),
            problems,
        })
    }
}

/// How the manifest's ports on one side differ from an operator's.
fn port_differences(side: &str, declared: &[OperatorPort], real: &[PortSpec]) -> Vec<String> {
    let mut problems = Vec::new();
    for port in declared {
        match real.iter().find(|r| r.name == port.name) {
            None => problems.push(format!(
                "the manifest declares {side} `{}` ({}), the operator has no such {side}",
                port.name, port.port_type
            )),
            Some(r) if r.port_type != port.port_type => problems.push(format!(
                "{side} `{}` is {} in the manifest but {} in the operator",
                port.name, port.port_type, r.port_type
            )),
            Some(_) => {}
        }
    }
    for port in real {
        if !declared.iter().any(|d| d.name == port.name) {
            problems.push(format!(
                "the operator's {side} `{}` ({}) is missing from the manifest",
                port.name, port.port_type
            ));
        }
    }
    problems
}

impl IntoIterator for Operators {
    type Item = Arc<dyn Operator>;
    type IntoIter = std::collections::btree_map::IntoValues<String, Arc<dyn Operator>>;

    fn into_iter(self) -> Self::IntoIter {
        self.by_name.into_values()
    }
}

/// Runs an operator extension: the manifest, the author's `setup`, then stdio until the host
/// says `exit`. Called by [`main!`](crate::main), which passes the embedded manifest.
///
/// Any error before serving (a broken manifest, `setup` failing, the manifest's ports not
/// matching the operators) is printed to stderr as `<binary>: <error>` and exits with 1.
pub fn run<S>(manifest: &'static EmbeddedManifest, setup: S) -> ExitCode
where
    S: FnOnce(&mut Operators) -> Result<(), OperatorError>,
{
    match prepare(manifest, setup) {
        Ok((manifest, operators)) => serve_operators(manifest, operators),
        Err(message) => {
            eprintln!("{}: {message}", binary_name());
            ExitCode::FAILURE
        }
    }
}

/// The manifest and the operators `setup` registers, checked against each other.
pub(crate) fn prepare<S>(
    manifest: &'static EmbeddedManifest,
    setup: S,
) -> Result<(Manifest, Operators), String>
where
    S: FnOnce(&mut Operators) -> Result<(), OperatorError>,
{
    // The errors name the file, and each the line and column.
    let manifest = manifest.get().map_err(ToString::to_string)?;
    let mut operators = Operators::new();
    setup(&mut operators).map_err(|error| error.to_string())?;
    operators
        .check_manifest(manifest)
        .map_err(|error| error.to_string())?;
    Ok((manifest.clone(), operators))
}

fn binary_name() -> String {
    std::env::args_os()
        .next()
        .map(std::path::PathBuf::from)
        .and_then(|path| path.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "extension".to_owned())
}

/// An operator extension's `main`: `symphony_operators::main!(setup);` where `setup` is
/// `fn(&mut Operators) -> Result<(), OperatorError>` registering the operators.
///
/// It embeds the crate's `symphony.toml` (or the file given second, relative to the crate's
/// `Cargo.toml`) and expands to
/// `fn main() -> ExitCode { symphony_operators::run(embed_manifest!(), setup) }` (see
/// [`run`](crate::run)).
///
/// ```no_run
/// use symphony_operators::{OperatorError, Operators};
///
/// fn setup(operators: &mut Operators) -> Result<(), OperatorError> {
///     operators.add_builtins()?;
///     Ok(())
/// }
///
/// // In an extension with `symphony.toml` beside `Cargo.toml`: `main!(setup);`.
/// symphony_operators::main!(setup, "src/sample.toml");
/// ```
#[macro_export]
macro_rules! main {
    ($setup:path) => {
        fn main() -> ::std::process::ExitCode {
            $crate::run($crate::embed_manifest!(), $setup)
        }
    };
    ($setup:path, $manifest:literal) => {
        fn main() -> ::std::process::ExitCode {
            $crate::run($crate::embed_manifest!($manifest), $setup)
        }
    };
}
