//! The Symphony extension SDK for Motifs: panels, views and custom editors that Symphony
//! shows in a WebView.
//!
//! A motif extension is a binary whose `main` is [`main!`]: a setup function registers its
//! components ([`motif::Motif`]) and custom editors ([`editor::Editor`]) in [`Motifs`], under
//! the ids its `symphony.toml` declares.
//!
//! - [`view`]: the view tree a motif renders ([`view::el`], [`view::text`]), validated into
//!   a [`view::View`];
//! - [`motif`]: the [`motif::Motif`] trait (state → view → events → effects), run by
//!   [`runtime::MotifInstance`];
//! - [`editor`]: custom editors over documents with undo/redo, atomic saves and backups;
//! - [`methods`]: the protocol (`motif/…`, `editor/…`), each method typed, with JSON Schema;
//! - [`serve`]: [`serve::MotifServer`], which answers those methods; [`entry`]: [`main!`]
//!   and [`run`];
//! - `testing` (feature `testing`): run the extension in a test, in-process or as its binary;
//! - [`theme`]: the IDE's theme tokens as CSS custom properties, and the default
//!   stylesheet; [`components`]: accessible controls (button, fields, table, tabs, …) styled
//!   by it; [`chart`]: bar, line and scatter charts as SVG view nodes;
//! - [`html`]: HTML with context-correct escaping; [`diff`]: patches between two renders;
//! - [`bridge`]: the page script and validation of its messages; [`page`]: the document
//!   around a view; [`csp`]: its Content-Security-Policy; [`assets`]: `motif://` bundles;
//! - `tauri_plugin` (feature `tauri`): the Tauri 2 plugin, and `tauri_plugin::preview`, a
//!   real window showing one motif while you write it.
//!
//! This crate also re-exports the shared foundation an extension author needs (manifest,
//! permissions, configuration) so that a motif extension depends on this crate alone.
//!
//! ## Features
//!
//! - `tauri`: the Tauri 2 plugin (`motif://` scheme, bridge commands, patch events) and the
//!   preview window; brings in Tauri and the system WebView.
//! - `testing`: the `testing` module, for `[dev-dependencies]`.

pub mod assets;
pub mod bridge;
pub mod chart;
pub mod components;
pub mod csp;
pub mod diff;
pub mod editor;
pub mod entry;
pub mod html;
pub mod methods;
pub mod motif;
pub mod page;
pub mod prelude;
pub mod runtime;
pub mod serve;
#[cfg(feature = "tauri")]
pub mod tauri_plugin;
#[cfg(feature = "testing")]
pub mod testing;
pub mod theme;
pub mod view;

#[doc(inline)]
pub use entry::{SetupOutcome, run};
#[doc(inline)]
pub use serve::{Motifs, SetupError};

#[doc(inline)]
pub use symphony_core::{config, manifest, permission, sandbox, version};

#[doc(inline)]
pub use symphony_core::embed_manifest;
