//! The counter panel (see the library) served over the Orchestra Kit protocol: the binary
//! Symphony spawns.

use counter_panel::Counter;
use symphony_motifs::Motifs;

fn setup(motifs: &mut Motifs) {
    motifs.component("counter", Counter);
}

symphony_motifs::main!(setup);
