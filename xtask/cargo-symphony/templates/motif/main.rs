use symphony_motifs::prelude::*;

struct Counter;

impl Motif for Counter {
    type State = u32;

    fn placement(&self) -> Placement {
        Placement::Panel
    }

    fn initial_state(&self) -> u32 {
        0
    }

    fn render(&self, count: &u32) -> Node {
        el("button").on("click", "increment").child(count.to_string()).into()
    }

    fn update(&self, count: &mut u32, event: &Event) -> Effects {
        match event.handler.as_str() {
            "increment" => {
                *count += 1;
                Effects::changed()
            }
            _ => Effects::none(),
        }
    }
}

fn setup(motifs: &mut Motifs) {
    motifs.component("counter", Counter);
}

symphony_motifs::main!(setup);
