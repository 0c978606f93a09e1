//! What a view may contain: the one allow-list of elements, URL schemes and attribute rules,
//! kept in `policy.json` so that the Rust side and the bridge script read the same list.
//!
//! The Rust side checks a view when it is built ([`View::new`](super::View::new)) and again
//! when it is rendered (HTML, and the DOM nodes patches carry); the bridge script (built with
//! this JSON inside it) checks every node and attribute a patch brings before it touches the
//! DOM. Nothing here relies on the page's Content-Security-Policy.

use std::collections::HashSet;
use std::sync::LazyLock;

use serde::Deserialize;

/// The allow-list as JSON, exactly as the bridge script receives it.
pub(crate) const POLICY_JSON: &str = include_str!("policy.json");

/// The lists in `policy.json` (see there for the values).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Policy {
    html_elements: HashSet<String>,
    svg_elements: HashSet<String>,
    math_elements: HashSet<String>,
    text_only_elements: HashSet<String>,
    pub(crate) schemes: Vec<String>,
    pub(crate) url_attributes: HashSet<String>,
    pub(crate) url_space_list_attributes: HashSet<String>,
    pub(crate) url_candidate_list_attributes: HashSet<String>,
    pub(crate) refused_attributes: HashSet<String>,
    pub(crate) refused_attribute_prefixes: Vec<String>,
    pub(crate) prefixed_attributes: HashSet<String>,
    pub(crate) animation_elements: HashSet<String>,
    pub(crate) animation_value_attributes: HashSet<String>,
    pub(crate) refused_animation_targets: HashSet<String>,
    pub(crate) style_attribute: String,
    pub(crate) refused_style_text: Vec<String>,
}

/// The policy. `policy.json` is compiled in and checked by a test; were it ever unreadable,
/// the empty policy allows no element, attribute or scheme (closed, not open).
pub(crate) fn policy() -> &'static Policy {
    static POLICY: LazyLock<Policy> =
        LazyLock::new(|| serde_json::from_str(POLICY_JSON).unwrap_or_default());
    &POLICY
}

/// The namespace the HTML parser puts an element in: `<svg>` and `<math>` open theirs, and
/// everything inside stays there (the elements that would lead back to HTML are not allowed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Namespace {
    /// HTML.
    Html,
    /// SVG, inside `<svg>`.
    Svg,
    /// MathML, inside `<math>`.
    MathMl,
}

impl Namespace {
    /// The namespace of element `tag` placed in this one.
    pub(crate) fn enter(self, tag: &str) -> Namespace {
        match (self, tag) {
            (Namespace::Html, "svg") => Namespace::Svg,
            (Namespace::Html, "math") => Namespace::MathMl,
            (namespace, _) => namespace,
        }
    }
}

impl Policy {
    /// Whether element `tag` may appear in `namespace` (the one [`Namespace::enter`] gives).
    pub(crate) fn allows_element(&self, namespace: Namespace, tag: &str) -> bool {
        match namespace {
            Namespace::Html => &self.html_elements,
            Namespace::Svg => &self.svg_elements,
            Namespace::MathMl => &self.math_elements,
        }
        .contains(tag)
    }

    /// Whether element `tag` holds only text: the parser would read elements inside it as
    /// text or as HTML in a foreign namespace, so a tree with them could not mean one thing.
    pub(crate) fn is_text_only(&self, tag: &str) -> bool {
        self.text_only_elements.contains(tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiled_in_policy_parses_and_is_not_empty() {
        let parsed: Policy = serde_json::from_str(POLICY_JSON).expect("policy.json parses");
        assert!(parsed.html_elements.contains("p") && parsed.svg_elements.contains("svg"));
        assert!(!parsed.schemes.is_empty());
        assert!(policy().allows_element(Namespace::Html, "div"));
    }

    #[test]
    fn elements_are_allowed_by_namespace() {
        let policy = policy();
        assert!(policy.allows_element(Namespace::Html.enter("svg"), "svg"));
        assert!(policy.allows_element(Namespace::Svg, "linearGradient"));
        assert!(
            !policy.allows_element(Namespace::Svg, "div"),
            "HTML inside SVG"
        );
        assert!(!policy.allows_element(Namespace::Svg, "foreignObject"));
        assert!(!policy.allows_element(Namespace::Svg.enter("math"), "math"));
        for tag in [
            "script", "style", "iframe", "object", "embed", "base", "meta", "link",
        ] {
            assert!(!policy.allows_element(Namespace::Html, tag), "{tag}");
            assert!(!policy.allows_element(Namespace::Svg, tag), "{tag}");
        }
    }
}
