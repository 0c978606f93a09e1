//! Kernel sandbox tests: each runs a real child process (`sandbox-probe`) that locks itself
//! down with Landlock and reports what it can still do. Landlock is irreversible, so the test
//! harness itself is never sandboxed.
//!
//! A kernel without Landlock fails these tests unless `SYMPHONY_SKIP_LANDLOCK` says why they
//! are skipped ([`landlock_or_skip`]): a broken probe must never turn them green.
#![cfg(target_os = "linux")]

mod served;

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use symphony_core::sandbox::landlock_support;
use symphony_core::testing::landlock_or_skip;
use symphony_tests::temp_workspace::TempWorkspace;

/// `EACCES` on Linux.
const EACCES: i64 = 13;

struct Fixture {
    _dirs: TempWorkspace,
    ws: PathBuf,
    outside: PathBuf,
}

impl Fixture {
    fn new() -> Self {
        let dirs = TempWorkspace::with_files(&[
            ("ws/data/in.csv", "a,b\n"),
            ("ws/out/old.txt", "old"),
            ("ws/notes.txt", "ws notes"),
            ("outside/secret.txt", "secret"),
        ]);
        Self {
            ws: dirs.ws.clone(),
            outside: dirs.outside.clone(),
            _dirs: dirs,
        }
    }

    fn ws(&self, rel: &str) -> String {
        self.ws.join(rel).display().to_string()
    }

    /// Runs the probe with `rules` as both request and grant; returns its status line and the
    /// outcome of each operation.
    fn probe(&self, rules: Value, ops: &[(&str, String)]) -> (Value, Vec<Outcome>) {
        self.probe_with(rules, ops, false)
    }

    /// As [`probe`](Self::probe); with `early_thread`, the operations run on a thread started
    /// before the sandbox.
    fn probe_with(
        &self,
        rules: Value,
        ops: &[(&str, String)],
        early_thread: bool,
    ) -> (Value, Vec<Outcome>) {
        let spec = json!({
            "early_thread": early_thread,
            "root": self.ws.display().to_string(),
            "request": rules,
            "grant": rules,
            "ops": ops.iter().map(|(op, path)| json!([op, path])).collect::<Vec<_>>(),
        });
        let output = Command::new(env!("CARGO_BIN_EXE_sandbox-probe"))
            .arg(spec.to_string())
            .output()
            .expect("run sandbox-probe");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "sandbox-probe failed: {stderr}");
        // The probe reports its status, then one line per operation it could perform.
        let mut lines = std::str::from_utf8(&output.stdout)
            .expect("probe output is UTF-8")
            .lines()
            .map(|line| serde_json::from_str::<Value>(line).expect("probe line is JSON"));
        let status = lines.next().expect("probe prints its status first");
        if status["status"] == "refused" {
            return (status, Vec::new());
        }
        let outcomes = lines.map(Outcome::from).collect::<Vec<_>>();
        assert_eq!(
            outcomes.len(),
            ops.len(),
            "one outcome per operation: {status}"
        );
        (status, outcomes)
    }
}

#[derive(Debug, PartialEq)]
enum Outcome {
    Ok,
    Err { kind: String, errno: Option<i64> },
}

impl From<Value> for Outcome {
    fn from(line: Value) -> Self {
        if line["ok"] == json!(true) {
            Outcome::Ok
        } else {
            Outcome::Err {
                kind: line["kind"].as_str().unwrap_or_default().to_owned(),
                errno: line["errno"].as_i64(),
            }
        }
    }
}

fn denied() -> Outcome {
    Outcome::Err {
        kind: "PermissionDenied".into(),
        errno: Some(EACCES),
    }
}

fn fs_rules(rules: &[(&str, &[&str])]) -> Value {
    let rules: Vec<Value> = rules
        .iter()
        .map(|(path, access)| json!({ "path": path, "access": access }))
        .collect();
    json!({ "filesystem": rules })
}

