//! Reading the `[permissions]` table into [`Permissions`], with a light check of every glob.
//!
//! The permission module owns matching and the full rules; here each entry only has to be
//! well-formed, so that mistakes surface when the manifest is written.

use crate::document::{FieldPath, Node, Reader};
use crate::permission::{FsAccess, FsRule, ModelAction, NetworkRule, Permissions};

use super::glob::check_glob;

const KEYS: [&str; 5] = ["filesystem", "network", "env", "process", "model"];

pub(crate) fn read(node: &Node, path: &FieldPath<'_>, reader: &mut Reader) -> Permissions {
    let mut permissions = Permissions::default();
    let Some(mut table) = reader.table(node, path) else {
        return permissions;
    };
    if let Some(node) = table.get("filesystem") {
        permissions.filesystem = list(node, &path.key("filesystem"), reader, fs_rule);
    }
    if let Some(node) = table.get("network") {
        permissions.network = list(node, &path.key("network"), reader, network_rule);
    }
    if let Some(node) = table.get("env") {
        permissions.env = list(node, &path.key("env"), reader, env_var);
    }
    if let Some(node) = table.get("process") {
        permissions.process = list(node, &path.key("process"), reader, program);
    }
    if let Some(node) = table.get("model") {
        permissions.model = list(node, &path.key("model"), reader, |node, path, reader| {
            reader.one_of(node, path, &MODEL_ACTIONS)
        });
    }
    table.finish(path, &KEYS, reader);
    permissions
}

const MODEL_ACTIONS: [(&str, ModelAction); 2] = [
    ("invoke", ModelAction::Invoke),
    ("configure", ModelAction::Configure),
];

const FS_ACCESS: [(&str, FsAccess); 3] = [
    ("read", FsAccess::Read),
    ("write", FsAccess::Write),
    ("delete", FsAccess::Delete),
];

fn list<T>(
    node: &Node,
    path: &FieldPath<'_>,
    reader: &mut Reader,
    read_one: impl Fn(&Node, &FieldPath<'_>, &mut Reader) -> Option<T>,
) -> Vec<T> {
    let Some(items) = reader.array(node, path) else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(index, item)| read_one(item, &path.index(index), reader))
        .collect()
}

fn fs_rule(node: &Node, path: &FieldPath<'_>, reader: &mut Reader) -> Option<FsRule> {
    let mut table = reader.table(node, path)?;
    let glob = table.required("path", path, reader).and_then(|node| {
        let glob_path = path.key("path");
        let glob = reader.string(node, &glob_path)?;
        if glob.split(['/', '\\']).any(|segment| segment == "..") {
            reader.invalid(
                node,
                &glob_path,
                format!("`{glob}` contains `..`; name the directory itself (absolute or relative to the workspace)"),
            );
            return None;
        }
        checked_glob(glob, node, &glob_path, reader)
    });
    let access = table.required("access", path, reader).and_then(|node| {
        let access_path = path.key("access");
        let items = reader.array(node, &access_path)?;
        if items.is_empty() {
            reader.invalid(
                node,
                &access_path,
                "must list at least one of `read`, `write` or `delete`",
            );
            return None;
        }
        let mut access: Vec<FsAccess> = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let item_path = access_path.index(index);
            match reader.one_of(item, &item_path, &FS_ACCESS) {
                Some(kind) if access.contains(&kind) => {
                    reader.invalid(item, &item_path, "listed twice");
                }
                Some(kind) => access.push(kind),
                None => {}
            }
        }
        Some(access)
    });
    table.finish(path, &["path", "access"], reader);
    Some(FsRule {
        path: glob?,
        access: access?,
    })
}

fn network_rule(node: &Node, path: &FieldPath<'_>, reader: &mut Reader) -> Option<NetworkRule> {
    let mut table = reader.table(node, path)?;
    let host = table.required("host", path, reader).and_then(|node| {
        let host_path = path.key("host");
        let host = reader.string(node, &host_path)?;
        if host.contains("://") || host.contains('/') || host.contains(char::is_whitespace) {
            reader.invalid(
                node,
                &host_path,
                format!("`{host}` is not a host name; give only the host, as in `api.example.com`"),
            );
            return None;
        }
        checked_glob(host, node, &host_path, reader)
    });
    let ports = match table.get("ports") {
        Some(node) => {
            let ports_path = path.key("ports");
            list(
                node,
                &ports_path,
                reader,
                |item, item_path, reader| match reader.integer::<u16>(item, item_path) {
                    Some(0) => {
                        reader.invalid(item, item_path, "port 0 is not a port (1 to 65535)");
                        None
                    }
                    port => port,
                },
            )
        }
        None => Vec::new(),
    };
    table.finish(path, &["host", "ports"], reader);
    Some(NetworkRule { host: host?, ports })
}

fn env_var(node: &Node, path: &FieldPath<'_>, reader: &mut Reader) -> Option<String> {
    let name = reader.string(node, path)?;
    if name.contains('=') {
        reader.invalid(
            node,
            path,
            format!("`{name}` contains `=`; give only the variable name"),
        );
        return None;
    }
    checked_glob(name, node, path, reader)
}

fn program(node: &Node, path: &FieldPath<'_>, reader: &mut Reader) -> Option<String> {
    let name = reader.string(node, path)?;
    checked_glob(name, node, path, reader)
}

fn checked_glob(
    glob: &str,
    node: &Node,
    path: &FieldPath<'_>,
    reader: &mut Reader,
) -> Option<String> {
    match check_glob(glob) {
        Ok(()) => Some(glob.to_owned()),
        Err(reason) => {
            reader.invalid(node, path, reason);
            None
        }
    }
}
