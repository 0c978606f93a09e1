//! `motif/…`: the components a motif extension shows (panels, status items, dialogs).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Method, PageResult};
use crate::bridge::BridgeEvent;
use crate::diff::Patch;
use crate::motif::Placement;
use crate::page::BridgeTransport;
use crate::runtime::Update;
use crate::theme::{Theme, ThemeStyle};
use crate::view::Node;

/// `motif/list`: the components the extension hosts. Params: none.
#[derive(Debug)]
pub enum List {}

impl Method for List {
    const NAME: &'static str = "motif/list";
    type Params = ();
    type Result = Vec<ComponentInfo>;
}

/// `motif/render`: a component's current view, as HTML and as a tree.
#[derive(Debug)]
pub enum Render {}

impl Method for Render {
    const NAME: &'static str = "motif/render";
    type Params = ComponentParams;
    type Result = Rendered;
}

/// `motif/page`: a whole page showing a component, with its bridge and policy.
#[derive(Debug)]
pub enum Page {}

impl Method for Page {
    const NAME: &'static str = "motif/page";
    type Params = PageParams;
    type Result = PageResult;
}

/// `motif/event`: a message the component's page sent; answers the patches that bring the
/// page up to date and the effects for the host.
#[derive(Debug)]
pub enum Event {}

impl Method for Event {
    const NAME: &'static str = "motif/event";
    type Params = EventParams;
    type Result = Update;
}

/// `motif/state`: a component's state as JSON, for the host to persist.
#[derive(Debug)]
pub enum State {}

impl Method for State {
    const NAME: &'static str = "motif/state";
    type Params = ComponentParams;
    type Result = Value;
}

/// `motif/restore`: replaces a component's state with one saved by `motif/state`.
#[derive(Debug)]
pub enum Restore {}

impl Method for Restore {
    const NAME: &'static str = "motif/restore";
    type Params = RestoreParams;
    type Result = Patches;
}

/// `motif/theme`: the host's theme changed. The extension styles the pages it makes from now
/// on with it, and answers the style for the host to hand to the pages already open (the
/// Tauri plugin's `MotifsExt::set_motif_theme` (feature `tauri`) does
/// both for its pages). A refused token fails with `InvalidParams`, naming it.
#[derive(Debug)]
pub enum SetTheme {}

impl Method for SetTheme {
    const NAME: &'static str = "motif/theme";
    type Params = ThemeParams;
    type Result = ThemeStyle;
}

/// `motif/stylesheet`: the default stylesheet the extension's pages link, for a host that
/// serves it itself (at the page's `stylesheet` href). Params: none.
#[derive(Debug)]
pub enum Stylesheet {}

impl Method for Stylesheet {
    const NAME: &'static str = "motif/stylesheet";
    type Params = ();
    type Result = StylesheetResult;
}

/// A new theme (`motif/theme`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ThemeParams {
    /// The theme, as in `initialize`.
    pub theme: Theme,
}

/// The default stylesheet (the result of `motif/stylesheet`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct StylesheetResult {
    /// Where pages expect it by default, relative to their origin
    /// ([`STYLESHEET_PATH`](crate::theme::STYLESHEET_PATH)).
    pub path: String,
    /// The CSS text.
    pub css: String,
}

/// One component, as `motif/list` reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct ComponentInfo {
    /// The component's id, as in the manifest's `[motif] components`.
    pub id: String,
    /// Where the IDE shows it.
    #[serde(with = "placement")]
    #[schemars(schema_with = "placement::schema")]
    pub placement: Placement,
}

/// Names one component (`motif/render`, `motif/state`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComponentParams {
    /// The component's id.
    pub component: String,
}

impl ComponentParams {
    /// Names component `component`.
    pub fn new(component: impl Into<String>) -> Self {
        ComponentParams {
            component: component.into(),
        }
    }
}

/// A component's view (the result of `motif/render`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Rendered {
    /// The view as HTML, escaped for its context (no page around it).
    pub html: String,
    /// The validated view tree, for a host that builds the DOM itself.
    pub view: Node,
}

/// Asks for a component's page (`motif/page`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    /// The component's id.
    pub component: String,
    /// How the page's bridge sends events back.
    pub transport: BridgeTransport,
    /// Where the page links the default stylesheet ([`Stylesheet`]), when the host serves it
    /// elsewhere than [`STYLESHEET_HREF`](crate::theme::STYLESHEET_HREF).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stylesheet: Option<String>,
}

impl PageParams {
    /// The page of component `component`, its bridge talking over `transport`.
    pub fn new(component: impl Into<String>, transport: BridgeTransport) -> Self {
        PageParams {
            component: component.into(),
            transport,
            stylesheet: None,
        }
    }

    /// Links the default stylesheet at `href` (a report written beside `motifs.css`).
    #[must_use]
    pub fn stylesheet(mut self, href: impl Into<String>) -> Self {
        self.stylesheet = Some(href.into());
        self
    }
}

/// A message from a component's page (`motif/event`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventParams {
    /// The component's id.
    pub component: String,
    /// The bridge's message exactly as the page sent it: JSON text of a
    /// [`BridgeMessage`](crate::bridge::BridgeMessage), such as
    /// `{"type":"event","event":"click","path":[2]}`. It is untrusted and validated here.
    pub message: String,
}

impl EventParams {
    /// The message the page sends when `event` fires, for component `component`.
    pub fn new(component: impl Into<String>, event: &BridgeEvent) -> Self {
        EventParams {
            component: component.into(),
            message: event.to_message(),
        }
    }
}

/// A state to restore (`motif/restore`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RestoreParams {
    /// The component's id.
    pub component: String,
    /// A state `motif/state` returned (the motif's `State` type as JSON).
    pub state: Value,
}

/// Patches for a component's page (the result of `motif/restore`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Patches {
    /// The changes from the view the page showed to the new one.
    pub patches: Vec<Patch>,
}

/// [`Placement`] on the wire: its manifest name (`panel`, `status-bar`, …).
mod placement {
    use schemars::{Schema, SchemaGenerator, json_schema};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::motif::Placement;

    /// Every placement this version knows, in manifest order.
    const KNOWN: [Placement; 5] = [
        Placement::Panel,
        Placement::StatusBar,
        Placement::Editor,
        Placement::Modal,
        Placement::Floating,
    ];

    pub(super) fn serialize<S: Serializer>(
        placement: &Placement,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        placement.serialize(serializer)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Placement, D::Error> {
        let name = String::deserialize(deserializer)?;
        KNOWN
            .into_iter()
            .find(|known| known.as_str() == name)
            .ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "unknown placement `{name}` (one of: {})",
                    KNOWN.map(Placement::as_str).join(", ")
                ))
            })
    }

    pub(super) fn schema(_: &mut SchemaGenerator) -> Schema {
        let names = KNOWN.map(Placement::as_str);
        json_schema!({ "type": "string", "enum": names })
    }
}
