//! The extension manifest: `symphony.toml` beside the extension's `Cargo.toml`.
//!
//! ```toml
//! id = "acme.csv-cleaner"          # publisher.name
//! name = "CSV Cleaner"
//! version = "1.2.0"                # semver
//! kind = "operator"                # instrument | operator | motif
//! description = "Drops rows below a score threshold"
//! authors = ["Ada <ada@acme.dev>"]
//! license = "MIT OR Apache-2.0"
//! engine = "^1.0"                  # must accept the SDK's API version
//!
//! [permissions]
//! filesystem = [{ path = "data/**/*.csv", access = ["read", "write"] }]
//! network = [{ host = "api.acme.dev", ports = [443] }]
//!
//! [activation]
//! events = ["onCommand:acme.clean", "onLanguage:csv", "onFile:**/*.csv"]
//!
//! [config.threshold]
//! type = "float"
//! default = 0.5
//! min = 0.0
//! max = 1.0
//!
//! [operator]                       # exactly one section, matching `kind`
//! category = "filter"
//! inputs = [{ name = "rows", type = "records" }]
//! outputs = [{ name = "kept", type = "records" }]
//! ```
//!
//! [`Manifest::from_toml_str`], [`Manifest::from_json_str`] and [`Manifest::from_path`] parse
//! and validate it, reporting every problem at once as [`ManifestErrors`]: each names the field
//! path (`permissions.filesystem[1].access`), the reason, and the line and column; unknown
//! fields come with a "did you mean" hint. The `[permissions]` table is the
//! [`Permissions`](crate::permission::Permissions) type, and `[config]` a
//! [`ConfigSchema`](crate::config::ConfigSchema).
//!
//! An extension embeds its manifest with [`embed_manifest!`](crate::embed_manifest), and checks
//! it at build time with [`build::check_manifest`].

mod activation;
pub mod build;
mod embed;
mod error;
mod glob;
mod id;
mod instrument;
mod kind;
mod locate;
mod model;
mod motif;
mod operator;
mod parse;
mod permissions;
mod ports;

pub use crate::embed_manifest;
pub use activation::ActivationEvent;
pub use embed::EmbeddedManifest;
pub use error::{Location, ManifestError, ManifestErrors, SourceFormat};
pub use id::ExtensionId;
pub use instrument::{DataType, Dimension, InstrumentPort, InstrumentPortType, InstrumentSection};
pub use kind::ExtensionKind;
pub use model::{KindSection, MAX_MANIFEST_BYTES, Manifest};
pub use motif::{CustomEditor, MotifComponent, MotifSection, Placement};
pub use operator::{OperatorCategory, OperatorPort, OperatorPortType, OperatorSection};
