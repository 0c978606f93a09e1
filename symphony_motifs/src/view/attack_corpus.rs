//! The shared attack table (`attack_corpus.json`): each case is a view node as JSON that the
//! Rust side must refuse or clean. The browser test (`tests/motifs/browser/attacks.rs`)
//! reads the same file and checks that `bridge.js` refuses or cleans each one alike.

use serde::Deserialize;
use serde_json::Value;

use super::policy::policy;
use super::url::is_allowed_url;
use super::{Element, Node, REFUSED_URL, View, ViewError, el};
use crate::diff::{DomNode, Patch, diff};

#[derive(Deserialize)]
struct Case {
    name: String,
    expect: String,
    node: Value,
}

fn corpus() -> Vec<Case> {
    serde_json::from_str(include_str!("attack_corpus.json")).expect("the corpus parses")
}

/// Every URL-bearing attribute value in `node` (lists split as the strict check splits them).
fn urls(node: &DomNode, out: &mut Vec<String>) {
    if let DomNode::Element {
        attrs, children, ..
    } = node
    {
        for (name, value) in attrs {
            let lower = name.to_ascii_lowercase();
            let policy = policy();
            if policy.url_attributes.contains(&lower) {
                out.push(value.clone());
            } else if policy.url_space_list_attributes.contains(&lower) {
                out.extend(value.split_ascii_whitespace().map(str::to_owned));
            } else if policy.url_candidate_list_attributes.contains(&lower) {
                out.extend(
                    value
                        .split(',')
                        .filter_map(|c| c.split_ascii_whitespace().next().map(str::to_owned)),
                );
            }
        }
        for child in children {
            urls(child, out);
        }
    }
}

fn assert_inert(case: &str, node: &DomNode) {
    let mut found = Vec::new();
    urls(node, &mut found);
    for url in found {
        assert!(
            url == REFUSED_URL || is_allowed_url(&url),
            "{case}: URL {url:?} survived"
        );
    }
    let json = serde_json::to_string(node).expect("serialises");
    let lower = json.to_ascii_lowercase();
    assert!(
        !lower.contains("\"on") && !lower.contains("srcdoc"),
        "{case}: {json}"
    );
}

/// The same node made with the builder (names leaked: the builder takes `&'static str`).
fn built(node: &Node) -> Node {
    let leak = |s: &str| -> &'static str { Box::leak(s.to_owned().into_boxed_str()) };
    match node {
        Node::Text { text } => Node::Text { text: text.clone() },
        Node::Element(element) => {
            let mut out = el(leak(element.tag()));
            for (name, value) in element.attrs() {
                out = out.attr(leak(name), value);
            }
            out.children(element.child_nodes().iter().map(built)).into()
        }
    }
}

/// The node as JSON with its attributes exactly as written (what a hostile host could send).
fn raw(node: &Value) -> Node {
    serde_json::from_value(node.clone()).expect("a node")
}

#[test]
fn the_corpus_is_refused_or_cleaned_however_the_node_is_made() {
    let corpus = corpus();
    assert!(corpus.len() >= 100, "{} cases", corpus.len());
    for case in &corpus {
        let name = &case.name;
        let from_json = raw(&case.node);
        for (how, node) in [("json", from_json.clone()), ("builder", built(&from_json))] {
            let result = View::new(el("div").child(node));
            match (case.expect.as_str(), result) {
                ("refused", Err(error)) => assert!(
                    !name.starts_with("attribute-")
                        || matches!(error, ViewError::ForbiddenAttribute { .. }),
                    "{name} ({how}): refused for another reason: {error}"
                ),
                ("cleaned", Ok(view)) => {
                    assert_inert(name, &DomNode::from(view.root()));
                    // Patches from the diff carry the cleaned values too.
                    let empty = View::new(el("div")).expect("valid");
                    for patch in diff(&empty, &view) {
                        if let Patch::Insert { node, .. } = patch {
                            assert_inert(name, &node);
                        }
                    }
                }
                (expect, result) => panic!("{name} ({how}): expected {expect}, got {result:?}"),
            }
        }
    }
}

#[test]
fn rendering_cleans_a_node_that_was_never_validated() {
    for case in corpus() {
        let node = raw(&case.node);
        // A DomNode (what patches carry) made straight from the unvalidated node.
        assert_inert(&case.name, &DomNode::from(&node));
    }
}

#[test]
fn set_attribute_patches_carry_cleaned_values() {
    for case in corpus().iter().filter(|case| case.expect == "cleaned") {
        let node = raw(&case.node);
        let Some(element) = node.as_element() else {
            continue;
        };
        let bare = Element {
            attrs: Vec::new(),
            ..element.clone()
        };
        let (Ok(before), Ok(after)) = (View::new(bare), View::new(node.clone())) else {
            continue;
        };
        for patch in diff(&before, &after) {
            if let Patch::SetAttr { name, value, .. } = patch
                && crate::view::is_url_attribute(&name)
            {
                assert!(
                    value == REFUSED_URL || value.split([',', ' ']).all(is_allowed_url),
                    "{}: {name}={value:?}",
                    case.name
                );
            }
        }
    }
}
