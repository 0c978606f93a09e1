//! Rewriting an extension's `Cargo.toml` between the umbrella dependency and the focused
//! ones, with `toml_edit` so that everything else (order, comments, formatting) is kept.

use std::cmp::Ordering;
use std::collections::HashMap;

use toml_edit::{Decor, DocumentMut, Item, Key, Table, Value};

use super::Style;
use super::dependency::{Shape, Spec};
use super::kind::{Enabled, Kind, UMBRELLA};

/// The three dependency tables, which may also appear under `[target.'cfg(…)']`.
const DEPENDENCY_TABLES: [&str; 3] = ["dependencies", "dev-dependencies", "build-dependencies"];

/// What the workspace around the crate declares, for `workspace = true` entries.
pub(crate) trait Workspace {
    /// The `[workspace.dependencies]` entry `name`: `Ok(None)` if it is missing, `Err` if
    /// there is no workspace or its manifest cannot be read.
    fn dependency(&self, name: &str) -> Result<Option<Spec>, String>;
}

/// What the sources use, so a default-featured umbrella splits into only the kinds needed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Usage {
    /// Kinds named by path (`symphony::operators::…`).
    pub(crate) kinds: Vec<Kind>,
    /// Whether `symphony::prelude` is used, which needs every enabled kind.
    pub(crate) prelude: bool,
}

/// A rewritten manifest and the kinds its SDK dependencies now name, in order.
#[derive(Debug)]
pub(crate) struct Rewritten {
    pub(crate) text: String,
    pub(crate) kinds: Vec<Kind>,
}

