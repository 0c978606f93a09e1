//! Host-side confinement: an extension binary that never calls the SDK's sandbox hook
//! (`confine-probe`), spawned through the real host, is held to its grants by the kernel
//! (Landlock applied between fork and exec) and sees only the granted environment. Also the
//! kernel and the policy agreeing on grants through symbolic links (`sandbox-probe`).
#![cfg(target_os = "linux")]

use std::net::TcpListener;
use std::os::unix::fs::symlink;
use std::path::PathBuf;
use std::process::Command;

use serde_json::{Value, json};
use symphony_core::host::{Confinement, Extension, ExtensionOptions, HostError};
use symphony_core::permission::{FsAccess, Permissions, Policy};
use symphony_core::sandbox::{LandlockSupport, landlock_support};
use symphony_core::testing::{SKIP_LANDLOCK, require_or_skip};
use symphony_tests::temp_workspace::TempWorkspace;

/// `EACCES` on Linux.
const EACCES: i64 = 13;

struct Fixture {
    _dirs: TempWorkspace,
    ws: PathBuf,
    outside: PathBuf,
}

impl Fixture {
    /// `None` only when `SYMPHONY_SKIP_LANDLOCK` says why the kernel part is skipped; a
    /// kernel without Landlock ABI 4 (the TCP rules) otherwise fails the test.
    fn new() -> Option<Self> {
        let abi = match landlock_support() {
            LandlockSupport::Available { abi } if abi >= 4 => Ok(abi),
            other => Err(format!(
                "host confinement needs Landlock ABI 4 or later, found {other:?}"
            )),
        };
        require_or_skip("Landlock ABI 4", SKIP_LANDLOCK, abi)?;
        let dirs = TempWorkspace::with_files(&[
            ("ws/granted/in.txt", "inside"),
            ("ws/granted/old.txt", "old"),
            ("outside/secret.txt", "secret"),
        ]);
        Some(Self {
            ws: dirs.ws.clone(),
            outside: dirs.outside.clone(),
            _dirs: dirs,
        })
    }

    fn path(&self, rel: &str) -> String {
        self.ws.join(rel).display().to_string()
    }

    fn secret(&self) -> String {
        self.outside.join("secret.txt").display().to_string()
    }

    fn options(&self, grants: Value) -> ExtensionOptions {
        let grants: Permissions = serde_json::from_value(grants).expect("grants parse");
        ExtensionOptions::default()
            .with_grants(grants)
            .with_workspace_root(&self.ws)
    }

    /// Spawns the probe through the host with `options`, runs `ops`, shuts it down.
    fn probe(&self, options: ExtensionOptions, ops: Value) -> Vec<Value> {
        let host = Extension::spawn(Command::new(env!("CARGO_BIN_EXE_confine-probe")), options)
            .expect("the host spawns the probe");
        let outcomes: Vec<Value> = host.call("probe/run", &ops).expect("probe/run answers");
        host.shutdown().expect("the probe shuts down");
        outcomes
    }
}

fn ok(outcome: &Value) -> bool {
    outcome["ok"] == json!(true)
}

fn denied(outcome: &Value) -> bool {
    outcome["ok"] == json!(false) && outcome["errno"] == json!(EACCES)
}

/// An inherited variable the test process has (cargo sets it for every test run).
const INHERITED: &str = "CARGO_PKG_NAME";

#[test]
fn a_child_that_skips_the_sandbox_hook_is_confined_by_the_host() {
    let Some(fx) = Fixture::new() else {
        return;
    };
    assert!(
        std::env::var_os(INHERITED).is_some() && std::env::var_os("CARGO_MANIFEST_DIR").is_some(),
        "cargo sets {INHERITED} and CARGO_MANIFEST_DIR for tests"
    );
    let grants = json!({
        "filesystem": [{ "path": "granted/**", "access": ["read", "write"] }],
        "env": ["CARGO_MANIFEST_*"],
    });
    // `sandbox: true` confines by default; the probe ignores the flag and never sandboxes
    // itself, so whatever it cannot do, the host's confinement refused.
    let options = fx.options(grants).with_sandbox(true);
    let ops = json!([
        ["read", fx.path("granted/in.txt")],
        ["read", fx.secret()],
        ["read", "/etc/passwd"],
        ["write", fx.outside.join("new.txt").display().to_string()],
        ["write", fx.path("granted/new.txt")],
        ["env", "CARGO_MANIFEST_DIR"],
        ["env", INHERITED],
        ["env", "PATH"],
    ]);
    let got = fx.probe(options, ops);
    assert!(ok(&got[0]) && got[0]["value"] == "inside", "{got:?}");
    assert!(denied(&got[1]), "a file outside the grant: {:?}", got[1]);
    assert!(denied(&got[2]), "/etc/passwd: {:?}", got[2]);
    assert!(denied(&got[3]), "writing outside: {:?}", got[3]);
    assert!(ok(&got[4]), "writing inside: {:?}", got[4]);
    assert!(!fx.outside.join("new.txt").exists());
    assert_eq!(
        got[5]["value"],
        json!(std::env::var("CARGO_MANIFEST_DIR").ok()),
        "a granted variable is passed"
    );
    assert_eq!(
        got[6]["ok"], false,
        "an ungranted variable is absent: {:?}",
        got[6]
    );
    assert!(ok(&got[7]), "PATH is always passed: {:?}", got[7]);
}

