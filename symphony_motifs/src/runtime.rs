//! A running motif: its state, its current view, and the event → update → patches cycle.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::bridge::{BridgeError, BridgeEvent, BridgeLimits, parse_message};
use crate::diff::{Patch, diff};
use crate::motif::{Event, ExtensionRequest, Motif};
use crate::view::{Node, View, ViewError};

/// One instance of a motif with its state and the view the page currently shows.
///
/// ```
/// # use symphony_motifs::motif::{Effects, Event, Motif, Placement};
/// # use symphony_motifs::view::{Node, el};
/// # struct Counter;
/// # impl Motif for Counter {
/// #     type State = i64;
/// #     fn placement(&self) -> Placement { Placement::Panel }
/// #     fn initial_state(&self) -> i64 { 0 }
/// #     fn render(&self, n: &i64) -> Node {
/// #         el("button").on("click", "increment").child(n.to_string()).into()
/// #     }
/// #     fn update(&self, n: &mut i64, _: &Event) -> Effects { *n += 1; Effects::changed() }
/// # }
/// use symphony_motifs::runtime::MotifInstance;
///
/// let mut counter = MotifInstance::new(Counter).unwrap();
/// assert_eq!(counter.html(), r#"<button data-motif-on-click="increment">0</button>"#);
/// let update = counter
///     .handle_message(br#"{"type":"event","event":"click","path":[]}"#)
///     .unwrap();
/// assert_eq!(serde_json::to_string(&update.patches).unwrap(), r#"[{"op":"text","path":[0],"text":"1"}]"#);
/// ```
pub struct MotifInstance<M: Motif> {
    motif: M,
    state: M::State,
    view: View,
    limits: BridgeLimits,
}

/// What handling an event produced: patches for the page, and effects for the host.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct Update {
    /// Patches that bring the page up to date (empty when nothing changed).
    pub patches: Vec<Patch>,
    /// Messages for the host.
    pub messages: Vec<Value>,
    /// Requests for other extensions, made through the host.
    pub requests: Vec<ExtensionRequest>,
}

/// Why an event or a state could not be handled.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MotifError {
    /// The page's message was refused.
    #[error(transparent)]
    Bridge(#[from] BridgeError),
    /// The motif rendered an invalid view.
    #[error("the motif rendered an invalid view: {0}")]
    View(#[from] ViewError),
    /// The event names an element that does not exist in the current view, or that has no
    /// binding for that event.
    #[error(
        "no `{event}` binding at view node {path:?}: the page and the view are out of step, or the message was forged"
    )]
    UnknownTarget {
        /// The DOM event.
        event: String,
        /// The element's path.
        path: Vec<usize>,
    },
    /// A state to restore did not match the motif's state type.
    #[error("cannot restore the motif's state: {0}")]
    State(String),
    /// An open document (a custom editor hosted like a motif) could not do what was asked.
    #[error(transparent)]
    Document(#[from] crate::editor::DocumentError),
    /// A host command an open document does not have.
    #[error("an open document answers the host commands save, undo, redo and revert, not `{0}`")]
    UnknownCommand(String),
}

impl<M: Motif> MotifInstance<M> {
    /// A fresh instance with the motif's initial state.
    ///
    /// # Errors
    ///
    /// [`MotifError::View`] if the first render is invalid.
    pub fn new(motif: M) -> Result<Self, MotifError> {
        let state = motif.initial_state();
        Self::with_state(motif, state)
    }

    /// An instance with a given state (restored from the host, say).
    ///
    /// # Errors
    ///
    /// [`MotifError::View`] if the render is invalid.
    pub fn with_state(motif: M, state: M::State) -> Result<Self, MotifError> {
        let view = View::new(motif.render(&state))?;
        Ok(MotifInstance {
            motif,
            state,
            view,
            limits: BridgeLimits::default(),
        })
    }

