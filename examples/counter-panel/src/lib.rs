//! Example: a motif panel with a counter, a label the user types, and a keyed history list.
//!
//! `increment` and `decrement` change the count, `rename` takes the input's value, and
//! `forget` removes one history entry by its key. Every change that reaches ten tells the
//! host (a message effect); `reset` asks another extension to log the reset (a request
//! effect, made through the host).
//!
//! Two binaries run it: `counter-panel` serves it over the Orchestra Kit protocol (what
//! Symphony spawns), and `counter-panel-preview` (feature `preview`) shows it in a real
//! window while you work on it:
//!
//! ```text
//! cargo run -p counter-panel --features preview --bin counter-panel-preview
//! ```

use serde::{Deserialize, Serialize};
use symphony_motifs::motif::{Effects, Event, Motif, Placement};
use symphony_motifs::view::{Node, el, text};

/// The counter motif.
pub struct Counter;

/// The counter's state.
#[derive(Serialize, Deserialize)]
pub struct State {
    count: i64,
    label: String,
    /// (id, text) of each change, newest first.
    history: Vec<(u64, String)>,
    next_id: u64,
}

impl State {
    fn record(&mut self, entry: String) {
        self.history.insert(0, (self.next_id, entry));
        self.next_id += 1;
    }
}

impl Motif for Counter {
    type State = State;

    fn placement(&self) -> Placement {
        Placement::Panel
    }

    fn initial_state(&self) -> State {
        State {
            count: 0,
            label: "Count".to_owned(),
            history: Vec::new(),
            next_id: 1,
        }
    }

    fn render(&self, state: &State) -> Node {
        el("section")
            .attr("class", "counter")
            .child(
                el("h1")
                    .attr("id", "title")
                    .child(format!("{}: ", state.label))
                    .child(
                        el("output")
                            .attr("id", "count")
                            .child(state.count.to_string()),
                    ),
            )
            .child(
                el("button")
                    .attr("id", "dec")
                    .on("click", "decrement")
                    .child("−"),
            )
            .child(
                el("button")
                    .attr("id", "inc")
                    .on("click", "increment")
                    .child("+"),
            )
            .child(
                el("button")
                    .attr("id", "reset")
                    .on("click", "reset")
                    .child("reset"),
            )
            .child(
                el("input")
                    .attr("id", "label")
                    .attr("value", state.label.clone())
                    .on("change", "rename"),
            )
            .child(
                el("ul")
                    .attr("id", "history")
                    .children(state.history.iter().map(|(id, entry)| {
                        el("li")
                            .key(id.to_string())
                            .child(text(entry.clone()))
                            .child(
                                el("a")
                                    .attr("href", "#")
                                    .on("click", "forget")
                                    .arg(id)
                                    .child("×"),
                            )
                    })),
            )
            .into()
    }

    fn update(&self, state: &mut State, event: &Event) -> Effects {
        match event.handler.as_str() {
            "increment" | "decrement" => {
                state.count += if event.handler == "increment" { 1 } else { -1 };
                let entry = format!("{} → {}", event.handler, state.count);
                state.record(entry);
                if state.count.abs() == 10 {
                    Effects::changed().message(serde_json::json!({ "reached": state.count }))
                } else {
                    Effects::changed()
                }
            }
            "reset" => {
                let was = state.count;
                state.count = 0;
                state.record(format!("reset from {was}"));
                Effects::changed().request(
                    "symphony.log",
                    "log/append",
                    serde_json::json!({ "reset_from": was }),
                )
            }
            "rename" => match &event.value {
                Some(label) if *label != state.label => {
                    state.label.clone_from(label);
                    state.record(format!("renamed to {label}"));
                    Effects::changed()
                }
                _ => Effects::none(),
            },
            "forget" => {
                let before = state.history.len();
                if let Some(id) = event.arg_as::<u64>() {
                    state.history.retain(|(entry, _)| *entry != id);
                }
                if state.history.len() == before {
                    Effects::none()
                } else {
                    Effects::changed()
                }
            }
            _ => Effects::none(),
        }
    }
}
