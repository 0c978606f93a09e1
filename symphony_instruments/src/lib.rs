//! The Symphony extension SDK for Instruments.
//!
//! This crate re-exports the shared foundation an extension author needs (manifest,
//! permissions, configuration, lifecycle) so that a instrument extension depends on this crate alone.

pub use symphony_core::{config, lifecycle, manifest, permission, sandbox, version};
