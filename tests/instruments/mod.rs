//! Instrument extensions as real child processes, spawned and driven by the core host.

mod http_chat;
mod onnx_classifier;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The path of an example binary of this workspace, built once per test run with the same
/// profile as this test binary (the pattern of `symphony_tests::extension`).
fn example_binary(package: &'static str, cell: &'static OnceLock<PathBuf>) -> &'static Path {
    cell.get_or_init(|| {
        let exe = std::env::current_exe().expect("the test binary knows its path");
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("the test binary is in target/<profile>/deps")
            .to_path_buf();
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into());
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("the tests crate is inside the workspace");
        let mut command = Command::new(cargo);
        command
            .current_dir(workspace)
            .args(["build", "--quiet", "-p", package]);
        match profile_dir.file_name().and_then(|name| name.to_str()) {
            Some("release") => {
                command.arg("--release");
            }
            Some("debug") | None => {}
            Some(other) => {
                command.args(["--profile", other]);
            }
        }
        let status = command.status().expect("cargo runs");
        assert!(
            status.success(),
            "`cargo build -p {package}` failed: {status}"
        );
        let binary = profile_dir.join(format!("{package}{}", std::env::consts::EXE_SUFFIX));
        assert!(binary.is_file(), "{} was not built", binary.display());
        binary
    })
}

/// The workspace root.
fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate is inside the workspace")
}
