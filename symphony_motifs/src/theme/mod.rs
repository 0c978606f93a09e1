//! Theming: the IDE's theme tokens as CSS custom properties, and the default stylesheet.
//!
//! The host passes a [`Theme`] in `initialize` and, when the user switches, in
//! [`motif/theme`](crate::methods::motif::SetTheme). A page never gets inline styles (its CSP
//! forbids them): it links the default stylesheet ([`stylesheet`], served as the `motif://`
//! asset [`STYLESHEET_PATH`]), whose rules read the tokens as `var(--sym-…)`, and the bridge
//! sets the theme's properties on the page's root through the CSSOM
//! (`style.setProperty`), at load and again on each change, without reloading.
//!
//! ```
//! use symphony_motifs::theme::{Theme, ThemeKind, ThemeStyle};
//!
//! // Tokens the host leaves out take the kind's defaults.
//! let style = ThemeStyle::new(&Theme::new(ThemeKind::Dark).token("color-accent", "#3d7bd9"))?;
//! assert_eq!(style.properties["--sym-color-accent"], "#3d7bd9");
//! assert_eq!(style.properties["--sym-color-background"], "#1e1e1e");
//! assert_eq!(style.color_scheme, "dark");
//! # Ok::<(), symphony_motifs::theme::ThemeError>(())
//! ```

mod defaults;

use std::collections::BTreeMap;
use std::sync::LazyLock;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use defaults::TOKEN_NAMES;
#[doc(inline)]
pub use symphony_core::protocol::{Theme, ThemeError, ThemeKind};

/// Where the default stylesheet is served inside every extension's `motif://` origin:
/// `motif://<extension>/.symphony/motifs.css`. Bundles never serve hidden paths, so it
/// cannot shadow an asset.
pub const STYLESHEET_PATH: &str = ".symphony/motifs.css";

/// How a page links the default stylesheet unless its host says otherwise: the
/// [`STYLESHEET_PATH`] of the page's own origin.
pub const STYLESHEET_HREF: &str = "/.symphony/motifs.css";

/// Every custom property's prefix: token `color-accent` is `--sym-color-accent`.
pub const PROPERTY_PREFIX: &str = "--sym-";

/// The default stylesheet: the light theme's tokens on `:root` (for a page shown without a
/// theme), then the rules of the [`components`](crate::components) and
/// [`chart`](crate::chart)s, which read only tokens.
///
/// ```
/// let css = symphony_motifs::theme::stylesheet();
/// assert!(css.starts_with(":root{--sym-color-background:#ffffff;"));
/// assert!(css.contains(".sym-button"));
/// ```
pub fn stylesheet() -> &'static str {
    static CSS: LazyLock<String> = LazyLock::new(|| {
        let mut css = String::from(":root{");
        for (name, value) in TOKEN_NAMES.iter().zip(defaults::values(ThemeKind::Light)) {
            css.push_str(PROPERTY_PREFIX);
            css.push_str(name);
            css.push(':');
            css.push_str(value);
            css.push(';');
        }
        css.push_str("color-scheme:light}\n");
        css.push_str(include_str!("motifs.css"));
        css
    });
    &CSS
}

/// A theme as a page applies it: every token as a custom property, the host's values over
/// the kind's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ThemeStyle {
    /// The theme's kind.
    pub kind: ThemeKind,
    /// The CSS `color-scheme` for native controls: `light` or `dark`.
    pub color_scheme: String,
    /// Custom properties (`--sym-color-accent`) and their values, checked.
    pub properties: BTreeMap<String, String>,
}

impl ThemeStyle {
    /// The style of `theme`.
    ///
    /// # Errors
    ///
    /// A [`ThemeError`] naming the first refused token.
    pub fn new(theme: &Theme) -> Result<ThemeStyle, ThemeError> {
        theme.validate()?;
        Ok(ThemeStyle::resolved(theme))
    }

    /// The style of a kind's defaults alone.
    pub fn of_kind(kind: ThemeKind) -> ThemeStyle {
        // The defaults are fixed tokens, checked by a test: nothing to refuse.
        ThemeStyle::resolved(&Theme::new(kind))
    }

    /// `theme`'s tokens over its kind's defaults, for a theme already checked.
    fn resolved(theme: &Theme) -> ThemeStyle {
        let mut properties: BTreeMap<String, String> = TOKEN_NAMES
            .iter()
            .zip(defaults::values(theme.kind))
            .map(|(name, value)| (format!("{PROPERTY_PREFIX}{name}"), value.to_owned()))
            .collect();
        for (name, value) in &theme.tokens {
            properties.insert(format!("{PROPERTY_PREFIX}{name}"), value.trim().to_owned());
        }
        let color_scheme = match theme.kind {
            ThemeKind::Light => "light",
            _ => "dark",
        };
        ThemeStyle {
            kind: theme.kind,
            color_scheme: color_scheme.to_owned(),
            properties,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_defines_every_token_validly() {
        for kind in ThemeKind::ALL {
            let mut theme = Theme::new(kind);
            for (name, value) in TOKEN_NAMES.iter().zip(defaults::values(kind)) {
                assert!(!value.is_empty(), "{kind:?} {name}");
                theme = theme.token(*name, value);
            }
            assert_eq!(theme.validate(), Ok(()), "{kind:?}");
            assert_eq!(
                ThemeStyle::of_kind(kind).properties.len(),
                TOKEN_NAMES.len()
            );
        }
    }

    #[test]
    fn the_stylesheet_uses_only_tokens_it_defines() {
        let css = stylesheet();
        let mut rest = css;
        while let Some(at) = rest.find("var(--sym-") {
            let name: String = rest[at + 10..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            assert!(TOKEN_NAMES.contains(&name.as_str()), "unknown token {name}");
            rest = &rest[at + 10..];
        }
        assert!(!css.contains("url("), "the stylesheet loads nothing");
    }

    #[test]
    fn a_refused_token_is_named() {
        let theme = Theme::new(ThemeKind::Light).token("chart-1", "url(https://x)");
        let error = ThemeStyle::new(&theme).unwrap_err();
        assert!(error.to_string().contains("`chart-1`"), "{error}");
    }
}
