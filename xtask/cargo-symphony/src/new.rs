//! `cargo symphony new <name> --kind instrument|operator|motif [--umbrella] [--sdk-path DIR]`:
//! a new extension crate that builds and whose `cargo test` passes as created.
//!
//! It holds a `symphony.toml` asking for no permissions (the least grants; the comment says
//! how to add one), a `build.rs` that checks that manifest at build time, `src/main.rs`
//! serving one small part of its kind, and `tests/smoke.rs`, which runs the crate's own
//! binary through the handshake and one request of its kind. The templates are the files in
//! `templates/`, embedded here, so they are edited as the files they produce.
//!
//! The SDK dependency is the focused crate of the kind, or with `--umbrella` the umbrella
//! (`symphony-sdk`, library `symphony`) with that kind's feature: the focused crate is written
//! first and then migrated with [`crate::migrate`], so both styles come from one template.
//! With `--sdk-path DIR` the dependency is a path into an SDK checkout, for an unpublished
//! SDK; otherwise it is this tool's version from crates.io.

use std::fs;
use std::path::{Path, PathBuf};

use crate::check;
use crate::migrate::{self, Style};

/// The kinds of extension `new` can create.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// Wraps a model: `symphony_instruments`.
    Instrument,
    /// Transforms data: `symphony_operators`.
    Operator,
    /// Shows UI: `symphony_motifs`.
    Motif,
}

impl Kind {
    /// `instrument`, `operator` or `motif`.
    pub fn parse(text: &str) -> Option<Kind> {
        match text {
            "instrument" => Some(Kind::Instrument),
            "operator" => Some(Kind::Operator),
            "motif" => Some(Kind::Motif),
            _ => None,
        }
    }

    /// The focused crate, which is also its folder in an SDK checkout.
    pub fn crate_name(self) -> &'static str {
        match self {
            Kind::Instrument => "symphony_instruments",
            Kind::Operator => "symphony_operators",
            Kind::Motif => "symphony_motifs",
        }
    }

    /// The template files of this kind: `src/main.rs` and `symphony.toml`.
    fn templates(self) -> (&'static str, &'static str) {
        match self {
            Kind::Instrument => (
                include_str!("../templates/instrument/main.rs"),
                include_str!("../templates/instrument/symphony.toml"),
            ),
            Kind::Operator => (
                include_str!("../templates/operator/main.rs"),
                include_str!("../templates/operator/symphony.toml"),
            ),
            Kind::Motif => (
                include_str!("../templates/motif/main.rs"),
                include_str!("../templates/motif/symphony.toml"),
            ),
        }
    }

    /// The request the smoke test sends, its params, and text its result must contain.
    fn smoke_request(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Kind::Instrument => ("instrument/info", "null", "shout"),
            Kind::Operator => ("operator/list", "null", "csv.read"),
            Kind::Motif => (
                "motif/render",
                r#"{ "component": "hello" }"#,
                "Hello, clicked 0 times",
            ),
        }
    }

    /// Dependencies the kind's template uses besides the SDK.
    fn extra_dependencies(self) -> &'static str {
        match self {
            Kind::Motif => "serde = { version = \"1\", features = [\"derive\"] }\n",
            Kind::Instrument | Kind::Operator => "",
        }
    }
}

/// What `new` was asked to create.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewOptions {
    /// The crate's name, also its folder and the name part of its extension id.
    pub name: String,
    /// Its kind.
    pub kind: Kind,
    /// Whether it depends on the umbrella instead of the focused crate.
    pub umbrella: bool,
    /// A checkout of the SDK to depend on by path, instead of crates.io.
    pub sdk_path: Option<PathBuf>,
}

impl NewOptions {
    /// Parses `<name> --kind K [--umbrella] [--sdk-path DIR]`.
    pub fn parse(args: &[String]) -> Result<NewOptions, String> {
        let (mut name, mut kind, mut umbrella, mut sdk_path) = (None, None, false, None);
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--kind" => {
                    let text = args
                        .next()
                        .ok_or("`--kind` needs instrument, operator or motif")?;
                    kind = Some(Kind::parse(text).ok_or_else(|| {
                        format!("`--kind {text}`: the kinds are instrument, operator and motif")
                    })?);
                }
                "--umbrella" => umbrella = true,
                "--sdk-path" => {
                    sdk_path = Some(PathBuf::from(
                        args.next()
                            .ok_or("`--sdk-path` needs the SDK checkout's directory")?,
                    ));
                }
                other if other.starts_with('-') => {
                    return Err(format!("`new` does not understand {other:?}"));
                }
                other if name.is_none() => name = Some(other.to_owned()),
                other => return Err(format!("`new` takes one name, got {other:?} too")),
            }
        }
        Ok(NewOptions {
            name: name.ok_or("`new` needs the name of the crate to create")?,
            kind: kind.ok_or("`new` needs `--kind instrument|operator|motif`")?,
            umbrella,
            sdk_path,
        })
    }
}

