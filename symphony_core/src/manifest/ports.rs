//! Reading the port lists shared by `[instrument]` and `[operator]`.

use std::collections::HashSet;

use crate::document::{FieldPath, Node, Reader};

/// Something with a name that must be unique within its list.
pub(crate) trait Named {
    fn name(&self) -> &str;
}

/// Reads an array of port tables with `read_one`, reporting duplicate names.
pub(crate) fn read_list<T: Named>(
    node: &Node,
    path: &FieldPath<'_>,
    reader: &mut Reader,
    read_one: impl Fn(&Node, &FieldPath<'_>, &mut Reader) -> Option<T>,
) -> Vec<T> {
    let Some(items) = reader.array(node, path) else {
        return Vec::new();
    };
    let mut ports: Vec<T> = Vec::with_capacity(items.len());
    // A set, so that a list of n ports is checked in O(n).
    let mut names: HashSet<String> = HashSet::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let item_path = path.index(index);
        if let Some(port) = read_one(item, &item_path, reader) {
            if !names.insert(port.name().to_owned()) {
                let name_node = item.get("name").unwrap_or(item);
                reader.invalid(
                    name_node,
                    &item_path.key("name"),
                    format!("duplicate port name `{}`", port.name()),
                );
            } else {
                ports.push(port);
            }
        }
    }
    ports
}

/// Reads a port's `name`: a letter or `_`, then letters, digits, `_` or `-`.
pub(crate) fn port_name(node: &Node, path: &FieldPath<'_>, reader: &mut Reader) -> Option<String> {
    let name = reader.string(node, path)?;
    let mut chars = name.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if valid {
        Some(name.to_owned())
    } else {
        reader.invalid(
            node,
            path,
            format!(
                "`{name}` is not a valid port name: use letters, digits, `_` and `-`, starting \
                 with a letter or `_`"
            ),
        );
        None
    }
}

/// Reads an optional `description` string.
pub(crate) fn description(
    node: Option<&Node>,
    path: &FieldPath<'_>,
    reader: &mut Reader,
) -> Option<String> {
    node.and_then(|node| reader.string(node, &path.key("description")))
        .map(str::to_owned)
}
