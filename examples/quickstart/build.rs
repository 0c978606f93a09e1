//! Fails the build when a manifest of the quickstart's extensions is invalid, naming each
//! problem.

use std::path::Path;

fn main() {
    for file in ["extensions/operator.toml", "extensions/motif.toml"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
        symphony_core::manifest::build::check_manifest_at(&path, &mut std::io::stdout());
    }
}
