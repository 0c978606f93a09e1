//! The throwaway crate built for one kind and configuration: the example's own source,
//! manifest and build script in a temp dir, with path dependencies on the real SDK crates.
//!
//! Only the SDK dependency differs between configurations: the focused crate as the example
//! declares it, or `symphony` with `default-features = false` and either the kind's feature
//! (plus the backend features the example asks for) or `full`. For the umbrella, every
//! source file gets one alias, `use symphony::operators as symphony_operators;`, so the
//! example's paths resolve unchanged. The workspace's `Cargo.lock` is copied in, so every
//! configuration resolves the same dependency versions as the workspace itself.

use std::fs;
use std::path::{Path, PathBuf};

use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, Value};

use super::error::BuildTimesError;
use super::kinds::{Config, Kind};

/// The umbrella crate's package name (a dependency key needs no `package =` then).
const UMBRELLA: &str = "symphony-sdk";
/// The umbrella's library name, which the sources' paths start with.
const UMBRELLA_LIB: &str = "symphony";
/// The umbrella's folder in the workspace.
const UMBRELLA_DIR: &str = "symphony";

/// Writes the crate for `kind` built as `config` into `dir` (which must exist).
pub(crate) fn generate(
    root: &Path,
    kind: Kind,
    config: Config,
    dir: &Path,
) -> Result<(), BuildTimesError> {
    let example = root.join("examples").join(kind.example);
    let manifest = manifest(root, &example, kind, config)?;
    write(&dir.join("Cargo.toml"), &manifest)?;
    copy(&root.join("Cargo.lock"), &dir.join("Cargo.lock"))?;
    copy(&example.join("symphony.toml"), &dir.join("symphony.toml"))?;

    let alias = match config {
        Config::Direct => None,
        Config::OneFeature | Config::Full => Some(alias_line(kind)),
    };
    let build_script = example.join("build.rs");
    if build_script.exists() {
        copy_source(&build_script, &dir.join("build.rs"), alias.as_deref())?;
    }
    copy_sources(&example.join("src"), &dir.join("src"), alias.as_deref())
}

/// The line that makes `symphony_operators::…` mean `symphony::operators::…`.
fn alias_line(kind: Kind) -> String {
    format!(
        "#[allow(unused_imports)]\nuse {UMBRELLA_LIB}::{} as {};\n",
        kind.name, kind.focused
    )
}

/// The standalone Cargo.toml for `example` built as `config`: the example's own manifest
/// (targets, features, `default-run` kept) with what a standalone crate cannot inherit
/// written out, dev-dependencies and lints dropped (a build uses neither), and, for the
/// umbrella, the focused crate replaced by `symphony` in dependencies and features.
fn manifest(
    root: &Path,
    example: &Path,
    kind: Kind,
    config: Config,
) -> Result<String, BuildTimesError> {
    let root_manifest = root.join("Cargo.toml");
    let workspace = parse(&root_manifest)?;
    let workspace_dependencies = workspace
        .get("workspace")
        .and_then(|workspace| workspace.get("dependencies"))
        .and_then(Item::as_table_like)
        .ok_or_else(|| BuildTimesError::Manifest {
            path: root_manifest.clone(),
            reason: "no [workspace.dependencies] table".to_owned(),
        })?;
    let example_manifest = example.join("Cargo.toml");
    let mut document = parse(&example_manifest)?;

    let package = document
        .get_mut("package")
        .and_then(Item::as_table_mut)
        .ok_or_else(|| BuildTimesError::Manifest {
            path: example_manifest.clone(),
            reason: "no [package] table".to_owned(),
        })?;
    // Inherited fields (`version.workspace = true`, …) and metadata irrelevant to a build go;
    // what identifies and drives the build (name, default-run, build script) stays.
    let inherited: Vec<String> = package
        .iter()
        .filter(|(_, value)| value.get("workspace").is_some())
        .map(|(key, _)| key.to_owned())
        .collect();
    for key in inherited
        .iter()
        .map(String::as_str)
        .chain(["description", "license"])
    {
        package.remove(key);
    }
    package.insert("version", toml_edit::value("0.0.0"));
    package.insert("edition", toml_edit::value("2024"));
    package.insert("publish", toml_edit::value(false));
    document.remove("dev-dependencies");
    document.remove("lints");
    // An empty [workspace]: the crate is its own workspace, not a member of an enclosing one.
    document.insert("workspace", Item::Table(Table::new()));

    for section in ["dependencies", "build-dependencies"] {
        let Some(dependencies) = document.get(section).and_then(Item::as_table_like) else {
            continue;
        };
        let mut table = Table::new();
        for (dependency, entry) in dependencies.iter() {
            let location = Location {
                manifest: &example_manifest,
                section,
                dependency,
            };
            let resolved = resolve(entry, &location, workspace_dependencies, root, example)?;
            if dependency == kind.focused && config != Config::Direct {
                let features = umbrella_features(kind, config, &resolved);
                let umbrella = umbrella_entry(root, features);
                table.insert(UMBRELLA, Item::Value(Value::InlineTable(umbrella)));
            } else {
                table.insert(dependency, Item::Value(Value::InlineTable(resolved)));
            }
        }
        document.insert(section, Item::Table(table));
    }
    if config != Config::Direct
        && let Some(features) = document
            .get_mut("features")
            .and_then(Item::as_table_like_mut)
    {
        for (_, enables) in features.iter_mut() {
            if let Some(enables) = enables.as_array_mut() {
                for value in enables.iter_mut() {
                    if let Some(renamed) = value.as_str().and_then(|f| umbrella_feature(kind, f)) {
                        *value = Value::from(renamed);
                    }
                }
            }
        }
    }
    Ok(document.to_string())
}

