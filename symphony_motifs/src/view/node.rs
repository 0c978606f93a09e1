//! The tree itself and its builder.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::attribute::{Verdict, animates_forbidden, check_attribute};

/// A node of a view: an element or a run of text.
///
/// As JSON (what [`Render`](crate::methods::motif::Render) returns as `view`, and what a host
/// may send back), a node is
/// tagged by `type`:
///
/// ```json
/// { "type": "element", "tag": "button", "key": "inc",
///   "attrs": [["id", "inc"], ["class", "big"]],
///   "events": [{ "event": "click", "handler": "increment", "arg": 1 }],
///   "children": [{ "type": "text", "text": "+" }] }
/// ```
///
/// `key`, `attrs`, `events` and `children` may be left out. Attributes are `[name, value]`
/// pairs in order; `events` are the bindings the page reports by position, never handler
/// code. The JSON Schema is `schemars::schema_for!(Node)`.
///
/// ```
/// use symphony_motifs::view::{Node, el};
///
/// let node: Node = el("button").on("click", "increment").child("+").into();
/// let json = serde_json::to_value(&node).unwrap();
/// assert_eq!(json["type"], "element");
/// assert_eq!(json["events"][0]["handler"], "increment");
/// assert_eq!(serde_json::from_value::<Node>(json).unwrap(), node);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Node {
    /// An element with attributes, event bindings and children.
    Element(Element),
    /// Text, escaped when rendered.
    Text {
        /// The text as the user sees it.
        text: String,
    },
}

/// An element: a tag, an optional key, attributes, event bindings and children.
///
/// However it is made (the builder, or JSON), its URL and style values are cleaned as they
/// arrive; [`View::new`](super::View::new) cleans them again and refuses what cannot be
/// cleaned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(from = "ElementFields")]
pub struct Element {
    pub(crate) tag: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) key: Option<String>,
    /// In insertion order; setting a name twice keeps the last value.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) attrs: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) events: Vec<EventBinding>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) children: Vec<Node>,
}

/// [`Element`] as it is read from JSON, before its values are cleaned.
#[derive(Deserialize, schemars::JsonSchema)]
struct ElementFields {
    /// The tag name (`div`, `button`, `svg`, …), checked against the allow-list.
    tag: String,
    /// Identifies the element among its siblings across renders (keyed lists).
    #[serde(default)]
    key: Option<String>,
    /// `[name, value]` pairs, in order; URL and style values are cleaned.
    #[serde(default)]
    attrs: Vec<(String, String)>,
    /// The events bound on this element.
    #[serde(default)]
    events: Vec<EventBinding>,
    /// The children, in order.
    #[serde(default)]
    children: Vec<Node>,
}

impl From<ElementFields> for Element {
    fn from(fields: ElementFields) -> Self {
        let mut element = Element {
            tag: fields.tag,
            key: fields.key,
            attrs: fields.attrs,
            events: fields.events,
            children: fields.children,
        };
        element.clean_attributes();
        element
    }
}

/// "When `event` fires on this element, call the motif's `handler` with `arg`."
///
/// The binding lives on the Rust side: the page only reports *which element* saw *which
/// event*, so a page cannot invoke a handler the view did not bind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EventBinding {
    /// The DOM event name (`click`, `input`, `change`, `submit`, `keydown`).
    pub event: String,
    /// The name the motif's `update` receives.
    pub handler: String,
    /// Data handed to the handler with the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arg: Option<Value>,
}

/// Starts an element with tag `tag` (validated when the tree becomes a [`View`](super::View)).
pub fn el(tag: &'static str) -> Element {
    Element {
        tag: tag.to_owned(),
        key: None,
        attrs: Vec::new(),
        events: Vec::new(),
        children: Vec::new(),
    }
}

/// A text node.
pub fn text(text: impl Into<String>) -> Node {
    Node::Text { text: text.into() }
}

impl Element {
    /// The tag name.
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// The key that identifies this element among its siblings across renders.
    pub fn key_value(&self) -> Option<&str> {
        self.key.as_deref()
    }

