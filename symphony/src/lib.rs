//! The Symphony extension SDK in one dependency.
//!
//! Each kind of extension lives in a focused crate, re-exported here as a module behind a
//! feature of the same name:
//!
//! | module | crate | feature |
//! |---|---|---|
//! | `symphony::instruments` | `symphony_instruments` | `instruments` (+ backends `onnx`, `http`) |
//! | `symphony::operators` | `symphony_operators` | `operators` |
//! | `symphony::motifs` | `symphony_motifs` | `motifs` (+ backend `tauri`) |
//!
//! `symphony::operators::Operator` *is* `symphony_operators::Operator`: moving between this
//! crate and a focused one is a rename of paths and one line of `Cargo.toml`, never a change
//! of behaviour (`cargo xtask migrate <crate-dir> --to split|unified` does both; see
//! `docs/migration.md`).
//!
//! # One path per item
//!
//! This crate adds nothing but the kind modules and [`prelude`]: every item keeps the path
//! its focused crate gives it, prefixed by the kind. The shared foundation (manifest,
//! permissions, configuration, lifecycle) is re-exported by each focused crate, so it is
//! reached through a kind you enable — `symphony::operators::manifest` — and there is no
//! `symphony::manifest` that would be a second name for it.
//!
//! ```
//! # #[cfg(feature = "operators")] {
//! use symphony::operators::manifest::Manifest;
//!
//! let manifest = Manifest::from_toml_str(
//!     r#"
//!     id = "acme.cleaner"
//!     name = "Cleaner"
//!     version = "0.1.0"
//!     kind = "operator"
//!     engine = "^1.0"
//!     [operator]
//!     category = "transform"
//!     "#,
//! );
//! assert!(manifest.is_ok(), "{manifest:?}");
//! # }
//! ```
//!
//! ## Features
#![cfg_attr(feature = "document-features", doc = document_features::document_features!())]
#![cfg_attr(
    not(feature = "document-features"),
    doc = "(Build the docs with the `document-features` feature to list them here; docs.rs does.)"
)]

#[cfg(feature = "instruments")]
pub use symphony_instruments as instruments;

#[cfg(feature = "motifs")]
pub use symphony_motifs as motifs;

#[cfg(feature = "operators")]
pub use symphony_operators as operators;

/// What an extension author needs, in one import: `use symphony::prelude::*;` brings the
/// preludes of every enabled kind.
///
/// The kinds' preludes are kept free of clashing names, so globbing all three is never
/// ambiguous; traits used only for their methods (such as the Tauri `MotifsExt`) come in
/// `as _`, so they cannot clash with your names either. It is the same as importing
/// `symphony_instruments::prelude::*`, `symphony_operators::prelude::*` and
/// `symphony_motifs::prelude::*`, which is what `cargo xtask migrate --to split` writes.
pub mod prelude {
    #[cfg(feature = "instruments")]
    pub use symphony_instruments::prelude::*;
    #[cfg(feature = "motifs")]
    pub use symphony_motifs::prelude::*;
    #[cfg(feature = "operators")]
    pub use symphony_operators::prelude::*;
}
