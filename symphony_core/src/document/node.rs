//! The document tree, built from TOML (with source spans) or from any serde format (JSON).

use std::collections::HashSet;
use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::ops::Range;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use toml::de::{DeTable, DeValue};

/// A byte range in the source text.
pub(crate) type Span = Range<usize>;

/// One value of a document and, when it came from source text we parsed, where it is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub(crate) content: Content,
    pub(crate) span: Option<Span>,
}

/// The value itself.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Content {
    Null,
    Bool(bool),
    /// Wide enough for every TOML integer (i64) and every JSON integer (i64 or u64).
    Integer(i128),
    Float(f64),
    String(String),
    /// A TOML date-time, kept as written.
    Datetime(String),
    Array(Vec<Node>),
    /// Entries in document order.
    Table(Vec<Entry>),
}

/// One `key = value` entry of a table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub(crate) key: String,
    pub(crate) key_span: Option<Span>,
    pub(crate) node: Node,
}

/// Source text that is not well-formed TOML or JSON.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SyntaxError {
    pub(crate) message: String,
    pub(crate) span: Option<Span>,
}

impl Node {
    /// Parses a TOML document, keeping spans and document order.
    pub(crate) fn from_toml(source: &str) -> Result<Node, SyntaxError> {
        let table = DeTable::parse(source).map_err(|error| SyntaxError {
            message: error.message().trim_end().to_owned(),
            span: error.span(),
        })?;
        Ok(Node {
            content: Content::Table(table_entries(table.get_ref())?),
            // The root spans the whole text; pointing at its start would only say "line 1".
            span: None,
        })
    }

