//! Reading a [`Node`] tree into typed values while collecting every problem found.

use std::fmt;

use serde_json::{Map, Number, Value};

use super::node::{Content, Entry, Node, Span};
use super::path::FieldPath;
use super::suggest::{closest, did_you_mean};

/// One problem found while reading a document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Issue {
    /// The rendered field path, e.g. `permissions.filesystem[1].access`.
    pub(crate) path: String,
    /// Where in the source the offending key or value is, when known.
    pub(crate) span: Option<Span>,
    pub(crate) kind: IssueKind,
}

/// What is wrong at an [`Issue`]'s path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum IssueKind {
    WrongType {
        expected: &'static str,
        found: &'static str,
    },
    Missing,
    Unknown {
        suggestion: Option<String>,
    },
    Invalid(String),
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.kind)
    }
}

impl fmt::Display for IssueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongType { expected, found } => write!(f, "expected {expected}, found {found}"),
            Self::Missing => f.write_str("missing required field"),
            Self::Unknown { suggestion } => {
                write!(f, "unknown field{}", did_you_mean(suggestion))
            }
            Self::Invalid(reason) => f.write_str(reason),
        }
    }
}

/// Collects issues while typed values are read out of a tree.
///
/// Every reading method returns `None` after recording an issue, so callers can carry on with
/// the rest of the document and report all problems at once.
///
/// Only the first [`MAX_LISTED`] issues are kept; the rest are counted, so that a document
/// with a million bad keys costs a million cheap checks rather than a million messages.
#[derive(Debug, Default)]
pub(crate) struct Reader {
    issues: Vec<Issue>,
    unlisted: usize,
}

/// How many problems a document's error list names; the rest are counted.
pub(crate) const MAX_LISTED: usize = 100;

impl Reader {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// The issues kept (in the order found), and how many more there were.
    pub(crate) fn into_issues(self) -> (Vec<Issue>, usize) {
        (self.issues, self.unlisted)
    }

    pub(crate) fn has_issues(&self) -> bool {
        !self.issues.is_empty()
    }

    /// Whether further issues are only counted, so a caller can skip describing them.
    pub(crate) fn is_full(&self) -> bool {
        self.issues.len() >= MAX_LISTED
    }

    /// Counts `count` issues that were found and described elsewhere but are not listed.
    pub(crate) fn count_unlisted(&mut self, count: usize) {
        self.unlisted += count;
    }

    /// Records an issue.
    pub(crate) fn report(&mut self, path: &FieldPath<'_>, span: Option<&Span>, kind: IssueKind) {
        if self.is_full() {
            self.unlisted += 1;
            return;
        }
        self.issues.push(Issue {
            path: path.to_string(),
            span: span.cloned(),
            kind,
        });
    }

    /// Records an issue whose path was rendered elsewhere (e.g. by the config validator).
    pub(crate) fn report_at(&mut self, path: String, span: Option<&Span>, kind: IssueKind) {
        if self.is_full() {
            self.unlisted += 1;
            return;
        }
        self.issues.push(Issue {
            path,
            span: span.cloned(),
            kind,
        });
    }

    /// Records that `node` has a value that is well-typed but not acceptable.
    pub(crate) fn invalid(&mut self, node: &Node, path: &FieldPath<'_>, reason: impl Into<String>) {
        self.report(path, node.span.as_ref(), IssueKind::Invalid(reason.into()));
    }

    fn wrong_type(&mut self, node: &Node, path: &FieldPath<'_>, expected: &'static str) {
        let found = node.type_name();
        self.report(
            path,
            node.span.as_ref(),
            IssueKind::WrongType { expected, found },
        );
    }

    /// Opens a table for reading its keys one by one.
    pub(crate) fn table<'n>(&mut self, node: &'n Node, path: &FieldPath<'_>) -> Option<Table<'n>> {
        match node.as_table() {
            Some(entries) => Some(Table {
                node,
                entries,
                used: vec![false; entries.len()],
            }),
            None => {
                self.wrong_type(node, path, "a table");
                None
            }
        }
    }