/// Rewrites `text` (a `Cargo.toml`) to `style`. Errors name the table and key.
pub(crate) fn rewrite(
    text: &str,
    style: Style,
    usage: &Usage,
    workspace: &dyn Workspace,
) -> Result<Rewritten, String> {
    let mut document: DocumentMut = text
        .parse()
        .map_err(|error| format!("is not valid TOML: {error}"))?;
    rewrite_features(&mut document, style)?;
    let mut kinds = Vec::new();
    let mut rewrote = false;
    for (label, table) in dependency_tables(&mut document)? {
        let rewrite_table = match style {
            Style::Split => to_split(table, usage, workspace),
            Style::Unified => to_unified(table, workspace),
        };
        let table_kinds = rewrite_table.map_err(|error| format!("[{label}]: {error}"))?;
        rewrote |= !table_kinds.is_empty();
        for kind in table_kinds {
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
    }
    if !rewrote {
        let wanted = match style {
            Style::Split => format!("`{UMBRELLA}`"),
            Style::Unified => "symphony_instruments, symphony_operators or symphony_motifs".into(),
        };
        return Err(format!(
            "has no dependency on {wanted}, so it is not in the other style; nothing to migrate"
        ));
    }
    Ok(Rewritten {
        text: document.to_string(),
        kinds,
    })
}

/// Every dependency table, labelled as it is written (`dependencies`,
/// `target.'cfg(unix)'.dev-dependencies`).
fn dependency_tables(document: &mut DocumentMut) -> Result<Vec<(String, &mut Table)>, String> {
    let mut tables = Vec::new();
    let root = document.as_table_mut();
    let mut target = None;
    for (key, item) in root.iter_mut() {
        if DEPENDENCY_TABLES.contains(&key.get()) {
            let label = key.get().to_owned();
            let table = item
                .as_table_mut()
                .ok_or_else(|| format!("[{label}] is an inline table; write it as a table"))?;
            tables.push((label, table));
        } else if key.get() == "target" {
            target = item.as_table_mut();
        }
    }
    for (cfg, item) in target.into_iter().flat_map(|target| target.iter_mut()) {
        let cfg = cfg.get().to_owned();
        let Some(platform) = item.as_table_mut() else {
            continue;
        };
        for (key, item) in platform.iter_mut() {
            if DEPENDENCY_TABLES.contains(&key.get()) {
                let label = format!("target.'{cfg}'.{}", key.get());
                let table = item
                    .as_table_mut()
                    .ok_or_else(|| format!("[{label}] is an inline table; write it as a table"))?;
                tables.push((label, table));
            }
        }
    }
    Ok(tables)
}

/// Rewrites the crate's own features that forward to an SDK backend:
/// `symphony_motifs/tauri` ↔ `symphony/tauri` (and the weak `?/` form). Anything else that
/// names an SDK dependency has no one-to-one counterpart and is refused, naming the feature.
fn rewrite_features(document: &mut DocumentMut, style: Style) -> Result<(), String> {
    let Some(features) = document
        .get_mut("features")
        .and_then(Item::as_table_like_mut)
    else {
        return Ok(());
    };
    for (feature, item) in features.iter_mut() {
        let Some(array) = item.as_array_mut() else {
            continue;
        };
        for value in array.iter_mut() {
            let Some(text) = value.as_str() else {
                continue;
            };
            let Some(new) = forwarded(text, style).map_err(|reason| {
                format!("[features] {feature} = [\"{text}\"] {reason}; rename it by hand (see docs/migration.md), then migrate")
            })?
            else {
                continue;
            };
            let decor = value.decor().clone();
            *value = Value::from(new);
            *value.decor_mut() = decor;
        }
    }
    Ok(())
}

/// The other style's spelling of one feature value; `Ok(None)` if it names no SDK crate.
fn forwarded(value: &str, style: Style) -> Result<Option<String>, String> {
    let (dependency, separator, feature) = match value.split_once('/') {
        Some((dependency, feature)) => match dependency.strip_suffix('?') {
            Some(dependency) => (dependency, "?/", feature),
            None => (dependency, "/", feature),
        },
        None => (value.strip_prefix("dep:").unwrap_or(value), "", ""),
    };
    let is_sdk = dependency == UMBRELLA || Kind::from_crate_name(dependency).is_some();
    let from_this_style = match style {
        Style::Split => dependency == UMBRELLA,
        Style::Unified => Kind::from_crate_name(dependency).is_some(),
    };
    if !is_sdk || !from_this_style {
        return Ok(None);
    }
    let Some(kind) = (match style {
        Style::Split => Kind::of_backend(feature),
        Style::Unified => {
            Kind::from_crate_name(dependency).filter(|kind| kind.backends().contains(&feature))
        }
    }) else {
        return Err(format!(
            "names `{dependency}` other than to enable a backend"
        ));
    };
    let target = match style {
        Style::Split => kind.crate_name(),
        Style::Unified => UMBRELLA,
    };
    Ok(Some(format!("{target}{separator}{feature}")))
}

/// Replaces `symphony` in `table` with one focused dependency per kind it enables.
fn to_split(
    table: &mut Table,
    usage: &Usage,
    workspace: &dyn Workspace,
) -> Result<Vec<Kind>, String> {
    let Some(item) = table.get(UMBRELLA) else {
        return Ok(Vec::new());
    };
    let (spec, shape) = Spec::read(item).map_err(|error| format!("`{UMBRELLA}` {error}"))?;
    let mut enabled = Enabled::from_umbrella_features(spec.features.iter().map(String::as_str))
        .map_err(|feature| {
            format!("`{UMBRELLA}` enables `{feature}`, which is not a feature of the umbrella")
        })?;
    if default_features(&spec, UMBRELLA, workspace)? {
        // Defaults enable all three kinds; keep those the code uses (all, for the prelude).
        let used = if usage.prelude {
            Kind::ALL.to_vec()
        } else {
            usage.kinds.clone()
        };
        used.into_iter().for_each(|kind| enabled.add_kind(kind));
    }
    if enabled.kinds.is_empty() {
        return Err(format!(
            "`{UMBRELLA}` enables no kind of extension; add one to its features first"
        ));
    }
    let mut replacements = Vec::new();
    for &kind in &enabled.kinds {
        if spec.workspace && workspace.dependency(kind.crate_name())?.is_none() {
            return Err(format!(
                "`{UMBRELLA}` comes from the workspace, which has no `{}` in \
                 [workspace.dependencies]; add it there first",
                kind.crate_name()
            ));
        }
        let focused = Spec {
            workspace: spec.workspace,
            version: spec.version.clone(),
            default_features: None,
            features: enabled.backends_of(kind),
            optional: spec.optional,
        };
        replacements.push(focused.write(kind.crate_name(), shape)?);
    }
    replace(table, &[UMBRELLA], replacements);
    Ok(enabled.kinds)
}

/// Replaces the focused dependencies in `table` with one `symphony` naming their kinds.
fn to_unified(table: &mut Table, workspace: &dyn Workspace) -> Result<Vec<Kind>, String> {
    let mut found: Vec<(Kind, Spec, Shape)> = Vec::new();
    for (name, item) in table.iter() {
        let Some(kind) = Kind::from_crate_name(name) else {
            continue;
        };
        let (spec, shape) = Spec::read(item).map_err(|error| format!("`{name}` {error}"))?;
        for feature in &spec.features {
            if !kind.backends().contains(&feature.as_str()) {
                return Err(format!(
                    "`{name}` enables `{feature}`, which the umbrella does not forward"
                ));
            }
        }
        found.push((kind, spec, shape));
    }
    let Some((_, first, first_shape)) = found.first() else {
        return Ok(Vec::new());
    };
    if table.contains_key(UMBRELLA) {
        return Err(format!(
            "has both `{UMBRELLA}` and a focused crate; migrate one style at a time"
        ));
    }
    for (kind, spec, _) in &found[1..] {
        let differs = |what: &str| {
            format!(
                "`{}` and `{}` differ in {what}; one umbrella dependency cannot say both",
                found[0].0.crate_name(),
                kind.crate_name()
            )
        };
        if spec.workspace != first.workspace || spec.version != first.version {
            return Err(differs("where they come from (workspace or version)"));
        }
        if spec.optional != first.optional {
            return Err(differs("`optional`"));
        }
    }
    let mut enabled = Enabled::default();
    for (kind, spec, _) in &found {
        enabled.add_kind(*kind);
        spec.features
            .iter()
            .for_each(|backend| enabled.add_backend(backend));
    }
    let workspace_declares_defaults = first.workspace && {
        let declared = workspace.dependency(UMBRELLA)?.ok_or_else(|| {
            format!(
                "the workspace has no `{UMBRELLA}` in [workspace.dependencies]; add \
                 `{UMBRELLA} = {{ version = \"…\", default-features = false }}` there first"
            )
        })?;
        declared.default_features != Some(false)
    };
    if workspace_declares_defaults {
        return Err(format!(
            "the workspace declares `{UMBRELLA}` with default features, which would compile \
             every kind; set `default-features = false` in [workspace.dependencies]"
        ));
    }
    let umbrella = Spec {
        workspace: first.workspace,
        version: first.version.clone(),
        default_features: (!first.workspace).then_some(false),
        features: enabled.umbrella_features(),
        optional: first.optional,
    };
    let shape = match first_shape {
        Shape::Header => Shape::Header,
        _ => Shape::Inline,
    };
    let replacement = umbrella.write(UMBRELLA, shape)?;
    let names: Vec<&str> = found.iter().map(|(kind, ..)| kind.crate_name()).collect();
    replace(table, &names, vec![replacement]);
    Ok(enabled.kinds)
}

/// Whether `name`'s default features are on: its own `default-features`, else (for
/// `workspace = true`) the workspace's, else cargo's default, on.
fn default_features(spec: &Spec, name: &str, workspace: &dyn Workspace) -> Result<bool, String> {
    if let Some(default_features) = spec.default_features {
        return Ok(default_features);
    }
    if !spec.workspace {
        return Ok(true);
    }
    let declared = workspace.dependency(name)?.ok_or_else(|| {
        format!(
            "uses `workspace = true` but the workspace has no `{name}` in [workspace.dependencies]"
        )
    })?;
    Ok(declared.default_features != Some(false))
}

/// Removes the entries `old` and puts `new` where the first of them was, carrying its
/// comments and trailing comment over, and keeping every other entry where it is.
fn replace(table: &mut Table, old: &[&str], new: Vec<(Key, Item)>) {
    let order: Vec<String> = table.iter().map(|(key, _)| key.to_owned()).collect();
    let position = |name: &str| order.iter().position(|key| key == name);
    let anchor = old
        .iter()
        .filter_map(|name| position(name))
        .min()
        .unwrap_or(order.len());
    let mut first_old: Option<(Key, Item)> = None;
    for name in old {
        let removed = table.remove_entry(name);
        if position(name) == Some(anchor) {
            first_old = removed;
        }
    }
    let mut rank: HashMap<String, (usize, usize)> = order
        .iter()
        .enumerate()
        .map(|(index, key)| (key.clone(), (index, 0)))
        .collect();
    for (offset, (mut key, mut item)) in new.into_iter().enumerate() {
        if offset == 0
            && let Some((old_key, old_item)) = &first_old
        {
            carry_decor(old_key, old_item, &mut key, &mut item);
        }
        rank.insert(key.get().to_owned(), (anchor, offset));
        table.insert_formatted(&key, item);
    }
    let rank_of = |key: &Key| rank.get(key.get()).copied().unwrap_or((usize::MAX, 0));
    table.sort_values_by(|a, _, b, _| rank_of(a).cmp(&rank_of(b)).then(Ordering::Equal));
}

/// Carries an entry's comments over to its replacement: the lines above it and the comment
/// after it on its line (for `[header]` tables, the table's decor and document position).
fn carry_decor(old_key: &Key, old_item: &Item, key: &mut Key, item: &mut Item) {
    if let (Item::Table(old), Item::Table(new)) = (old_item, &mut *item)
        && !old.is_dotted()
        && !new.is_dotted()
    {
        *key.leaf_decor_mut() = old_key.leaf_decor().clone();
        *new.decor_mut() = old.decor().clone();
        new.set_position(old.position());
        return;
    }
    if let Some(prefix) = first_key_decor(old_key, old_item).and_then(|decor| decor.prefix()) {
        let prefix = prefix.clone();
        with_first_key_decor(key, item, |decor| decor.set_prefix(prefix));
    }
    if let Some(suffix) = last_value(old_item).and_then(|value| value.decor().suffix()) {
        let suffix = suffix.clone();
        if let Some(value) = last_value_mut(item) {
            value.decor_mut().set_suffix(suffix);
        }
    }
}

/// The decor holding the lines above an entry: its key's, or for a dotted entry
/// (`name.workspace = true`) the first inner key's.
fn first_key_decor<'a>(key: &'a Key, item: &'a Item) -> Option<&'a Decor> {
    match item.as_table_like() {
        Some(table) if table.is_dotted() => {
            let (first, _) = table.iter().next()?;
            table.key(first).map(Key::leaf_decor)
        }
        _ => Some(key.leaf_decor()),
    }
}

fn with_first_key_decor(key: &mut Key, item: &mut Item, set: impl FnOnce(&mut Decor)) {
    match item.as_table_like_mut() {
        Some(table) if table.is_dotted() => {
            let first = table.iter().next().map(|(first, _)| first.to_owned());
            if let Some(mut inner) = first.and_then(|first| table.key_mut(&first)) {
                set(inner.leaf_decor_mut());
            }
        }
        _ => set(key.leaf_decor_mut()),
    }
}

/// The value ending an entry's line, which holds its trailing comment.
fn last_value(item: &Item) -> Option<&Value> {
    match item {
        Item::Value(value) => Some(value),
        Item::Table(table) if table.is_dotted() => {
            table.iter().last().and_then(|(_, item)| last_value(item))
        }
        _ => None,
    }
}

fn last_value_mut(item: &mut Item) -> Option<&mut Value> {
    match item {
        Item::Value(value) => Some(value),
        Item::Table(table) if table.is_dotted() => table
            .iter_mut()
            .last()
            .and_then(|(_, item)| last_value_mut(item)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A workspace declaring the SDK as this repository does: the umbrella without
    /// default features, the focused crates plainly.
    struct Declared(&'static [(&'static str, Option<bool>)]);

    impl Workspace for Declared {
        fn dependency(&self, name: &str) -> Result<Option<Spec>, String> {
            Ok(self.0.iter().find(|(declared, _)| *declared == name).map(
                |(_, default_features)| Spec {
                    version: Some("=0.1.0".to_owned()),
                    default_features: *default_features,
                    ..Spec::default()
                },
            ))
        }
    }

    const SDK: Declared = Declared(&[
        ("symphony", Some(false)),
        ("symphony_instruments", None),
        ("symphony_operators", None),
        ("symphony_motifs", None),
    ]);

    fn migrate(text: &str, style: Style, usage: &Usage) -> Result<Rewritten, String> {
        rewrite(text, style, usage, &SDK)
    }

    const SPLIT: &str = r#"[package]
name = "cleaner"

[dependencies]
serde_json.workspace = true
# The SDK, for operators.
symphony_operators.workspace = true   # trailing note
regex = "1" # kept

[target.'cfg(unix)'.dev-dependencies]
symphony_instruments = { workspace = true, features = ["onnx"] }
"#;

    const UNIFIED: &str = r#"[package]
name = "cleaner"

[dependencies]
serde_json.workspace = true
# The SDK, for operators.
symphony = { workspace = true, features = ["operators"] }   # trailing note
regex = "1" # kept

[target.'cfg(unix)'.dev-dependencies]
symphony = { workspace = true, features = ["instruments", "onnx"] }
"#;

    #[test]
    fn workspace_dependencies_round_trip_keeping_order_and_comments() {
        let unified = migrate(SPLIT, Style::Unified, &Usage::default()).unwrap();
        assert_eq!(unified.text, UNIFIED);
        assert_eq!(unified.kinds, [Kind::Operators, Kind::Instruments]);
        let split = migrate(UNIFIED, Style::Split, &Usage::default()).unwrap();
        assert_eq!(split.text, SPLIT);
    }

    #[test]
    fn a_versioned_umbrella_splits_into_one_dependency_per_kind_and_back() {
        let unified = "[dependencies]\nsymphony = { version = \"0.1\", default-features = false, features = [\"operators\", \"onnx\"] }\nserde = \"1\"\n";
        let split = migrate(unified, Style::Split, &Usage::default()).unwrap();
        assert_eq!(
            split.text,
            "[dependencies]\nsymphony_operators = \"0.1\"\nsymphony_instruments = { version = \"0.1\", features = [\"onnx\"] }\nserde = \"1\"\n"
        );
        let back = migrate(&split.text, Style::Unified, &Usage::default()).unwrap();
        assert_eq!(
            back.text,
            "[dependencies]\nsymphony = { version = \"0.1\", default-features = false, features = [\"operators\", \"instruments\", \"onnx\"] }\nserde = \"1\"\n"
        );
    }

    #[test]
    fn default_features_split_into_the_kinds_the_code_uses() {
        let unified = "[dependencies]\nsymphony = \"0.1\"\n";
        let motifs = Usage {
            kinds: vec![Kind::Motifs],
            prelude: false,
        };
        let split = migrate(unified, Style::Split, &motifs).unwrap();
        assert_eq!(split.text, "[dependencies]\nsymphony_motifs = \"0.1\"\n");

        let prelude = Usage {
            kinds: vec![],
            prelude: true,
        };
        let split = migrate(unified, Style::Split, &prelude).unwrap();
        assert_eq!(split.kinds, Kind::ALL);
    }

    #[test]
    fn features_forwarding_to_a_backend_follow_the_dependency() {
        let split = "[features]\npreview = [\"symphony_motifs/tauri\", \"serde/rc\"] # window\nml = [\"symphony_instruments?/onnx\"]\n\n[dependencies]\nsymphony_motifs.workspace = true\nsymphony_instruments = { workspace = true, optional = true }\n";
        let error = migrate(split, Style::Unified, &Usage::default()).unwrap_err();
        assert!(error.contains("differ in `optional`"), "{error}");

        let split = "[features]\npreview = [\"symphony_motifs/tauri\", \"serde/rc\"] # window\n\n[dependencies]\nsymphony_motifs.workspace = true\n";
        let unified = migrate(split, Style::Unified, &Usage::default()).unwrap();
        assert_eq!(
            unified.text,
            "[features]\npreview = [\"symphony/tauri\", \"serde/rc\"] # window\n\n[dependencies]\nsymphony = { workspace = true, features = [\"motifs\"] }\n"
        );
        let back = migrate(&unified.text, Style::Split, &Usage::default()).unwrap();
        assert_eq!(back.text, split);
    }

    #[test]
    fn header_tables_keep_their_shape() {
        let unified = "[package]\nname = \"x\"\n\n# The SDK.\n[dependencies.symphony]\nworkspace = true\nfeatures = [\"motifs\", \"tauri\"]\n";
        let split = migrate(unified, Style::Split, &Usage::default()).unwrap();
        assert_eq!(
            split.text,
            "[package]\nname = \"x\"\n\n# The SDK.\n[dependencies.symphony_motifs]\nworkspace = true\nfeatures = [\"tauri\"]\n"
        );
        let back = migrate(&split.text, Style::Unified, &Usage::default()).unwrap();
        assert_eq!(back.text, unified);
    }

    #[test]
    fn what_cannot_be_expressed_is_refused_naming_table_and_key() {
        let cases = [
            (
                "[dependencies]\nsymphony_operators = \"0.1\"\nsymphony_motifs = \"0.2\"\n",
                Style::Unified,
                "[dependencies]: `symphony_operators` and `symphony_motifs` differ in where",
            ),
            (
                "[dependencies]\nsymphony = { version = \"0.1\", features = [\"gpu\"] }\n",
                Style::Split,
                "[dependencies]: `symphony` enables `gpu`",
            ),
            (
                "[dependencies]\nsymphony = { path = \"../symphony\" }\n",
                Style::Split,
                "[dependencies]: `symphony` has `path`",
            ),
            (
                "[features]\nall = [\"symphony/operators\"]\n[dependencies]\nsymphony = \"0.1\"\n",
                Style::Split,
                "[features] all = [\"symphony/operators\"] names `symphony` other than to enable a backend",
            ),
            (
                "[dependencies]\nserde = \"1\"\n",
                Style::Split,
                "has no dependency on `symphony`",
            ),
            (
                "[dependencies]\nsymphony = { version = \"0.1\", default-features = false }\n",
                Style::Split,
                "enables no kind of extension",
            ),
        ];
        for (text, style, expected) in cases {
            let error = migrate(text, style, &Usage::default()).unwrap_err();
            assert!(error.contains(expected), "{error}\nexpected: {expected}");
        }
    }

    #[test]
    fn a_workspace_must_declare_what_the_other_style_needs() {
        let bare = Declared(&[("symphony_operators", None)]);
        let error = rewrite(
            "[dependencies]\nsymphony_operators.workspace = true\n",
            Style::Unified,
            &Usage::default(),
            &bare,
        )
        .unwrap_err();
        assert!(
            error.contains("no `symphony` in [workspace.dependencies]"),
            "{error}"
        );

        let defaults = Declared(&[("symphony", None), ("symphony_operators", None)]);
        let error = rewrite(
            "[dependencies]\nsymphony_operators.workspace = true\n",
            Style::Unified,
            &Usage::default(),
            &defaults,
        )
        .unwrap_err();
        assert!(error.contains("set `default-features = false`"), "{error}");
    }
}