#[test]
fn confinement_is_opt_in_and_opt_out() {
    let Some(fx) = Fixture::new() else {
        return;
    };
    let grants = json!({ "filesystem": [{ "path": "granted/**", "access": ["read"] }] });
    let read_secret = json!([["read", fx.secret()], ["env", INHERITED]]);
    // Without a sandbox request, nothing confines the child (the previous behaviour).
    let got = fx.probe(fx.options(grants.clone()), read_secret.clone());
    assert!(ok(&got[0]) && ok(&got[1]), "{got:?}");
    // Asked for explicitly, without the extension's own sandbox.
    let options = fx
        .options(grants.clone())
        .with_confinement(Confinement::Always);
    let got = fx.probe(options, read_secret.clone());
    assert!(denied(&got[0]) && !ok(&got[1]), "{got:?}");
    // Turned off although the extension sandboxes itself.
    let options = fx
        .options(grants)
        .with_sandbox(true)
        .with_confinement(Confinement::Never);
    let got = fx.probe(options, read_secret);
    assert!(ok(&got[0]), "{got:?}");
}

#[test]
fn without_a_network_grant_tcp_is_refused() {
    let Some(fx) = Fixture::new() else {
        return;
    };
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local listener");
    let address = listener.local_addr().expect("address").to_string();
    let ops = json!([["connect", address], ["bind", "127.0.0.1:0"]]);
    let options = fx.options(json!({})).with_confinement(Confinement::Always);
    let got = fx.probe(options, ops.clone());
    assert!(denied(&got[0]), "connect: {:?}", got[0]);
    assert!(denied(&got[1]), "bind: {:?}", got[1]);
    // A network grant leaves TCP to the SDK's own checks.
    let options = fx
        .options(json!({ "network": [{ "host": "127.0.0.1" }] }))
        .with_confinement(Confinement::Always);
    let got = fx.probe(options, ops);
    assert!(ok(&got[0]) && ok(&got[1]), "{got:?}");
}

#[test]
fn invalid_grants_refuse_the_spawn_and_say_why() {
    let Some(fx) = Fixture::new() else {
        return;
    };
    let options = fx
        .options(json!({ "filesystem": [{ "path": "/ws/*/../etc", "access": ["read"] }] }))
        .with_confinement(Confinement::Always);
    let Err(error) = Extension::spawn(Command::new(env!("CARGO_BIN_EXE_confine-probe")), options)
    else {
        panic!("the spawn is refused");
    };
    assert!(matches!(error, HostError::Spawn { .. }), "{error}");
    assert!(
        error
            .to_string()
            .contains("cannot sandbox the extension's process"),
        "{error}"
    );
}

#[test]
fn write_allows_an_atomic_replace_inside_the_grant() {
    let Some(fx) = Fixture::new() else {
        return;
    };
    for grant in ["granted/**", "granted/old.txt"] {
        std::fs::write(fx.ws.join("granted/old.txt"), "old").expect("reset old.txt");
        let options = fx
            .options(json!({ "filesystem": [{ "path": grant, "access": ["read", "write"] }] }))
            .with_confinement(Confinement::Always);
        let got = fx.probe(options, json!([["replace", fx.path("granted/old.txt")]]));
        assert!(ok(&got[0]), "`write` on {grant}: {:?}", got[0]);
        assert_eq!(
            std::fs::read_to_string(fx.ws.join("granted/old.txt")).expect("read old.txt"),
            "replaced"
        );
    }
    // Without `write`, nothing is replaced.
    let options = fx
        .options(json!({ "filesystem": [{ "path": "granted/**", "access": ["read"] }] }))
        .with_confinement(Confinement::Always);
    let got = fx.probe(options, json!([["replace", fx.path("granted/in.txt")]]));
    assert!(denied(&got[0]), "{:?}", got[0]);
}

