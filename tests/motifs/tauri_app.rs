//! The Tauri route an app outside this workspace takes: a crate built with `tauri-build`,
//! depending on `symphony_motifs` (feature `tauri`) by path, whose `capabilities/` folder
//! grants `motifs:default` to its window `main`. `tauri-build` finds the plugin's permissions
//! through the crate's `links` key; the app (on Tauri's mock runtime, no display) is then
//! served in `main` and refused in another window; a capability naming an unknown permission
//! of the plugin fails the app's build, listing the plugin's real ones.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use symphony_tests::extension::workspace_root as workspace;

/// The window `main` may use motif pages.
const CAPABILITY: &str = r#"{
  "identifier": "motif-pages",
  "windows": ["main"],
  "permissions": ["core:event:allow-listen", "motifs:default"]
}"#;

/// Writes the app into `dir`, granting `capability`.
fn write_app(dir: &Path, capability: &str) {
    let sdk = workspace();
    let files = [
        (
            "Cargo.toml",
            format!(
                r#"[package]
name = "motif-app"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
tauri = {{ version = "=2.11.6", default-features = false, features = ["wry", "test"] }}
symphony_motifs = {{ path = "{}", features = ["tauri"] }}
serde_json = "1"

[build-dependencies]
tauri-build = {{ version = "=2.6.3", default-features = false }}
"#,
                sdk.join("symphony_motifs").display()
            ),
        ),
        ("build.rs", "fn main() {\n    tauri_build::build();\n}\n".to_owned()),
        (
            "tauri.conf.json",
            r#"{"identifier": "dev.symphony.motif-app", "build": {"frontendDist": "dist"}, "app": {"windows": []}}"#
                .to_owned(),
        ),
        ("dist/index.html", "<!doctype html><title>app</title>\n".to_owned()),
        ("capabilities/default.json", capability.to_owned()),
        ("src/main.rs", include_str!("tauri_app/main.rs.txt").to_owned()),
    ];
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(&path, text).expect("write");
    }
    std::fs::create_dir_all(dir.join("icons")).expect("mkdir");
    std::fs::write(
        dir.join("icons/icon.png"),
        include_bytes!("tauri_app/icon.png"),
    )
    .expect("write the icon");
}

/// `cargo run` of the app, sharing this workspace's lock file (the same Tauri) and target
/// directory (the same compiled dependencies).
fn cargo_run(dir: &Path) -> Output {
    let sdk = workspace();
    std::fs::copy(sdk.join("Cargo.lock"), dir.join("Cargo.lock")).expect("the lock file");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| sdk.join("target"));
    Command::new(env!("CARGO"))
        .args(["run", "--quiet"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        // The workspace's debug-info level for dependencies, which its profile cannot give a
        // crate outside it: the app then reuses the workspace's compiled Tauri.
        .env("CARGO_PROFILE_DEV_DEBUG", "false")
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .expect("cargo runs")
}

#[test]
fn an_app_built_with_tauri_build_grants_the_plugin_through_its_capabilities() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    write_app(dir.path(), CAPABILITY);
    let output = cargo_run(dir.path());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.first(), Some(&"main: ok <p>0</p>"), "{stdout}");
    assert!(
        lines.get(1).is_some_and(|line| line
            .starts_with(r#"other: refused motifs.render not allowed on window "other""#)),
        "{stdout}"
    );

    // An unknown permission of the plugin fails the app's build, naming the real ones.
    write_app(
        dir.path(),
        &CAPABILITY.replace("motifs:default", "motifs:allow-paint"),
    );
    let output = cargo_run(dir.path());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "built with an unknown permission");
    assert!(
        stderr.contains("Permission motifs:allow-paint not found")
            && stderr.contains("motifs:default, motifs:allow-event, motifs:allow-render"),
        "{stderr}"
    );
}
