//! Content-Security-Policy for motif pages: scripts only by nonce, nothing inline by default.

use std::fmt;

/// A fresh random value for one page's `nonce-…` sources (128 bits, hex).
#[derive(Clone, PartialEq, Eq)]
pub struct Nonce(String);

/// The operating system could not provide random bytes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CspError {
    /// No randomness for a nonce.
    #[error("cannot generate a CSP nonce: the OS random source failed ({0})")]
    Random(String),
    /// A source expression that would break the policy's syntax.
    #[error(
        "`{source_expr}` is not a valid CSP source for {directive} (no spaces, `;`, `,` or quotes; keywords like 'self' are added by the builder)"
    )]
    InvalidSource {
        /// The directive.
        directive: &'static str,
        /// The source.
        source_expr: String,
    },
}

impl Nonce {
    /// A new nonce from the OS random source.
    ///
    /// # Errors
    ///
    /// [`CspError::Random`] if the OS has no randomness to give.
    pub fn generate() -> Result<Nonce, CspError> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|error| CspError::Random(error.to_string()))?;
        Ok(Nonce(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }

    /// The nonce as it goes into `nonce="…"` attributes.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A nonce is a per-page secret; keep it out of logs.
        f.write_str("Nonce(…)")
    }
}

/// A Content-Security-Policy for one page.
///
/// The default denies everything (`default-src 'none'`), then allows: scripts and styles
/// carrying the page's nonce, images, styles and fonts from the page's own origin (the
/// motif's asset bundle), and `connect-src 'self'` for the bridge.
///
/// ```
/// use symphony_motifs::csp::{ContentSecurityPolicy, Nonce};
///
/// let nonce = Nonce::generate().unwrap();
/// let policy = ContentSecurityPolicy::new(&nonce);
/// let header = policy.to_string();
/// assert!(header.starts_with("default-src 'none'; script-src 'nonce-"));
/// assert!(!header.contains("unsafe-inline"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentSecurityPolicy {
    nonce: String,
    scripts: Vec<String>,
    styles: Vec<String>,
    images: Vec<String>,
    connect: Vec<String>,
    inline_styles: bool,
}

impl ContentSecurityPolicy {
    /// The strict default for a page using `nonce`.
    pub fn new(nonce: &Nonce) -> Self {
        ContentSecurityPolicy {
            nonce: nonce.0.clone(),
            scripts: Vec::new(),
            styles: vec!["'self'".to_owned()],
            images: vec!["'self'".to_owned()],
            connect: vec!["'self'".to_owned()],
            inline_styles: false,
        }
    }

    /// Also allows scripts from `source` (`motif://acme.panel`, `https://cdn.example`).
    ///
    /// # Errors
    ///
    /// [`CspError::InvalidSource`] if `source` would break the policy's syntax.
    pub fn allow_script(mut self, source: &str) -> Result<Self, CspError> {
        self.scripts.push(checked("script-src", source)?);
        Ok(self)
    }

    /// Also allows styles from `source`.
    ///
    /// # Errors
    ///
    /// [`CspError::InvalidSource`] if `source` would break the policy's syntax.
    pub fn allow_style(mut self, source: &str) -> Result<Self, CspError> {
        self.styles.push(checked("style-src", source)?);
        Ok(self)
    }

    /// Also allows images from `source`.
    ///
    /// # Errors
    ///
    /// [`CspError::InvalidSource`] if `source` would break the policy's syntax.
    pub fn allow_image(mut self, source: &str) -> Result<Self, CspError> {
        self.images.push(checked("img-src", source)?);
        Ok(self)
    }

    /// Also allows `fetch` and IPC to `source` (the Tauri IPC origin, for instance).
    ///
    /// # Errors
    ///
    /// [`CspError::InvalidSource`] if `source` would break the policy's syntax.
    pub fn allow_connect(mut self, source: &str) -> Result<Self, CspError> {
        self.connect.push(checked("connect-src", source)?);
        Ok(self)
    }

    /// Allows inline `style="…"` attributes (`'unsafe-inline'` for styles only). Off by
    /// default: styles belong in the bundle's stylesheets.
    #[must_use]
    pub fn allow_inline_styles(mut self) -> Self {
        self.inline_styles = true;
        self
    }
}

fn checked(directive: &'static str, source: &str) -> Result<String, CspError> {
    let valid = !source.is_empty()
        && source
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, ';' | ',' | '\'' | '"'));
    if valid {
        Ok(source.to_owned())
    } else {
        Err(CspError::InvalidSource {
            directive,
            source_expr: source.to_owned(),
        })
    }
}

impl fmt::Display for ContentSecurityPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nonce = format!("'nonce-{}'", self.nonce);
        let list = |sources: &[String]| sources.join(" ");
        write!(f, "default-src 'none'; script-src {nonce}")?;
        if !self.scripts.is_empty() {
            write!(f, " {}", list(&self.scripts))?;
        }
        // With a nonce present, browsers ignore 'unsafe-inline'; so inline styles go
        // without the nonce when they are allowed.
        if self.inline_styles {
            write!(f, "; style-src {} 'unsafe-inline'", list(&self.styles))?;
        } else {
            write!(f, "; style-src {nonce} {}", list(&self.styles))?;
        }
        write!(
            f,
            "; img-src {}; font-src 'self'; connect-src {}; base-uri 'none'; form-action 'none'",
            list(&self.images),
            list(&self.connect)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_fresh_and_hex() {
        let a = Nonce::generate().unwrap();
        let b = Nonce::generate().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 32);
        assert!(a.as_str().chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(format!("{a:?}"), "Nonce(…)");
    }

    #[test]
    fn sources_that_would_inject_directives_are_refused() {
        let nonce = Nonce::generate().unwrap();
        for source in ["https://a; script-src *", "'unsafe-inline'", "a b", ""] {
            let error = ContentSecurityPolicy::new(&nonce)
                .allow_script(source)
                .unwrap_err();
            assert!(error.to_string().contains("script-src"), "{error}");
        }
        let policy = ContentSecurityPolicy::new(&nonce)
            .allow_connect("ipc:")
            .unwrap()
            .to_string();
        assert!(policy.contains("connect-src 'self' ipc:"), "{policy}");
    }
}