#[test]
fn a_grant_through_a_symlink_covers_nothing_for_kernel_and_policy_alike() {
    let Some(fx) = Fixture::new() else {
        return;
    };
    symlink(&fx.outside, fx.ws.join("granted/link-to-outside")).expect("symlink");
    let through_link = fx.path("granted/link-to-outside/secret.txt");
    let grants = json!({
        "filesystem": [{ "path": "granted/link-to-outside/**", "access": ["read"] }],
    });
    // The policy matches the grant by name and checks the real path: refused.
    let rules: Permissions = serde_json::from_value(grants.clone()).expect("grants parse");
    let policy = Policy::builder(&rules, &rules)
        .workspace_root(&fx.ws)
        .build()
        .expect("policy");
    assert!(
        policy.require_path(&through_link, FsAccess::Read).is_err(),
        "the policy refuses"
    );
    // The kernel (host confinement) refuses the same path.
    let options = fx
        .options(grants.clone())
        .with_confinement(Confinement::Always);
    let got = fx.probe(options, json!([["read", through_link.clone()]]));
    assert!(denied(&got[0]), "the confined child: {:?}", got[0]);
    // And so does the extension's own sandbox.
    let spec = json!({
        "root": fx.ws.display().to_string(),
        "request": grants,
        "grant": grants,
        "ops": [["read", through_link]],
    });
    let output = Command::new(env!("CARGO_BIN_EXE_sandbox-probe"))
        .arg(spec.to_string())
        .output()
        .expect("run sandbox-probe");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("probe line is JSON"))
        .collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(denied(&lines[1]), "the self-sandboxed probe: {stdout}");
    let skipped = lines[0]["skipped"].to_string();
    assert!(
        skipped.contains("link-to-outside"),
        "the rule is skipped, not opened at the link's target: {skipped}"
    );
}

#[test]
fn dots_slashes_and_links_escape_neither_policy_nor_kernel() {
    let Some(fx) = Fixture::new() else {
        return;
    };
    let granted = fx.ws.join("granted");
    symlink(&fx.outside, granted.join("link-to-outside")).expect("symlink outside");
    symlink("/proc/self/root", granted.join("root")).expect("symlink to /proc/self/root");
    symlink(granted.join("loop-b"), granted.join("loop-a")).expect("symlink loop a");
    symlink(granted.join("loop-a"), granted.join("loop-b")).expect("symlink loop b");
    let outside_name = fx
        .outside
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let ws = fx.ws.display().to_string();
    let attacks = [
        format!("{ws}/granted/../../{outside_name}/secret.txt"),
        format!("{ws}//granted//..//..//{outside_name}//secret.txt"),
        format!("{ws}/granted/./../../{outside_name}/./secret.txt"),
        format!("{ws}/granted/link-to-outside/secret.txt"),
        format!("{ws}/granted/link-to-outside/./secret.txt"),
        format!("{ws}/granted/link-to-outside/../{outside_name}/secret.txt"),
        format!("{ws}/granted/root/etc/passwd"),
        format!("{ws}/granted/root{}", fx.secret()),
        format!("{ws}/granted/loop-a"),
        format!("{ws}/granted/loop-a/x"),
    ];
    let grants = json!({ "filesystem": [{ "path": "granted/**", "access": ["read"] }] });
    let rules: Permissions = serde_json::from_value(grants.clone()).expect("grants parse");
    let policy = Policy::builder(&rules, &rules)
        .workspace_root(&fx.ws)
        .build()
        .expect("policy");
    for attack in &attacks {
        assert!(
            policy.require_path(attack, FsAccess::Read).is_err(),
            "the policy refuses {attack}"
        );
    }
    let ops: Vec<Value> = attacks.iter().map(|a| json!(["read", a])).collect();
    let options = fx.options(grants).with_confinement(Confinement::Always);
    let got = fx.probe(options, Value::Array(ops));
    for (attack, outcome) in attacks.iter().zip(&got) {
        assert!(
            !ok(outcome),
            "the confined child cannot read {attack}: {outcome:?}"
        );
    }
    // Odd but legitimate spellings inside the grant still work for both.
    let inside = format!("{ws}//granted/./sub/../in.txt");
    std::fs::create_dir(granted.join("sub")).expect("mkdir sub");
    assert!(policy.require_path(&inside, FsAccess::Read).is_ok());
    let options = fx
        .options(json!({ "filesystem": [{ "path": "granted/**", "access": ["read"] }] }))
        .with_confinement(Confinement::Always);
    let got = fx.probe(options, json!([["read", inside]]));
    assert!(ok(&got[0]), "{got:?}");
}
