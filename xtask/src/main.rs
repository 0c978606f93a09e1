//! Project automation; filled by Foundation I.

fn main() {}
