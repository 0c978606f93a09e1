//! The IDE's theme as the host passes it: in `initialize` (`theme`), and again to the
//! extensions that draw (motifs) when the user switches.
//!
//! A theme is a kind (light, dark, high contrast) and design tokens: named colours, fonts and
//! spacings as CSS values. Pages style through CSS custom properties named after the tokens
//! (`--sym-<name>`), so the host's values reach them without inline styles. Tokens the host
//! leaves out take the kind's defaults (`symphony_motifs::theme` has them).
//!
//! Token values end up in a page's CSSOM, so they are checked here, where they enter: a
//! name is lowercase ASCII words joined by `-`, and a value is one plain CSS value (no
//! `url(…)`, no `;`, braces, angle brackets, backslashes, comments or control characters).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Most tokens one theme may carry.
pub const MAX_TOKENS: usize = 256;

/// Longest token value, in bytes.
pub const MAX_TOKEN_VALUE_BYTES: usize = 256;

/// Longest token name, in bytes.
pub const MAX_TOKEN_NAME_BYTES: usize = 64;

/// Which family of colours a theme belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ThemeKind {
    /// Dark text on a light background.
    Light,
    /// Light text on a dark background.
    Dark,
    /// Maximum contrast: black, white and a few saturated accents, thick focus rings.
    HighContrast,
}

impl ThemeKind {
    /// Every kind, in this order: light, dark, high contrast.
    pub const ALL: [ThemeKind; 3] = [ThemeKind::Light, ThemeKind::Dark, ThemeKind::HighContrast];

    /// The kind's name on the wire (`light`, `dark`, `high-contrast`).
    pub fn as_str(self) -> &'static str {
        match self {
            ThemeKind::Light => "light",
            ThemeKind::Dark => "dark",
            ThemeKind::HighContrast => "high-contrast",
        }
    }
}

/// A theme: its kind and its design tokens by name (`color-accent` → `#0b5cad`).
///
/// ```
/// # use symphony_core::protocol::{Theme, ThemeKind};
/// let theme = Theme::new(ThemeKind::Dark).token("color-accent", "#7cb7ff");
/// assert!(theme.validate().is_ok());
/// let json = serde_json::to_value(&theme).unwrap();
/// assert_eq!(json, serde_json::json!({"kind": "dark", "tokens": {"color-accent": "#7cb7ff"}}));
///
/// let hostile = Theme::new(ThemeKind::Light).token("color-text", "red; background: url(x)");
/// let error = hostile.validate().unwrap_err();
/// assert!(error.to_string().contains("`color-text`"), "{error}");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Theme {
    /// Light, dark or high contrast.
    pub kind: ThemeKind,
    /// Design tokens by name; each becomes the CSS custom property `--sym-<name>`. Tokens
    /// not given take the kind's defaults.
    #[serde(default)]
    pub tokens: BTreeMap<String, String>,
}

impl Theme {
    /// A theme of `kind` with no tokens of its own (all the kind's defaults).
    pub fn new(kind: ThemeKind) -> Self {
        Theme {
            kind,
            tokens: BTreeMap::new(),
        }
    }

    /// Sets token `name` to `value` (checked by [`validate`](Self::validate)).
    #[must_use]
    pub fn token(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.tokens.insert(name.into(), value.into());
        self
    }

    /// Checks every token's name and value, reporting the first that is refused.
    ///
    /// # Errors
    ///
    /// A [`ThemeError`] naming the token and what is wrong with it.
    pub fn validate(&self) -> Result<(), ThemeError> {
        if self.tokens.len() > MAX_TOKENS {
            return Err(ThemeError::TooManyTokens {
                count: self.tokens.len(),
            });
        }
        for (name, value) in &self.tokens {
            check_name(name)?;
            check_value(name, value)?;
        }
        Ok(())
    }
}

