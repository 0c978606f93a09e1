//! `cargo-symphony` as an extension author uses it: installed with `cargo install --path`
//! into a temp root, run as `cargo symphony …` from a temp directory outside this workspace,
//! on crates that depend on this checkout of the SDK by path. For each kind it creates a
//! crate, tests it with its own `cargo test`, checks its manifest, runs it through the host
//! with requests from a file, and migrates it to the umbrella (which must build) and back to
//! the same bytes. The builds share this workspace's target directory, so only the new
//! crates compile.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use symphony_instruments::methods::{self as instrument, Method};
use symphony_motifs::methods::motif;
use symphony_operators::methods as operator;

/// This workspace: the SDK checkout the crates depend on.
fn sdk() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| sdk().join("target"))
}

/// The temp root `cargo install` put `bin/cargo-symphony` in, once for every test.
fn installed() -> &'static Path {
    static ROOT: OnceLock<tempfile::TempDir> = OnceLock::new();
    ROOT.get_or_init(|| {
        let root = tempfile::tempdir().expect("temp dir");
        let output = Command::new(env!("CARGO"))
            .args(["install", "--debug", "--locked", "--path"])
            .arg(env!("CARGO_MANIFEST_DIR"))
            .arg("--root")
            .arg(root.path())
            .env("CARGO_TARGET_DIR", target_dir())
            .env("CARGO_PROFILE_DEV_DEBUG", "false")
            .output()
            .expect("cargo install runs");
        assert!(output.status.success(), "{}", text(&output.stderr));
        root
    })
    .path()
}

/// `cargo <args>` in `dir`, finding `cargo-symphony` on PATH as cargo does for subcommands.
fn cargo(dir: &Path, args: &[&str]) -> Output {
    let path = std::env::join_paths(std::iter::once(installed().join("bin")).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .expect("PATH");
    Command::new(env!("CARGO"))
        .args(args)
        .current_dir(dir)
        .env("PATH", path)
        .env("CARGO_TARGET_DIR", target_dir())
        // The workspace's debug-info level for dependencies, which its profile cannot give a
        // crate outside it: the new crates then share the workspace's compiled dependencies
        // and CI's disk is not filled with debug info.
        .env("CARGO_PROFILE_DEV_DEBUG", "false")
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .expect("cargo runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn succeeds(output: &Output, what: &str) -> String {
    assert!(
        output.status.success(),
        "{what} failed\nstdout:\n{}\nstderr:\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stdout)
}

/// Every file of the crate (build output aside), for byte-for-byte comparison.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(next) = stack.pop() {
        for entry in fs::read_dir(&next).expect("list") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                if !path.ends_with("target") {
                    stack.push(path);
                }
            } else if !path.ends_with("Cargo.lock") {
                files.push((path.clone(), fs::read(&path).expect("read")));
            }
        }
    }
    files.sort();
    files
}

