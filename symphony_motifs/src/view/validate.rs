//! Turning a motif's tree into a [`View`]: normalised and checked once, so every consumer
//! (HTML, JSON, diff, the bridge) can rely on it.

use std::collections::HashSet;
use std::fmt;

use serde::Serialize;

use super::attribute::{Verdict, animates_forbidden, check_attribute};
use super::node::{Element, Node};
use super::policy::{Namespace, policy};
use crate::html;

/// Events the bridge script listens for; a binding to anything else could never fire.
pub const BRIDGED_EVENTS: &[&str] = &[
    "click", "dblclick", "input", "change", "submit", "keydown", "focusout",
];

/// Elements that cannot have children in HTML.
pub(crate) const VOID_TAGS: &[&str] = &[
    "area", "br", "col", "hr", "img", "input", "source", "track", "wbr",
];

/// A validated view tree: adjacent text merged, empty text dropped, names checked.
///
/// Normalising text matters because the browser merges adjacent text into one DOM node,
/// and patches address nodes by position.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct View {
    root: Node,
}

/// Why a tree is not a valid view. `path` is the position of the offending node (child
/// indices from the root, as in `/0/2`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ViewError {
    /// A tag name that is not a valid element name.
    #[error(
        "view node {path}: `{tag}` is not a valid tag name (use ASCII letters, digits and `-`)"
    )]
    InvalidTag {
        /// Where.
        path: NodePath,
        /// The tag.
        tag: String,
    },
    /// A tag that is not on the allow-list for where it stands (HTML, SVG inside `<svg>`,
    /// MathML inside `<math>`): scripts, styles, frames, plugins and the page shell never are.
    #[error(
        "view node {path}: `<{tag}>` is not allowed in a view here (only the HTML, SVG and MathML elements of the allow-list, each in its own namespace; scripts, styles, frames and documents belong to the page shell and the asset bundle)"
    )]
    ForbiddenTag {
        /// Where.
        path: NodePath,
        /// The tag.
        tag: String,
    },
    /// An attribute name that is not valid, or that would carry script or markup.
    #[error("view node {path}: attribute `{name}` on `<{tag}>` is not allowed ({reason})")]
    ForbiddenAttribute {
        /// Where.
        path: NodePath,
        /// The element's tag.
        tag: String,
        /// The attribute.
        name: String,
        /// Why.
        reason: &'static str,
    },
    /// An event the bridge does not listen for.
    #[error("view node {path}: event `{event}` on `<{tag}>` is not bridged (use one of: {})", BRIDGED_EVENTS.join(", "))]
    UnknownEvent {
        /// Where.
        path: NodePath,
        /// The element's tag.
        tag: String,
        /// The event.
        event: String,
    },
    /// Children under an element that cannot have any.
    #[error("view node {path}: `<{tag}>` is a void element and cannot have children")]
    ChildrenOfVoidElement {
        /// Where.
        path: NodePath,
        /// The tag.
        tag: String,
    },
    /// Content the HTML parser would move elsewhere, so that positions stop matching.
    #[error(
        "view node {path}: {what} directly inside `<{parent}>` would be moved by the HTML parser ({fix})"
    )]
    MisplacedContent {
        /// Where.
        path: NodePath,
        /// The parent's tag.
        parent: String,
        /// The content.
        what: String,
        /// How to fix it.
        fix: &'static str,
    },
    /// Two siblings with the same key.
    #[error("view node {path}: key {key:?} is used by more than one sibling")]
    DuplicateKey {
        /// Where (the second sibling).
        path: NodePath,
        /// The key.
        key: String,
    },
}

/// The position of a node: child indices from the root.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct NodePath(pub Vec<usize>);

impl fmt::Display for NodePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("/");
        }
        for index in &self.0 {
            write!(f, "/{index}")?;
        }
        Ok(())
    }
}

impl View {
    /// Normalises and validates `root`.
    ///
    /// # Errors
    ///
    /// A [`ViewError`] naming the first offending node by its path.
    pub fn new(root: impl Into<Node>) -> Result<View, ViewError> {
        let mut root = root.into();
        normalise(&mut root);
        let mut path = Vec::new();
        check(&root, None, Namespace::Html, &mut path)?;
        Ok(View { root })
    }

