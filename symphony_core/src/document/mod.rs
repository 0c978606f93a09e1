//! A format-neutral document tree and the helpers that read it into typed values.
//!
//! Manifests and config schemas arrive as TOML or JSON. Both are first turned into a [`Node`]
//! tree that keeps table entries in document order and, for TOML, the byte span of every key and
//! value. The [`Reader`] then walks that tree, collecting *every* problem as an [`Issue`] that
//! names the field path and where it is, instead of stopping at the first one as serde would.

mod node;
mod path;
mod reader;
mod suggest;

pub(crate) use node::{Content, Node, Span};
pub(crate) use path::FieldPath;
pub(crate) use reader::{Bounded, Issue, IssueKind, MAX_LISTED, Reader, Table, choice_name};
pub(crate) use suggest::{closest, did_you_mean};
