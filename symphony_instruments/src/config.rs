//! The host's configuration values, validated against the manifest's `[config]` schema.

#[doc(inline)]
pub use symphony_core::config::{ConfigValues, Secret};