/// Why a theme was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ThemeError {
    /// A token name that is not lowercase ASCII words joined by `-`.
    #[error(
        "theme token name {name:?} is refused: {reason} (expected lowercase ASCII letters, digits and `-`, starting with a letter, at most {MAX_TOKEN_NAME_BYTES} bytes, e.g. `color-accent`)"
    )]
    InvalidName {
        /// The name as sent.
        name: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A token value that is not one plain CSS value.
    #[error("theme token `{name}` has a refused value {value:?}: {reason}")]
    InvalidValue {
        /// The token's name.
        name: String,
        /// The value as sent (cut to [`MAX_TOKEN_VALUE_BYTES`] characters at most).
        value: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// More tokens than [`MAX_TOKENS`].
    #[error("the theme has {count} tokens; at most {MAX_TOKENS} are accepted")]
    TooManyTokens {
        /// How many were sent.
        count: usize,
    },
}

fn check_name(name: &str) -> Result<(), ThemeError> {
    let refuse = |reason| {
        Err(ThemeError::InvalidName {
            name: name.chars().take(MAX_TOKEN_NAME_BYTES).collect(),
            reason,
        })
    };
    if name.is_empty() {
        return refuse("it is empty");
    }
    if name.len() > MAX_TOKEN_NAME_BYTES {
        return refuse("it is too long");
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return refuse("it does not start with a lowercase letter");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return refuse("it has a character other than a-z, 0-9 and `-`");
    }
    if name.ends_with('-') || name.contains("--") {
        return refuse("it has an empty word");
    }
    Ok(())
}

/// Text a token value may not contain (compared in ASCII lowercase, whitespace removed), and
/// why: it would let the value do more than be one value (end the declaration or block, load
/// a resource, escape the tokenizer, hide text in a comment). A page's bridge applies the
/// same list before it sets a property.
pub const REFUSED_TOKEN_TEXT: [(&str, &str); 10] = [
    (";", "`;` ends the declaration"),
    ("{", "braces open a block"),
    ("}", "braces close a block"),
    ("<", "angle brackets are not CSS"),
    (">", "angle brackets are not CSS"),
    ("\\", "escapes are refused"),
    ("/*", "comments are refused"),
    ("url(", "a value cannot load a resource"),
    ("image-set(", "a value cannot load a resource"),
    ("expression(", "script in CSS is refused"),
];

fn check_value(name: &str, value: &str) -> Result<(), ThemeError> {
    let refuse = |reason| {
        Err(ThemeError::InvalidValue {
            name: name.to_owned(),
            value: value.chars().take(MAX_TOKEN_VALUE_BYTES).collect(),
            reason,
        })
    };
    if value.trim().is_empty() {
        return refuse("it is empty");
    }
    if value.len() > MAX_TOKEN_VALUE_BYTES {
        return refuse("it is longer than 256 bytes");
    }
    if value.chars().any(char::is_control) {
        return refuse("it has a control character");
    }
    let lower = value.to_ascii_lowercase();
    let compact: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
    for (text, reason) in REFUSED_TOKEN_TEXT {
        if compact.contains(text) {
            return refuse(reason);
        }
    }
    if value.matches('"').count() % 2 == 1 || value.matches('\'').count() % 2 == 1 {
        return refuse("it has an unclosed quote");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_values_pass() {
        let theme = Theme::new(ThemeKind::HighContrast)
            .token("font-family", "\"Segoe UI\", system-ui, sans-serif")
            .token("color-accent", "rgb(0 120 212 / 90%)")
            .token("space-2", "calc(0.5rem + 2px)")
            .token("chart-1", "hsl(210deg 80% 40%)");
        assert_eq!(theme.validate(), Ok(()));
    }

    #[test]
    fn names_are_lowercase_words() {
        for name in [
            "",
            "Color",
            "-x",
            "1x",
            "color--x",
            "color-",
            "co lor",
            "cölor",
            &"x".repeat(65),
        ] {
            let error = Theme::new(ThemeKind::Light)
                .token(name, "red")
                .validate()
                .unwrap_err();
            assert!(
                matches!(error, ThemeError::InvalidName { .. }),
                "{name:?}: {error}"
            );
        }
    }

    #[test]
    fn values_that_escape_one_declaration_are_refused_by_name() {
        for value in [
            "red;color:blue",
            "red}body{color:blue",
            "url(https://evil)",
            "URL (x)",
            "image-set(\"a.png\" 1x)",
            "red/**/",
            "\\72 ed",
            "</style>",
            "\"open",
            "red\nblue",
            "expression(alert(1))",
            " ",
            &"a".repeat(257),
        ] {
            let error = Theme::new(ThemeKind::Light)
                .token("color-text", value)
                .validate()
                .unwrap_err();
            assert!(
                matches!(&error, ThemeError::InvalidValue { name, .. } if name == "color-text"),
                "{value:?}: {error}"
            );
        }
    }

    #[test]
    fn too_many_tokens_are_refused() {
        let mut theme = Theme::new(ThemeKind::Dark);
        for i in 0..=MAX_TOKENS {
            theme = theme.token(format!("t{i}"), "1px");
        }
        assert_eq!(
            theme.validate(),
            Err(ThemeError::TooManyTokens {
                count: MAX_TOKENS + 1
            })
        );
    }

    #[test]
    fn kinds_are_kebab_case_on_the_wire() {
        for kind in ThemeKind::ALL {
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::json!(kind.as_str())
            );
        }
        let unknown = serde_json::from_str::<Theme>(r#"{"kind":"sepia"}"#).unwrap_err();
        assert!(unknown.to_string().contains("sepia"), "{unknown}");
    }
}
