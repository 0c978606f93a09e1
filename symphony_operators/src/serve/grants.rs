//! From the host's filesystem grants to the roots [`Files`] allows.

use std::path::{Path, PathBuf};

use symphony_core::permission::{FsAccess, Permissions};

use crate::files::Files;

/// The file access a session's grants allow.
///
/// A grant of a directory and everything under it (`data/**`, `/abs/dir/**`, or a plain
/// directory) becomes a root for its accesses; a relative grant is resolved against each
/// workspace root. Narrower globs (such as `data/*.csv`) cannot be expressed as a root and
/// grant nothing here (they are logged): the glob-aware permission `Policy` of
/// `symphony_core` is meant to replace this mapping once it is available. Roots that do not
/// exist are skipped.
pub fn files_from_grants(grants: &Permissions, workspace_roots: &[PathBuf]) -> Files {
    let mut read = Vec::new();
    let mut write = Vec::new();
    for rule in &grants.filesystem {
        let Some(dir) = directory_of(&rule.path) else {
            tracing::warn!(glob = %rule.path, "filesystem grant is narrower than a directory; not usable by operators");
            continue;
        };
        let bases: Vec<PathBuf> = if dir.is_absolute() {
            vec![dir.to_path_buf()]
        } else {
            workspace_roots.iter().map(|root| root.join(dir)).collect()
        };
        for base in bases {
            if !base.exists() {
                continue;
            }
            if rule.access.contains(&FsAccess::Read) {
                read.push(base.clone());
            }
            if rule.access.contains(&FsAccess::Write) {
                write.push(base);
            }
        }
    }
    Files::within(read, write).unwrap_or_else(|error| {
        tracing::warn!(%error, "a granted root cannot be resolved; granting no file access");
        Files::none()
    })
}

/// `dir/**` or `dir` (no wildcard) → `dir`.
fn directory_of(glob: &str) -> Option<&Path> {
    let dir = glob.strip_suffix("/**").unwrap_or(glob);
    let dir = if dir == "**" { "." } else { dir };
    (!dir.is_empty() && !dir.contains(['*', '?', '[', ']', '{', '}'])).then(|| Path::new(dir))
}
