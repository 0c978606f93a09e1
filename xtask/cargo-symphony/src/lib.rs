//! The engine of `cargo symphony`, the command-line tool for authors of Symphony extensions.
//!
//! The binary (`cargo-symphony`) and the workspace's `cargo xtask migrate` both call this
//! library, so there is one implementation of each task:
//!
//! - [`migrate`]: moves an extension between the umbrella (`symphony-sdk`, library
//!   `symphony`) and the focused crates, `Cargo.toml` and sources together;
//! - [`new`]: a new extension crate of a kind, tested and checked as created;
//! - [`guide`]: the files a guide in `docs/guides` asks its reader to write;
//! - [`check`]: validates `symphony.toml` with the same located errors as the build-time
//!   check and summarises what it asks for;
//! - [`run`]: builds the extension and drives it through the real host, printing the
//!   protocol trace.

pub mod check;
pub mod guide;
pub mod migrate;
pub mod new;
pub mod run;
