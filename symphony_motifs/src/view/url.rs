//! URL attributes: the one place where an attribute value can run code (`javascript:`).

use std::borrow::Cow;

/// What a refused URL is replaced with: inert everywhere, and recognisable in a page.
pub const REFUSED_URL: &str = "about:invalid#refused";

/// Attributes whose value the browser treats as a URL it may navigate to or load.
const URL_ATTRIBUTES: &[&str] = &[
    "action",
    "background",
    "cite",
    "codebase",
    "data",
    "formaction",
    "href",
    "icon",
    "longdesc",
    "manifest",
    "ping",
    "poster",
    "src",
    "srcset",
    "xlink:href",
];

/// Schemes a view may link to. Everything else (`javascript:`, `vbscript:`, `data:`,
/// `file:`) is refused.
const ALLOWED_SCHEMES: &[&str] = &["http", "https", "mailto", "motif"];

/// Whether attribute `name` holds a URL.
pub fn is_url_attribute(name: &str) -> bool {
    URL_ATTRIBUTES
        .iter()
        .any(|candidate| candidate.eq_ignore_ascii_case(name))
}

/// Returns `url` if it is relative or uses an allowed scheme, [`REFUSED_URL`] otherwise.
///
/// The scheme is read the way a browser reads it: leading spaces and control characters
/// are skipped and tabs and newlines inside it are ignored, so `" java\tscript:"` is refused.
///
/// ```
/// use symphony_motifs::view::{REFUSED_URL, sanitize_url};
///
/// assert_eq!(sanitize_url("https://example.com/?q=1"), "https://example.com/?q=1");
/// assert_eq!(sanitize_url("../docs/index.html"), "../docs/index.html");
/// assert_eq!(sanitize_url(" JaVa\tScRiPt:alert(1)"), REFUSED_URL);
/// ```
pub fn sanitize_url(url: &str) -> Cow<'_, str> {
    // Browsers strip leading/trailing C0 controls and spaces, and remove tab/newline anywhere.
    let cleaned: String = url
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let scheme_end = cleaned.find([':', '/', '?', '#']);
    match scheme_end {
        Some(end) if cleaned[end..].starts_with(':') => {
            let scheme = &cleaned[..end];
            if ALLOWED_SCHEMES
                .iter()
                .any(|allowed| allowed.eq_ignore_ascii_case(scheme))
            {
                Cow::Borrowed(url)
            } else {
                Cow::Borrowed(REFUSED_URL)
            }
        }
        // No scheme: a relative reference, resolved against the page.
        _ => Cow::Borrowed(url),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dangerous_schemes_are_refused_however_they_are_written() {
        for url in [
            "javascript:alert(1)",
            "JAVASCRIPT:alert(1)",
            "  javascript:alert(1)",
            "\u{1}javascript:alert(1)",
            "java\nscript:alert(1)",
            "vbscript:msgbox(1)",
            "data:text/html,<script>alert(1)</script>",
            "file:///etc/passwd",
        ] {
            assert_eq!(sanitize_url(url), REFUSED_URL, "{url:?}");
        }
    }

    #[test]
    fn safe_urls_are_kept() {
        for url in [
            "https://a.example/x?y=1#z",
            "http://127.0.0.1:8080/",
            "mailto:someone@example.com",
            "motif://acme.panel/icon.svg",
            "/absolute/path",
            "relative/path:with-colon-after-slash",
            "#fragment",
            "?query=javascript:1",
        ] {
            assert_eq!(sanitize_url(url), url);
        }
    }
}
