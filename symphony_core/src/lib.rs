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
//! - [`panic`](mod@panic): a caught panic's message, for the errors that report it;
//! - [`version`]: the SDK's API version that manifests' `engine` ranges are checked against;
//! - [`protocol`]: the Orchestra Kit protocol's messages, handshake and error codes;
//! - [`codec`]: the sans-IO line codec (bytes in, messages out, and back);
//! - [`transport`]: blocking byte transports (stdio, in-memory pipes);
//! - [`serve`]: the loop an extension binary runs from `main`.
//!
//! The host side is behind the `host` feature, which an extension's normal build never
//! enables (a focused crate enables it only from its own `testing` feature, for
//! `[dev-dependencies]`):
//!
//! - `host`: starting, calling and supervising extensions;
//! - `lifecycle`: the extension state machine and the restart policy for crashed processes;
//! - `testing`: running an extension in-process in tests, through the real protocol.
//!
//! # Features
#![cfg_attr(feature = "document-features", doc = document_features::document_features!())]
#![cfg_attr(
    not(feature = "document-features"),
    doc = "(Build the docs with the `document-features` feature to list them here; docs.rs does.)"
)]

pub mod codec;
pub mod config;
#[cfg(feature = "host")]
pub mod host;
#[cfg(feature = "host")]
pub mod lifecycle;
pub mod manifest;
pub mod panic;
pub mod permission;
pub mod protocol;
pub mod sandbox;
pub mod serve;
#[cfg(feature = "host")]
pub mod testing;
pub mod transport;
pub mod version;

mod document;
