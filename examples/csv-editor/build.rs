//! Fails the build when `symphony.toml` is invalid, naming each problem.

fn main() {
    symphony_motifs::manifest::build::check_manifest();
}
