//! URL attributes: the one place where an attribute value can run code (`javascript:`).

use std::borrow::Cow;

use super::policy::policy;

/// What a refused URL is replaced with: inert everywhere, and recognisable in a page.
pub const REFUSED_URL: &str = "about:invalid#refused";

/// Whether attribute `name` (any case) holds a URL, or a list of them (`srcset`, `ping`):
/// one of the URL attributes of the view allow-list (`policy.json`), the one list the bridge
/// script reads too.
pub fn is_url_attribute(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let policy = policy();
    policy.url_attributes.contains(&name)
        || policy.url_space_list_attributes.contains(&name)
        || policy.url_candidate_list_attributes.contains(&name)
}

/// Whether every URL in the value of attribute `lower_name` (lowercase) is allowed; `None`
/// if the attribute holds no URL.
///
/// Lists are read more strictly than a browser does: every piece between commas of a
/// `srcset` starts with a URL to check, so a URL hidden behind a descriptor is still seen.
pub(crate) fn url_attribute_allows(lower_name: &str, value: &str) -> Option<bool> {
    let policy = policy();
    let all_allowed = if policy.url_attributes.contains(lower_name) {
        is_allowed_url(value)
    } else if policy.url_space_list_attributes.contains(lower_name) {
        value.split_ascii_whitespace().all(is_allowed_url)
    } else if policy.url_candidate_list_attributes.contains(lower_name) {
        value.split(',').all(|candidate| {
            candidate
                .split_ascii_whitespace()
                .next()
                .is_none_or(is_allowed_url)
        })
    } else {
        return None;
    };
    Some(all_allowed)
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
    if is_allowed_url(url) {
        Cow::Borrowed(url)
    } else {
        Cow::Borrowed(REFUSED_URL)
    }
}

/// Whether `url` is relative or uses a scheme of the policy (`http`, `https`, `mailto`,
/// `motif`); everything else (`javascript:`, `vbscript:`, `data:`, `file:`) is refused.
pub(crate) fn is_allowed_url(url: &str) -> bool {
    // Browsers strip leading/trailing C0 controls and spaces, and remove tab/newline anywhere.
    let cleaned: String = url
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    match cleaned.find([':', '/', '?', '#']) {
        Some(end) if cleaned[end..].starts_with(':') => {
            let scheme = &cleaned[..end];
            policy()
                .schemes
                .iter()
                .any(|allowed| allowed.eq_ignore_ascii_case(scheme))
        }
        // No scheme: a relative reference, resolved against the page.
        _ => true,
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

    #[test]
    fn every_url_of_a_list_is_checked() {
        let clean = url_attribute_allows;
        assert_eq!(clean("srcset", "a.png 1x, b.png 2x"), Some(true));
        for value in [
            "a.png 1x, javascript:alert(1) 2x",
            "a.png 1x (x, javascript:alert(1)), b.png 2x",
            "  ,data:image/png;base64,AAAA 1x",
        ] {
            assert_eq!(clean("srcset", value), Some(false), "{value}");
        }
        assert_eq!(clean("ping", "/a https://b/ javascript:1"), Some(false));
        assert_eq!(clean("title", "javascript:1"), None);
        assert!(is_url_attribute("XLINK:HREF") && is_url_attribute("formAction"));
    }
}
