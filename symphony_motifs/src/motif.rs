//! The [`Motif`] trait: state → view → events → effects.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

#[doc(inline)]
pub use symphony_core::manifest::Placement;

use crate::view::Node;

/// A UI component: it renders its state as a view and updates it on events.
///
/// The runtime ([`crate::runtime::MotifInstance`]) owns the state, re-renders after an
/// update that changed it, and sends the page only the difference.
///
/// ```
/// use symphony_motifs::motif::{Effects, Event, Motif, Placement};
/// use symphony_motifs::view::{Node, el};
///
/// struct Counter;
///
/// impl Motif for Counter {
///     type State = i64;
///     fn placement(&self) -> Placement {
///         Placement::Panel
///     }
///     fn initial_state(&self) -> i64 {
///         0
///     }
///     fn render(&self, count: &i64) -> Node {
///         el("button").on("click", "increment").child(count.to_string()).into()
///     }
///     fn update(&self, count: &mut i64, event: &Event) -> Effects {
///         match event.handler.as_str() {
///             "increment" => {
///                 *count += 1;
///                 Effects::changed()
///             }
///             _ => Effects::none(),
///         }
///     }
/// }
/// ```
pub trait Motif: Send + 'static {
    /// What the motif remembers; serialisable so the host can persist and restore it.
    type State: Serialize + DeserializeOwned + Send;

    /// Where the IDE shows it.
    fn placement(&self) -> Placement;

    /// The state of a fresh instance.
    fn initial_state(&self) -> Self::State;

    /// The view of `state`.
    fn render(&self, state: &Self::State) -> Node;

    /// Handles an event the view bound; says what changed and what to tell the host.
    fn update(&self, state: &mut Self::State, event: &Event) -> Effects;
}

/// An event from the page, resolved against the view's bindings.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Event {
    /// The handler name the view bound (`.on("click", "increment")`).
    pub handler: String,
    /// The DOM event (`click`, `input`, …).
    pub event: String,
    /// The argument the view bound with the handler (`.arg(…)`).
    pub arg: Option<Value>,
    /// The element's value, for form controls.
    pub value: Option<String>,
    /// The key, for `keydown`.
    pub key: Option<String>,
}

impl Event {
    /// An event for `handler` as if `event` fired on its element (for tests and hosts).
    pub fn new(handler: impl Into<String>, event: impl Into<String>) -> Self {
        Event {
            handler: handler.into(),
            event: event.into(),
            arg: None,
            value: None,
            key: None,
        }
    }

    /// The argument, deserialised as `T`.
    pub fn arg_as<T: DeserializeOwned>(&self) -> Option<T> {
        self.arg.as_ref().and_then(|arg| T::deserialize(arg).ok())
    }
}

/// What an update did: whether the state changed, messages for the host, and requests the
/// host should make to other extensions.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[must_use]
pub struct Effects {
    /// The state changed: re-render.
    pub changed: bool,
    /// Messages for the host (shown, logged or acted on as the host sees fit).
    pub messages: Vec<Value>,
    /// Requests for other extensions, made through the host.
    pub requests: Vec<ExtensionRequest>,
}

/// A request to another extension, made through the host (which checks it is allowed).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct ExtensionRequest {
    /// The target extension's id (`publisher.name`).
    pub extension: String,
    /// The method to call.
    pub method: String,
    /// Its parameters.
    pub params: Value,
}

impl Effects {
    /// Nothing happened.
    pub fn none() -> Self {
        Effects::default()
    }

    /// The state changed.
    pub fn changed() -> Self {
        Effects {
            changed: true,
            ..Effects::default()
        }
    }

    /// Adds a message for the host.
    pub fn message(mut self, message: impl Serialize) -> Self {
        self.messages
            .push(serde_json::to_value(message).unwrap_or(Value::Null));
        self
    }

    /// Adds a request for extension `extension`, made through the host.
    pub fn request(
        mut self,
        extension: impl Into<String>,
        method: impl Into<String>,
        params: impl Serialize,
    ) -> Self {
        self.requests.push(ExtensionRequest {
            extension: extension.into(),
            method: method.into(),
            params: serde_json::to_value(params).unwrap_or(Value::Null),
        });
        self
    }
}
