//! HTML output with context-correct escaping.
//!
//! Text content and attribute values are the only places data reaches the page; tag and
//! attribute names are checked by [`View::new`](crate::view::View::new), URL attributes are
//! sanitised when set, and event bindings become inert `data-motif-*` attributes that only
//! the bridge script reads. Rendering applies the view allow-list once more (an element not
//! allowed where it stands is left out, a refused attribute dropped, a URL or style cleaned),
//! so what reaches a page never rests on the caller having validated it.

use std::borrow::Cow;

use crate::view::policy::{Namespace, policy};
use crate::view::{BRIDGED_EVENTS, Element, Node, animates_forbidden, check_attribute};

/// Escapes text for an HTML text context (`<p>here</p>`).
///
/// ```
/// assert_eq!(symphony_motifs::html::escape_text("<b>&"), "&lt;b&gt;&amp;");
/// ```
pub fn escape_text(text: &str) -> Cow<'_, str> {
    escape(text, |c| match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        _ => None,
    })
}

/// Escapes a value for a double- or single-quoted attribute (`title="here"`).
///
/// ```
/// assert_eq!(
///     symphony_motifs::html::escape_attribute(r#"" onmouseover="x"#),
///     "&quot; onmouseover=&quot;x"
/// );
/// ```
pub fn escape_attribute(value: &str) -> Cow<'_, str> {
    escape(value, |c| match c {
        '&' => Some("&amp;"),
        '"' => Some("&quot;"),
        '\'' => Some("&#39;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        _ => None,
    })
}

fn escape(input: &str, replacement: impl Fn(char) -> Option<&'static str>) -> Cow<'_, str> {
    let Some(first) = input.find(|c| replacement(c).is_some()) else {
        return Cow::Borrowed(input);
    };
    let mut out = String::with_capacity(input.len() + 16);
    out.push_str(&input[..first]);
    for c in input[first..].chars() {
        match replacement(c) {
            Some(escaped) => out.push_str(escaped),
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The attributes an element has in the DOM: its own as the attribute rules leave them
/// (refused ones dropped, URLs and styles cleaned), then one `data-motif-on-<event>`
/// (handler) and, with an argument, one `data-motif-arg-<event>` (JSON) per bridged binding.
pub(crate) fn dom_attributes(element: &Element) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
    let tag = element.tag();
    let animates_forbidden = animates_forbidden(tag, element.attrs());
    let mut attrs: Vec<(Cow<'_, str>, Cow<'_, str>)> = element
        .attrs()
        .filter(|(name, _)| !name.to_ascii_lowercase().starts_with("data-motif-"))
        .filter_map(|(name, value)| {
            let value = check_attribute(tag, animates_forbidden, name, value).value(value)?;
            Some((Cow::Borrowed(name), Cow::Borrowed(value)))
        })
        .collect();
    let bridged = element
        .events()
        .iter()
        .filter(|binding| BRIDGED_EVENTS.contains(&binding.event.as_str()));
    for binding in bridged {
        attrs.push((
            Cow::Owned(format!("data-motif-on-{}", binding.event)),
            Cow::Borrowed(binding.handler.as_str()),
        ));
        if let Some(arg) = &binding.arg {
            attrs.push((
                Cow::Owned(format!("data-motif-arg-{}", binding.event)),
                Cow::Owned(arg.to_string()),
            ));
        }
    }
    attrs
}

/// Writes `node`, an element or text inside an HTML element.
pub(crate) fn write_node(out: &mut String, node: &Node) {
    write_in(out, node, Namespace::Html, false);
}

fn write_in(out: &mut String, node: &Node, namespace: Namespace, text_only: bool) {
    match node {
        Node::Text { text } => out.push_str(&escape_text(text)),
        Node::Element(element) => {
            let namespace = namespace.enter(element.tag());
            if !text_only && policy().allows_element(namespace, element.tag()) {
                write_element(out, element, namespace);
            }
        }
    }
}

fn write_element(out: &mut String, element: &Element, namespace: Namespace) {
    let tag = element.tag();
    out.push('<');
    out.push_str(tag);
    for (name, value) in dom_attributes(element) {
        out.push(' ');
        out.push_str(&name);
        out.push_str("=\"");
        out.push_str(&escape_attribute(&value));
        out.push('"');
    }
    out.push('>');
    if crate::view::is_void(tag) {
        return;
    }
    // The parser drops one newline right after these start tags; give it one to drop.
    if matches!(tag, "pre" | "textarea" | "listing")
        && let Some(Node::Text { text }) = element.child_nodes().first()
        && text.starts_with('\n')
    {
        out.push('\n');
    }
    let text_only = policy().is_text_only(tag);
    for child in element.child_nodes() {
        write_in(out, child, namespace, text_only);
    }
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}

#[cfg(test)]
mod tests {
    use crate::view::{View, el};

    #[test]
    fn data_cannot_break_out_of_text_or_attributes() {
        let hostile = r#""><script>alert(1)</script><img src=x onerror=alert(1) x=""#;
        let view = View::new(el("div").attr("title", hostile).child(hostile)).unwrap();
        let html = view.to_html();
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        let title_end = html.find("\">").expect("the title attribute ends");
        assert_eq!(
            html[..title_end].matches('"').count(),
            1,
            "the title's value holds no raw quote: {html}"
        );
    }

    #[test]
    fn leading_newline_in_pre_survives_parsing() {
        let view = View::new(el("pre").child("\nindented")).unwrap();
        assert_eq!(view.to_html(), "<pre>\n\nindented</pre>");
    }
}
