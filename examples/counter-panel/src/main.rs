//! The counter panel (see the library) served over the Orchestra Kit protocol: the binary
//! Symphony spawns.

use std::process::ExitCode;

use counter_panel::Counter;
use symphony_motifs::manifest::EmbeddedManifest;
use symphony_motifs::serve::{MotifServer, serve};

static MANIFEST: &EmbeddedManifest = symphony_motifs::embed_manifest!();

fn main() -> ExitCode {
    let manifest = match MANIFEST.get() {
        Ok(manifest) => manifest,
        Err(errors) => {
            // build.rs checks the manifest, so this is only reached if that check was skipped.
            eprintln!("{errors}");
            return ExitCode::FAILURE;
        }
    };
    match MotifServer::new(manifest).component("counter", Counter) {
        Ok(server) => serve(server),
        Err(error) => {
            eprintln!("counter-panel: {error}");
            ExitCode::FAILURE
        }
    }
}