/// A feature reference to the focused crate (`symphony_motifs/tauri`,
/// `symphony_motifs?/tauri`, `dep:symphony_motifs`) rewritten to the umbrella, which
/// forwards each backend feature under the same name; `None` for any other reference.
fn umbrella_feature(kind: Kind, reference: &str) -> Option<String> {
    if reference.strip_prefix("dep:") == Some(kind.focused) {
        return Some(format!("dep:{UMBRELLA}"));
    }
    let (krate, feature) = reference.split_once('/')?;
    let weak = krate.ends_with('?');
    (krate.trim_end_matches('?') == kind.focused).then(|| {
        let marker = if weak { "?" } else { "" };
        format!("{UMBRELLA}{marker}/{feature}")
    })
}

/// Where a dependency entry is, for error messages.
struct Location<'a> {
    manifest: &'a Path,
    section: &'a str,
    dependency: &'a str,
}

impl Location<'_> {
    fn error(&self, reason: &str) -> BuildTimesError {
        BuildTimesError::Manifest {
            path: self.manifest.to_owned(),
            reason: format!("[{}] {}: {reason}", self.section, self.dependency),
        }
    }
}

/// The dependency as a standalone inline table: `workspace = true` replaced by the
/// workspace's entry (with the member's extra features), relative paths made absolute.
fn resolve(
    entry: &Item,
    location: &Location<'_>,
    workspace_dependencies: &dyn toml_edit::TableLike,
    root: &Path,
    example: &Path,
) -> Result<InlineTable, BuildTimesError> {
    let member = inline(entry).ok_or_else(|| location.error("not a version or a table"))?;
    let inherits = member
        .get("workspace")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let (mut resolved, base) = if inherits {
        let shared = workspace_dependencies
            .get(location.dependency)
            .and_then(inline)
            .ok_or_else(|| {
                location.error("`workspace = true` but [workspace.dependencies] has no such entry")
            })?;
        (shared, root)
    } else {
        (member.clone(), example)
    };
    if let Some(path) = resolved.get("path").and_then(Value::as_str) {
        let absolute = base.join(path);
        resolved.insert("path", Value::from(absolute.to_string_lossy().as_ref()));
    }
    if inherits {
        let mut features = strings(resolved.get("features"));
        for feature in strings(member.get("features")) {
            if !features.contains(&feature) {
                features.push(feature);
            }
        }
        if !features.is_empty() {
            resolved.insert("features", Value::Array(features.iter().collect::<Array>()));
        }
        for key in ["optional", "package"] {
            if let Some(value) = member.get(key) {
                resolved.insert(key, value.clone());
            }
        }
    }
    Ok(resolved)
}

/// The umbrella's features for `config`: the kind's (with the backends the example enables
/// on the focused crate, which the umbrella forwards under the same names), or `full`.
fn umbrella_features(kind: Kind, config: Config, focused_entry: &InlineTable) -> Vec<String> {
    match config {
        Config::Full => vec!["full".to_owned()],
        Config::Direct | Config::OneFeature => {
            let mut features = vec![kind.name.to_owned()];
            features.extend(strings(focused_entry.get("features")));
            features
        }
    }
}

