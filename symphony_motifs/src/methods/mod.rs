//! The motif protocol: every `motif/…` and `editor/…` method, defined once.
//!
//! Each method is an uninhabited type implementing [`Method`]: its name on the wire, the
//! type of its params and of its result. A [`MotifServer`](crate::serve::MotifServer)
//! dispatches on these definitions, and a host or a test calls them by type, so neither side
//! spells a method name:
//!
//! ```
//! # #[cfg(feature = "testing")] {
//! use symphony_motifs::methods::motif::{ComponentParams, Render};
//! # use symphony_motifs::prelude::*;
//! # struct Hello;
//! # impl Motif for Hello {
//! #     type State = ();
//! #     fn placement(&self) -> Placement { Placement::Panel }
//! #     fn initial_state(&self) {}
//! #     fn render(&self, _: &()) -> Node { el("p").child("hello").into() }
//! #     fn update(&self, _: &mut (), _: &Event) -> Effects { Effects::none() }
//! # }
//! # fn setup(motifs: &mut Motifs) { motifs.component("hello", Hello); }
//! use symphony_motifs::testing::MotifTestHost;
//!
//! # let manifest = symphony_motifs::embed_manifest!("src/sample/symphony.toml");
//! let hello = MotifTestHost::start(manifest, setup)?;
//! let rendered = hello.request::<Render>(&ComponentParams::new("hello"))?;
//! assert_eq!(rendered.html, "<p>hello</p>");
//! # hello.shutdown()?;
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The JSON shapes are published as JSON Schema, generated from the types
//! ([`Method::params_schema`], [`Method::result_schema`]); the awkward ones (the view tree,
//! patches, the bridge's messages) are described on their types:
//! [`Node`](crate::view::Node), [`Patch`](crate::diff::Patch),
//! [`BridgeMessage`](crate::bridge::BridgeMessage).
//!
//! Motif extensions send no notifications of their own kind: effects come back in the
//! results ([`Update`](crate::runtime::Update)).

pub mod editor;
pub mod motif;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[doc(inline)]
pub use symphony_core::protocol::method::Method;

/// The name of every method a [`MotifServer`](crate::serve::MotifServer) answers, as it
/// announces them in its capabilities.
pub const ALL: &[&str] = &[
    <motif::List as Method>::NAME,
    <motif::Render as Method>::NAME,
    <motif::Page as Method>::NAME,
    <motif::Event as Method>::NAME,
    <motif::State as Method>::NAME,
    <motif::Restore as Method>::NAME,
    <motif::SetTheme as Method>::NAME,
    <motif::Stylesheet as Method>::NAME,
    <editor::Open as Method>::NAME,
    <editor::Restore as Method>::NAME,
    <editor::Page as Method>::NAME,
    <editor::Event as Method>::NAME,
    <editor::Edit as Method>::NAME,
    <editor::Undo as Method>::NAME,
    <editor::Redo as Method>::NAME,
    <editor::Revert as Method>::NAME,
    <editor::Save as Method>::NAME,
    <editor::SaveAs as Method>::NAME,
    <editor::Backup as Method>::NAME,
    <editor::Status as Method>::NAME,
    <editor::Close as Method>::NAME,
];

/// A whole page around a view, with its bridge (the result of `motif/page` and
/// `editor/page`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct PageResult {
    /// The HTML document: the Content-Security-Policy in a `<meta>`, the view, the bridge
    /// configuration and script. Its `<title>` is the manifest's title for the component (or
    /// the extension's `name` for an editor's document).
    pub html: String,
    /// The same Content-Security-Policy, for the host to send as a header where it can.
    pub csp: String,
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn names_are_unique_and_under_the_kind_prefixes() {
        let unique: HashSet<_> = ALL.iter().collect();
        assert_eq!(unique.len(), ALL.len());
        for name in ALL {
            assert!(
                name.starts_with("motif/") || name.starts_with("editor/"),
                "{name}"
            );
        }
    }

    #[test]
    fn every_method_publishes_a_schema_with_documented_fields() {
        let render = motif::Render::result_schema();
        assert_eq!(render["type"], "object", "{render:#}");
        assert!(
            render["properties"]["view"].is_object(),
            "the view tree has a schema: {render:#}"
        );
        let event = motif::Event::params_schema();
        let message = &event["properties"]["message"];
        assert!(
            message["description"]
                .as_str()
                .is_some_and(|d| d.contains("JSON")),
            "{event:#}"
        );
        let open = editor::Open::params_schema();
        assert!(open["properties"]["viewType"].is_object(), "{open:#}");
        assert_eq!(open["required"], serde_json::json!(["path"]), "{open:#}");
        let list = motif::List::result_schema();
        let placement = serde_json::to_string(&list).unwrap();
        assert!(placement.contains("status-bar"), "{placement}");
    }
}
