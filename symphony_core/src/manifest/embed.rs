//! Embedding the manifest in the extension binary at compile time.

use std::sync::OnceLock;

use super::error::ManifestErrors;
use super::model::Manifest;

/// A manifest compiled into the binary, parsed on first use.
///
/// Made by [`embed_manifest!`](crate::embed_manifest); pair it with
/// [`build::check_manifest`](super::build::check_manifest) in `build.rs` so that a broken
/// manifest fails the build instead of the first [`get`](Self::get).
#[derive(Debug)]
pub struct EmbeddedManifest {
    file: &'static str,
    source: &'static str,
    parsed: OnceLock<Result<Manifest, ManifestErrors>>,
}

impl EmbeddedManifest {
    /// Wraps manifest text; `file` names it in errors and picks the format (`.json` is JSON,
    /// anything else TOML). Normally called by [`embed_manifest!`](crate::embed_manifest).
    pub const fn new(file: &'static str, source: &'static str) -> Self {
        Self {
            file,
            source,
            parsed: OnceLock::new(),
        }
    }

    /// The parsed manifest, or why it is invalid. Parses once; later calls are free.
    pub fn get(&self) -> Result<&Manifest, &ManifestErrors> {
        self.parsed
            .get_or_init(|| {
                let parsed = if self.file.to_ascii_lowercase().ends_with(".json") {
                    Manifest::from_json_str(self.source)
                } else {
                    Manifest::from_toml_str(self.source)
                };
                parsed.map_err(|errors| errors.in_file(self.file))
            })
            .as_ref()
    }

    /// The manifest text as embedded (what an extension sends in the handshake is the parsed
    /// form; this is for tools that want the original).
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// The file name the manifest was embedded from, relative to the crate.
    pub fn file(&self) -> &'static str {
        self.file
    }
}

/// Embeds the crate's `symphony.toml` (or another file, relative to the crate's
/// `Cargo.toml`) and evaluates to a `&'static` [`EmbeddedManifest`], parsed on first use.
///
/// In an extension, with `symphony.toml` next to `Cargo.toml`, write `embed_manifest!().get()?`
/// with the macro of the SDK crate you depend on (`symphony_operators::embed_manifest!()`, and
/// the same in the other kinds and the umbrella). With an explicit file (this example embeds a
/// sample manifest):
///
/// ```
/// # use symphony_core::embed_manifest;
/// # use symphony_core::manifest::{EmbeddedManifest, ExtensionKind};
/// static MANIFEST: &EmbeddedManifest = embed_manifest!("src/manifest/sample/symphony.toml");
///
/// let manifest = MANIFEST.get()?;
/// assert_eq!(manifest.id().as_str(), "acme.csv-cleaner");
/// assert_eq!(manifest.kind(), ExtensionKind::Operator);
/// // Parsed once: later calls return the same value.
/// assert!(std::ptr::eq(manifest, MANIFEST.get()?));
/// # Ok::<(), &symphony_core::manifest::ManifestErrors>(())
/// ```
///
/// Call `manifest::build::check_manifest()` from `build.rs` so a broken manifest fails the
/// build rather than the extension at run time.
#[macro_export]
macro_rules! embed_manifest {
    () => {
        $crate::embed_manifest!("symphony.toml")
    };
    ($file:literal) => {{
        static EMBEDDED: $crate::manifest::EmbeddedManifest =
            $crate::manifest::EmbeddedManifest::new(
                $file,
                ::core::include_str!(::core::concat!(
                    ::core::env!("CARGO_MANIFEST_DIR"),
                    "/",
                    $file
                )),
            );
        &EMBEDDED
    }};
}
