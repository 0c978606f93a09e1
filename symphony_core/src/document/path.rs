//! Field paths such as `permissions.filesystem[1].access`, rendered only when an error needs one.

use std::fmt;

/// Where a value sits in a document, as a chain of keys and indices.
///
/// A path is built on the stack while walking the tree (each step borrows its parent), so
/// walking a valid document allocates nothing for paths; the string form is produced only when
/// an error is reported.
#[derive(Debug, Clone, Copy)]
pub(crate) enum FieldPath<'a> {
    /// The document root (empty name) or a named sub-document such as `config`.
    Root(&'a str),
    /// A key of a table.
    Key(&'a FieldPath<'a>, &'a str),
    /// An element of an array.
    Index(&'a FieldPath<'a>, usize),
}

impl<'a> FieldPath<'a> {
    /// The path of `key` inside this table.
    pub(crate) fn key(&'a self, key: &'a str) -> FieldPath<'a> {
        FieldPath::Key(self, key)
    }

    /// The path of element `index` of this array.
    pub(crate) fn index(&'a self, index: usize) -> FieldPath<'a> {
        FieldPath::Index(self, index)
    }

    fn is_document_root(&self) -> bool {
        matches!(self, FieldPath::Root(""))
    }
}

impl fmt::Display for FieldPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldPath::Root(name) => f.write_str(name),
            FieldPath::Key(parent, key) => {
                if !parent.is_document_root() {
                    write!(f, "{parent}.")?;
                }
                if is_bare_key(key) {
                    f.write_str(key)
                } else {
                    // Quote keys that would be ambiguous in a dotted path (`a.b`, spaces, "").
                    write!(f, "{key:?}")
                }
            }
            FieldPath::Index(parent, index) => write!(f, "{parent}[{index}]"),
        }
    }
}

/// Whether a key can be written unquoted, as in a TOML bare key.
fn is_bare_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_keys_and_indices() {
        let root = FieldPath::Root("");
        let permissions = root.key("permissions");
        let filesystem = permissions.key("filesystem");
        let second = filesystem.index(1);
        assert_eq!(
            second.key("access").to_string(),
            "permissions.filesystem[1].access"
        );

        let config = FieldPath::Root("config");
        let tags = config.key("tags");
        assert_eq!(tags.index(2).to_string(), "config.tags[2]");
        assert_eq!(config.key("a.b").to_string(), "config.\"a.b\"");
        assert_eq!(root.key("").to_string(), "\"\"");
    }
}