    /// The root node.
    pub fn root(&self) -> &Node {
        &self.root
    }

    /// The node at `path`, if there is one.
    pub fn node_at(&self, path: &[usize]) -> Option<&Node> {
        let mut node = &self.root;
        for &index in path {
            node = node.as_element()?.children.get(index)?;
        }
        Some(node)
    }

    /// Renders the view as an HTML fragment with context-correct escaping.
    pub fn to_html(&self) -> String {
        let mut out = String::with_capacity(self.root.count() * 24);
        html::write_node(&mut out, &self.root);
        out
    }

    /// The view as JSON, for a host-side renderer.
    pub fn to_json(&self) -> serde_json::Value {
        // A view holds only strings and JSON values, which always serialise.
        serde_json::to_value(&self.root).unwrap_or(serde_json::Value::Null)
    }
}

fn normalise(node: &mut Node) {
    let Node::Element(element) = node else { return };
    element.clean_attributes();
    let mut merged: Vec<Node> = Vec::with_capacity(element.children.len());
    for mut child in element.children.drain(..) {
        normalise(&mut child);
        match (&mut child, merged.last_mut()) {
            (Node::Text { text }, _) if text.is_empty() => {}
            (Node::Text { text }, Some(Node::Text { text: previous })) => previous.push_str(text),
            _ => merged.push(child),
        }
    }
    element.children = merged;
}

fn check(
    node: &Node,
    parent: Option<&str>,
    namespace: Namespace,
    path: &mut Vec<usize>,
) -> Result<(), ViewError> {
    let here = || NodePath(path.clone());
    let element = match node {
        Node::Text { .. } => {
            if let Some(parent) = parent.filter(|p| is_table_structure(p)) {
                return Err(ViewError::MisplacedContent {
                    path: here(),
                    parent: parent.to_owned(),
                    what: "text".to_owned(),
                    fix: "put text inside a `<td>` or `<th>`",
                });
            }
            return Ok(());
        }
        Node::Element(element) => element,
    };
    let tag = element.tag.as_str();
    if !is_tag_name(tag) {
        return Err(ViewError::InvalidTag {
            path: here(),
            tag: tag.to_owned(),
        });
    }
    if let Some(parent) = parent.filter(|parent| policy().is_text_only(parent)) {
        return Err(ViewError::MisplacedContent {
            path: here(),
            parent: parent.to_owned(),
            what: format!("`<{tag}>`"),
            fix: "only text may go inside it",
        });
    }
    let namespace = namespace.enter(tag);
    if !policy().allows_element(namespace, tag) {
        return Err(ViewError::ForbiddenTag {
            path: here(),
            tag: tag.to_owned(),
        });
    }
    if tag == "tr" && parent == Some("table") {
        return Err(ViewError::MisplacedContent {
            path: here(),
            parent: "table".to_owned(),
            what: "`<tr>`".to_owned(),
            fix: "wrap rows in `<tbody>` or `<thead>`",
        });
    }
    check_attributes(element, path)?;
    if VOID_TAGS.contains(&tag) && !element.children.is_empty() {
        return Err(ViewError::ChildrenOfVoidElement {
            path: here(),
            tag: tag.to_owned(),
        });
    }
    let mut keys = HashSet::new();
    for (index, child) in element.children.iter().enumerate() {
        path.push(index);
        if let Some(key) = child.key()
            && !keys.insert(key)
        {
            return Err(ViewError::DuplicateKey {
                path: NodePath(path.clone()),
                key: key.to_owned(),
            });
        }
        check(child, Some(tag), namespace, path)?;
        path.pop();
    }
    Ok(())
}

