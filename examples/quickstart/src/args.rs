//! The command line: options, their defaults, and the help text.

use std::ffi::OsString;
use std::path::PathBuf;

/// Where the bundled data set is: beside this crate's `Cargo.toml`.
const BUNDLED_CSV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/iris.csv");

/// The report's path unless `--out` says otherwise (relative to the current directory).
const DEFAULT_OUT: &str = "target/quickstart/report.html";

/// The variable naming the ONNX Runtime library for `--backend onnxruntime`.
pub(crate) const ORT_LIBRARY_VAR: &str = "SYMPHONY_ORT_LIBRARY";

pub(crate) const HELP: &str = "\
quickstart: the Symphony extension SDK end to end, in one command.

It starts three example extensions, each as its own process talking the Orchestra Kit
protocol (JSON-RPC over stdin/stdout), grants each only what it needs, and runs:

  1. operator    reads the CSV and validates it (the SDK's built-in csv.read and validate)
  2. instrument  scores every row with the iris classifier (ONNX, built-in pure-Rust tract)
  3. motif       renders the results as an HTML page, which the quickstart writes to disk

and prints what each step took, what each extension was allowed, and the class counts.

USAGE:
    cargo run -p quickstart -- [OPTIONS]

OPTIONS:
    --csv <PATH>        The rows to score: a CSV file with the columns sepal_length,
                        sepal_width, petal_length and petal_width (cm), and optionally name
                        [default: the bundled examples/quickstart/data/iris.csv]
    --out <PATH>        Where to write the HTML report
                        [default: target/quickstart/report.html]
    --backend <ENGINE>  The ONNX engine: tract (built in, nothing to install) or onnxruntime
                        (the library named by SYMPHONY_ORT_LIBRARY) [default: tract]
    --quiet             Print only the path of the report
    -h, --help          Print this help
";

/// The ONNX engine the instrument runs the model on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Backend {
    /// The pure-Rust engine compiled into the binary.
    Tract,
    /// ONNX Runtime, loaded from this library.
    OnnxRuntime(PathBuf),
}

impl Backend {
    /// The engine's name, as `--backend` spells it.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Backend::Tract => "tract",
            Backend::OnnxRuntime(_) => "onnxruntime",
        }
    }
}

/// What the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Options {
    pub(crate) csv: PathBuf,
    pub(crate) out: PathBuf,
    pub(crate) backend: Backend,
    pub(crate) quiet: bool,
}

/// What the command line asks for: a run, or the help text.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Command {
    Run(Options),
    Help,
}

/// A command line that cannot be run; the message says what to change.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum UsageError {
    /// An option this program does not have.
    #[error("unknown option `{0}` (see --help)")]
    Unknown(String),
    /// An option without its value.
    #[error("`{0}` needs a value (see --help)")]
    MissingValue(&'static str),
    /// `--backend` with an engine this program does not have.
    #[error("--backend `{0}`: choose tract or onnxruntime")]
    UnknownBackend(String),
    /// `--backend onnxruntime` without a library to load.
    #[error(
        "--backend onnxruntime loads ONNX Runtime from the library named by {ORT_LIBRARY_VAR}, \
         which is not set; set it to the path of libonnxruntime (`cargo xtask ci` installs one \
         in .venv), or use --backend tract"
    )]
    NoOrtLibrary,
}

/// Parses the arguments after the program name; `ort_library` is the value of
/// [`ORT_LIBRARY_VAR`].
pub(crate) fn parse(
    args: impl IntoIterator<Item = OsString>,
    ort_library: Option<OsString>,
) -> Result<Command, UsageError> {
    let mut csv = PathBuf::from(BUNDLED_CSV);
    let mut out = PathBuf::from(DEFAULT_OUT);
    let mut backend = "tract".to_owned();
    let mut quiet = false;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let Some(text) = arg.to_str() else {
            return Err(UsageError::Unknown(arg.to_string_lossy().into_owned()));
        };
        // `--name=value` and `--name value` both work.
        let (name, inline) = match text.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name, Some(OsString::from(value))),
            _ => (text, None),
        };
        let mut value = |option: &'static str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or(UsageError::MissingValue(option))
        };
        match name {
            "-h" | "--help" => return Ok(Command::Help),
            "--quiet" | "-q" => quiet = true,
            "--csv" => csv = value("--csv")?.into(),
            "--out" => out = value("--out")?.into(),
            "--backend" => backend = value("--backend")?.to_string_lossy().into_owned(),
            _ => return Err(UsageError::Unknown(text.to_owned())),
        }
    }
    let backend = match backend.as_str() {
        "tract" => Backend::Tract,
        "onnxruntime" => {
            let library = ort_library
                .filter(|path| !path.is_empty())
                .ok_or(UsageError::NoOrtLibrary)?;
            Backend::OnnxRuntime(library.into())
        }
        _ => return Err(UsageError::UnknownBackend(backend)),
    };
    Ok(Command::Run(Options {
        csv,
        out,
        backend,
        quiet,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str], ort: Option<&str>) -> Result<Command, UsageError> {
        parse(args.iter().map(OsString::from), ort.map(OsString::from))
    }

    #[test]
    fn defaults_use_the_bundled_csv_and_tract() {
        let Ok(Command::Run(options)) = run(&[], None) else {
            panic!("no arguments is a run");
        };
        assert!(options.csv.ends_with("data/iris.csv"));
        assert_eq!(options.out, PathBuf::from(DEFAULT_OUT));
        assert_eq!(options.backend, Backend::Tract);
        assert!(!options.quiet);
    }

    #[test]
    fn values_come_inline_or_as_the_next_argument() {
        let Ok(Command::Run(options)) = run(
            &[
                "--csv",
                "a.csv",
                "--out=r.html",
                "--backend=onnxruntime",
                "-q",
            ],
            Some("/lib/libonnxruntime.so"),
        ) else {
            panic!("a valid command line");
        };
        assert_eq!(options.csv, PathBuf::from("a.csv"));
        assert_eq!(options.out, PathBuf::from("r.html"));
        assert_eq!(
            options.backend,
            Backend::OnnxRuntime("/lib/libonnxruntime.so".into())
        );
        assert!(options.quiet);
    }

    #[test]
    fn bad_command_lines_say_what_is_wrong() {
        assert_eq!(run(&["--help", "--nope"], None), Ok(Command::Help));
        assert_eq!(
            run(&["--nope"], None),
            Err(UsageError::Unknown("--nope".into()))
        );
        assert_eq!(
            run(&["--csv"], None),
            Err(UsageError::MissingValue("--csv"))
        );
        assert_eq!(
            run(&["--backend", "cuda"], None),
            Err(UsageError::UnknownBackend("cuda".into()))
        );
        assert_eq!(
            run(&["--backend", "onnxruntime"], Some("")),
            Err(UsageError::NoOrtLibrary)
        );
    }
}
