//! Attribute rules: which names an element may carry, and what their values may hold.
//!
//! One function, [`check_attribute`], answers for the builder, for JSON deserialisation,
//! for [`View::new`](super::View::new) and for rendering; the bridge script mirrors it.

use super::policy::policy;
use super::url::{REFUSED_URL, is_allowed_url, is_url_attribute, url_attribute_allows};

/// What becomes of one attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Kept as it is.
    Keep,
    /// Kept with this value instead: a refused URL becomes [`REFUSED_URL`], a refused style
    /// becomes empty.
    Replace(&'static str),
    /// Not allowed at all, for this reason.
    Refuse(&'static str),
}

impl Verdict {
    /// The value the attribute has after cleaning, if it is allowed.
    pub(crate) fn value(self, original: &str) -> Option<&str> {
        match self {
            Verdict::Keep => Some(original),
            Verdict::Replace(cleaned) => Some(cleaned),
            Verdict::Refuse(_) => None,
        }
    }
}

const EVENT_HANDLER: &str =
    "event handlers are bound with `.on(event, handler)`, never as attributes";
const MARKUP: &str = "its value would be parsed as markup or change how names resolve";
const PREFIXED: &str = "only `xlink:href` and `xlink:title` may carry a namespace prefix";
const ANIMATED_URL: &str = "an animation of a URL attribute, an event handler or `style` could set a script URL (animate other attributes, or set the URL directly)";

/// The verdict on attribute `name` = `value` of element `tag`. `animates_forbidden` says
/// whether the element is an SVG animation whose `attributeName` is refused (see
/// [`animates_forbidden`]): then its `values`, `to`, `from` and `by` are refused too.
pub(crate) fn check_attribute(
    tag: &str,
    animates_forbidden: bool,
    name: &str,
    value: &str,
) -> Verdict {
    if !is_attribute_name(name) {
        return Verdict::Refuse("not a valid attribute name");
    }
    let policy = policy();
    let lower = name.to_ascii_lowercase();
    if let Some(prefix) = policy
        .refused_attribute_prefixes
        .iter()
        .find(|prefix| lower.starts_with(prefix.as_str()))
    {
        return Verdict::Refuse(if prefix == "on" {
            EVENT_HANDLER
        } else {
            MARKUP
        });
    }
    if policy.refused_attributes.contains(&lower) {
        return Verdict::Refuse(MARKUP);
    }
    if lower.contains(':') && !policy.prefixed_attributes.contains(&lower) {
        return Verdict::Refuse(PREFIXED);
    }
    if policy.animation_elements.contains(tag) {
        let refused_target = lower == "attributename" && is_forbidden_animation_target(value);
        let refused_value =
            animates_forbidden && policy.animation_value_attributes.contains(&lower);
        if refused_target || refused_value {
            return Verdict::Refuse(ANIMATED_URL);
        }
    }
    match url_attribute_allows(&lower, value) {
        Some(true) => Verdict::Keep,
        Some(false) => Verdict::Replace(REFUSED_URL),
        None if lower == policy.style_attribute && !style_allows(value) => Verdict::Replace(""),
        None => Verdict::Keep,
    }
}

/// Whether element `tag` with attributes `attrs` is an animation whose target is refused.
pub(crate) fn animates_forbidden<'a>(
    tag: &str,
    mut attrs: impl Iterator<Item = (&'a str, &'a str)>,
) -> bool {
    policy().animation_elements.contains(tag)
        && attrs.any(|(name, value)| {
            name.eq_ignore_ascii_case("attributename") && is_forbidden_animation_target(value)
        })
}

/// A URL attribute, an event handler or `style`, in any case and with any prefix
/// (`xlink:href`, `x:href`).
fn is_forbidden_animation_target(attribute_name: &str) -> bool {
    let name = attribute_name
        .trim_matches(|c: char| c.is_ascii_whitespace())
        .to_ascii_lowercase();
    let local = name.rsplit(':').next().unwrap_or(&name);
    [name.as_str(), local].into_iter().any(|candidate| {
        is_url_attribute(candidate)
            || candidate.starts_with("on")
            || policy().refused_animation_targets.contains(candidate)
    })
}

/// Whether `style` holds nothing that could load or run code: any `url(…)` with a refused
/// scheme, or any text of the policy's refused list (CSS escapes, comments, `expression`,
/// `javascript`, `@import`, …), empties the whole declaration list.
fn style_allows(style: &str) -> bool {
    let lower = style.to_ascii_lowercase();
    let refused_text = policy()
        .refused_style_text
        .iter()
        .any(|text| lower.contains(text.as_str()));
    let refused_url = lower.split("url(").skip(1).any(|rest| {
        let argument = rest.split(')').next().unwrap_or(rest);
        !is_allowed_url(
            argument.trim_matches(|c: char| c.is_ascii_whitespace() || c == '"' || c == '\''),
        )
    });
    !refused_text && !refused_url
}

/// An attribute name as the builder and the bridge accept it: an ASCII letter, then
/// letters, digits, `-`, `_`, `:` or `.`.
fn is_attribute_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(tag: &str, name: &str, value: &str) -> Verdict {
        check_attribute(tag, false, name, value)
    }

    #[test]
    fn handlers_and_markup_attributes_are_refused_in_any_case() {
        for name in [
            "onclick", "OnClIcK", "srcdoc", "SRCDOC", "xmlns", "xmlns:x", "xml:base",
        ] {
            assert!(
                matches!(verdict("a", name, "x"), Verdict::Refuse(_)),
                "{name}"
            );
        }
        assert!(matches!(
            verdict("a", "x:href", "x"),
            Verdict::Refuse(PREFIXED)
        ));
        assert!(matches!(verdict("a", "on click", "x"), Verdict::Refuse(_)));
    }

    #[test]
    fn url_and_style_values_are_cleaned() {
        let refused = Verdict::Replace(REFUSED_URL);
        assert_eq!(verdict("a", "HREF", "JaVaScRiPt:alert(1)"), refused);
        assert_eq!(verdict("button", "formAction", "javascript:1"), refused);
        assert_eq!(verdict("a", "xlink:href", "\u{0} javascript:1"), refused);
        for style in [
            "background:url(javascript:alert(1))",
            "background:url( 'vbscript:x' )",
            "width:expression(alert(1))",
            "background:url(j\\61vascript:x)",
            "background:url(file:///etc/passwd)",
        ] {
            assert_eq!(
                verdict("div", "style", style),
                Verdict::Replace(""),
                "{style}"
            );
        }
        assert_eq!(
            verdict("div", "style", "color: red; background: url(/bg.png)"),
            Verdict::Keep
        );
    }

    #[test]
    fn animations_of_urls_and_handlers_are_refused() {
        for target in [
            "href",
            " HREF ",
            "xlink:href",
            "x:href",
            "onclick",
            "style",
            "src",
        ] {
            assert!(
                matches!(verdict("set", "attributeName", target), Verdict::Refuse(_)),
                "{target}"
            );
            assert!(animates_forbidden(
                "animate",
                [("attributeName", target)].into_iter()
            ));
        }
        assert!(!animates_forbidden(
            "animate",
            [("attributeName", "x")].into_iter()
        ));
        assert!(matches!(
            check_attribute("set", true, "to", "javascript:1"),
            Verdict::Refuse(_)
        ));
        assert!(matches!(
            check_attribute("set", false, "to", "1"),
            Verdict::Keep
        ));
        assert!(matches!(
            verdict("feColorMatrix", "values", "1 0 0"),
            Verdict::Keep
        ));
    }
}