fn umbrella_entry(root: &Path, features: Vec<String>) -> InlineTable {
    let mut entry = InlineTable::new();
    let path = root.join(UMBRELLA_DIR);
    entry.insert("path", Value::from(path.to_string_lossy().as_ref()));
    entry.insert("default-features", Value::from(false));
    entry.insert("features", Value::Array(features.iter().collect::<Array>()));
    entry
}

/// A dependency entry as an inline table: `"1.0"` becomes `{ version = "1.0" }`.
fn inline(item: &Item) -> Option<InlineTable> {
    match item {
        Item::Value(Value::String(version)) => {
            let mut table = InlineTable::new();
            table.insert("version", Value::from(version.value().as_str()));
            Some(table)
        }
        Item::Value(Value::InlineTable(table)) => Some(table.clone()),
        Item::Table(table) => Some(table.clone().into_inline_table()),
        _ => None,
    }
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|array| {
            array
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn parse(path: &Path) -> Result<DocumentMut, BuildTimesError> {
    let text = fs::read_to_string(path).map_err(|source| BuildTimesError::Io {
        action: "read",
        path: path.to_owned(),
        source,
    })?;
    text.parse().map_err(|error| BuildTimesError::Manifest {
        path: path.to_owned(),
        reason: format!("not valid TOML: {error}"),
    })
}

/// Copies the `.rs` tree under `from` to `to`, giving each file the alias if there is one.
fn copy_sources(from: &Path, to: &Path, alias: Option<&str>) -> Result<(), BuildTimesError> {
    fs::create_dir_all(to).map_err(|source| BuildTimesError::Io {
        action: "create",
        path: to.to_owned(),
        source,
    })?;
    let entries = fs::read_dir(from).map_err(|source| BuildTimesError::Io {
        action: "list",
        path: from.to_owned(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| BuildTimesError::Io {
            action: "list",
            path: from.to_owned(),
            source,
        })?;
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_sources(&path, &target, alias)?;
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            copy_source(&path, &target, alias)?;
        } else {
            copy(&path, &target)?;
        }
    }
    Ok(())
}

fn copy_source(from: &Path, to: &Path, alias: Option<&str>) -> Result<(), BuildTimesError> {
    let text = fs::read_to_string(from).map_err(|source| BuildTimesError::Io {
        action: "read",
        path: from.to_owned(),
        source,
    })?;
    let text = match alias {
        Some(alias) => with_alias(&text, alias),
        None => text,
    };
    write(to, &text)
}

/// `source` with `alias` inserted after its leading inner doc comments and attributes,
/// which must stay first in a file.
fn with_alias(source: &str, alias: &str) -> String {
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let leading =
            trimmed.is_empty() || trimmed.starts_with("//!") || trimmed.starts_with("#![");
        if !leading {
            break;
        }
        offset += line.len();
    }
    let (head, tail) = source.split_at(offset);
    format!("{head}{alias}{tail}")
}

fn copy(from: &Path, to: &Path) -> Result<(), BuildTimesError> {
    fs::copy(from, to)
        .map(drop)
        .map_err(|source| BuildTimesError::Io {
            action: "copy",
            path: from.to_owned(),
            source,
        })
}

fn write(path: &Path, text: &str) -> Result<(), BuildTimesError> {
    fs::write(path, text).map_err(|source| BuildTimesError::Io {
        action: "write",
        path: path.to_owned(),
        source,
    })
}

/// The directory of one configuration: `target/build-times/<kind>-<config>`.
pub(crate) fn build_dir(base: &Path, kind: Kind, config: Config) -> PathBuf {
    base.join(format!("{}-{}", kind.name, config.slug()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build_times::kinds::KINDS;

    fn operators() -> Kind {
        KINDS
            .iter()
            .copied()
            .find(|kind| kind.name == "operators")
            .expect("operators is a kind")
    }

    fn motifs() -> Kind {
        KINDS
            .iter()
            .copied()
            .find(|kind| kind.name == "motifs")
            .expect("motifs is a kind")
    }

    #[test]
    fn feature_references_to_the_focused_crate_move_to_the_umbrella() {
        let kind = motifs();
        assert_eq!(
            umbrella_feature(kind, "symphony_motifs/tauri").as_deref(),
            Some("symphony-sdk/tauri")
        );
        assert_eq!(
            umbrella_feature(kind, "symphony_motifs?/tauri").as_deref(),
            Some("symphony-sdk?/tauri")
        );
        assert_eq!(
            umbrella_feature(kind, "dep:symphony_motifs").as_deref(),
            Some("dep:symphony-sdk")
        );
        assert_eq!(umbrella_feature(kind, "serde/derive"), None);
        assert_eq!(umbrella_feature(kind, "preview"), None);
    }

    #[test]
    fn targets_and_features_of_the_example_are_kept() {
        let root = crate::workspace::root();
        let example = root.join("examples/counter-panel");
        let direct = manifest(&root, &example, motifs(), Config::Direct).expect("direct");
        let one = manifest(&root, &example, motifs(), Config::OneFeature).expect("one");
        for text in [&direct, &one] {
            assert!(text.contains("name = \"counter-panel-preview\""), "{text}");
            assert!(text.contains("default-run = \"counter-panel\""), "{text}");
            assert!(!text.contains("[lints]"), "{text}");
            assert!(!text.contains(".workspace = true"), "{text}");
            assert!(!text.contains("workspace = true"), "{text}");
            assert!(!text.contains("[dev-dependencies]"), "{text}");
        }
        assert!(direct.contains("\"symphony_motifs/tauri\""), "{direct}");
        assert!(one.contains("preview = [\"symphony-sdk/tauri\"]"), "{one}");
    }

    #[test]
    fn the_alias_goes_after_inner_docs_and_attributes() {
        let source = "//! Docs.\n//!\n#![allow(x)]\n\nmod clean;\nuse a::b;\n";
        assert_eq!(
            with_alias(source, "use s::o as so;\n"),
            "//! Docs.\n//!\n#![allow(x)]\n\nuse s::o as so;\nmod clean;\nuse a::b;\n"
        );
        assert_eq!(with_alias("fn main() {}\n", "A\n"), "A\nfn main() {}\n");
        assert_eq!(with_alias("", "A\n"), "A\n");
    }

    #[test]
    fn the_three_manifests_differ_only_in_the_sdk_dependency() {
        let root = crate::workspace::root();
        let example = root.join("examples/csv-cleaner");
        let kind = operators();
        let path = |crate_dir: &str| root.join(crate_dir).to_string_lossy().into_owned();

        let direct = manifest(&root, &example, kind, Config::Direct).expect("direct");
        let one = manifest(&root, &example, kind, Config::OneFeature).expect("one feature");
        let full = manifest(&root, &example, kind, Config::Full).expect("full");

        let focused = format!(
            "symphony_operators = {{ path = \"{}\", version = \"=0.1.0\", default-features = false }}",
            path("symphony_operators")
        );
        assert!(direct.contains(&focused), "{direct}");
        assert!(direct.contains("[workspace]"), "{direct}");
        assert!(direct.contains("serde_json = { version = "), "{direct}");

        let umbrella = |features: &str| {
            format!(
                "symphony-sdk = {{ path = \"{}\", default-features = false, features = [{features}] }}",
                path("symphony")
            )
        };
        assert_eq!(
            one,
            direct.replace(&focused, &umbrella("\"operators\"")),
            "only the SDK line differs"
        );
        assert_eq!(full, direct.replace(&focused, &umbrella("\"full\"")));
        // The build script's dependency is swapped too.
        assert_eq!(one.matches("symphony-sdk = {").count(), 2, "{one}");
    }

    #[test]
    fn generate_writes_a_crate_with_aliased_sources_for_the_umbrella() {
        let root = crate::workspace::root();
        let dir = tempfile::tempdir().expect("temp dir");
        generate(&root, operators(), Config::OneFeature, dir.path()).expect("generates");
        for file in [
            "Cargo.toml",
            "Cargo.lock",
            "symphony.toml",
            "build.rs",
            "src/main.rs",
        ] {
            assert!(dir.path().join(file).is_file(), "{file} is missing");
        }
        let main = fs::read_to_string(dir.path().join("src/main.rs")).expect("main.rs");
        let original =
            fs::read_to_string(root.join("examples/csv-cleaner/src/main.rs")).expect("original");
        assert_eq!(
            main,
            with_alias(&original, &alias_line(operators())),
            "the source is the example's plus the alias"
        );
        assert!(main.contains("use symphony::operators as symphony_operators;"));

        let direct = tempfile::tempdir().expect("temp dir");
        generate(&root, operators(), Config::Direct, direct.path()).expect("generates");
        assert_eq!(
            fs::read_to_string(direct.path().join("src/main.rs")).expect("main.rs"),
            original
        );
    }
}