    pub(crate) fn string<'n>(&mut self, node: &'n Node, path: &FieldPath<'_>) -> Option<&'n str> {
        match &node.content {
            Content::String(text) => Some(text),
            _ => {
                self.wrong_type(node, path, "a string");
                None
            }
        }
    }

    /// A string that must not be empty or only whitespace.
    pub(crate) fn non_empty_string<'n>(
        &mut self,
        node: &'n Node,
        path: &FieldPath<'_>,
    ) -> Option<&'n str> {
        let text = self.string(node, path)?;
        if text.trim().is_empty() {
            self.invalid(node, path, "must not be empty");
            return None;
        }
        Some(text)
    }

    pub(crate) fn boolean(&mut self, node: &Node, path: &FieldPath<'_>) -> Option<bool> {
        match node.content {
            Content::Bool(flag) => Some(flag),
            _ => {
                self.wrong_type(node, path, "a boolean");
                None
            }
        }
    }

    /// An integer that fits `T` (e.g. `u16` for ports), with a range message otherwise.
    pub(crate) fn integer<T>(&mut self, node: &Node, path: &FieldPath<'_>) -> Option<T>
    where
        T: TryFrom<i128> + Bounded,
    {
        match node.content {
            Content::Integer(value) => match T::try_from(value) {
                Ok(value) => Some(value),
                Err(_) => {
                    self.invalid(
                        node,
                        path,
                        format!(
                            "{value} is out of range (expected {} to {})",
                            T::LOWEST,
                            T::HIGHEST
                        ),
                    );
                    None
                }
            },
            _ => {
                self.wrong_type(node, path, "an integer");
                None
            }
        }
    }

    /// A finite number, integer or float.
    pub(crate) fn number(&mut self, node: &Node, path: &FieldPath<'_>) -> Option<f64> {
        let value = match node.content {
            // Precision loss only beyond 2^53, far outside any sensible bound.
            #[allow(clippy::cast_precision_loss)]
            Content::Integer(value) => value as f64,
            Content::Float(value) => value,
            _ => {
                self.wrong_type(node, path, "a number");
                return None;
            }
        };
        if value.is_finite() {
            Some(value)
        } else {
            self.invalid(node, path, "must be a finite number (not nan or inf)");
            None
        }
    }

    pub(crate) fn array<'n>(&mut self, node: &'n Node, path: &FieldPath<'_>) -> Option<&'n [Node]> {
        match &node.content {
            Content::Array(items) => Some(items),
            _ => {
                self.wrong_type(node, path, "an array");
                None
            }
        }
    }

    /// An array of strings; elements of the wrong type are reported and skipped.
    pub(crate) fn strings<'n>(
        &mut self,
        node: &'n Node,
        path: &FieldPath<'_>,
    ) -> Option<Vec<(&'n str, &'n Node)>> {
        let items = self.array(node, path)?;
        let mut strings = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            if let Some(text) = self.string(item, &path.index(index)) {
                strings.push((text, item));
            }
        }
        Some(strings)
    }

    /// A string naming one of `choices`, with a "did you mean" hint for near misses.
    pub(crate) fn one_of<T: Copy>(
        &mut self,
        node: &Node,
        path: &FieldPath<'_>,
        choices: &[(&'static str, T)],
    ) -> Option<T> {
        let text = self.string(node, path)?;
        if let Some((_, value)) = choices.iter().find(|(name, _)| *name == text) {
            return Some(*value);
        }
        let names: Vec<&str> = choices.iter().map(|(name, _)| *name).collect();
        let hint = closest(text, names.iter().copied())
            .map(|name| format!(" (did you mean `{name}`?)"))
            .unwrap_or_default();
        self.invalid(
            node,
            path,
            format!(
                "unknown value `{text}`{hint}; expected one of {}",
                quoted_list(&names)
            ),
        );
        None
    }

    /// Converts a subtree to JSON, as kept for free-form tables and config values.
    pub(crate) fn json(&mut self, node: &Node, path: &FieldPath<'_>) -> Option<Value> {
        let value = match &node.content {
            Content::Null => Value::Null,
            Content::Bool(flag) => Value::Bool(*flag),
            Content::Integer(value) => {
                let number = i64::try_from(*value)
                    .map(Number::from)
                    .or_else(|_| u64::try_from(*value).map(Number::from));
                match number {
                    Ok(number) => Value::Number(number),
                    Err(_) => {
                        self.invalid(node, path, format!("integer {value} is out of range"));
                        return None;
                    }
                }
            }
            Content::Float(value) => match Number::from_f64(*value) {
                Some(number) => Value::Number(number),
                None => {
                    self.invalid(node, path, "must be a finite number (not nan or inf)");
                    return None;
                }
            },
            Content::String(text) | Content::Datetime(text) => Value::String(text.clone()),
            Content::Array(items) => {
                let mut values = Vec::with_capacity(items.len());
                let mut complete = true;
                for (index, item) in items.iter().enumerate() {
                    match self.json(item, &path.index(index)) {
                        Some(value) => values.push(value),
                        None => complete = false,
                    }
                }
                if !complete {
                    return None;
                }
                Value::Array(values)
            }
            Content::Table(entries) => {
                let mut map = Map::new();
                let mut complete = true;
                for entry in entries {
                    match self.json(&entry.node, &path.key(&entry.key)) {
                        Some(value) => {
                            map.insert(entry.key.clone(), value);
                        }
                        None => complete = false,
                    }
                }
                if !complete {
                    return None;
                }
                Value::Object(map)
            }
        };
        Some(value)
    }
}

/// The keys of one table, read one at a time; whatever is left unread is unknown.
#[derive(Debug)]
pub(crate) struct Table<'n> {
    node: &'n Node,
    entries: &'n [Entry],
    used: Vec<bool>,
}

