//! Installing what the tests need from outside cargo, when it is missing.

pub(crate) mod debian;
