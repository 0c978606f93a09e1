//! Parsing `motif://<extension-id>/<path>`.

use super::AssetError;

/// The URI scheme motif assets are served under.
pub const MOTIF_SCHEME: &str = "motif";

/// A parsed asset URI: which extension's bundle, and which path in it (still
/// percent-encoded; the bundle decodes and checks it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MotifUri {
    /// The extension id (`publisher.name`).
    pub extension: String,
    /// The path inside the bundle, without query or fragment.
    pub path: String,
}

impl MotifUri {
    /// Parses `uri`.
    ///
    /// # Errors
    ///
    /// [`AssetError::InvalidUri`] naming what is wrong.
    ///
    /// ```
    /// use symphony_motifs::assets::MotifUri;
    ///
    /// let uri = MotifUri::parse("motif://acme.panel/css/app.css?v=2").unwrap();
    /// assert_eq!((uri.extension.as_str(), uri.path.as_str()), ("acme.panel", "css/app.css"));
    /// ```
    pub fn parse(uri: &str) -> Result<MotifUri, AssetError> {
        let invalid = |reason| AssetError::InvalidUri {
            uri: uri.to_owned(),
            reason,
        };
        let rest = uri
            .split_once("://")
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case(MOTIF_SCHEME))
            .map(|(_, rest)| rest)
            .ok_or_else(|| invalid("the scheme is not `motif`"))?;
        let rest = rest.split(['?', '#']).next().unwrap_or_default();
        let (extension, path) = rest.split_once('/').unwrap_or((rest, ""));
        if !is_extension_id(extension) {
            return Err(invalid(
                "the host part is not an extension id (letters, digits, `-`, `_`, one or more `.`)",
            ));
        }
        Ok(MotifUri {
            extension: extension.to_ascii_lowercase(),
            path: path.to_owned(),
        })
    }
}

fn is_extension_id(id: &str) -> bool {
    id.contains('.')
        && id.split('.').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_schemes_and_bad_hosts_are_refused() {
        for uri in [
            "https://acme.panel/x",
            "motif:/acme.panel/x",
            "motif://acme/x",
            "motif://../x",
            "motif://acme..panel/x",
            "motif://acme.panel@evil.example/x",
        ] {
            let error = MotifUri::parse(uri).unwrap_err();
            assert!(matches!(error, AssetError::InvalidUri { .. }), "{uri}");
        }
    }
}