impl<'n> Table<'n> {
    /// The value of `key`, if present; marks it as known.
    pub(crate) fn get(&mut self, key: &str) -> Option<&'n Node> {
        let position = self.entries.iter().position(|entry| entry.key == key)?;
        if let Some(used) = self.used.get_mut(position) {
            *used = true;
        }
        self.entries.get(position).map(|entry| &entry.node)
    }

    /// The value of `key`, reporting it as missing when absent.
    pub(crate) fn required(
        &mut self,
        key: &str,
        path: &FieldPath<'_>,
        reader: &mut Reader,
    ) -> Option<&'n Node> {
        let node = self.get(key);
        if node.is_none() {
            reader.report(&path.key(key), self.node.span.as_ref(), IssueKind::Missing);
        }
        node
    }

    /// All entries, read or not.
    pub(crate) fn entries(&self) -> &'n [Entry] {
        self.entries
    }

    /// Reports every key that was never read as unknown, suggesting the closest of `known`.
    pub(crate) fn finish(self, path: &FieldPath<'_>, known: &[&str], reader: &mut Reader) {
        for (entry, used) in self.entries.iter().zip(&self.used) {
            if !used {
                let suggestion = if reader.is_full() {
                    None
                } else {
                    closest(&entry.key, known.iter().copied()).map(str::to_owned)
                };
                reader.report(
                    &path.key(&entry.key),
                    entry.key_span.as_ref().or(entry.node.span.as_ref()),
                    IssueKind::Unknown { suggestion },
                );
            }
        }
    }
}

/// The range of an integer type, for "out of range" messages.
pub(crate) trait Bounded {
    const LOWEST: i128;
    const HIGHEST: i128;
}

macro_rules! bounded {
    ($($ty:ty),*) => {$(
        impl Bounded for $ty {
            const LOWEST: i128 = <$ty>::MIN as i128;
            const HIGHEST: i128 = <$ty>::MAX as i128;
        }
    )*};
}

