//! Reading a document tree into a [`Manifest`], collecting every problem.

use semver::{Version, VersionReq};

use super::activation::ActivationEvent;
use super::error::{ManifestError, ManifestErrors};
use super::id::ExtensionId;
use super::kind::ExtensionKind;
use super::locate::Locator;
use super::model::{KindSection, Manifest};
use super::{instrument, motif, operator, permissions};
use crate::config::load;
use crate::document::{FieldPath, Node, Reader, Table};
use crate::version::api_version;

const KEYS: [&str; 14] = [
    "id",
    "name",
    "version",
    "kind",
    "description",
    "authors",
    "license",
    "engine",
    "permissions",
    "activation",
    "config",
    "instrument",
    "operator",
    "motif",
];

/// Reads and validates a whole manifest. `source` is the text the tree came from, if any, to
/// turn spans into line and column numbers.
pub(crate) fn manifest(node: &Node, source: Option<&str>) -> Result<Manifest, ManifestErrors> {
    let source = Locator::new(source);
    let source = &source;
    let root = FieldPath::Root("");
    let mut reader = Reader::new();
    // Problems that are not about a single field's shape (engine, kind sections).
    let mut other: Vec<ManifestError> = Vec::new();
    let Some(mut table) = reader.table(node, &root) else {
        return Err(errors(reader, other, source));
    };

    let id = table.required("id", &root, &mut reader).and_then(|node| {
        let text = reader.string(node, &root.key("id"))?;
        ExtensionId::parse_reason(text)
            .map_err(|reason| reader.invalid(node, &root.key("id"), reason))
            .ok()
    });
    let name = table
        .required("name", &root, &mut reader)
        .and_then(|node| reader.non_empty_string(node, &root.key("name")))
        .map(str::to_owned);
    let version = table
        .required("version", &root, &mut reader)
        .and_then(|node| version(node, &root.key("version"), &mut reader));
    let kind_node = table.required("kind", &root, &mut reader);
    let kind =
        kind_node.and_then(|node| reader.one_of(node, &root.key("kind"), &ExtensionKind::CHOICES));
    let description = table
        .get("description")
        .and_then(|node| reader.string(node, &root.key("description")))
        .map(str::to_owned);
    let authors = table
        .get("authors")
        .map(|node| authors(node, &root.key("authors"), &mut reader))
        .unwrap_or_default();
    let license = table
        .get("license")
        .and_then(|node| license(node, &root.key("license"), &mut reader));
    let engine = table
        .required("engine", &root, &mut reader)
        .and_then(|node| engine(node, &root.key("engine"), &mut reader, source, &mut other));
    let permissions = table
        .get("permissions")
        .map(|node| permissions::read(node, &root.key("permissions"), &mut reader))
        .unwrap_or_default();
    let activation = table
        .get("activation")
        .map(|node| activation(node, &root.key("activation"), &mut reader))
        .unwrap_or_default();
    let config = table
        .get("config")
        .map(|node| load::schema(node, &root.key("config"), &mut reader))
        .unwrap_or_default();
    let section = match kind {
        Some(kind) => section(
            kind,
            kind_node,
            &mut table,
            &root,
            &mut reader,
            source,
            &mut other,
        ),
        None => {
            // Without a valid kind (already reported) the sections are not unknown fields; if
            // there is exactly one, it is surely the intended kind, so check it as well.
            let present: Vec<ExtensionKind> = ExtensionKind::ALL
                .into_iter()
                .filter(|kind| table.get(kind.as_str()).is_some())
                .collect();
            if let [only] = present.as_slice()
                && let Some(node) = table.get(only.as_str())
            {
                read_section(*only, node, &root, &mut reader);
            }
            None
        }
    };
    table.finish(&root, &KEYS, &mut reader);

    if reader.has_issues() || !other.is_empty() {
        return Err(errors(reader, other, source));
    }
    match (id, name, version, engine, section) {
        (Some(id), Some(name), Some(version), Some(engine), Some(section)) => Ok(Manifest {
            id,
            name,
            version,
            description,
            authors,
            license,
            engine,
            permissions,
            activation,
            config,
            section,
        }),
        // Every `None` above comes with a reported issue, so this is not reached; still,
        // never return an empty error list.
        _ => Err(ManifestErrors::new(vec![ManifestError::InvalidValue {
            path: "manifest".to_owned(),
            reason: "incomplete manifest".to_owned(),
            location: None,
        }])),
    }
}