    /// With different limits on page messages.
    #[must_use]
    pub fn with_limits(mut self, limits: BridgeLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The motif.
    pub fn motif(&self) -> &M {
        &self.motif
    }

    /// The current state.
    pub fn state(&self) -> &M::State {
        &self.state
    }

    /// The view the page shows.
    pub fn view(&self) -> &View {
        &self.view
    }

    /// The current view as HTML.
    pub fn html(&self) -> String {
        self.view.to_html()
    }

    /// The state as JSON, for the host to persist.
    ///
    /// # Errors
    ///
    /// [`MotifError::State`] if the state does not serialise (a map with non-string keys).
    pub fn save_state(&self) -> Result<Value, MotifError> {
        serde_json::to_value(&self.state).map_err(|error| MotifError::State(error.to_string()))
    }

    /// Replaces the state with one saved earlier; returns the patches for the page.
    ///
    /// # Errors
    ///
    /// [`MotifError::State`] if `saved` is not a state of this motif (the current state is
    /// kept), [`MotifError::View`] if its render is invalid.
    pub fn restore_state(&mut self, saved: Value) -> Result<Vec<Patch>, MotifError> {
        let state: M::State =
            serde_json::from_value(saved).map_err(|error| MotifError::State(error.to_string()))?;
        let view = View::new(self.motif.render(&state))?;
        let patches = diff(&self.view, &view);
        self.state = state;
        self.view = view;
        Ok(patches)
    }

    /// Validates a raw message from the page and handles it.
    ///
    /// # Errors
    ///
    /// See [`handle`](Self::handle); also [`MotifError::Bridge`] for a refused message.
    pub fn handle_message(&mut self, message: &[u8]) -> Result<Update, MotifError> {
        let event = parse_message(message, &self.limits)?;
        self.handle(&event)
    }

    /// Resolves `event` against the current view's bindings, runs the motif's update, and
    /// re-renders if the state changed.
    ///
    /// # Errors
    ///
    /// [`MotifError::UnknownTarget`] if the view has no such binding (the motif is not
    /// called), [`MotifError::View`] if the new render is invalid (the page keeps the old
    /// view, the state keeps the update).
    pub fn handle(&mut self, event: &BridgeEvent) -> Result<Update, MotifError> {
        let resolved = resolve(&self.view, event)?;
        self.dispatch(&resolved)
    }

    /// Runs the motif's update for an already-resolved event (a host-side action, a test).
    ///
    /// # Errors
    ///
    /// [`MotifError::View`] if the new render is invalid.
    pub fn dispatch(&mut self, event: &Event) -> Result<Update, MotifError> {
        let effects = self.motif.update(&mut self.state, event);
        let patches = if effects.changed {
            self.rerender()?
        } else {
            Vec::new()
        };
        Ok(Update {
            patches,
            messages: effects.messages,
            requests: effects.requests,
        })
    }

    /// Renders the current state and returns the patches from the previous view.
    ///
    /// # Errors
    ///
    /// [`MotifError::View`] if the render is invalid (the previous view stays).
    pub fn rerender(&mut self) -> Result<Vec<Patch>, MotifError> {
        let view = View::new(self.motif.render(&self.state))?;
        let patches = diff(&self.view, &view);
        self.view = view;
        Ok(patches)
    }
}

/// The motif event `event` stands for in `view`: the binding on the element it names.
pub(crate) fn resolve(view: &View, event: &BridgeEvent) -> Result<Event, MotifError> {
    let binding = view
        .node_at(&event.path)
        .and_then(Node::as_element)
        .and_then(|element| {
            element
                .events()
                .iter()
                .find(|binding| binding.event == event.event)
        })
        .ok_or_else(|| MotifError::UnknownTarget {
            event: event.event.clone(),
            path: event.path.clone(),
        })?;
    Ok(Event {
        handler: binding.handler.clone(),
        event: event.event.clone(),
        arg: binding.arg.clone(),
        value: event.value.clone(),
        key: event.key.clone(),
    })
}
