//! Answering `motif://` requests from the registered bundles: a plain function of the URI,
//! so a WebView's custom-scheme handler and a test call the same code.

use std::collections::HashMap;

use super::AssetError;
use super::bundle::{Asset, AssetBundle};
use super::mime_type;
use super::uri::MotifUri;
use crate::theme::{STYLESHEET_PATH, stylesheet};

/// The bundles of all motif extensions, by extension id.
#[derive(Debug, Clone)]
pub struct AssetServer {
    bundles: HashMap<String, AssetBundle>,
    allow_origin: String,
}

/// An HTTP-style response to an asset request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetResponse {
    /// 200, 400, 404 or 500.
    pub status: u16,
    /// Response headers.
    pub headers: Vec<(&'static str, String)>,
    /// The file, or the error message as plain text.
    pub body: Vec<u8>,
}

impl Default for AssetServer {
    fn default() -> Self {
        Self::new()
    }
}

impl AssetServer {
    /// No bundles; `access-control-allow-origin: *` (pages use `fetch` on assets).
    pub fn new() -> Self {
        AssetServer {
            bundles: HashMap::new(),
            allow_origin: "*".to_owned(),
        }
    }

    /// Registers the bundle of extension `extension` (`publisher.name`).
    #[must_use]
    pub fn with_bundle(mut self, extension: &str, bundle: AssetBundle) -> Self {
        self.bundles.insert(extension.to_ascii_lowercase(), bundle);
        self
    }

    /// Allows `fetch` only from `origin` (`tauri://localhost`, say) instead of any origin.
    #[must_use]
    pub fn with_allowed_origin(mut self, origin: impl Into<String>) -> Self {
        self.allow_origin = origin.into();
        self
    }

    /// The asset `uri` names: a file of the extension's bundle, or the SDK's default
    /// stylesheet at [`STYLESHEET_PATH`](crate::theme::STYLESHEET_PATH) of any extension.
    ///
    /// # Errors
    ///
    /// Any [`AssetError`]: a malformed URI, an unknown extension, a refused or missing path.
    pub fn resolve(&self, uri: &str) -> Result<Asset, AssetError> {
        let uri = MotifUri::parse(uri)?;
        // The SDK's own stylesheet is part of every extension's origin, bundle or not, so a
        // page's `'self'` style source covers it.
        if uri.path == STYLESHEET_PATH {
            return Ok(Asset {
                path: STYLESHEET_PATH.to_owned(),
                mime: mime_type(STYLESHEET_PATH),
                bytes: stylesheet().as_bytes().to_vec(),
            });
        }
        let bundle =
            self.bundles
                .get(&uri.extension)
                .ok_or_else(|| AssetError::UnknownExtension {
                    extension: uri.extension.clone(),
                })?;
        bundle.get(&uri.path)
    }

    /// The response to a request for `uri`: the file with its content type, or an error
    /// status with the reason as text.
    ///
    /// ```
    /// use symphony_motifs::assets::{AssetBundle, AssetServer};
    ///
    /// let bundle = AssetBundle::in_memory().with_file("app.css", "p{}").unwrap();
    /// let server = AssetServer::new().with_bundle("acme.panel", bundle);
    /// let ok = server.respond("motif://acme.panel/app.css");
    /// assert_eq!((ok.status, ok.body.as_slice()), (200, &b"p{}"[..]));
    /// assert_eq!(server.respond("motif://acme.panel/../../etc/passwd").status, 400);
    /// let css = server.respond("motif://acme.panel/.symphony/motifs.css");
    /// assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    /// ```
    pub fn respond(&self, uri: &str) -> AssetResponse {
        let common = [
            ("x-content-type-options", "nosniff".to_owned()),
            ("access-control-allow-origin", self.allow_origin.clone()),
            ("cache-control", "no-cache".to_owned()),
        ];
        match self.resolve(uri) {
            Ok(asset) => AssetResponse {
                status: 200,
                headers: [("content-type", asset.mime.to_owned())]
                    .into_iter()
                    .chain(common)
                    .collect(),
                body: asset.bytes,
            },
            Err(error) => {
                let status = match error {
                    AssetError::InvalidUri { .. } | AssetError::InvalidPath { .. } => 400,
                    AssetError::UnknownExtension { .. } | AssetError::NotFound { .. } => 404,
                    AssetError::Io { .. } => 500,
                };
                AssetResponse {
                    status,
                    headers: [("content-type", "text/plain; charset=utf-8".to_owned())]
                        .into_iter()
                        .chain(common)
                        .collect(),
                    body: error.to_string().into_bytes(),
                }
            }
        }
    }
}

impl AssetResponse {
    /// The value of header `name`, if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}