/// All problems, field issues and others together, in source order where it is known.
fn errors(reader: Reader, other: Vec<ManifestError>, source: &Locator<'_>) -> ManifestErrors {
    let (mut issues, unlisted) = reader.into_issues();
    // Located in ascending order, each line of the source is read at most once.
    issues.sort_by_key(|issue| issue.span.as_ref().map_or(usize::MAX, |span| span.start));
    let mut errors: Vec<ManifestError> = issues
        .into_iter()
        .map(|issue| ManifestError::from_issue(issue, source))
        .chain(other)
        .collect();
    // Stable, so errors without a location (JSON input) keep the order they were found in.
    errors.sort_by_key(ManifestError::location);
    ManifestErrors::new(errors).with_unlisted(unlisted)
}

fn version(node: &Node, path: &FieldPath<'_>, reader: &mut Reader) -> Option<Version> {
    let text = reader.string(node, path)?;
    Version::parse(text)
        .map_err(|error| {
            reader.invalid(
                node,
                path,
                format!("`{text}` is not a semantic version such as `1.2.3`: {error}"),
            );
        })
        .ok()
}

fn engine(
    node: &Node,
    path: &FieldPath<'_>,
    reader: &mut Reader,
    source: &Locator<'_>,
    other: &mut Vec<ManifestError>,
) -> Option<VersionReq> {
    let text = reader.string(node, path)?;
    let range = VersionReq::parse(text)
        .map_err(|error| {
            reader.invalid(
                node,
                path,
                format!("`{text}` is not a semver range such as `^1.0`: {error}"),
            );
        })
        .ok()?;
    let api = api_version();
    if !range.matches(&api) {
        other.push(ManifestError::EngineMismatch {
            range: text.to_owned(),
            api_version: api,
            location: source.locate(node.span.as_ref()),
        });
        return None;
    }
    Some(range)
}

fn authors(node: &Node, path: &FieldPath<'_>, reader: &mut Reader) -> Vec<String> {
    let Some(items) = reader.array(node, path) else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(index, item)| reader.non_empty_string(item, &path.index(index)))
        .map(str::to_owned)
        .collect()
}

/// An SPDX-style license expression: identifiers, `AND`/`OR`/`WITH` and parentheses.
fn license(node: &Node, path: &FieldPath<'_>, reader: &mut Reader) -> Option<String> {
    let text = reader.non_empty_string(node, path)?;
    let allowed =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | ':' | '(' | ')' | ' ');
    if let Some(bad) = text.chars().find(|c| !allowed(*c)) {
        reader.invalid(
            node,
            path,
            format!(
                "`{text}` contains {bad:?}; use an SPDX expression such as `MIT OR Apache-2.0`"
            ),
        );
        return None;
    }
    Some(text.to_owned())
}

fn activation(node: &Node, path: &FieldPath<'_>, reader: &mut Reader) -> Vec<ActivationEvent> {
    let Some(mut table) = reader.table(node, path) else {
        return Vec::new();
    };
    let events_path = path.key("events");
    let events = table
        .get("events")
        .and_then(|node| reader.strings(node, &events_path))
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .filter_map(|(index, (text, item))| {
            ActivationEvent::parse(text)
                .map_err(|reason| reader.invalid(item, &events_path.index(index), reason))
                .ok()
        })
        .collect();
    table.finish(path, &["events"], reader);
    events
}

/// Reads the section that `kind` requires and reports sections of other kinds.
fn section(
    kind: ExtensionKind,
    kind_node: Option<&Node>,
    table: &mut Table<'_>,
    root: &FieldPath<'_>,
    reader: &mut Reader,
    source: &Locator<'_>,
    other: &mut Vec<ManifestError>,
) -> Option<KindSection> {
    for stray in ExtensionKind::ALL
        .into_iter()
        .filter(|candidate| *candidate != kind)
    {
        if let Some(node) = table.get(stray.as_str()) {
            other.push(ManifestError::KindMismatch {
                kind,
                section: stray,
                location: source.locate(node.span.as_ref()),
            });
        }
    }
    let Some(node) = table.get(kind.as_str()) else {
        other.push(ManifestError::MissingSection {
            kind,
            location: source.locate(kind_node.and_then(|node| node.span.as_ref())),
        });
        return None;
    };
    read_section(kind, node, root, reader)
}

