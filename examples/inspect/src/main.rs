//! Example: validate a `symphony.toml`; filled by Foundation I.
fn main() {}
