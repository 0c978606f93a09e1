//! Turning a caught panic into words for an error message.

use std::any::Any;

/// The text of a caught panic's payload: what `panic!` was given when it was a string (a
/// literal or a formatted message), otherwise a fixed description.
///
/// ```
/// let caught = std::panic::catch_unwind(|| panic!("row {} has no id", 7)).unwrap_err();
/// assert_eq!(symphony_core::panic::message(caught.as_ref()), "row 7 has no id");
///
/// let caught = std::panic::catch_unwind(|| std::panic::panic_any(42)).unwrap_err();
/// assert_eq!(symphony_core::panic::message(caught.as_ref()), "a panic with a non-string payload");
/// ```
pub fn message(panic: &(dyn Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic with a non-string payload")
}
