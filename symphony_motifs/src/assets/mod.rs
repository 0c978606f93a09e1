//! Asset bundles served under `motif://<extension-id>/<path>`.
//!
//! A bundle is a directory (or a set of files in memory). Paths are percent-decoded and then
//! checked segment by segment: `..`, `.`, empty segments, backslashes and NUL are refused, and
//! for a directory the resolved file must still lie inside it after symlinks are followed.

mod bundle;
mod mime;
mod server;
mod uri;

pub use bundle::{Asset, AssetBundle};
pub use mime::mime_type;
pub use server::{AssetResponse, AssetServer};
pub use uri::{MOTIF_SCHEME, MotifUri};

/// Why an asset could not be served.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AssetError {
    /// Not a `motif://<extension-id>/<path>` URI.
    #[error(
        "`{uri}` is not a motif asset URI: {reason} (expected motif://<publisher.name>/<path>)"
    )]
    InvalidUri {
        /// The URI.
        uri: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A path that tries to leave the bundle or is not a plain relative path.
    #[error("asset path {path:?} is refused: {reason}")]
    InvalidPath {
        /// The path as requested.
        path: String,
        /// Why.
        reason: &'static str,
    },
    /// No bundle is registered for the extension.
    #[error("no asset bundle is registered for extension `{extension}`")]
    UnknownExtension {
        /// The extension id.
        extension: String,
    },
    /// The bundle has no such file.
    #[error("asset `{path}` is not in the bundle")]
    NotFound {
        /// The path.
        path: String,
    },
    /// The file exists but could not be read.
    #[error("cannot read asset `{path}`: {source}")]
    Io {
        /// The path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}
