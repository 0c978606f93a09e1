//! Rewriting an extension's `Cargo.toml` between the umbrella dependency and the focused
//! ones, with `toml_edit` so that everything else (order, comments, formatting) is kept.

use std::cmp::Ordering;
use std::collections::HashMap;

use toml_edit::{Decor, DocumentMut, Item, Key, Table, Value};

use super::Style;
use super::dependency::{Shape, Spec};
use super::kind::{Enabled, Kind, UMBRELLA, UMBRELLA_PACKAGE};

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
    let umbrella = umbrella_key(&mut document, style, workspace)?;
    rewrite_features(&mut document, style, &umbrella)?;
    let mut kinds = Vec::new();
    let mut rewrote = false;
    for (label, table) in dependency_tables(&mut document)? {
        let rewrite_table = match style {
            Style::Split => to_split(table, &umbrella, usage, workspace),
            Style::Unified => to_unified(table, &umbrella, workspace),
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
            Style::Split => format!("`{UMBRELLA_PACKAGE}`"),
            Style::Unified => "symphony_instruments, symphony_operators or symphony_motifs".into(),
        };
        return Err(format!(
            "has no dependency on {wanted}, so it is not in the other style; nothing to migrate"
        ));
    }
    rewrite_patches(&mut document, style, &kinds)?;
    Ok(Rewritten {
        text: document.to_string(),
        kinds,
    })
}

/// Whether the entry `key = item` is the umbrella: the key `symphony-sdk`, a rename with
/// `package = "symphony-sdk"`, or `symphony` (checked against its source in `to_split`).
fn is_umbrella(key: &str, item: &Item) -> bool {
    key == UMBRELLA_PACKAGE
        || key == UMBRELLA
        || item.get("package").and_then(Item::as_str) == Some(UMBRELLA_PACKAGE)
}

/// The umbrella's dependency key: the one the manifest has (to split), or the one to write
/// (to unify): the workspace's key for a `workspace = true` entry, else `symphony-sdk`.
fn umbrella_key(
    document: &mut DocumentMut,
    style: Style,
    workspace: &dyn Workspace,
) -> Result<String, String> {
    let tables = dependency_tables(document)?;
    let mut entries = tables.iter().flat_map(|(_, table)| table.iter());
    match style {
        Style::Split => Ok(entries
            .find(|(key, item)| is_umbrella(key, item))
            .map_or(UMBRELLA_PACKAGE, |(key, _)| key)
            .to_owned()),
        Style::Unified => {
            let inherits = entries.any(|(key, item)| {
                Kind::from_crate_name(key).is_some()
                    && item.get("workspace").and_then(Item::as_bool) == Some(true)
            });
            if inherits
                && workspace.dependency(UMBRELLA_PACKAGE)?.is_none()
                && workspace.dependency(UMBRELLA)?.is_some()
            {
                return Ok(UMBRELLA.to_owned());
            }
            Ok(UMBRELLA_PACKAGE.to_owned())
        }
    }
}

/// `[patch.<source>]` tables follow the style. The umbrella depends on the focused crates,
/// so the unified style patches it beside them (an entry derived from the last focused
/// one), and the split style drops it, deriving any focused crate it now needs from it.
/// Split → unified → split gives back the same bytes.
fn rewrite_patches(document: &mut DocumentMut, style: Style, kinds: &[Kind]) -> Result<(), String> {
    let Some(patch) = document.get_mut("patch").and_then(Item::as_table_like_mut) else {
        return Ok(());
    };
    for (source, item) in patch.iter_mut() {
        let label = format!("[patch.{}]", source.get());
        let table = item
            .as_table_mut()
            .ok_or_else(|| format!("{label} is an inline table; write it as a table"))?;
        let read = |name: &str, item: &Item| {
            Spec::read(item).map_err(|error| format!("{label} `{name}` {error}"))
        };
        match style {
            Style::Unified => {
                if table.contains_key(UMBRELLA_PACKAGE) {
                    continue;
                }
                let Some((name, item)) = table
                    .iter()
                    .filter(|(name, _)| Kind::from_crate_name(name).is_some())
                    .last()
                else {
                    continue;
                };
                let name = name.to_owned();
                let (spec, _) = read(&name, item)?;
                let umbrella = spec
                    .moved(&name, UMBRELLA_PACKAGE)
                    .map_err(|error| format!("{label} `{name}` {error}"))?;
                let entry = umbrella.write(UMBRELLA_PACKAGE, Shape::Inline)?;
                insert_after(table, &name, entry);
            }
            Style::Split => {
                let Some(item) = table.get(UMBRELLA_PACKAGE) else {
                    continue;
                };
                let (spec, _) = read(UMBRELLA_PACKAGE, item)?;
                // A table that already patches focused crates is the author's per-crate
                // choice (what unifying it left); one that patched only the umbrella needs
                // the focused crates patched instead.
                let per_crate = table
                    .iter()
                    .any(|(name, _)| Kind::from_crate_name(name).is_some());
                let mut needed = Vec::new();
                for kind in kinds {
                    if !per_crate && !table.contains_key(kind.crate_name()) {
                        let focused = spec
                            .moved(UMBRELLA_PACKAGE, kind.crate_name())
                            .map_err(|error| format!("{label} `{UMBRELLA_PACKAGE}` {error}"))?;
                        needed.push(focused.write(kind.crate_name(), Shape::Inline)?);
                    }
                }
                replace(table, &[UMBRELLA_PACKAGE], needed);
            }
        }
    }
    Ok(())
}

