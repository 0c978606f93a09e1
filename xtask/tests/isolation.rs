//! `cargo xtask isolation` run as a real process against real workspaces: a fixture that
//! breaks the isolation table on purpose, and this workspace, which must not.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("the xtask binary runs")
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/forbidden/Cargo.toml")
}

/// The table row for `label`, as whitespace-separated words after the label.
fn row(stdout: &str, label: &str) -> Vec<String> {
    stdout
        .lines()
        .find_map(|line| line.trim_start().strip_prefix(label)?.strip_prefix("  "))
        .unwrap_or_else(|| panic!("no row {label:?} in:\n{stdout}"))
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

#[test]
fn fixture_with_forbidden_dependencies_fails_naming_each_path() {
    let fixture = fixture();
    let output = xtask(&[
        "isolation",
        "--manifest-path",
        fixture.to_str().expect("UTF-8 path"),
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);

    assert_eq!(output.status.code(), Some(1), "stderr:\n{stderr}");
    assert!(
        stderr.contains(
            "isolation: symphony_operators pulls in forbidden crate `tokio v0.1.0` (rule `tokio`): \
             symphony_operators -> middle -> tokio\n"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "isolation: symphony-sdk --no-default-features --features motifs pulls in `extra v0.1.0`, \
             which symphony_motifs alone does not: symphony-sdk -> extra\n"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("2 violation(s)"), "{stderr}");

    assert_eq!(row(&stdout, "symphony-sdk-core"), ["1", "ok"]);
    assert_eq!(row(&stdout, "symphony_operators"), ["4", "1", "violation"]);
    // The umbrella with `operators` pulls in tokio too, but only through symphony_operators:
    // that is the focused crate's violation, not the umbrella's.
    assert_eq!(
        row(
            &stdout,
            "symphony-sdk --no-default-features --features operators"
        ),
        ["5", "ok", "(adds", "symphony-sdk)"]
    );
    assert_eq!(
        row(
            &stdout,
            "symphony-sdk --no-default-features --features motifs"
        ),
        ["4", "1", "violation", "(adds", "symphony-sdk,", "extra)"]
    );
}

#[test]
fn this_workspace_keeps_its_isolation() {
    let output = xtask(&["isolation"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );

    for focused in [
        "symphony-sdk-core",
        "symphony_operators",
        "symphony_instruments",
        "symphony_motifs",
    ] {
        assert_eq!(row(&stdout, focused).get(1).map(String::as_str), Some("ok"));
    }
    for feature in ["instruments", "operators", "motifs"] {
        let row = row(
            &stdout,
            &format!("symphony-sdk --no-default-features --features {feature}"),
        );
        assert_eq!(row.get(1).map(String::as_str), Some("ok"), "{row:?}");
    }
}

#[test]
fn a_missing_workspace_fails_naming_the_command() {
    let output = xtask(&["isolation", "--manifest-path=/nonexistent/Cargo.toml"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "xtask: `cargo tree --manifest-path /nonexistent/Cargo.toml -p symphony-sdk-core"
        ),
        "{stderr}"
    );
}

#[test]
fn usage_errors_exit_2_and_list_the_tasks() {
    for args in [
        &[][..],
        &["bogus"],
        &["isolation", "--manifest-path"],
        &["ci", "extra"],
    ] {
        let output = xtask(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("usage: cargo xtask <task>"),
            "{args:?}: {stderr}"
        );
    }
    let help = xtask(&["help"]);
    assert!(help.status.success());
    let stdout = String::from_utf8_lossy(&help.stdout);
    for task in ["ci", "isolation [--manifest-path PATH]", "help"] {
        assert!(stdout.contains(&format!("  {task} ")), "{stdout}");
    }
}
