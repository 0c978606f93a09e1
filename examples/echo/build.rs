//! Fails the build when `symphony.toml` is invalid, naming each problem.

fn main() {
    symphony_core::manifest::build::check_manifest();
}
