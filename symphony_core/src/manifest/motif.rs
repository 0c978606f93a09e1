//! The `[motif]` section: UI components and custom editors.

use std::collections::HashSet;
use std::fmt;

use serde::Serialize;

use super::glob::check_glob;
use crate::document::{Content, FieldPath, Node, Reader, choice_name};

/// The `[motif]` section of a motif's manifest: at least one component or editor.
///
/// ```toml
/// [motif]
/// components = [{ id = "acme.preview", title = "Preview", placement = "panel" }]
/// editors = [{ view_type = "acme.csv", display_name = "CSV table", file_patterns = ["*.csv"] }]
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct MotifSection {
    /// UI components the motif contributes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<MotifComponent>,
    /// Custom editors the motif contributes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub editors: Vec<CustomEditor>,
}

/// A UI component of a motif.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct MotifComponent {
    /// Identifier, unique within the motif (letters, digits, `.`, `_`, `-`).
    pub id: String,
    /// Title shown to the user.
    pub title: String,
    /// Where the IDE shows it.
    pub placement: Placement,
}

/// Where the IDE shows a motif component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Placement {
    /// A side or bottom panel.
    Panel,
    /// An item in the status bar.
    StatusBar,
    /// An editor tab.
    Editor,
    /// A modal dialog.
    Modal,
    /// A floating window.
    Floating,
}

impl Placement {
    /// The name as written in a manifest.
    pub fn as_str(self) -> &'static str {
        choice_name(&Self::CHOICES, self)
    }

    const CHOICES: [(&'static str, Self); 5] = [
        ("panel", Self::Panel),
        ("status-bar", Self::StatusBar),
        ("editor", Self::Editor),
        ("modal", Self::Modal),
        ("floating", Self::Floating),
    ];
}

/// A custom editor for files matching some patterns.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CustomEditor {
    /// Identifier of the editor, unique within the motif.
    pub view_type: String,
    /// Name shown to the user.
    pub display_name: String,
    /// Globs of the files it opens, at least one.
    pub file_patterns: Vec<String>,
}

const KEYS: [&str; 2] = ["components", "editors"];
const COMPONENT_KEYS: [&str; 3] = ["id", "title", "placement"];
const EDITOR_KEYS: [&str; 3] = ["view_type", "display_name", "file_patterns"];

pub(crate) fn read(node: &Node, path: &FieldPath<'_>, reader: &mut Reader) -> Option<MotifSection> {
    let mut table = reader.table(node, path)?;
    let components = table.get("components").map_or_else(Vec::new, |node| {
        list(node, &path.key("components"), reader, component, |c| &c.id)
    });
    let editors = table.get("editors").map_or_else(Vec::new, |node| {
        list(node, &path.key("editors"), reader, editor, |e| &e.view_type)
    });
    table.finish(path, &KEYS, reader);
    // Entries that failed to read were reported already; only a motif that lists none at all
    // gets this error.
    let lists_any = KEYS.iter().any(|key| {
        node.get(key)
            .is_some_and(|list| matches!(&list.content, Content::Array(items) if !items.is_empty()))
    });
    if components.is_empty() && editors.is_empty() && !lists_any {
        reader.invalid(
            node,
            path,
            "a motif needs at least one entry in `components` or `editors`",
        );
    }
    Some(MotifSection {
        components,
        editors,
    })
}

/// Reads an array of tables, reporting items whose identifier repeats an earlier one.
fn list<T>(
    node: &Node,
    path: &FieldPath<'_>,
    reader: &mut Reader,
    read_one: fn(&Node, &FieldPath<'_>, &mut Reader) -> Option<T>,
    id_of: fn(&T) -> &String,
) -> Vec<T> {
    let Some(items) = reader.array(node, path) else {
        return Vec::new();
    };
    let mut read: Vec<T> = Vec::with_capacity(items.len());
    // A set, so that a list of n items is checked in O(n).
    let mut ids: HashSet<String> = HashSet::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let item_path = path.index(index);
        if let Some(value) = read_one(item, &item_path, reader) {
            if !ids.insert(id_of(&value).clone()) {
                reader.invalid(
                    item,
                    &item_path,
                    format!("duplicate identifier `{}`", id_of(&value)),
                );
            } else {
                read.push(value);
            }
        }
    }
    read
}

fn component(node: &Node, path: &FieldPath<'_>, reader: &mut Reader) -> Option<MotifComponent> {
    let mut table = reader.table(node, path)?;
    let id = table
        .required("id", path, reader)
        .and_then(|node| identifier(node, &path.key("id"), reader));
    let title = table
        .required("title", path, reader)
        .and_then(|node| reader.non_empty_string(node, &path.key("title")));
    let placement = table
        .required("placement", path, reader)
        .and_then(|node| reader.one_of(node, &path.key("placement"), &Placement::CHOICES));
    table.finish(path, &COMPONENT_KEYS, reader);
    Some(MotifComponent {
        id: id?,
        title: title?.to_owned(),
        placement: placement?,
    })
}

fn editor(node: &Node, path: &FieldPath<'_>, reader: &mut Reader) -> Option<CustomEditor> {
    let mut table = reader.table(node, path)?;
    let view_type = table
        .required("view_type", path, reader)
        .and_then(|node| identifier(node, &path.key("view_type"), reader));
    let display_name = table
        .required("display_name", path, reader)
        .and_then(|node| reader.non_empty_string(node, &path.key("display_name")));
    let patterns_path = path.key("file_patterns");
    let file_patterns = table
        .required("file_patterns", path, reader)
        .and_then(|node| {
            let patterns = reader.strings(node, &patterns_path)?;
            if patterns.is_empty() {
                reader.invalid(node, &patterns_path, "must list at least one pattern");
            }
            let mut valid = Vec::with_capacity(patterns.len());
            for (index, (pattern, item)) in patterns.into_iter().enumerate() {
                match check_glob(pattern) {
                    Ok(()) => valid.push(pattern.to_owned()),
                    Err(reason) => reader.invalid(item, &patterns_path.index(index), reason),
                }
            }
            Some(valid)
        });
    table.finish(path, &EDITOR_KEYS, reader);
    Some(CustomEditor {
        view_type: view_type?,
        display_name: display_name?.to_owned(),
        file_patterns: file_patterns?,
    })
}

/// Reads an identifier: ASCII letters, digits, `.`, `_` and `-`.
fn identifier(node: &Node, path: &FieldPath<'_>, reader: &mut Reader) -> Option<String> {
    let id = reader.non_empty_string(node, path)?;
    if let Some(bad) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        reader.invalid(
            node,
            path,
            format!("`{id}` contains {bad:?}; use letters, digits, `.`, `_` and `-`"),
        );
        return None;
    }
    Some(id.to_owned())
}

impl fmt::Display for Placement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