bounded!(u16, u32, u64, usize, i64);

/// The name of `value` in a `(name, value)` table such as the ones given to
/// [`Reader::one_of`].
pub(crate) fn choice_name<T: Copy + PartialEq>(
    choices: &[(&'static str, T)],
    value: T,
) -> &'static str {
    choices
        .iter()
        .find(|(_, candidate)| *candidate == value)
        .map_or("", |(name, _)| name)
}

/// Formats names as `` `a`, `b` or `c` ``.
pub(crate) fn quoted_list(names: &[&str]) -> String {
    let mut text = String::new();
    for (index, name) in names.iter().enumerate() {
        if index > 0 {
            text.push_str(if index + 1 == names.len() {
                " or "
            } else {
                ", "
            });
        }
        text.push('`');
        text.push_str(name);
        text.push('`');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(source: &str) -> Node {
        Node::from_toml(source).expect("valid TOML")
    }

    #[test]
    fn collects_all_issues_with_paths_and_hints() {
        let source = "name = 3
descripton = \"x\"
port = 70000
mode = \"fsat\"
";
        let node = parse(source);
        let root = FieldPath::Root("");
        let mut reader = Reader::new();
        let mut table = reader.table(&node, &root).expect("table");
        assert_eq!(
            table
                .get("name")
                .and_then(|n| reader.string(n, &root.key("name"))),
            None
        );
        let port = table.get("port").expect("port");
        assert_eq!(reader.integer::<u16>(port, &root.key("port")), None);
        let mode = table.get("mode").expect("mode");
        assert_eq!(
            reader.one_of(mode, &root.key("mode"), &[("fast", 1), ("slow", 2)]),
            None
        );
        assert!(table.required("version", &root, &mut reader).is_none());
        table.finish(
            &root,
            &["name", "description", "port", "mode", "version"],
            &mut reader,
        );

        let (issues, unlisted) = reader.into_issues();
        assert_eq!(unlisted, 0);
        let summary: Vec<(String, IssueKind)> = issues
            .iter()
            .map(|i| (i.path.clone(), i.kind.clone()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    "name".into(),
                    IssueKind::WrongType { expected: "a string", found: "an integer" }
                ),
                (
                    "port".into(),
                    IssueKind::Invalid("70000 is out of range (expected 0 to 65535)".into())
                ),
                (
                    "mode".into(),
                    IssueKind::Invalid(
                        "unknown value `fsat` (did you mean `fast`?); expected one of `fast` or `slow`"
                            .into()
                    )
                ),
                ("version".into(), IssueKind::Missing),
                (
                    "descripton".into(),
                    IssueKind::Unknown { suggestion: Some("description".into()) }
                ),
            ]
        );
        let unknown_span = issues[4].span.clone().expect("span");
        assert_eq!(&source[unknown_span], "descripton");
    }

    #[test]
    fn json_conversion_keeps_values_and_rejects_non_finite() {
        let node = parse("a = { b = [1, 2.5, \"x\", true] }\nc = nan\n");
        let mut reader = Reader::new();
        let root = FieldPath::Root("");
        let a = node.get("a").expect("a");
        assert_eq!(
            reader.json(a, &root.key("a")),
            Some(serde_json::json!({ "b": [1, 2.5, "x", true] }))
        );
        let c = node.get("c").expect("c");
        assert_eq!(reader.json(c, &root.key("c")), None);
        assert_eq!(reader.number(c, &root.key("c")), None);
        assert_eq!(reader.into_issues().0.len(), 2);
    }

    #[test]
    fn quoted_list_reads_naturally() {
        assert_eq!(quoted_list(&[]), "");
        assert_eq!(quoted_list(&["a"]), "`a`");
        assert_eq!(quoted_list(&["a", "b", "c"]), "`a`, `b` or `c`");
    }
}
