//! The `inspect` binary run as a child process, as a user would run it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn inspect(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_inspect"))
        .args(args)
        .output()
        .expect("run inspect")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/manifests")
        .join(name)
}

#[test]
fn without_arguments_summarises_the_example_manifest() {
    let output = inspect(&[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    for expected in [
        "acme.csv-cleaner 1.4.2 — CSV Cleaner",
        "kind:        operator",
        "filesystem  exports/**/*.csv  read",
        "onLanguage:csv",
        "api_key     secret  required, min length 16",
        "Operator (category: filter)",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
}

#[test]
fn invalid_manifest_prints_every_error_and_exits_1() {
    let path = fixture("unknown_fields.toml");
    let output = inspect(&[path.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("unknown_fields.toml (6 errors)"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `description`?"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn config_values_are_validated_with_secrets_hidden() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = dir.path().join("good.json");
    std::fs::write(
        &good,
        r#"{"api_key": "sk-live-0123456789abcdef", "tags": ["ok"]}"#,
    )
    .expect("write values");
    let output = inspect(&["--config", good.to_str().expect("utf-8 path")]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("api_key     ***"), "{stdout}");
    assert!(
        stdout.contains(r#"retry       {"attempts":3,"backoff_ms":250}"#),
        "{stdout}"
    );
    assert!(!stdout.contains("sk-live"), "{stdout}");

    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"api_key": "sk-short", "threshold": 3}"#).expect("write values");
    let output = inspect(&["--config", bad.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("config.threshold: 3 is above the maximum 1.0"),
        "{stderr}"
    );
    assert!(
        stderr.contains("config.api_key: secret value rejected"),
        "{stderr}"
    );
    assert!(!stderr.contains("sk-short"), "{stderr}");
}

#[test]
fn json_schema_is_printed_as_json() {
    let output = inspect(&["--json-schema"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let schema: serde_json::Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    assert_eq!(schema["properties"]["api_key"]["writeOnly"], true);
}

#[test]
fn help_and_usage_errors() {
    let output = inspect(&["--help"]);
    assert!(output.status.success());
    assert!(text(&output.stdout).contains("--json-schema"));
    let output = inspect(&["--bogus"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("unknown option `--bogus`"));
}
