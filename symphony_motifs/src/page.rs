//! The HTML document around a view: CSP, the view, the bridge configuration and script.

use serde::{Deserialize, Serialize};

use crate::bridge::bridge_js;
use crate::csp::{ContentSecurityPolicy, Nonce};
use crate::html::{escape_attribute, escape_text};
use crate::view::{View, sanitize_url};

/// How the bridge script reaches Rust.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "transport", rename_all = "lowercase")]
#[non_exhaustive]
pub enum BridgeTransport {
    /// `POST` each event as JSON to `endpoint`; the reply is `{"patches": […]}`.
    Http {
        /// The URL, relative to the page.
        endpoint: String,
    },
    /// Invoke the Tauri plugin command `plugin:motifs|event` for motif `motif`.
    Tauri {
        /// The motif's name as the plugin knows it.
        motif: String,
    },
}

/// A complete page showing one view.
///
/// ```
/// use symphony_motifs::csp::{ContentSecurityPolicy, Nonce};
/// use symphony_motifs::page::{BridgeTransport, Page};
/// use symphony_motifs::view::{View, el};
///
/// let nonce = Nonce::generate().unwrap();
/// let view = View::new(el("p").child("hello")).unwrap();
/// let html = Page::new("Greeting", &view, BridgeTransport::Http { endpoint: "/event".into() })
///     .render(&nonce, &ContentSecurityPolicy::new(&nonce));
/// assert!(html.contains(r#"<div id="motif-root"><p>hello</p></div>"#));
/// assert!(html.contains(&format!(r#"<script nonce="{}">"#, nonce.as_str())));
/// ```
#[derive(Debug, Clone)]
pub struct Page<'a> {
    title: &'a str,
    view: &'a View,
    transport: BridgeTransport,
    stylesheets: Vec<String>,
}

impl<'a> Page<'a> {
    /// A page titled `title` showing `view`, its bridge talking over `transport`.
    pub fn new(title: &'a str, view: &'a View, transport: BridgeTransport) -> Self {
        Page {
            title,
            view,
            transport,
            stylesheets: Vec::new(),
        }
    }

    /// Links a stylesheet (a URL; refused schemes become an inert URL).
    #[must_use]
    pub fn stylesheet(mut self, href: &str) -> Self {
        self.stylesheets.push(sanitize_url(href).into_owned());
        self
    }

    /// The HTML document, with `policy` in a `<meta http-equiv>` and `nonce` on the script.
    /// Serve the same policy as a header where the transport allows it.
    pub fn render(&self, nonce: &Nonce, policy: &ContentSecurityPolicy) -> String {
        let view_html = self.view.to_html();
        let mut out = String::with_capacity(view_html.len() + bridge_js().len() + 512);
        out.push_str("<!DOCTYPE html><html><head><meta charset=\"utf-8\">");
        out.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"");
        out.push_str(&escape_attribute(&policy.to_string()));
        out.push_str("\"><title>");
        out.push_str(&escape_text(self.title));
        out.push_str("</title>");
        for href in &self.stylesheets {
            out.push_str("<link rel=\"stylesheet\" href=\"");
            out.push_str(&escape_attribute(href));
            out.push_str("\">");
        }
        out.push_str("</head><body><div id=\"motif-root\">");
        out.push_str(&view_html);
        out.push_str("</div><script type=\"application/json\" id=\"motif-config\">");
        out.push_str(&script_safe_json(&self.transport));
        out.push_str("</script><script nonce=\"");
        out.push_str(nonce.as_str());
        out.push_str("\">");
        out.push_str(bridge_js());
        out.push_str("</script></body></html>");
        out
    }
}

/// JSON that cannot end its `<script>` element or open a comment: `<`, `>` and `&` are
/// written as `\u` escapes, which JSON reads back unchanged.
fn script_safe_json(value: &impl Serialize) -> String {
    let json = serde_json::to_string(value).unwrap_or_else(|_| "{}".to_owned());
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::el;

    #[test]
    fn the_bridge_configuration_cannot_close_its_script() {
        let nonce = Nonce::generate().unwrap();
        let view = View::new(el("p")).unwrap();
        let page = Page::new(
            "</title><script>alert(1)</script>",
            &view,
            BridgeTransport::Http {
                endpoint: "</script><script>alert(1)</script>".into(),
            },
        )
        .render(&nonce, &ContentSecurityPolicy::new(&nonce));
        assert_eq!(page.matches("<script").count(), 2, "{page}");
        assert!(
            page.contains(r#""endpoint":"\u003c/script\u003e"#),
            "{page}"
        );
    }
}
