//! Example extension binaries of this workspace, each built once per test run.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock, PoisonError};

/// The example packages whose binaries the tests run: `tests/examples.list`, which
/// `cargo xtask ci` reads too (its `examples` step).
///
/// They are built together, in one `cargo build`: cargo unifies features over the packages
/// it is asked to build, so building each with its own `-p` compiled the SDK and its
/// dependencies once per example, with slightly different features (time and gigabytes).
pub fn examples() -> impl Iterator<Item = &'static str> {
    include_str!("../examples.list")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

/// The path of the example binary of package `name` (for instance `echo`), built on first
/// use with the same profile as this test binary.
///
/// The first call builds every package of [`examples`], once per process, through the cargo
/// that runs the tests; the binaries land in the same target directory (`CARGO_TARGET_DIR`
/// is honoured by cargo itself).
///
/// # Panics
///
/// If `name` is not in [`examples`], or cargo cannot build the examples (the test cannot
/// run without them).
pub fn example_binary(name: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<Option<PathBuf>>> = OnceLock::new();
    assert!(
        examples().any(|example| example == name),
        "{name} is not in tests/examples.list; add it there"
    );
    let mut profile_dir = BUILT
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let profile_dir = profile_dir.get_or_insert_with(build);
    let binary = profile_dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(binary.is_file(), "{} was not built", binary.display());
    binary
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

/// Builds every package of [`examples`]; returns the directory their binaries are in.
fn build() -> PathBuf {
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
        .args(["build", "--quiet"]);
    for name in examples() {
        command.args(["-p", name]);
    }
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
    assert!(
        status.success(),
        "`cargo build` of the examples in tests/examples.list failed: {status}"
    );
    profile_dir
}