fn read_section(
    kind: ExtensionKind,
    node: &Node,
    root: &FieldPath<'_>,
    reader: &mut Reader,
) -> Option<KindSection> {
    let path = root.key(kind.as_str());
    match kind {
        ExtensionKind::Instrument => {
            instrument::read(node, &path, reader).map(KindSection::Instrument)
        }
        ExtensionKind::Operator => operator::read(node, &path, reader).map(KindSection::Operator),
        ExtensionKind::Motif => motif::read(node, &path, reader).map(KindSection::Motif),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(source: &str) -> Vec<String> {
        let node = Node::from_toml(source).expect("valid TOML");
        match manifest(&node, Some(source)) {
            Ok(manifest) => panic!("expected errors, got {manifest:?}"),
            Err(errors) => errors.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn a_bad_kind_is_reported_once() {
        let errors = messages(
            "id = \"acme.x\"\nname = \"X\"\nversion = \"1.0.0\"\nkind = \"operater\"\n\
             engine = \"^1\"\n[operator]\ncategory = \"custom\"\n",
        );
        assert_eq!(
            errors,
            [
                "kind: unknown value `operater` (did you mean `operator`?); expected one of \
              `instrument`, `operator` or `motif` (line 4, column 8)"
            ]
        );
    }

    #[test]
    fn errors_come_in_source_order() {
        let errors = messages(
            "[operator]\ncategory = \"nope\"\n[config.x]\ntype = \"integer\"\nmax = \"3\"\n",
        );
        let paths: Vec<&str> = errors
            .iter()
            .map(|e| e.split(':').next().unwrap_or(""))
            .collect();
        assert_eq!(
            paths,
            [
                "id",
                "name",
                "version",
                "kind",
                "engine",
                "operator.category",
                "config.x.max"
            ]
        );
    }

    /// A manifest with thousands of problems lists the first hundred, in source order with
    /// their lines, and counts the rest, rather than building (and locating) every message.
    #[test]
    fn very_many_errors_list_a_hundred_and_count_the_rest() {
        let mut source = String::from(
            "id = \"acme.x\"\nname = \"X\"\nversion = \"1.0.0\"\nkind = \"operator\"\n\
             engine = \"^1\"\n",
        );
        for i in 0..5000 {
            source.push_str(&format!("unknown_{i} = {i}\n"));
        }
        source.push_str("[operator]\ncategory = \"custom\"\n");
        let node = Node::from_toml(&source).expect("valid TOML");
        let errors = manifest(&node, Some(&source)).expect_err("unknown keys");
        assert_eq!(errors.len(), crate::document::MAX_LISTED);
        assert_eq!(errors.unlisted(), 5000 - crate::document::MAX_LISTED);
        let first = errors.errors().first().expect("one").to_string();
        assert_eq!(first, "unknown_0: unknown field (line 6, column 1)");
        let last = errors.errors().last().expect("one").to_string();
        assert_eq!(last, "unknown_99: unknown field (line 105, column 1)");
        let text = errors.to_string();
        assert!(
            text.starts_with("invalid manifest (5000 errors)\n"),
            "{text}"
        );
        assert!(text.ends_with("\n  … and 4900 more not listed"), "{text}");

        // The same through JSON, as a host reads a handshake: counted, and said so.
        let mut json = String::from(
            r#"{"id":"acme.x","name":"X","version":"1.0.0","kind":"operator","engine":"^1","operator":{"category":"custom"}"#,
        );
        for i in 0..5000 {
            json.push_str(&format!(r#","unknown_{i}":{i}"#));
        }
        json.push('}');
        let error = serde_json::from_str::<Manifest>(&json).expect_err("unknown keys");
        assert!(
            error.to_string().contains("… and 4900 more not listed"),
            "{error}"
        );
    }

    /// Hints stay bounded: a huge unknown key gets none (and costs no edit distance against
    /// every known name), and only a bounded number of candidates is searched.
    #[test]
    fn huge_unknown_keys_get_no_hint() {
        let key = "descripton".repeat(10_000);
        let source = format!(
            "id = \"acme.x\"\nname = \"X\"\nversion = \"1.0.0\"\nkind = \"operator\"\n\
             engine = \"^1\"\n{key} = 1\ndescripton = 2\n[operator]\ncategory = \"custom\"\n"
        );
        let errors = messages(&source);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].ends_with(": unknown field (line 6, column 1)"));
        assert_eq!(
            errors[1],
            "descripton: unknown field (did you mean `description`?) (line 7, column 1)"
        );
    }
}