/// Creates, tests, checks, runs and migrates both ways an extension of `kind`.
fn author_workflow(kind: &str, request: &str, expected: &str) {
    let parent = tempfile::tempdir().expect("temp dir");
    let name = format!("my-{kind}");
    let sdk = sdk();
    let sdk_text = sdk.to_str().expect("UTF-8 path");
    succeeds(
        &cargo(
            parent.path(),
            &[
                "symphony",
                "new",
                &name,
                "--kind",
                kind,
                "--sdk-path",
                sdk_text,
            ],
        ),
        "new",
    );
    let dir = parent.path().join(&name);
    // The workspace's versions of third-party crates, so the shared target dir has them.
    fs::copy(sdk.join("Cargo.lock"), dir.join("Cargo.lock")).expect("copy Cargo.lock");

    succeeds(&cargo(&dir, &["test"]), "cargo test of the new crate");

    let summary = succeeds(&cargo(&dir, &["symphony", "check"]), "check");
    assert!(
        summary.starts_with(&format!("local.{name} 0.1.0 ({name}), a")),
        "{summary}"
    );
    assert!(
        summary.contains("[permissions]: none: it asks for nothing"),
        "{summary}"
    );
    assert!(summary.contains(&format!("[{kind}]")), "{summary}");

    fs::write(
        dir.join("requests.jsonl"),
        format!("# one request\n{request}\n"),
    )
    .expect("write");
    let trace = succeeds(
        &cargo(
            &dir,
            &[
                "symphony",
                "run",
                ".",
                "--grant",
                "manifest",
                "--requests",
                "requests.jsonl",
            ],
        ),
        "run",
    );
    assert!(trace.contains("answered initialize in"), "{trace}");
    assert!(trace.contains("<- #1 ok in "), "{trace}");
    assert!(trace.contains(expected), "{trace}");
    assert!(trace.contains("-- 1 request(s); shutdown clean"), "{trace}");
    assert!(!trace.contains("\"sandbox\""), "{trace}");

    // The same under the kernel sandbox: the extension confines itself and reports it.
    if symphony_core::testing::landlock_or_skip().is_some() {
        let trace = succeeds(
            &cargo(
                &dir,
                &[
                    "symphony",
                    "run",
                    "--sandbox",
                    "--grant",
                    "manifest",
                    "--requests",
                    "requests.jsonl",
                ],
            ),
            "run --sandbox",
        );
        assert!(trace.contains("\"sandbox\":{"), "{trace}");
        assert!(trace.contains(expected), "{trace}");
    }

    let split = snapshot(&dir);
    succeeds(
        &cargo(&dir, &["symphony", "migrate", ".", "--to", "unified"]),
        "migrate --to unified",
    );
    let manifest = fs::read_to_string(dir.join("Cargo.toml")).expect("Cargo.toml");
    assert!(
        manifest.contains(&format!("symphony-sdk = {{ path = \"{sdk_text}/symphony\"")),
        "{manifest}"
    );
    let main = fs::read_to_string(dir.join("src/main.rs")).expect("main.rs");
    assert!(main.contains(&format!("symphony::{kind}s")), "{main}");
    // The umbrella's package name with the library name `symphony` in the code.
    succeeds(
        &cargo(&dir, &["build"]),
        "cargo build in the umbrella style",
    );
    succeeds(
        &cargo(&dir, &["symphony", "migrate", ".", "--to", "split"]),
        "migrate --to split",
    );
    assert!(
        snapshot(&dir) == split,
        "split -> unified -> split changed bytes"
    );

    // A broken manifest: the located error, as the build-time check reports it.
    let manifest = dir.join("symphony.toml");
    let text_now = fs::read_to_string(&manifest).expect("manifest");
    let line = 1 + text_now
        .lines()
        .position(|line| line.starts_with("engine"))
        .expect("an engine line");
    let broken: Vec<&str> = text_now
        .lines()
        .map(|line| {
            if line.starts_with("engine") {
                "engine = \"one\""
            } else {
                line
            }
        })
        .collect();
    fs::write(&manifest, broken.join("\n")).expect("write");
    let output = cargo(&dir, &["symphony", "check"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("engine: `one` is not a semver range such as `^1.0`"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("(line {line}, column 10)")),
        "{stderr}"
    );
}

#[test]
fn an_operator_from_new_to_migrated() {
    author_workflow("operator", <operator::List as Method>::NAME, "text.shout");
}

#[test]
fn an_instrument_from_new_to_migrated() {
    author_workflow(
        "instrument",
        &format!(r#"{{"method": "{}"}}"#, <instrument::Info as Method>::NAME),
        "\"id\":\"shout\"",
    );
}

#[test]
fn a_motif_from_new_to_migrated() {
    author_workflow(
        "motif",
        &format!(
            r#"{} {{"component": "counter"}}"#,
            <motif::Render as Method>::NAME
        ),
        ">0</button>",
    );
}

#[test]
fn an_umbrella_crate_depends_on_symphony_sdk_and_imports_symphony() {
    let parent = tempfile::tempdir().expect("temp dir");
    let sdk = sdk();
    succeeds(
        &cargo(
            parent.path(),
            &[
                "symphony",
                "new",
                "both",
                "--kind",
                "operator",
                "--umbrella",
                "--sdk-path",
                sdk.to_str().expect("UTF-8 path"),
            ],
        ),
        "new --umbrella",
    );
    let dir = parent.path().join("both");
    let manifest = fs::read_to_string(dir.join("Cargo.toml")).expect("Cargo.toml");
    assert!(manifest.contains("symphony-sdk = { path = "), "{manifest}");
    assert!(!manifest.contains("symphony_operators"), "{manifest}");
    let main = fs::read_to_string(dir.join("src/main.rs")).expect("main.rs");
    assert!(main.contains("symphony::operators::"), "{main}");
    fs::copy(sdk.join("Cargo.lock"), dir.join("Cargo.lock")).expect("copy Cargo.lock");
    succeeds(&cargo(&dir, &["test"]), "cargo test of the umbrella crate");
}
