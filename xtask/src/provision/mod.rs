//! Installing what tests need outside cargo, when it is missing, saying what is done.

pub(crate) mod python;