    /// A short description of the value's type, for "expected …, found …" messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self.content {
            Content::Null => "null",
            Content::Bool(_) => "a boolean",
            Content::Integer(_) => "an integer",
            Content::Float(_) => "a float",
            Content::String(_) => "a string",
            Content::Datetime(_) => "a date-time",
            Content::Array(_) => "an array",
            Content::Table(_) => "a table",
        }
    }

    /// The entries of a table, or `None` if this is not a table.
    pub(crate) fn as_table(&self) -> Option<&[Entry]> {
        match &self.content {
            Content::Table(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value of `key` if this is a table that has it.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        self.as_table()?
            .iter()
            .find(|entry| entry.key == key)
            .map(|entry| &entry.node)
    }
}

fn table_entries(table: &DeTable<'_>) -> Result<Vec<Entry>, SyntaxError> {
    let mut entries = Vec::with_capacity(table.len());
    for (key, value) in table.iter() {
        entries.push(Entry {
            key: key.get_ref().to_string(),
            key_span: Some(key.span()),
            node: node(value.get_ref(), value.span())?,
        });
    }
    // The parsed table is ordered by key; the key spans give back the order of the source.
    entries.sort_by_key(|entry| entry.key_span.as_ref().map_or(0, |span| span.start));
    Ok(entries)
}

fn node(value: &DeValue<'_>, span: Span) -> Result<Node, SyntaxError> {
    let out_of_range = |kind: &str, text: String| SyntaxError {
        message: format!(
            "{kind} `{text}` cannot be represented exactly (TOML allows 64-bit values)"
        ),
        span: Some(span.clone()),
    };
    let content = match value {
        DeValue::String(text) => Content::String(text.to_string()),
        // TOML integers are 64-bit; the parser leaves the range check to the reader.
        DeValue::Integer(integer) => i64::from_str_radix(integer.as_str(), integer.radix())
            .map(|value| Content::Integer(value.into()))
            .map_err(|_| out_of_range("integer", integer.to_string()))?,
        DeValue::Float(float) => match float.as_str().parse::<f64>() {
            // `inf` is a TOML float; an overflow to infinity of a finite literal is not.
            Ok(value) if value.is_finite() || float.as_str().contains("inf") || value.is_nan() => {
                Content::Float(value)
            }
            _ => return Err(out_of_range("float", float.to_string())),
        },
        DeValue::Boolean(flag) => Content::Bool(*flag),
        DeValue::Datetime(datetime) => Content::Datetime(datetime.to_string()),
        DeValue::Array(array) => Content::Array(
            array
                .iter()
                .map(|item| node(item.get_ref(), item.span()))
                .collect::<Result<_, _>>()?,
        ),
        DeValue::Table(table) => Content::Table(table_entries(table)?),
    };
    Ok(Node {
        content,
        span: Some(span),
    })
}

/// Builds a tree from any self-describing serde format (JSON in practice), without spans.
///
/// Map entries keep the order the format yields them in, and a repeated key is an error rather
/// than a silent overwrite.
impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl NodeVisitor {
    fn node(content: Content) -> Node {
        Node {
            content,
            span: None,
        }
    }
}

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON or TOML value")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Node, E> {
        Ok(Self::node(Content::Bool(value)))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Node, E> {
        Ok(Self::node(Content::Integer(value.into())))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Node, E> {
        Ok(Self::node(Content::Integer(value.into())))
    }

    fn visit_i128<E: de::Error>(self, value: i128) -> Result<Node, E> {
        Ok(Self::node(Content::Integer(value)))
    }

    fn visit_u128<E: de::Error>(self, value: u128) -> Result<Node, E> {
        i128::try_from(value)
            .map(|value| Self::node(Content::Integer(value)))
            .map_err(|_| E::custom(format_args!("integer {value} is too large")))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Node, E> {
        Ok(Self::node(Content::Float(value)))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Node, E> {
        Ok(Self::node(Content::String(value.to_owned())))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Node, E> {
        Ok(Self::node(Content::String(value)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Self::node(Content::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Self::node(Content::Null))
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        Node::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Self::node(Content::Array(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries: Vec<Entry> = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
        // Hashes of the keys seen, so that a map of n keys costs O(n), not O(n²); the keys are
        // compared only when hashes collide (randomly seeded, so no input can force that).
        let hasher = RandomState::new();
        let mut seen: HashSet<u64> = HashSet::with_capacity(entries.capacity());
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(hasher.hash_one(&key)) && entries.iter().any(|entry| entry.key == key) {
                return Err(de::Error::custom(format_args!("duplicate key `{key}`")));
            }
            let node = map.next_value()?;
            entries.push(Entry {
                key,
                key_span: None,
                node,
            });
        }
        Ok(Self::node(Content::Table(entries)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_keeps_document_order_and_spans() {
        let source = "zeta = 1\nalpha = \"a\"\n[mid]\nx = [1.5, true]\n";
        let node = Node::from_toml(source).expect("valid TOML");
        let entries = node.as_table().expect("table");
        let keys: Vec<&str> = entries.iter().map(|entry| entry.key.as_str()).collect();
        assert_eq!(keys, ["zeta", "alpha", "mid"]);
        let alpha = &entries[1];
        assert_eq!(
            alpha.key_span.clone().map(|span| &source[span]),
            Some("alpha")
        );
        assert_eq!(alpha.node.content, Content::String("a".into()));
        let x = node.get("mid").and_then(|mid| mid.get("x")).expect("mid.x");
        match &x.content {
            Content::Array(items) => {
                assert_eq!(items[0].content, Content::Float(1.5));
                assert_eq!(items[1].content, Content::Bool(true));
            }
            other => panic!("expected an array, got {other:?}"),
        }
    }

    #[test]
    fn toml_integers_in_every_radix() {
        let node = Node::from_toml("a = 0x1F\nb = -9_223_372_036_854_775_808\nc = 0b101")
            .expect("valid TOML");
        assert_eq!(
            node.get("a").map(|n| &n.content),
            Some(&Content::Integer(31))
        );
        assert_eq!(
            node.get("b").map(|n| &n.content),
            Some(&Content::Integer(i64::MIN.into()))
        );
        assert_eq!(
            node.get("c").map(|n| &n.content),
            Some(&Content::Integer(5))
        );
    }

    #[test]
    fn toml_numbers_out_of_range_are_errors() {
        for source in ["a = 9223372036854775808", "a = 1e999"] {
            let error = Node::from_toml(source).expect_err(source);
            assert!(
                error.message.contains("cannot be represented exactly"),
                "{}",
                error.message
            );
            assert_eq!(error.span, Some(4..source.len()));
        }
        let node = Node::from_toml("a = -inf\nb = nan").expect("valid TOML");
        assert_eq!(
            node.get("a").map(|n| &n.content),
            Some(&Content::Float(f64::NEG_INFINITY))
        );
        assert!(matches!(node.get("b").map(|n| &n.content), Some(Content::Float(v)) if v.is_nan()));
    }

    #[test]
    fn toml_syntax_error_has_span() {
        let error = Node::from_toml("a = 1\nb = = 2\n").expect_err("invalid TOML");
        let span = error.span.expect("span");
        assert_eq!(span.start, "a = 1\nb = ".len());
        assert!(!error.message.is_empty());
    }

    #[test]
    fn json_keeps_order_and_rejects_duplicate_keys() {
        let node: Node =
            serde_json::from_str(r#"{"b": 18446744073709551615, "a": [null, -1, 0.5]}"#)
                .expect("valid JSON");
        let keys: Vec<&str> = node
            .as_table()
            .expect("table")
            .iter()
            .map(|entry| entry.key.as_str())
            .collect();
        assert_eq!(keys, ["b", "a"]);
        assert_eq!(
            node.get("b").map(|n| &n.content),
            Some(&Content::Integer(u64::MAX.into()))
        );
        let error = serde_json::from_str::<Node>(r#"{"a": 1, "a": 2}"#).expect_err("duplicate");
        assert!(error.to_string().contains("duplicate key `a`"), "{error}");
    }
}
