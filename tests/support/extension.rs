//! Example extension binaries of this workspace, each built once per test run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock, PoisonError};

/// The path of the example binary of package `name` (for instance `echo`), built on first
/// use with the same profile as this test binary.
///
/// The build runs once per package and process, through the cargo that runs the tests; the
/// binary lands in the same target directory (`CARGO_TARGET_DIR` is honoured by cargo itself).
///
/// # Panics
///
/// If cargo cannot build the example (the test cannot run without it).
pub fn example_binary(name: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let mut built = BUILT
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    built
        .entry(name.to_owned())
        .or_insert_with(|| build(name))
        .clone()
}

/// A command running the example binary of package `name`.
pub fn example_command(name: &str) -> Command {
    Command::new(example_binary(name))
}

/// The path of the `echo` example binary (see [`example_binary`]).
pub fn echo_binary() -> PathBuf {
    example_binary("echo")
}

/// A command running the `echo` example.
pub fn echo_command() -> Command {
    example_command("echo")
}

/// The workspace root.
pub fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate is inside the workspace")
}

fn build(name: &str) -> PathBuf {
    // This test binary is target/<profile>/deps/<name>; examples go to target/<profile>.
    let exe = std::env::current_exe().expect("the test binary knows its path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test binary is in target/<profile>/deps")
        .to_path_buf();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into());
    let mut command = Command::new(cargo);
    command
        .current_dir(workspace_root())
        .args(["build", "--quiet", "-p", name]);
    match profile_dir.file_name().and_then(|profile| profile.to_str()) {
        Some("debug") | None => {}
        Some("release") => {
            command.arg("--release");
        }
        Some(other) => {
            command.args(["--profile", other]);
        }
    }
    let status = command.status().expect("cargo runs");
    assert!(status.success(), "`cargo build -p {name}` failed: {status}");
    let binary = profile_dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(binary.is_file(), "{} was not built", binary.display());
    binary
}