#[test]
fn reading_outside_the_grant_fails_and_inside_succeeds() {
    let Some(abi) = landlock_or_skip() else {
        return;
    };
    let fx = Fixture::new();
    symlink(fx.outside.join("secret.txt"), fx.ws.join("data/link.csv")).expect("symlink");
    let (status, outcomes) = fx.probe(
        fs_rules(&[("data/**/*.csv", &["read"])]),
        &[
            ("read", fx.ws("data/in.csv")),
            ("list", fx.ws("data")),
            ("read", fx.outside.join("secret.txt").display().to_string()),
            ("read", fx.ws("notes.txt")),
            ("read", fx.ws("data/link.csv")),
        ],
    );
    assert_eq!(status["abi"], abi, "{status}");
    assert_eq!(
        status["applied"],
        json!([format!("{} read", fx.ws("data"))]),
        "{status}"
    );
    assert_eq!(outcomes[0], Outcome::Ok, "inside the grant");
    assert_eq!(outcomes[1], Outcome::Ok, "listing the granted directory");
    assert_eq!(outcomes[2], denied(), "outside the workspace");
    assert_eq!(outcomes[3], denied(), "in the workspace, outside the grant");
    assert_eq!(
        outcomes[4],
        denied(),
        "a symlink inside the grant pointing outside"
    );
}

#[test]
fn writing_to_a_read_only_grant_fails() {
    if landlock_or_skip().is_none() {
        return;
    }
    let fx = Fixture::new();
    let (_, outcomes) = fx.probe(
        fs_rules(&[("data/**", &["read"]), ("out/**", &["read", "write"])]),
        &[
            ("write", fx.ws("data/in.csv")),
            ("write", fx.ws("data/new.csv")),
            ("write", fx.ws("out/new.json")),
            ("write", fx.ws("out/old.txt")),
            ("read", fx.ws("data/in.csv")),
        ],
    );
    assert_eq!(outcomes[0], denied(), "overwriting a read-only file");
    assert_eq!(outcomes[1], denied(), "creating in a read-only directory");
    assert_eq!(outcomes[2], Outcome::Ok, "creating in a writable directory");
    assert_eq!(
        outcomes[3],
        Outcome::Ok,
        "overwriting in a writable directory"
    );
    assert_eq!(outcomes[4], Outcome::Ok, "reading is still allowed");
    assert_eq!(
        std::fs::read_to_string(fx.ws.join("data/in.csv")).expect("read"),
        "a,b\n"
    );
}

#[test]
fn deleting_needs_the_delete_right() {
    if landlock_or_skip().is_none() {
        return;
    }
    let fx = Fixture::new();
    let (_, outcomes) = fx.probe(
        // `write` includes removing files (an atomic replace renames over a file, which the
        // kernel checks as removing it), so only a grant without it shows `delete` alone.
        fs_rules(&[("data/**", &["read"]), ("out/**", &["delete"])]),
        &[
            ("delete", fx.ws("data/in.csv")),
            ("delete", fx.ws("out/old.txt")),
        ],
    );
    assert_eq!(outcomes[0], denied(), "read does not imply delete");
    assert_eq!(outcomes[1], Outcome::Ok);
    assert!(fx.ws.join("data/in.csv").exists());
    assert!(!fx.ws.join("out/old.txt").exists());
}

#[test]
fn a_single_file_not_yet_created_can_be_created() {
    if landlock_or_skip().is_none() {
        return;
    }
    let fx = Fixture::new();
    let (status, outcomes) = fx.probe(
        fs_rules(&[("report.json", &["write"])]),
        &[
            ("write", fx.ws("report.json")),
            ("read", fx.ws("notes.txt")),
        ],
    );
    // The file does not exist yet, so the kernel rule is its parent directory.
    assert_eq!(
        status["applied"],
        json!([format!("{} write", fx.ws.display())]),
        "{status}"
    );
    assert_eq!(outcomes[0], Outcome::Ok);
    assert_eq!(
        outcomes[1],
        denied(),
        "write on the parent does not give read"
    );
    assert!(fx.ws.join("report.json").exists());
}

