//! `cargo symphony new <name> --kind instrument|operator|motif [--umbrella] [--sdk-path DIR]`:
//! a new extension crate that builds and whose `cargo test` passes as created.
//!
//! It is the crate the kind's guide (`docs/guides/<kind>.md`) builds, under the new name: a
//! `symphony.toml` asking for no permissions (the least grants), `src/main.rs` serving one
//! small part of its kind through `main!(setup)`, and `tests/smoke.rs`, which spawns the
//! crate's own binary through the kind's `testing` host and calls it with a typed method; plus
//! a `build.rs` that checks the manifest at build time. The templates in `templates/` are the
//! guides' files with their names as placeholders, and a test keeps them equal.
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

    /// The template files of this kind, which are the files of its guide
    /// (`docs/guides/<kind>.md`) with the guide's names as placeholders: `Cargo.toml`,
    /// `symphony.toml`, `src/main.rs` and `tests/smoke.rs`.
    fn templates(self) -> [(&'static str, &'static str); 4] {
        match self {
            Kind::Instrument => [
                (
                    "Cargo.toml",
                    include_str!("../templates/instrument/Cargo.toml"),
                ),
                (
                    "symphony.toml",
                    include_str!("../templates/instrument/symphony.toml"),
                ),
                (
                    "src/main.rs",
                    include_str!("../templates/instrument/main.rs"),
                ),
                (
                    "tests/smoke.rs",
                    include_str!("../templates/instrument/smoke.rs"),
                ),
            ],
            Kind::Operator => [
                (
                    "Cargo.toml",
                    include_str!("../templates/operator/Cargo.toml"),
                ),
                (
                    "symphony.toml",
                    include_str!("../templates/operator/symphony.toml"),
                ),
                ("src/main.rs", include_str!("../templates/operator/main.rs")),
                (
                    "tests/smoke.rs",
                    include_str!("../templates/operator/smoke.rs"),
                ),
            ],
            Kind::Motif => [
                ("Cargo.toml", include_str!("../templates/motif/Cargo.toml")),
                (
                    "symphony.toml",
                    include_str!("../templates/motif/symphony.toml"),
                ),
                ("src/main.rs", include_str!("../templates/motif/main.rs")),
                (
                    "tests/smoke.rs",
                    include_str!("../templates/motif/smoke.rs"),
                ),
            ],
        }
    }

    /// The guide whose files the templates are, and the names it uses for what `new`
    /// substitutes: the crate, the extension id and the manifest's display name.
    #[cfg(test)]
    fn guide(self) -> (&'static str, [&'static str; 3]) {
        match self {
            Kind::Instrument => ("instrument.md", ["shout", "acme.shout", "Shout"]),
            Kind::Operator => ("operator.md", ["shout", "acme.shout", "Shout"]),
            Kind::Motif => (
                "motif.md",
                ["hello-panel", "acme.hello-panel", "Hello panel"],
            ),
        }
    }
}

/// How the SDK is depended on: a path into a checkout, or a version from crates.io.
enum Sdk {
    Path(PathBuf),
    Version(String),
}

impl Sdk {
    /// The dependency line on `krate`, with `features` if any.
    fn dependency(&self, krate: &str, features: &[&str]) -> String {
        let features = if features.is_empty() {
            String::new()
        } else {
            let list: Vec<String> = features.iter().map(|f| format!("\"{f}\"")).collect();
            format!(", features = [{}]", list.join(", "))
        };
        match self {
            Sdk::Path(path) => {
                let quoted = toml_edit::Value::from(path.join(krate).display().to_string());
                format!("{krate} = {{ path = {quoted}{features} }}")
            }
            Sdk::Version(version) if features.is_empty() => format!("{krate} = \"{version}\""),
            Sdk::Version(version) => format!("{krate} = {{ version = \"{version}\"{features} }}"),
        }
    }
}

/// Fills a template: the crate's name, id, display name and SDK dependency lines.
fn fill(template: &str, kind: Kind, names: [&str; 3], sdk: &Sdk) -> String {
    let [name, id, title] = names;
    template
        .replace("@NAME@", name)
        .replace("@ID@", id)
        .replace("@TITLE@", title)
        .replace("@DEPENDENCY@", &sdk.dependency(kind.crate_name(), &[]))
        .replace(
            "@DEV_DEPENDENCY@",
            &sdk.dependency(kind.crate_name(), &["testing"]),
        )
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
            if !path.join(kind.crate_name()).join("Cargo.toml").is_file() {
                return Err(format!(
                    "--sdk-path {}: no {}/Cargo.toml there; give the SDK checkout's root",
                    path.display(),
                    kind.crate_name()
                ));
            }
            Sdk::Path(path)
        }
        None => {
            let version = env!("CARGO_PKG_VERSION");
            let minor = version.rsplit_once('.').map_or(version, |(minor, _)| minor);
            Sdk::Version(minor.to_owned())
        }
    };
    let id = format!("local.{}", options.name);
    let names = [options.name.as_str(), id.as_str(), options.name.as_str()];
    let mut files: Vec<(&str, String)> = kind
        .templates()
        .into_iter()
        .map(|(path, template)| (path, fill(template, kind, names, &sdk)))
        .collect();
    // Beyond the guide: the manifest is also checked at build time, naming field and line.
    if let Some((_, cargo)) = files.iter_mut().find(|(path, _)| *path == "Cargo.toml") {
        cargo.push_str("\n[build-dependencies]\n");
        cargo.push_str(&sdk.dependency(kind.crate_name(), &[]));
        cargo.push('\n');
    }
    let build = include_str!("../templates/build.rs.in").replace("@CRATE@", kind.crate_name());
    files.push(("build.rs", build));
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

    /// `new` writes what the guide of its kind teaches: filled with the guide's names and
    /// `@SDK@` as the checkout, each template is the guide's file of the same name (which
    /// `cargo xtask guides` builds and tests), so the two cannot drift apart.
    #[test]
    fn the_templates_are_the_guides_files() {
        let guides = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/guides");
        for kind in [Kind::Instrument, Kind::Operator, Kind::Motif] {
            let (guide, names) = kind.guide();
            let text = fs::read_to_string(guides.join(guide)).expect("the guide");
            let files = crate::guide::files(&text).expect("the guide's files");
            let sdk = Sdk::Path(PathBuf::from("@SDK@"));
            for (path, template) in kind.templates() {
                let file = files
                    .iter()
                    .find(|file| file.path == path)
                    .unwrap_or_else(|| panic!("{guide} has no `file={path}` block"));
                assert_eq!(
                    fill(template, kind, names, &sdk),
                    file.text,
                    "templates of {kind:?}, {path}: not the file of {guide} (line {})",
                    file.line
                );
            }
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
