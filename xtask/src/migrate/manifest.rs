//! Rewriting an extension's `Cargo.toml` between the umbrella dependency and the focused
//! ones, with `toml_edit` so that everything else (order, comments, formatting) is kept.

use std::cmp::Ordering;
use std::collections::HashMap;

use toml_edit::{DocumentMut, Item, Key, Table};

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
    check_features(&document, style)?;
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

/// Features of the crate itself that forward to an SDK dependency would need renaming too;
/// rather than guess, refuse and name them.
fn check_features(document: &DocumentMut, style: Style) -> Result<(), String> {
    let Some(features) = document.get("features").and_then(Item::as_table_like) else {
        return Ok(());
    };
    let from_names: Vec<&str> = match style {
        Style::Split => vec![UMBRELLA],
        Style::Unified => Kind::ALL.iter().map(|kind| kind.crate_name()).collect(),
    };
    for (feature, item) in features.iter() {
        let Some(array) = item.as_array() else {
            continue;
        };
        for value in array.iter().filter_map(|value| value.as_str()) {
            let dependency = value
                .strip_prefix("dep:")
                .unwrap_or(value)
                .split(['/', '?'])
                .next()
                .unwrap_or(value);
            if from_names.contains(&dependency) {
                return Err(format!(
                    "[features] {feature} = [\"{value}\"] forwards to `{dependency}`; \
                     rename it by hand (see docs/migration.md), then migrate"
                ));
            }
        }
    }
    Ok(())
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

/// The comments above an entry live in its key's decor, a trailing comment in its value's
/// (or, for `[header]` tables, the table's decor and document position).
fn carry_decor(old_key: &Key, old_item: &Item, key: &mut Key, item: &mut Item) {
    *key.leaf_decor_mut() = old_key.leaf_decor().clone();
    match (old_item, item) {
        (Item::Value(old), Item::Value(new)) => {
            if let Some(suffix) = old.decor().suffix() {
                new.decor_mut().set_suffix(suffix.clone());
            }
        }
        (Item::Table(old), Item::Table(new)) if !old.is_dotted() && !new.is_dotted() => {
            *new.decor_mut() = old.decor().clone();
            new.set_position(old.position());
        }
        _ => {}
    }
}
