//! The Symphony extension SDK for Motifs.
//!
//! This crate re-exports the shared foundation an extension author needs (manifest,
//! permissions, configuration, lifecycle) so that a motif extension depends on this crate alone.

pub use symphony_core::{config, lifecycle, manifest, permission, sandbox, version};
