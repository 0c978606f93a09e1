//! A motif extension: serves its UI components to Symphony over stdin and stdout. This one
//! counts clicks; replace `Hello` with your component.

use std::process::ExitCode;

use serde::{Deserialize, Serialize};
use symphony_motifs::motif::{Effects, Event, Motif, Placement};
use symphony_motifs::serve::{MotifServer, serve};
use symphony_motifs::view::{Node, el};

struct Hello;

#[derive(Serialize, Deserialize)]
struct State {
    clicks: u64,
}

impl Motif for Hello {
    type State = State;

    fn placement(&self) -> Placement {
        Placement::Panel
    }

    fn initial_state(&self) -> State {
        State { clicks: 0 }
    }

    fn render(&self, state: &State) -> Node {
        el("button")
            .on("click", "click")
            .child(format!("Hello, clicked {} times", state.clicks))
            .into()
    }

    fn update(&self, state: &mut State, event: &Event) -> Effects {
        if event.handler == "click" {
            state.clicks += 1;
            Effects::changed()
        } else {
            Effects::none()
        }
    }
}

fn main() -> ExitCode {
    let manifest = match symphony_motifs::embed_manifest!().get() {
        Ok(manifest) => manifest,
        Err(errors) => {
            eprintln!("{errors}");
            return ExitCode::FAILURE;
        }
    };
    match MotifServer::new(manifest).component("hello", Hello) {
        Ok(server) => serve(server),
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}
