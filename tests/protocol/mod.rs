//! The Orchestra Kit protocol end to end: a host talking to the `echo` example extension
//! running as a real child process.

mod calls;
mod conformance;
mod failures;
mod faults;
mod handshake;
mod raw_client;
mod restart;
mod schema;
mod session;

use std::time::Duration;

use symphony_core::host::{Extension, ExtensionOptions};
use symphony_tests::extension::echo_command;

/// Options for most tests: short enough limits that a broken test fails fast.
fn options() -> ExtensionOptions {
    ExtensionOptions::default()
        .with_request_timeout(Some(Duration::from_secs(20)))
        .with_handshake_timeout(Duration::from_secs(20))
}

/// The `echo` example, started and initialized.
fn echo(options: ExtensionOptions) -> Extension {
    Extension::spawn(echo_command(), options).expect("the echo extension starts")
}

/// Whether process `pid` is gone (not even a zombie).
#[cfg(target_os = "linux")]
fn process_is_gone(pid: u32) -> bool {
    // A zombie still has its /proc entry; a reaped process has none.
    !std::path::Path::new(&format!("/proc/{pid}")).exists()
}
