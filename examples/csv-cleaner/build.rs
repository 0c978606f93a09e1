//! Fails the build if `symphony.toml` is invalid.

fn main() {
    symphony_operators::manifest::build::check_manifest();
}
