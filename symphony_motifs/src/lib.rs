//! The Symphony extension SDK for Motifs: panels, views and custom editors that Symphony
//! shows in a WebView.
//!
//! - [`view`]: the view tree a motif renders ([`view::el`], [`view::text`]), validated into
//!   a [`view::View`];
//! - [`editor`]: custom editors over documents with undo/redo, atomic saves and backups;
//! - [`motif`]: the [`motif::Motif`] trait (state → view → events → effects), run by
//!   [`runtime::MotifInstance`];
//! - [`html`]: HTML with context-correct escaping; [`diff`]: patches between two renders;
//! - [`bridge`]: the page script and validation of its messages; [`page`]: the document
//!   around a view; [`csp`]: its Content-Security-Policy; [`assets`]: `motif://` bundles;
//! - [`serve`]: [`serve::MotifServer`], the protocol handler of a motif extension;
//! - `tauri_plugin` (feature `tauri`): the Tauri 2 plugin, and `tauri_plugin::preview`, a
//!   real window showing one motif while you write it.
//!
//! This crate also re-exports the shared foundation an extension author needs (manifest,
//! permissions, configuration) so that a motif extension depends on this crate alone.

pub mod assets;
pub mod bridge;
pub mod csp;
pub mod diff;
pub mod editor;
pub mod html;
pub mod motif;
pub mod page;
pub mod prelude;
pub mod runtime;
pub mod serve;
#[cfg(feature = "tauri")]
pub mod tauri_plugin;
pub mod view;

pub use symphony_core::{config, embed_manifest, manifest, permission, sandbox, version};
