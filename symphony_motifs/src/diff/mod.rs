//! The difference between two renders, as patches the bridge applies to the live page.
//!
//! A patch addresses a node by its path (child indices from the view's root) in the page
//! *as it is when that patch is applied*: patches are applied in order. Children that all
//! carry keys are matched by key (removed, moved, inserted, with as few moves as possible
//! and in O(n log n)); other children by position.
//!
//! ```
//! use symphony_motifs::diff::{Patch, diff};
//! use symphony_motifs::view::{View, el};
//!
//! let before = View::new(el("p").attr("class", "a").child("1")).unwrap();
//! let after = View::new(el("p").attr("class", "b").child("2")).unwrap();
//! assert_eq!(
//!     diff(&before, &after),
//!     [
//!         Patch::SetAttr { path: vec![], name: "class".into(), value: "b".into() },
//!         Patch::Text { path: vec![0], text: "2".into() },
//!     ]
//! );
//! ```

mod apply;
mod keyed;
mod lis;
mod occupancy;

use serde::{Deserialize, Serialize};

use crate::html::dom_attributes;
use crate::view::{Element, Node, View};

pub use apply::PatchError;

/// One change to the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "op", rename_all = "camelCase")]
#[non_exhaustive]
pub enum Patch {
    /// Replace the node at `path` with `node`.
    Replace {
        /// The node replaced.
        path: Vec<usize>,
        /// Its replacement.
        node: DomNode,
    },
    /// Set the text of the text node at `path`.
    Text {
        /// The text node.
        path: Vec<usize>,
        /// Its new text.
        text: String,
    },
    /// Set an attribute of the element at `path`.
    SetAttr {
        /// The element.
        path: Vec<usize>,
        /// The attribute.
        name: String,
        /// Its new value.
        value: String,
    },
    /// Remove an attribute of the element at `path`.
    RemoveAttr {
        /// The element.
        path: Vec<usize>,
        /// The attribute.
        name: String,
    },
    /// Insert `node` as child `index` of the element at `path`.
    Insert {
        /// The parent element.
        path: Vec<usize>,
        /// Where among its children (equal to the count to append).
        index: usize,
        /// The new child.
        node: DomNode,
    },
    /// Remove the node at `path`.
    Remove {
        /// The node removed.
        path: Vec<usize>,
    },
    /// Move child `from` of the element at `path` so that it becomes child `to`: it is
    /// taken out, then inserted at `to` among the remaining children.
    Move {
        /// The parent element.
        path: Vec<usize>,
        /// The child's current position.
        from: usize,
        /// Its new position.
        to: usize,
    },
}

/// A node as the bridge builds it in the DOM: text is a JSON string, an element is its tag,
/// its DOM attributes (event bindings already turned into `data-motif-*`) and children.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum DomNode {
    /// A text node.
    Text(String),
    /// An element.
    Element {
        /// Tag name.
        tag: String,
        /// `[name, value]` pairs.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        attrs: Vec<(String, String)>,
        /// Children.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        children: Vec<DomNode>,
    },
}

impl From<&Node> for DomNode {
    fn from(node: &Node) -> Self {
        match node {
            Node::Text { text } => DomNode::Text(text.clone()),
            Node::Element(element) => DomNode::Element {
                tag: element.tag().to_owned(),
                attrs: dom_attributes(element)
                    .into_iter()
                    .map(|(name, value)| (name.into_owned(), value.into_owned()))
                    .collect(),
                children: element.child_nodes().iter().map(DomNode::from).collect(),
            },
        }
    }
}

/// The patches that turn the page showing `old` into one showing `new`.
pub fn diff(old: &View, new: &View) -> Vec<Patch> {
    let mut patches = Vec::new();
    let mut path = Vec::new();
    diff_node(old.root(), new.root(), &mut path, &mut patches);
    patches
}

fn diff_node(old: &Node, new: &Node, path: &mut Vec<usize>, patches: &mut Vec<Patch>) {
    match (old, new) {
        (Node::Text { text: old_text }, Node::Text { text: new_text }) => {
            if old_text != new_text {
                patches.push(Patch::Text {
                    path: path.clone(),
                    text: new_text.clone(),
                });
            }
        }
        (Node::Element(old_el), Node::Element(new_el))
            if old_el.tag() == new_el.tag() && old_el.key_value() == new_el.key_value() =>
        {
            diff_attributes(old_el, new_el, path, patches);
            if all_keyed(old_el.child_nodes()) && all_keyed(new_el.child_nodes()) {
                keyed::diff_keyed_children(
                    old_el.child_nodes(),
                    new_el.child_nodes(),
                    path,
                    patches,
                );
            } else {
                diff_children_by_position(
                    old_el.child_nodes(),
                    new_el.child_nodes(),
                    path,
                    patches,
                );
            }
        }
        _ => patches.push(Patch::Replace {
            path: path.clone(),
            node: DomNode::from(new),
        }),
    }
}

fn diff_attributes(old: &Element, new: &Element, path: &[usize], patches: &mut Vec<Patch>) {
    // Cheap check first: most elements of a large view do not change.
    if old.attrs().eq(new.attrs()) && old.events() == new.events() {
        return;
    }
    let old_attrs = dom_attributes(old);
    let new_attrs = dom_attributes(new);
    for (name, value) in &new_attrs {
        let unchanged = old_attrs
            .iter()
            .any(|(old_name, old_value)| old_name == name && old_value == value);
        if !unchanged {
            patches.push(Patch::SetAttr {
                path: path.to_vec(),
                name: name.clone().into_owned(),
                value: value.clone().into_owned(),
            });
        }
    }
    for (name, _) in &old_attrs {
        if !new_attrs.iter().any(|(new_name, _)| new_name == name) {
            patches.push(Patch::RemoveAttr {
                path: path.to_vec(),
                name: name.clone().into_owned(),
            });
        }
    }
}

fn all_keyed(children: &[Node]) -> bool {
    !children.is_empty() && children.iter().all(|child| child.key().is_some())
}

fn diff_children_by_position(
    old: &[Node],
    new: &[Node],
    path: &mut Vec<usize>,
    patches: &mut Vec<Patch>,
) {
    for (index, (old_child, new_child)) in old.iter().zip(new).enumerate() {
        path.push(index);
        diff_node(old_child, new_child, path, patches);
        path.pop();
    }
    // From the end, so that each index is still valid when its patch is applied.
    for index in (new.len()..old.len()).rev() {
        path.push(index);
        patches.push(Patch::Remove { path: path.clone() });
        path.pop();
    }
    for (index, child) in new.iter().enumerate().skip(old.len()) {
        patches.push(Patch::Insert {
            path: path.clone(),
            index,
            node: DomNode::from(child),
        });
    }
}

#[cfg(test)]
mod tests;
