//! Internal foundation of the Symphony extension SDK.
//!
//! Extension authors normally reach these items through a focused crate
//! (`symphony_instruments`, `symphony_operators`, `symphony_motifs`) or the umbrella
//! `symphony`; this crate holds what all of them share:
//!
//! - [`manifest`]: the `symphony.toml` an extension ships, parsed and validated;
//! - [`permission`]: what an extension requests, what a host grants, and the check between them;
//! - [`sandbox`]: kernel enforcement (Landlock on Linux) of the granted filesystem paths;
//! - [`config`]: typed configuration schemas, validation of host-provided values, JSON Schema;
//! - [`lifecycle`]: the extension state machine and the restart policy for crashed processes;
//! - [`version`]: the SDK's API version that manifests' `engine` ranges are checked against;
//! - [`protocol`]: the Orchestra Kit protocol's messages, handshake and error codes;
//! - [`codec`]: the sans-IO line codec (bytes in, messages out, and back);
//! - [`transport`]: blocking byte transports (stdio, in-memory pipes);
//! - [`serve`]: the loop an extension binary runs from `main`;
//! - [`host`]: starting, calling and supervising extensions;
//! - [`testing`]: running an extension in-process in tests, through the real protocol.

pub mod codec;
pub mod config;
pub mod host;
pub mod lifecycle;
pub mod manifest;
pub mod permission;
pub mod protocol;
pub mod sandbox;
pub mod serve;
pub mod testing;
pub mod transport;
pub mod version;

mod document;
