//! Turning a caught panic into words for an error message.

use std::any::Any;

/// The text of a panic's payload (what `panic!` was given, when it was a string).
pub(crate) fn message(panic: &(dyn Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic with a non-string payload")
}
