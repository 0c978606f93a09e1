//! The Symphony extension SDK for Motifs: panels, views and custom editors that Symphony
//! shows in a WebView.
//!
//! - [`view`]: the view tree a motif renders ([`view::el`], [`view::text`]), validated into
//!   a [`view::View`];
//! - [`html`]: HTML with context-correct escaping; [`diff`]: patches between two renders;
//!
//! This crate also re-exports the shared foundation an extension author needs (manifest,
//! permissions, configuration, lifecycle) so that a motif extension depends on this crate alone.

pub mod diff;
pub mod html;
pub mod view;

pub use symphony_core::{config, lifecycle, manifest, permission, sandbox, version};
