//! A child process for the sandbox tests: it compiles a policy, locks itself down with
//! [`Sandbox::enforce`], then performs filesystem operations and reports each outcome; or,
//! with `serve <loop>`, it is an extension served by one of the SDK's loops (see [`served`]).
//!
//! Landlock is irreversible for a process, so it must never run in the test harness itself.
//!
//! `serve instrument` (the tokio loop, as `serve_main`), `serve instrument-in-runtime` (inside
//! an already running runtime), `serve core` and `serve core-early-thread` (the blocking loop,
//! with a thread started before it).
//!
//! Otherwise, input: one argument, JSON
//! `{"root": path, "request": Permissions, "grant": Permissions, "allow_read": [path],
//!   "ops": [["read" | "write" | "delete" | "list" | "tcp", path or address]],
//!   "early_thread": bool}`; with
//! `early_thread`, a thread started *before* enforcing performs the operations.
//! Output: JSON lines on stdout: first `{"status": …, "abi": …, "gaps": […], "applied": […],
//! "skipped": […], "tcp_denied": bool}`, then one `{"op", "path", "ok", "kind", "errno"}` per
//! operation; or only `{"status": "refused", "error": …}` if the sandbox was refused.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::thread;

use serde_json::{Value, json};
use symphony_core::permission::{Permissions, Policy};
use symphony_core::sandbox::{Sandbox, SandboxReport, SandboxStatus};

#[path = "sandbox_probe/served.rs"]
mod served;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [mode, which] = args.as_slice()
        && mode == "serve"
    {
        return match which.as_str() {
            "instrument" => served::instrument(),
            "instrument-in-runtime" => served::instrument_in_runtime(),
            "core" => served::core(false),
            "core-early-thread" => served::core(true),
            other => {
                eprintln!("sandbox-probe: unknown serve loop `{other}`");
                ExitCode::FAILURE
            }
        };
    }
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("sandbox-probe: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let spec = std::env::args()
        .nth(1)
        .ok_or("usage: sandbox-probe <json spec>")?;
    let spec: Value = serde_json::from_str(&spec).map_err(|e| format!("spec is not JSON: {e}"))?;
    let permissions = |key: &str| -> Result<Permissions, String> {
        serde_json::from_value(spec.get(key).cloned().unwrap_or(json!({})))
            .map_err(|e| format!("`{key}`: {e}"))
    };
    let root = spec
        .get("root")
        .and_then(Value::as_str)
        .ok_or("`root` is missing")?;
    let policy = Policy::builder(&permissions("request")?, &permissions("grant")?)
        .workspace_root(root)
        .build()
        .map_err(|e| e.to_string())?;
    let mut sandbox = Sandbox::from_policy(&policy);
    for path in strings(&spec, "allow_read") {
        sandbox = sandbox.allow_read(path);
    }
    let mut ops = Vec::new();
    for op in spec
        .get("ops")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let kind = op.get(0).and_then(Value::as_str);
        let path = op.get(1).and_then(Value::as_str);
        let (Some(kind), Some(path)) = (kind, path) else {
            return Err(format!("bad op {op}"));
        };
        ops.push((kind.to_owned(), PathBuf::from(path)));
    }

    let early_thread = spec
        .get("early_thread")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let (start, started) = mpsc::channel::<()>();
    let worker = early_thread.then(|| {
        let ops = ops.clone();
        // Started before the sandbox; it waits until the sandbox is in force.
        thread::spawn(move || started.recv().map(|()| perform_all(&ops)))
    });

    let report = match sandbox.enforce() {
        Ok(report) => report,
        Err(error) => {
            println!(
                "{}",
                json!({ "status": "refused", "error": error.to_string() })
            );
            return Ok(());
        }
    };
    println!("{}", describe(&report));

    let results = match worker {
        Some(worker) => {
            start.send(()).map_err(|e| e.to_string())?;
            let joined = worker.join().map_err(|_| "the early thread panicked")?;
            joined.map_err(|e| e.to_string())?
        }
        None => perform_all(&ops),
    };
    for ((kind, path), result) in ops.iter().zip(results) {
        let path = path.display().to_string();
        let line = match result? {
            Ok(()) => json!({ "op": kind, "path": path, "ok": true }),
            Err(e) => json!({
                "op": kind, "path": path, "ok": false,
                "kind": format!("{:?}", e.kind()), "errno": e.raw_os_error(),
            }),
        };
        println!("{line}");
    }
    Ok(())
}

fn perform_all(ops: &[(String, PathBuf)]) -> Vec<Result<std::io::Result<()>, String>> {
    ops.iter().map(|(kind, path)| perform(kind, path)).collect()
}

fn strings<'a>(spec: &'a Value, key: &str) -> impl Iterator<Item = &'a str> {
    spec.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

fn perform(kind: &str, path: &Path) -> Result<std::io::Result<()>, String> {
    Ok(match kind {
        "read" => std::fs::read(path).map(drop),
        "write" => std::fs::write(path, b"written by the sandboxed probe\n"),
        "delete" => std::fs::remove_file(path),
        "list" => std::fs::read_dir(path).map(drop),
        "tcp" => std::net::TcpStream::connect(path.to_string_lossy().as_ref()).map(drop),
        other => return Err(format!("unknown op `{other}`")),
    })
}

fn describe(report: &SandboxReport) -> Value {
    let (status, abi, gaps) = match report.status() {
        SandboxStatus::FullyEnforced { abi } => ("full", Some(*abi), Vec::new()),
        SandboxStatus::PartiallyEnforced { abi, gaps } => (
            "partial",
            Some(*abi),
            gaps.iter().map(ToString::to_string).collect(),
        ),
        _ => ("unsupported", None, Vec::new()),
    };
    let applied: Vec<String> = report
        .applied()
        .iter()
        .map(|r| format!("{} {}", r.path().display(), r.rights()))
        .collect();
    let skipped: Vec<String> = report
        .skipped()
        .iter()
        .map(|s| s.path().display().to_string())
        .collect();
    json!({
        "status": status,
        "detail": report.status().to_string(),
        "abi": abi,
        "gaps": gaps,
        "applied": applied,
        "skipped": skipped,
        "tcp_denied": report.tcp_denied(),
    })
}