/// Creates the crate in `parent/<name>` and returns its directory. Refuses an existing
/// directory, a name that cannot be an extension id, and an SDK path without the kind's
/// crate; on any later failure the half-made directory is removed.
pub fn create(parent: &Path, options: &NewOptions) -> Result<PathBuf, String> {
    check_name(&options.name)?;
    let dir = parent.join(&options.name);
    if dir.exists() {
        return Err(format!("{} already exists", dir.display()));
    }
    let result = write(&dir, options);
    if result.is_err() {
        // Nothing of ours is worth keeping, and a retry needs the name free.
        let _ = fs::remove_dir_all(&dir);
    }
    result.map(|()| dir)
}

fn write(dir: &Path, options: &NewOptions) -> Result<(), String> {
    let kind = options.kind;
    let sdk = match &options.sdk_path {
        Some(path) => {
            let path = path
                .canonicalize()
                .map_err(|error| format!("--sdk-path {}: {error}", path.display()))?;
            let focused = path.join(kind.crate_name());
            if !focused.join("Cargo.toml").is_file() {
                return Err(format!(
                    "--sdk-path {}: no {}/Cargo.toml there; give the SDK checkout's root",
                    path.display(),
                    kind.crate_name()
                ));
            }
            let quoted = toml_edit::Value::from(focused.display().to_string());
            format!("{} = {{ path = {quoted} }}", kind.crate_name())
        }
        None => {
            let version = env!("CARGO_PKG_VERSION");
            let minor = version.rsplit_once('.').map_or(version, |(minor, _)| minor);
            format!("{} = \"{minor}\"", kind.crate_name())
        }
    };
    let id = format!("local.{}", options.name);
    let (method, params, expect) = kind.smoke_request();
    let fill = |template: &str| {
        template
            .replace("@NAME@", &options.name)
            .replace("@ID@", &id)
            .replace("@SDK@", &sdk)
            .replace("@EXTRA_DEPS@", kind.extra_dependencies())
            .replace("@CRATE@", kind.crate_name())
            .replace("@METHOD@", method)
            .replace("@PARAMS@", params)
            .replace("@EXPECT@", expect)
    };
    let (main, manifest) = kind.templates();
    let files = [
        (
            "Cargo.toml",
            fill(include_str!("../templates/Cargo.toml.in")),
        ),
        ("build.rs", fill(include_str!("../templates/build.rs.in"))),
        (check::MANIFEST_FILE, fill(manifest)),
        ("src/main.rs", fill(main)),
        (
            "tests/smoke.rs",
            fill(include_str!("../templates/smoke.rs.in")),
        ),
    ];
    for (name, text) in &files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .map_err(|error| format!("cannot create {}: {error}", parent.display()))?;
        }
        fs::write(&path, text)
            .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
    }
    // What we wrote must be a valid manifest; a template bug stops here, not at build time.
    check::load(dir)?;
    if options.umbrella {
        for change in migrate::plan(dir, Style::Unified).map_err(|error| error.to_string())? {
            fs::write(&change.path, &change.new)
                .map_err(|error| format!("cannot write {}: {error}", change.path.display()))?;
        }
    }
    Ok(())
}

/// A crate name that is also a valid name part of an extension id: lowercase ASCII letters,
/// digits and `-`, starting with a letter and not ending with `-`.
fn check_name(name: &str) -> Result<(), String> {
    let valid = name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "{name:?} cannot name an extension: use lowercase letters, digits and `-`, \
             starting with a letter (it becomes the crate name and the id `local.{name}`)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_cannot_be_ids_are_refused() {
        for bad in ["", "Hello", "9lives", "my_ext", "ext-", "a.b"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
        assert!(check_name("csv-tidy2").is_ok());
    }

    #[test]
    fn every_kind_writes_a_valid_manifest_and_an_existing_directory_is_refused() {
        let parent = tempfile::tempdir().expect("temp dir");
        for kind in [Kind::Instrument, Kind::Operator, Kind::Motif] {
            let options = NewOptions {
                name: format!("x-{}", kind.crate_name().replace('_', "-")),
                kind,
                umbrella: false,
                sdk_path: None,
            };
            let dir = create(parent.path(), &options).expect("created");
            let manifest = check::load(&dir).expect("valid manifest");
            assert_eq!(manifest.id().as_str(), format!("local.{}", options.name));
            let cargo = fs::read_to_string(dir.join("Cargo.toml")).expect("Cargo.toml");
            assert!(
                cargo.contains(&format!("{} = \"", kind.crate_name())),
                "{cargo}"
            );
            let error = create(parent.path(), &options).expect_err("exists");
            assert!(error.contains("already exists"), "{error}");
        }
    }

    #[test]
    fn an_sdk_path_without_the_kind_crate_is_refused_and_leaves_nothing() {
        let parent = tempfile::tempdir().expect("temp dir");
        let options = NewOptions {
            name: "ext".to_owned(),
            kind: Kind::Operator,
            umbrella: false,
            sdk_path: Some(parent.path().to_owned()),
        };
        let error = create(parent.path(), &options).expect_err("no SDK there");
        assert!(
            error.contains("no symphony_operators/Cargo.toml"),
            "{error}"
        );
        assert!(!parent.path().join("ext").exists());
    }
}
