//! The entry function of symphony_motifs' fuzz target: bytes in, a panic for any bug.
//!
//! `fuzz_targets/view_html.rs` calls it, and the workspace's stable test `tests/fuzz.rs`
//! replays every committed input through it (`fuzz/corpus/view_html` and
//! `fuzz/regressions/view_html`), so an input that once crashed stays a test.

use symphony_motifs::view::{Node, View, is_url_attribute, sanitize_url};

/// `data` as view JSON (a [`Node`], as a host-side renderer receives it), validated and
/// rendered: no panic, every `<` and `>` of the HTML is one of a tag the view holds (text
/// and attribute values are escaped), every URL attribute is one `sanitize_url` keeps, and
/// the view's JSON reads back as the same view.
pub fn view_html(data: &[u8]) {
    let Ok(node) = serde_json::from_slice::<Node>(data) else {
        return;
    };
    let Ok(view) = View::new(node) else {
        return;
    };
    let html = view.to_html();
    let mut elements = 0;
    check_node(view.root(), &mut elements);
    // Each element renders one start tag and at most one end tag, and nothing else may hold
    // a `<` or `>`.
    let opening = html.matches('<').count();
    let closing = html.matches('>').count();
    let end_tags = html.matches("</").count();
    assert_eq!(opening, closing, "unbalanced `<` and `>`: {html}");
    assert_eq!(
        opening,
        elements + end_tags,
        "{opening} `<` for {elements} elements and {end_tags} end tags: {html}"
    );
    assert!(end_tags <= elements, "more end tags than elements: {html}");

    let json = view.to_json();
    let node: Node = serde_json::from_value(json.clone())
        .unwrap_or_else(|error| panic!("a view's JSON does not read back: {error}\n{json}"));
    let again = View::new(node)
        .unwrap_or_else(|error| panic!("a view's JSON is not a valid view: {error}\n{json}"));
    assert_eq!(again, view, "JSON round trip changed the view");
    assert_eq!(again.to_html(), html, "JSON round trip changed the HTML");
}

/// Counts the elements of `node` and checks their URL attributes.
fn check_node(node: &Node, elements: &mut usize) {
    let Some(element) = node.as_element() else {
        return;
    };
    *elements += 1;
    for (name, value) in element.attrs() {
        if is_url_attribute(name) {
            assert_eq!(
                sanitize_url(value),
                value,
                "URL attribute `{name}` of <{}> renders unsanitised",
                element.tag()
            );
        }
    }
    for child in element.child_nodes() {
        check_node(child, elements);
    }
}
