//! Command-line arguments, read with `std::env::args`.

use std::path::PathBuf;

/// What the user asked for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Command {
    /// Print the usage text.
    Help,
    /// Inspect a manifest.
    Inspect(Options),
}

/// Options of an inspection.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Options {
    /// The manifest; `None` means the example manifest shipped with this program.
    pub(crate) manifest: Option<PathBuf>,
    /// Host config values (JSON) to validate against the manifest's schema.
    pub(crate) config: Option<PathBuf>,
    /// Print the config schema as JSON Schema instead of the summary.
    pub(crate) json_schema: bool,
}

pub(crate) const USAGE: &str = "\
inspect: validate a Symphony extension manifest and show what it asks for

USAGE:
    cargo run -p inspect -- [MANIFEST] [--config VALUES.json] [--json-schema]

ARGS:
    MANIFEST              symphony.toml (or a .json manifest) to inspect;
                          defaults to the example manifest beside this program's Cargo.toml

OPTIONS:
    --config VALUES.json  also validate host-provided config values (a JSON object)
                          against the manifest's [config] schema and show them with
                          defaults applied (secrets are shown as ***)
    --json-schema         print the [config] schema as JSON Schema (draft 2020-12)
                          instead of the summary
    -h, --help            show this help

EXIT STATUS:
    0 valid, 1 invalid manifest or config values, 2 bad command line";

/// Parses the arguments after the program name.
pub(crate) fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut options = Options {
        manifest: None,
        config: None,
        json_schema: false,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--json-schema" => options.json_schema = true,
            "--config" => {
                let path = args
                    .next()
                    .ok_or("--config needs a file: --config values.json")?;
                options.config = Some(PathBuf::from(path));
            }
            option if option.starts_with("--config=") => {
                options.config = Some(PathBuf::from(&option["--config=".len()..]));
            }
            option if option.starts_with('-') && option != "-" => {
                return Err(format!("unknown option `{option}`"));
            }
            path if options.manifest.is_none() => options.manifest = Some(PathBuf::from(path)),
            extra => return Err(format!("unexpected argument `{extra}`: give one manifest")),
        }
    }
    Ok(Command::Inspect(options))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|arg| (*arg).to_owned()).collect()
    }

    #[test]
    fn parses_every_form() {
        assert_eq!(
            parse(args(&["m.toml", "--config", "v.json", "--json-schema"])),
            Ok(Command::Inspect(Options {
                manifest: Some("m.toml".into()),
                config: Some("v.json".into()),
                json_schema: true,
            }))
        );
        assert_eq!(
            parse(args(&["--config=v.json"])),
            Ok(Command::Inspect(Options {
                manifest: None,
                config: Some("v.json".into()),
                json_schema: false,
            }))
        );
        assert_eq!(parse(args(&["m.toml", "--help"])), Ok(Command::Help));
    }

    #[test]
    fn rejects_bad_command_lines() {
        assert!(parse(args(&["--config"])).is_err_and(|e| e.contains("needs a file")));
        assert!(parse(args(&["--verbose"])).is_err_and(|e| e.contains("unknown option")));
        assert!(parse(args(&["a.toml", "b.toml"])).is_err_and(|e| e.contains("unexpected")));
    }
}
