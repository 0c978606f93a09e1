//! Benchmark: permission; filled by Foundation I.
#![allow(missing_docs)]
fn main() {}