#[test]
fn the_status_tells_what_the_kernel_cannot_restrict() {
    let Some(abi) = landlock_or_skip() else {
        return;
    };
    let fx = Fixture::new();
    let (status, _) = fx.probe(fs_rules(&[("data/**", &["read"])]), &[]);
    match abi {
        // ABI 9 restricts connecting to Unix sockets by path; older kernels cannot.
        abi if abi < 9 => {
            assert_eq!(status["status"], "partial", "{status}");
            let gaps = status["gaps"].as_array().expect("gaps");
            assert!(
                gaps.iter()
                    .any(|g| g.as_str().is_some_and(|g| g.contains("Unix sockets"))),
                "{status}"
            );
        }
        _ => assert_eq!(status["status"], "full", "{status}"),
    }
    // No network in the policy: no TCP at all, where the ABI has it (4+).
    assert_eq!(status["tcp_denied"], abi >= 4, "{status}");
}

#[test]
fn a_thread_started_before_the_sandbox_is_confined_or_the_sandbox_refused() {
    let Some(abi) = landlock_or_skip() else {
        return;
    };
    let fx = Fixture::new();
    let secret = fx.outside.join("secret.txt").display().to_string();
    let (status, outcomes) = fx.probe_with(
        fs_rules(&[("data/**", &["read"])]),
        &[("read", secret)],
        true,
    );
    if abi < 8 {
        // The kernel could confine only the calling thread: nothing is restricted, and the
        // probe is told why instead of a report of a sandbox that does not hold.
        assert_eq!(status["status"], "refused", "{status}");
        let error = status["error"].as_str().unwrap_or_default();
        assert!(
            error.contains("2 threads") && error.contains("nothing was restricted"),
            "{status}"
        );
    } else {
        // ABI 8 restricts every thread at once.
        assert_eq!(outcomes[0], denied(), "the early thread is restricted too");
    }
}

#[test]
fn without_a_network_grant_tcp_is_denied_and_with_one_it_is_not() {
    let Some(abi) = landlock_or_skip() else {
        return;
    };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("listen");
    let address = listener.local_addr().expect("address").to_string();
    let fx = Fixture::new();
    let (status, outcomes) = fx.probe(
        fs_rules(&[("data/**", &["read"])]),
        &[("tcp", address.clone())],
    );
    if abi >= 4 {
        assert_eq!(status["tcp_denied"], true, "{status}");
        assert_eq!(outcomes[0], denied(), "TCP connect without a network grant");
    }
    let mut rules = fs_rules(&[("data/**", &["read"])]);
    rules["network"] = json!([{ "host": "127.0.0.1" }]);
    let (status, outcomes) = fx.probe(rules, &[("tcp", address)]);
    assert_eq!(status["tcp_denied"], false, "{status}");
    assert_eq!(
        outcomes[0],
        Outcome::Ok,
        "with a network grant, TCP is the SDK's to check"
    );
}

#[test]
fn a_network_grant_can_resolve_host_names() {
    if landlock_or_skip().is_none() {
        return;
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("listen");
    let by_name = format!(
        "localhost:{}",
        listener.local_addr().expect("address").port()
    );
    let fx = Fixture::new();
    let mut rules = fs_rules(&[("data/**", &["read"])]);
    rules["network"] = json!([{ "host": "localhost" }]);
    let (status, outcomes) = fx.probe(rules, &[("tcp", by_name), ("read", "/etc/passwd".into())]);
    assert_eq!(
        outcomes[0],
        Outcome::Ok,
        "resolving `localhost` reads /etc/hosts: {status}"
    );
    assert_eq!(
        outcomes[1],
        denied(),
        "only the resolver's files come with the grant"
    );
}

#[test]
fn missing_paths_are_skipped_not_widened() {
    if landlock_or_skip().is_none() {
        return;
    }
    let fx = Fixture::new();
    let (status, outcomes) = fx.probe(
        fs_rules(&[("missing/**", &["read"])]),
        &[("read", fx.ws("notes.txt"))],
    );
    assert_eq!(status["skipped"], json!([fx.ws("missing")]), "{status}");
    assert_eq!(status["applied"], json!([]), "{status}");
    assert_eq!(outcomes[0], denied());
}

#[test]
fn probing_support_restricts_nothing() {
    let before = landlock_support();
    assert_eq!(landlock_support(), before);
    // Still free to read anything after probing (twice).
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    assert!(std::fs::read(here).is_ok());
}