fn check_attributes(element: &Element, path: &[usize]) -> Result<(), ViewError> {
    let forbidden = |name: &str, reason| ViewError::ForbiddenAttribute {
        path: NodePath(path.to_vec()),
        tag: element.tag.clone(),
        name: name.to_owned(),
        reason,
    };
    let animates_forbidden = animates_forbidden(&element.tag, element.attrs());
    for (name, value) in &element.attrs {
        if let Verdict::Refuse(reason) =
            check_attribute(&element.tag, animates_forbidden, name, value)
        {
            return Err(forbidden(name, reason));
        }
        if name.to_ascii_lowercase().starts_with("data-motif-") {
            return Err(forbidden(
                name,
                "`data-motif-*` is reserved for event bindings",
            ));
        }
    }
    for binding in &element.events {
        if !BRIDGED_EVENTS.contains(&binding.event.as_str()) {
            return Err(ViewError::UnknownEvent {
                path: NodePath(path.to_vec()),
                tag: element.tag.clone(),
                event: binding.event.clone(),
            });
        }
    }
    Ok(())
}

fn is_table_structure(tag: &str) -> bool {
    matches!(tag, "table" | "thead" | "tbody" | "tfoot" | "tr")
}

/// ASCII letters (SVG names are camel case: `linearGradient`), digits and `-`.
fn is_tag_name(tag: &str) -> bool {
    let mut chars = tag.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::{el, text};

    #[test]
    fn adjacent_text_is_merged_and_empty_text_dropped() {
        let view = View::new(
            el("p")
                .child("a")
                .child("")
                .child(text("b"))
                .child(el("br")),
        )
        .unwrap();
        assert_eq!(view.to_html(), "<p>ab<br></p>");
        assert_eq!(
            view.node_at(&[1])
                .and_then(Node::as_element)
                .map(Element::tag),
            Some("br")
        );
    }

    #[test]
    fn a_view_from_json_gets_the_builders_attribute_guarantees() {
        // The builder sanitises URL attributes and keeps one value per name; a tree read
        // from JSON skipped it, and rendered `javascript:` links.
        let node: Node = serde_json::from_str(
            r#"{"type": "element", "tag": "a", "attrs": [
                ["href", " JaVa\tScRiPt:alert(1)"], ["title", "a"], ["title", "b"],
                ["src", "https://example.com/x.png"]
            ]}"#,
        )
        .unwrap();
        let view = View::new(node).unwrap();
        assert_eq!(
            view.to_html(),
            format!(
                "<a href=\"{}\" title=\"b\" src=\"https://example.com/x.png\"></a>",
                crate::view::REFUSED_URL
            )
        );
    }

    #[test]
    fn event_handler_attributes_are_refused() {
        for name in ["onclick", "OnLoad", "onerror"] {
            let error = View::new(el("img").attr(name, "alert(1)")).unwrap_err();
            assert!(
                matches!(error, ViewError::ForbiddenAttribute { .. }),
                "{name}"
            );
            assert!(error.to_string().contains(name));
        }
    }

    #[test]
    fn script_style_and_documents_are_refused() {
        for tag in ["script", "style", "iframe", "object", "template"] {
            let error = View::new(el("div").child(el("span").child(el(tag)))).unwrap_err();
            assert_eq!(
                error,
                ViewError::ForbiddenTag {
                    path: NodePath(vec![0, 0]),
                    tag: tag.to_owned()
                }
            );
        }
    }

    #[test]
    fn parser_traps_are_refused_with_a_fix() {
        let error = View::new(el("table").child(el("tr"))).unwrap_err();
        assert!(
            error.to_string().contains("wrap rows in `<tbody>`"),
            "{error}"
        );
        let error = View::new(el("tbody").child("loose text")).unwrap_err();
        assert!(matches!(error, ViewError::MisplacedContent { .. }));
        let error = View::new(el("input").child("x")).unwrap_err();
        assert!(matches!(error, ViewError::ChildrenOfVoidElement { .. }));
    }

    #[test]
    fn duplicate_keys_and_unbridged_events_are_refused() {
        let error =
            View::new(el("ul").child(el("li").key("a")).child(el("li").key("a"))).unwrap_err();
        assert_eq!(
            error.to_string(),
            "view node /1: key \"a\" is used by more than one sibling"
        );
        let error = View::new(el("div").on("mouseover", "hover")).unwrap_err();
        assert!(matches!(error, ViewError::UnknownEvent { .. }));
    }
}
