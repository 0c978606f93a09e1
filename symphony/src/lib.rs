//! The Symphony extension SDK in one dependency.
//!
//! Each kind of extension lives in a focused crate, re-exported here as a module behind a
//! feature of the same name. `symphony::operators::…` *is* `symphony_operators::…`: moving
//! between this crate and a focused one is a rename of paths, never a change of behaviour.
//!
//! ## Features
#![doc = document_features::document_features!()]

#[cfg(feature = "instruments")]
pub use symphony_instruments as instruments;

#[cfg(feature = "motifs")]
pub use symphony_motifs as motifs;

#[cfg(feature = "operators")]
pub use symphony_operators as operators;
