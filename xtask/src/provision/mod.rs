//! Installing what the tests need from outside cargo, when it is missing, saying what is done.

pub(crate) mod debian;
pub(crate) mod node;
pub(crate) mod python;
pub(crate) mod tauri_driver;
