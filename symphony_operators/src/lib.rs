//! The Symphony extension SDK for Operators.
//!
//! This crate re-exports the shared foundation an extension author needs (manifest,
//! permissions, configuration, lifecycle) so that a operator extension depends on this crate alone.

pub use symphony_core::{config, lifecycle, manifest, permission, sandbox, version};
