//! Tests that need a real part of the machine (a kernel feature, a browser, a native library)
//! run it or fail: a skip is never silent, and only ever asked for by name.

use crate::sandbox::{LandlockSupport, landlock_support};

/// The variable that lets the Landlock parts of tests be skipped: its value says why.
pub const SKIP_LANDLOCK: &str = "SYMPHONY_SKIP_LANDLOCK";

/// `found` if the real part is here; otherwise `None` if the environment variable `skip_var`
/// holds a reason to skip (printed to stderr with `what` and `why`), and a panic if not.
///
/// A test calls it before its real part, so that a machine without the part (or a bug in the
/// code that looks for it) fails the test instead of turning it green.
///
/// ```
/// # use symphony_core::testing::require_or_skip;
/// assert_eq!(require_or_skip("a number", "NO_SUCH_SKIP_VAR", Ok::<_, String>(7)), Some(7));
/// ```
///
/// # Panics
///
/// If `found` is an error and `skip_var` is unset or empty.
pub fn require_or_skip<T>(what: &str, skip_var: &str, found: Result<T, String>) -> Option<T> {
    let why = match found {
        Ok(found) => return Some(found),
        Err(why) => why,
    };
    match std::env::var(skip_var) {
        Ok(reason) if !reason.trim().is_empty() => {
            eprintln!("SKIPPED ({skip_var}={reason:?}): {what} is not available: {why}");
            None
        }
        _ => panic!(
            "{what} is not available: {why}. This test needs it; to skip it, set \
             {skip_var}=\"<why it cannot run here>\""
        ),
    }
}

/// The kernel's Landlock ABI for a test's kernel-sandbox part; `None` only when
/// [`SKIP_LANDLOCK`] says why it is skipped ([`require_or_skip`]).
///
/// # Panics
///
/// If the kernel has no Landlock and [`SKIP_LANDLOCK`] is unset.
pub fn landlock_or_skip() -> Option<u32> {
    let found = match landlock_support() {
        LandlockSupport::Available { abi } => Ok(abi),
        LandlockSupport::Unavailable(why) => Err(why.to_string()),
    };
    require_or_skip("Landlock", SKIP_LANDLOCK, found)
}
