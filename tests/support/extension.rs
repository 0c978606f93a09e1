//! The example extension binary (`examples/echo`), built once per test run.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The path of the `echo` example binary, built with the same profile as this test binary.
///
/// The build runs once per process, through the cargo that runs the tests; the binary lands
/// in the same target directory (`CARGO_TARGET_DIR` is honoured by cargo itself).
///
/// # Panics
///
/// If cargo cannot build the example (the test cannot run without it).
pub fn echo_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(build_echo)
}

/// A command running the `echo` example.
pub fn echo_command() -> Command {
    Command::new(echo_binary())
}

fn build_echo() -> PathBuf {
    // This test binary is target/<profile>/deps/<name>; the example goes to target/<profile>.
    let exe = std::env::current_exe().expect("the test binary knows its path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test binary is in target/<profile>/deps")
        .to_path_buf();
    let profile = profile_dir
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or("debug")
        .to_owned();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into());
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate is inside the workspace");
    let mut command = Command::new(cargo);
    command
        .current_dir(workspace)
        .args(["build", "--quiet", "-p", "echo"]);
    match profile.as_str() {
        "debug" => {}
        "release" => {
            command.arg("--release");
        }
        other => {
            command.args(["--profile", other]);
        }
    }
    let status = command.status().expect("cargo runs");
    assert!(status.success(), "`cargo build -p echo` failed: {status}");
    let binary = profile_dir.join(format!("echo{}", std::env::consts::EXE_SUFFIX));
    assert!(binary.is_file(), "{} was not built", binary.display());
    binary
}
