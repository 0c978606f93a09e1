//! Example: validate a `symphony.toml` and show what the extension asks for.
//!
//! ```text
//! cargo run -p inspect                                   # the example manifest beside Cargo.toml
//! cargo run -p inspect -- path/to/symphony.toml --config values.json
//! cargo run -p inspect -- path/to/symphony.toml --json-schema
//! ```
//!
//! Uses the SDK only through the umbrella crate, as an operator author would:
//! `symphony::operators::manifest` and `symphony::operators::config`.

mod args;
mod summary;

use std::path::Path;
use std::process::ExitCode;

use symphony::operators::manifest::Manifest;

use args::{Command, Options};

fn main() -> ExitCode {
    match args::parse(std::env::args().skip(1)) {
        Ok(Command::Help) => {
            println!("{}", args::USAGE);
            ExitCode::SUCCESS
        }
        Ok(Command::Inspect(options)) => inspect(&options),
        Err(message) => {
            eprintln!("inspect: {message}\n\n{}", args::USAGE);
            ExitCode::from(2)
        }
    }
}

fn inspect(options: &Options) -> ExitCode {
    let path = options
        .manifest
        .clone()
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("symphony.toml"));
    let manifest = match Manifest::from_path(&path) {
        Ok(manifest) => manifest,
        Err(errors) => {
            eprintln!("{errors}");
            return ExitCode::FAILURE;
        }
    };

    if options.json_schema {
        return match serde_json::to_string_pretty(&manifest.config().to_json_schema()) {
            Ok(schema) => {
                println!("{schema}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("inspect: cannot print the JSON Schema: {error}");
                ExitCode::FAILURE
            }
        };
    }

    print!("{}", summary::manifest(&manifest));
    match &options.config {
        Some(values_path) => check_values(&manifest, values_path),
        None => ExitCode::SUCCESS,
    }
}

fn check_values(manifest: &Manifest, path: &Path) -> ExitCode {
    let values = std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read {}: {error}", path.display()))
        .and_then(|text| {
            serde_json::from_str(&text)
                .map_err(|error| format!("{} is not valid JSON: {error}", path.display()))
        });
    let values = match values {
        Ok(values) => values,
        Err(message) => {
            eprintln!("inspect: {message}");
            return ExitCode::FAILURE;
        }
    };
    match manifest.config().validate(&values) {
        Ok(config) => {
            print!("{}", summary::values(manifest.config(), &config));
            ExitCode::SUCCESS
        }
        Err(errors) => {
            eprintln!("{}: {errors}", path.display());
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use symphony::operators::manifest::{EmbeddedManifest, ExtensionKind};

    /// The example manifest stays valid, and the embedding macro works through the umbrella.
    #[test]
    fn shipped_manifest_is_valid() {
        static MANIFEST: &EmbeddedManifest = symphony::operators::manifest::embed_manifest!();
        let manifest = MANIFEST.get().unwrap_or_else(|errors| panic!("{errors}"));
        assert_eq!(manifest.kind(), ExtensionKind::Operator);
        assert_eq!(manifest.config().len(), 7);
    }
}
