//! The extension manifest (`symphony.toml` beside the extension's `Cargo.toml`): what an
//! instrument reads of it. [`embed_manifest!`](crate::embed_manifest) embeds it at compile
//! time; [`main!`](crate::main) does that for you.

#[doc(inline)]
pub use symphony_core::manifest::{
    DataType, Dimension, EmbeddedManifest, ExtensionId, InstrumentPort, InstrumentPortType,
    InstrumentSection, Manifest, ManifestError, ManifestErrors,
};

/// The build-time check: `symphony_instruments::manifest::build::check_manifest()` in a
/// `build.rs` fails the build on an invalid `symphony.toml`, naming the field and line.
#[doc(inline)]
pub use symphony_core::manifest::build;
