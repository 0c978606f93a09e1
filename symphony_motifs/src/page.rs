//! The HTML document around a view: CSP, the view, the bridge configuration and script.

use serde::{Deserialize, Serialize};

use crate::bridge::bridge_js;
use crate::csp::{ContentSecurityPolicy, Nonce};
use crate::html::{escape_attribute, escape_text};
use crate::theme::{STYLESHEET_HREF, ThemeStyle};
use crate::view::{View, sanitize_url};

/// How the bridge script reaches Rust.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "transport", rename_all = "lowercase")]
#[non_exhaustive]
pub enum BridgeTransport {
    /// `POST` each event as JSON to `endpoint`; the reply is `{"patches": […]}`, and may
    /// carry a new [`ThemeStyle`] as `theme` (the host's way to restyle an HTTP page).
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
/// It links the SDK's default stylesheet ([`crate::theme::stylesheet`]) at
/// [`STYLESHEET_HREF`] unless told otherwise ([`default_stylesheet`](Self::default_stylesheet)),
/// and hands a [`theme`](Self::theme) to the bridge, which applies it through the CSSOM.
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
/// assert!(html.contains(r#"<link rel="stylesheet" href="/.symphony/motifs.css">"#));
/// ```
#[derive(Debug, Clone)]
pub struct Page<'a> {
    title: &'a str,
    view: &'a View,
    transport: BridgeTransport,
    default_stylesheet: Option<String>,
    stylesheets: Vec<String>,
    theme: Option<ThemeStyle>,
    lang: String,
}

/// What the bridge reads from the page's `#motif-config`.
#[derive(Serialize)]
struct BridgeConfig<'a> {
    #[serde(flatten)]
    transport: &'a BridgeTransport,
    #[serde(skip_serializing_if = "Option::is_none")]
    theme: Option<&'a ThemeStyle>,
}

impl<'a> Page<'a> {
    /// A page titled `title` showing `view`, its bridge talking over `transport`.
    pub fn new(title: &'a str, view: &'a View, transport: BridgeTransport) -> Self {
        Page {
            title,
            view,
            transport,
            default_stylesheet: Some(STYLESHEET_HREF.to_owned()),
            stylesheets: Vec::new(),
            theme: None,
            lang: "en".to_owned(),
        }
    }

    /// The language of the page's text, as a BCP 47 tag (`en` unless set): screen readers
    /// pick their voice by it. A tag that is not letters, digits and `-` is ignored.
    #[must_use]
    pub fn lang(mut self, tag: &str) -> Self {
        let valid = !tag.is_empty()
            && tag.len() <= 35
            && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if valid {
            tag.clone_into(&mut self.lang);
        }
        self
    }

    /// Links the default stylesheet at `href` instead (a report written to disk beside a
    /// copy of it links `motifs.css`), or not at all with `None`.
    #[must_use]
    pub fn default_stylesheet(mut self, href: Option<&str>) -> Self {
        self.default_stylesheet = href.map(|href| sanitize_url(href).into_owned());
        self
    }

    /// Styles the page with `theme` from its first paint (the bridge sets its properties).
    #[must_use]
    pub fn theme(mut self, theme: ThemeStyle) -> Self {
        self.theme = Some(theme);
        self
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
        out.push_str("<!DOCTYPE html><html lang=\"");
        out.push_str(&self.lang);
        out.push('"');
        if let Some(theme) = &self.theme {
            out.push_str(" data-sym-theme=\"");
            out.push_str(theme.kind.as_str());
            out.push('"');
        }
        out.push_str("><head><meta charset=\"utf-8\">");
        out.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"");
        out.push_str(&escape_attribute(&policy.to_string()));
        out.push_str("\"><title>");
        out.push_str(&escape_text(self.title));
        out.push_str("</title>");
        for href in self.default_stylesheet.iter().chain(&self.stylesheets) {
            out.push_str("<link rel=\"stylesheet\" href=\"");
            out.push_str(&escape_attribute(href));
            out.push_str("\">");
        }
        out.push_str("</head><body><div id=\"motif-root\">");
        out.push_str(&view_html);
        out.push_str("</div><script type=\"application/json\" id=\"motif-config\">");
        out.push_str(&script_safe_json(&BridgeConfig {
            transport: &self.transport,
            theme: self.theme.as_ref(),
        }));
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