/// Inserts `entry` right after the entry `after`, keeping every other entry where it is.
fn insert_after(table: &mut Table, after: &str, (key, item): (Key, Item)) {
    let order: Vec<String> = table.iter().map(|(key, _)| key.to_owned()).collect();
    let anchor = order
        .iter()
        .position(|key| key == after)
        .unwrap_or(order.len());
    let mut rank: HashMap<String, (usize, usize)> = order
        .iter()
        .enumerate()
        .map(|(index, key)| (key.clone(), (index, 0)))
        .collect();
    rank.insert(key.get().to_owned(), (anchor, 1));
    table.insert_formatted(&key, item);
    let rank_of = |key: &Key| rank.get(key.get()).copied().unwrap_or((usize::MAX, 0));
    table.sort_values_by(|a, _, b, _| rank_of(a).cmp(&rank_of(b)).then(Ordering::Equal));
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
fn rewrite_features(
    document: &mut DocumentMut,
    style: Style,
    umbrella: &str,
) -> Result<(), String> {
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
            let Some(new) = forwarded(text, style, umbrella).map_err(|reason| {
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
fn forwarded(value: &str, style: Style, umbrella: &str) -> Result<Option<String>, String> {
    let (dependency, separator, feature) = match value.split_once('/') {
        Some((dependency, feature)) => match dependency.strip_suffix('?') {
            Some(dependency) => (dependency, "?/", feature),
            None => (dependency, "/", feature),
        },
        None => (value.strip_prefix("dep:").unwrap_or(value), "", ""),
    };
    let is_sdk = dependency == umbrella || Kind::from_crate_name(dependency).is_some();
    let from_this_style = match style {
        Style::Split => dependency == umbrella,
        Style::Unified => Kind::from_crate_name(dependency).is_some(),
    };
    if !is_sdk || !from_this_style {
        return Ok(None);
    }
    let Some(kind) = (match style {
        Style::Split => Kind::of_backend(feature),
        Style::Unified => Kind::from_crate_name(dependency).filter(|kind| kind.forwards(feature)),
    }) else {
        return Err(format!(
            "names `{dependency}` other than to enable a backend"
        ));
    };
    let target = match style {
        Style::Split => kind.crate_name(),
        Style::Unified => umbrella,
    };
    Ok(Some(format!("{target}{separator}{feature}")))
}

/// Replaces the umbrella (key `umbrella`) in `table` with one focused dependency per kind
/// it enables.
fn to_split(
    table: &mut Table,
    umbrella: &str,
    usage: &Usage,
    workspace: &dyn Workspace,
) -> Result<Vec<Kind>, String> {
    let Some(item) = table.get(umbrella) else {
        return Ok(Vec::new());
    };
    let (spec, shape) = Spec::read(item).map_err(|error| format!("`{umbrella}` {error}"))?;
    check_umbrella_package(umbrella, &spec, workspace)?;
    let mut enabled = Enabled::from_umbrella_features(spec.features.iter().map(String::as_str))
        .map_err(|feature| {
            format!("`{umbrella}` enables `{feature}`, which is not a feature of the umbrella")
        })?;
    if default_features(&spec, umbrella, workspace)? {
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
            "`{umbrella}` enables no kind of extension; add one to its features first"
        ));
    }
    let mut replacements = Vec::new();
    for &kind in &enabled.kinds {
        if spec.workspace && workspace.dependency(kind.crate_name())?.is_none() {
            return Err(format!(
                "`{umbrella}` comes from the workspace, which has no `{}` in \
                 [workspace.dependencies]; add it there first",
                kind.crate_name()
            ));
        }
        let focused = Spec {
            default_features: None,
            features: enabled.backends_of(kind),
            ..spec
                .moved(UMBRELLA_PACKAGE, kind.crate_name())
                .map_err(|error| format!("`{umbrella}` {error}"))?
        };
        replacements.push(focused.write(kind.crate_name(), shape)?);
    }
    replace(table, &[umbrella], replacements);
    Ok(enabled.kinds)
}

/// Refuses an umbrella entry that names another package: `symphony` on crates.io is not
/// this SDK (its umbrella is published as `symphony-sdk`).
fn check_umbrella_package(key: &str, spec: &Spec, workspace: &dyn Workspace) -> Result<(), String> {
    let package = if spec.workspace {
        workspace
            .dependency(key)?
            .and_then(|declared| declared.package)
    } else {
        spec.package.clone()
    };
    let package = package.unwrap_or_else(|| key.to_owned());
    if package == UMBRELLA_PACKAGE {
        return Ok(());
    }
    Err(format!(
        "`{key}` is the package `{package}`, not this SDK's umbrella, which is published as \
         `{UMBRELLA_PACKAGE}` (`{UMBRELLA}` on crates.io is another project); write \
         `{UMBRELLA_PACKAGE} = …` (the code keeps `use {UMBRELLA}::…`)"
    ))
}

/// Replaces the focused dependencies in `table` with one umbrella (key `umbrella`) naming
/// their kinds.
fn to_unified(
    table: &mut Table,
    umbrella: &str,
    workspace: &dyn Workspace,
) -> Result<Vec<Kind>, String> {
    let mut found: Vec<(Kind, Spec, Shape)> = Vec::new();
    for (name, item) in table.iter() {
        let Some(kind) = Kind::from_crate_name(name) else {
            continue;
        };
        let (spec, shape) = Spec::read(item).map_err(|error| format!("`{name}` {error}"))?;
        if spec.package.is_some() {
            return Err(format!(
                "`{name}` is renamed with `package`; name it `{name}` without `package`, then migrate"
            ));
        }
        let spec = spec
            .moved(kind.crate_name(), UMBRELLA_PACKAGE)
            .map_err(|error| format!("`{name}` {error}"))?;
        for feature in &spec.features {
            if !kind.forwards(feature) {
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
    if table.contains_key(umbrella) {
        return Err(format!(
            "has both `{umbrella}` and a focused crate; migrate one style at a time"
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
        if !spec.same_source(first) {
            return Err(differs(
                "where they come from (workspace, version, path, git or registry)",
            ));
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
        let declared = workspace.dependency(umbrella)?.ok_or_else(|| {
            format!(
                "the workspace has no `{umbrella}` in [workspace.dependencies]; add \
                 `{umbrella} = {{ version = \"…\", default-features = false }}` there first"
            )
        })?;
        declared.default_features != Some(false)
    };
    if workspace_declares_defaults {
        return Err(format!(
            "the workspace declares `{umbrella}` with default features, which would compile \
             every kind; set `default-features = false` in [workspace.dependencies]"
        ));
    }
    let umbrella_key = umbrella;
    let umbrella = Spec {
        default_features: (!first.workspace).then_some(false),
        features: enabled.umbrella_features(),
        ..first.clone()
    };
    let shape = match first_shape {
        Shape::Header => Shape::Header,
        _ => Shape::Inline,
    };
    let replacement = umbrella.write(umbrella_key, shape)?;
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
                    // As in this repository: the key `symphony`, the package `symphony-sdk`.
                    package: (name == UMBRELLA).then(|| UMBRELLA_PACKAGE.to_owned()),
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
        let unified = "[dependencies]\nsymphony-sdk = { version = \"0.1\", default-features = false, features = [\"operators\", \"onnx\"] }\nserde = \"1\"\n";
        let split = migrate(unified, Style::Split, &Usage::default()).unwrap();
        assert_eq!(
            split.text,
            "[dependencies]\nsymphony_operators = \"0.1\"\nsymphony_instruments = { version = \"0.1\", features = [\"onnx\"] }\nserde = \"1\"\n"
        );
        let back = migrate(&split.text, Style::Unified, &Usage::default()).unwrap();
        assert_eq!(
            back.text,
            "[dependencies]\nsymphony-sdk = { version = \"0.1\", default-features = false, features = [\"operators\", \"instruments\", \"onnx\"] }\nserde = \"1\"\n"
        );
    }

    #[test]
    fn default_features_split_into_the_kinds_the_code_uses() {
        let unified = "[dependencies]\nsymphony-sdk = \"0.1\"\n";
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
                "[dependencies]\nsymphony-sdk = { version = \"0.1\", features = [\"gpu\"] }\n",
                Style::Split,
                "[dependencies]: `symphony-sdk` enables `gpu`",
            ),
            (
                "[dependencies]\nsymphony = { version = \"0.1\", features = [\"operators\"] }\n",
                Style::Split,
                "[dependencies]: `symphony` is the package `symphony`, not this SDK's umbrella",
            ),
            (
                "[dependencies]\nsymphony-sdk = { path = \"../sdk\", features = [\"operators\"] }\n",
                Style::Split,
                "does not end in the folder `symphony` of an SDK checkout",
            ),
            (
                "[features]\nall = [\"symphony-sdk/operators\"]\n[dependencies]\nsymphony-sdk = \"0.1\"\n",
                Style::Split,
                "[features] all = [\"symphony-sdk/operators\"] names `symphony-sdk` other than to enable a backend",
            ),
            (
                "[dependencies]\nserde = \"1\"\n",
                Style::Split,
                "has no dependency on `symphony-sdk`",
            ),
            (
                "[dependencies]\nsymphony-sdk = { version = \"0.1\", default-features = false }\n",
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
            error.contains("no `symphony-sdk` in [workspace.dependencies]"),
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

    #[test]
    fn path_and_git_sources_and_patches_round_trip() {
        let split = r#"[dependencies]
symphony_operators = { path = "../sdk/symphony_operators" }
symphony_instruments = { path = "../sdk/symphony_instruments", features = ["onnx"] }

[dev-dependencies]
symphony_motifs = { git = "https://example.invalid/sdk", tag = "v0.1.0" }

[patch.crates-io]
symphony-sdk-core = { path = "../sdk/symphony_core" }
symphony_operators = { path = "../sdk/symphony_operators" }
symphony_instruments = { path = "../sdk/symphony_instruments" } # ours
serde = { path = "../serde" }
"#;
        let unified = migrate(split, Style::Unified, &Usage::default()).unwrap();
        assert_eq!(
            unified.text,
            r#"[dependencies]
symphony-sdk = { path = "../sdk/symphony", default-features = false, features = ["operators", "instruments", "onnx"] }

[dev-dependencies]
symphony-sdk = { git = "https://example.invalid/sdk", tag = "v0.1.0", default-features = false, features = ["motifs"] }

[patch.crates-io]
symphony-sdk-core = { path = "../sdk/symphony_core" }
symphony_operators = { path = "../sdk/symphony_operators" }
symphony_instruments = { path = "../sdk/symphony_instruments" } # ours
symphony-sdk = { path = "../sdk/symphony" }
serde = { path = "../serde" }
"#
        );
        let back = migrate(&unified.text, Style::Split, &Usage::default()).unwrap();
        assert_eq!(back.text, split);

        let mixed = "[dependencies]\nsymphony_operators = { path = \"../a/symphony_operators\" }\nsymphony_motifs = { path = \"../b/symphony_motifs\" }\n";
        let error = migrate(mixed, Style::Unified, &Usage::default()).unwrap_err();
        assert!(error.contains("differ in where they come from"), "{error}");
    }

    #[test]
    fn an_umbrella_patch_splits_into_the_kinds_it_needs() {
        let unified = "[dependencies]\nsymphony-sdk = { version = \"0.1\", default-features = false, features = [\"motifs\"] }\n\n[patch.crates-io]\nsymphony-sdk = { path = \"/sdk/symphony\" }\n";
        let split = migrate(unified, Style::Split, &Usage::default()).unwrap();
        assert_eq!(
            split.text,
            "[dependencies]\nsymphony_motifs = \"0.1\"\n\n[patch.crates-io]\nsymphony_motifs = { path = \"/sdk/symphony_motifs\" }\n"
        );
    }
}