    /// The value of attribute `name`, if set.
    pub fn attr_value(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(existing, _)| existing == name)
            .map(|(_, value)| value.as_str())
    }

    /// The attributes, in the order they were first set.
    pub fn attrs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.attrs.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The event bindings.
    pub fn events(&self) -> &[EventBinding] {
        &self.events
    }

    /// The children.
    pub fn child_nodes(&self) -> &[Node] {
        &self.children
    }

    /// Sets the key that matches this element with its previous render among keyed siblings.
    #[must_use]
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Sets attribute `name` to `value`. URL attributes (`href`, `src`, `srcset`, …) are
    /// sanitised: a value with a scheme other than `http`, `https`, `mailto` or `motif`
    /// becomes [`REFUSED_URL`](super::REFUSED_URL); a `style` that could load or run code
    /// becomes empty. Names that are never allowed (`on*`, `srcdoc`, …) are refused by
    /// [`View::new`](super::View::new).
    #[must_use]
    pub fn attr(mut self, name: &'static str, value: impl Into<String>) -> Self {
        let mut value = value.into();
        if let Verdict::Replace(cleaned) = check_attribute(&self.tag, false, name, &value) {
            cleaned.clone_into(&mut value);
        }
        match self.attrs.iter_mut().find(|(existing, _)| existing == name) {
            Some(slot) => slot.1 = value,
            None => self.attrs.push((name.to_owned(), value)),
        }
        self
    }

    /// Replaces every value the attribute rules clean (URLs, styles) by its cleaned form;
    /// refused attributes stay, for [`View::new`](super::View::new) to report where they are.
    /// A name given twice (possible in JSON, not through [`attr`](Self::attr)) keeps what
    /// `attr` would keep: its first position and its last value.
    pub(crate) fn clean_attributes(&mut self) {
        let mut first: std::collections::HashMap<String, usize> =
            std::collections::HashMap::with_capacity(self.attrs.len());
        let mut kept: Vec<(String, String)> = Vec::with_capacity(self.attrs.len());
        for (name, value) in self.attrs.drain(..) {
            match first.get(&name) {
                Some(&at) => kept[at].1 = value,
                None => {
                    first.insert(name.clone(), kept.len());
                    kept.push((name, value));
                }
            }
        }
        self.attrs = kept;
        let animates_forbidden = animates_forbidden(&self.tag, self.attrs());
        for (name, value) in &mut self.attrs {
            if let Verdict::Replace(cleaned) =
                check_attribute(&self.tag, animates_forbidden, name, value)
            {
                cleaned.clone_into(value);
            }
        }
    }

    /// Sets a boolean attribute (`disabled`, `checked`) when `on` is true.
    #[must_use]
    pub fn flag(self, name: &'static str, on: bool) -> Self {
        if on { self.attr(name, "") } else { self }
    }

    /// Binds DOM event `event` on this element to the motif handler `handler`.
    #[must_use]
    pub fn on(mut self, event: &'static str, handler: impl Into<String>) -> Self {
        let handler = handler.into();
        match self
            .events
            .iter_mut()
            .find(|binding| binding.event == event)
        {
            Some(binding) => {
                binding.handler = handler;
                binding.arg = None;
            }
            None => self.events.push(EventBinding {
                event: event.to_owned(),
                handler,
                arg: None,
            }),
        }
        self
    }

    /// Attaches `arg` to the most recently bound event (no effect before any [`on`](Self::on)).
    #[must_use]
    pub fn arg(mut self, arg: impl Serialize) -> Self {
        if let Some(binding) = self.events.last_mut() {
            // Serialising plain data into a Value cannot fail; a map with non-string keys
            // can, and then the binding simply carries no argument.
            binding.arg = serde_json::to_value(arg).ok();
        }
        self
    }

    /// Appends one child.
    #[must_use]
    pub fn child(mut self, child: impl Into<Node>) -> Self {
        self.children.push(child.into());
        self
    }

    /// Appends children.
    #[must_use]
    pub fn children<I>(mut self, children: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Node>,
    {
        self.children.extend(children.into_iter().map(Into::into));
        self
    }
}

impl From<Element> for Node {
    fn from(element: Element) -> Self {
        Node::Element(element)
    }
}

impl From<&str> for Node {
    fn from(value: &str) -> Self {
        text(value)
    }
}

impl From<String> for Node {
    fn from(value: String) -> Self {
        text(value)
    }
}

impl Node {
    /// The element, if this node is one.
    pub fn as_element(&self) -> Option<&Element> {
        match self {
            Node::Element(element) => Some(element),
            Node::Text { .. } => None,
        }
    }

    /// The key, if this node is a keyed element.
    pub(crate) fn key(&self) -> Option<&str> {
        self.as_element().and_then(Element::key_value)
    }

    /// Nodes in this subtree, itself included.
    pub fn count(&self) -> usize {
        match self {
            Node::Text { .. } => 1,
            Node::Element(element) => 1 + element.children.iter().map(Node::count).sum::<usize>(),
        }
    }
}
