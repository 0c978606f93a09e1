//! The view tree a motif renders: elements, attributes, text and event bindings.
//!
//! A motif builds a [`Node`] tree with [`el`] and [`text`]; the runtime turns it into a
//! validated [`View`], which renders to HTML ([`View::to_html`]), serialises as JSON for a
//! host-side renderer, and diffs against the previous render ([`crate::diff`]).
//!
//! Tag and attribute names are `&'static str`: they come from the motif's code, never from
//! data. Values are data and are escaped (or, for URL attributes, sanitised) on the way out.
//!
//! ```
//! use symphony_motifs::view::{View, el, text};
//!
//! let node = el("ul").children(["a", "b"].map(|item| {
//!     el("li").key(item).child(text(item)).on("click", "select").arg(item)
//! }));
//! let view = View::new(node).unwrap();
//! assert_eq!(
//!     view.to_html(),
//!     "<ul><li data-motif-on-click=\"select\" data-motif-arg-click=\"&quot;a&quot;\">a</li>\
//!      <li data-motif-on-click=\"select\" data-motif-arg-click=\"&quot;b&quot;\">b</li></ul>"
//! );
//! ```

#[cfg(test)]
mod attack_corpus;
mod attribute;
mod node;
pub(crate) mod policy;
mod url;
mod validate;

pub use node::{Element, EventBinding, Node, el, text};
pub use url::{REFUSED_URL, is_url_attribute, sanitize_url};
pub use validate::{BRIDGED_EVENTS, NodePath, View, ViewError};

pub(crate) use attribute::{animates_forbidden, check_attribute};

/// Whether `tag` is a void element (no children, no end tag).
pub(crate) fn is_void(tag: &str) -> bool {
    validate::VOID_TAGS.contains(&tag)
}
