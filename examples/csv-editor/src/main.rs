//! The CSV editor (see the library) served over the Orchestra Kit protocol: the binary
//! Symphony spawns for `*.csv` files.

use csv_editor::CsvEditor;
use symphony_motifs::Motifs;

fn setup(motifs: &mut Motifs) {
    // Opens the files of its `[motif] editors` entry: `*.csv`.
    motifs.editor("symphony.csv", CsvEditor);
}

symphony_motifs::main!(setup);
