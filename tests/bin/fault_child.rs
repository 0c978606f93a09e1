//! A child process for the host fault tests (`tests/protocol/faults.rs`): an extension that
//! speaks the protocol by hand, so that it can misbehave in ways the SDK's serve loop never
//! would, and a host that reports its own memory.
//!
//! `fault-child` (no argument) is the extension. After the handshake it answers requests one
//! at a time on its main thread:
//!
//! | method | does |
//! |---|---|
//! | `ping` | answers `"pong"` |
//! | `echo …` | answers its params (a blocking write: a full stdout stops its reading) |
//! | `grandchild [escape]` | starts `sleep 300` holding its stdout and stderr (in a process group of its own if `escape`), answers its pid |
//! | `stop-reading` | answers, then never reads its input again |
//! | `exit [code]` | exits with `code` without answering |
//! | `hang` | never answers (keeps reading) |
//! | `flood-stdout ["line" \| "lines"]` | writes to stdout without end: one line without a newline, or endless notifications |
//! | `flood-stderr [bytes]` | writes `bytes` bytes to stderr without a newline, then answers |
//! | `requests` | answers, then sends requests to the host without end and never reads again |
//!
//! `fault-child silent` reads `initialize` and never answers it. `fault-child heavy` prints
//! the result of an `initialize` answer whose valid manifest takes long to check (one JSON
//! line); `fault-child answer-with <file>` answers `initialize` with the result in `file`,
//! read before the handshake starts, so the answer comes at once and only its check is slow.
//!
//! `fault-child host <method> <params> <timeout-ms>` is a host: it spawns `fault-child`, calls
//! `method` with `params` (JSON), and prints one JSON line with the outcome, the time the call
//! took and this process's peak resident memory before and after (`VmHWM`, KiB).

use std::io::{BufRead, Write};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use symphony_core::host::{Extension, ExtensionOptions};
use symphony_core::manifest::Manifest;
use symphony_core::protocol::{Capabilities, InitializeResult};

const MANIFEST: &str = r#"
id = "symphony.fault-child"
name = "Fault child"
version = "0.1.0"
kind = "operator"
description = "Misbehaves on request."
license = "MIT OR Apache-2.0"
engine = "^1"

[operator]
category = "custom"
inputs = [{ name = "value", type = "json" }]
outputs = [{ name = "value", type = "json" }]
"#;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None => serve(&Handshake::Answer(initialize_result())),
        Some("silent") => serve(&Handshake::Silent),
        Some("heavy") => {
            send(&heavy_initialize_result());
            ExitCode::SUCCESS
        }
        Some("answer-with") if args.len() == 2 => match std::fs::read_to_string(&args[1]) {
            Ok(text) => serve(&Handshake::Raw(text.trim().to_owned())),
            Err(error) => {
                eprintln!("fault-child: {}: {error}", args[1]);
                ExitCode::FAILURE
            }
        },
        Some("host") if args.len() == 4 => host(&args[1], &args[2], &args[3]),
        Some(other) => {
            eprintln!("fault-child: unknown mode {other:?}");
            ExitCode::FAILURE
        }
    }
}

fn send(message: &Value) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{message}");
    let _ = out.flush();
}

fn answer(id: &Value, result: Value) {
    send(&json!({"jsonrpc": "2.0", "id": id, "result": result}));
}

/// How the child answers `initialize`.
enum Handshake {
    /// With this result.
    Answer(Value),
    /// With this result, as JSON text sent as it is (no time spent encoding it).
    Raw(String),
    /// Never.
    Silent,
}

/// The `initialize` result of a well-behaved child.
fn initialize_result() -> Value {
    let manifest = Manifest::from_toml_str(MANIFEST).expect("valid manifest");
    let result = InitializeResult::new(manifest, Capabilities::new(["ping"]));
    serde_json::to_value(result).expect("serialisable")
}

/// An `initialize` result with a valid manifest that is slow to check: 20,000 filesystem
/// grants, each a glob to compile, in just under the manifest size limit.
fn heavy_initialize_result() -> Value {
    let mut result = initialize_result();
    let grants: Vec<Value> = (0..20_000)
        .map(|i| json!({"path": format!("d{i}/**/*.txt"), "access": ["read"]}))
        .collect();
    result["manifest"]["permissions"] = json!({ "filesystem": grants });
    result
}

fn serve(handshake: &Handshake) -> ExitCode {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    while let Some(Ok(line)) = lines.next() {
        let Ok(message) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        let (Some(id), Some(method)) = (message.get("id"), message["method"].as_str()) else {
            continue; // notifications (initialized, $/cancelRequest, exit) are ignored
        };
        let params = &message["params"];
        match method {
            "initialize" => match handshake {
                Handshake::Answer(result) => answer(id, result.clone()),
                Handshake::Raw(result) => {
                    let mut out = std::io::stdout().lock();
                    let _ = writeln!(out, r#"{{"jsonrpc":"2.0","id":{id},"result":{result}}}"#);
                    let _ = out.flush();
                }
                Handshake::Silent => {}
            },
            "ping" => answer(id, json!("pong")),
            "echo" => answer(id, params.clone()),
            "shutdown" => {
                answer(id, Value::Null);
                return ExitCode::SUCCESS;
            }
            "grandchild" => {
                let mut command = Command::new("sleep");
                command.arg("300");
                if params[0].as_bool() == Some(true) {
                    std::os::unix::process::CommandExt::process_group(&mut command, 0);
                }
                // Left running on purpose: the grandchild outlives this process, holding
                // its pipes, and is the test's to kill.
                #[allow(clippy::zombie_processes)]
                let child = command.spawn().expect("sleep starts");
                answer(id, json!(child.id()));
            }
            "stop-reading" => {
                answer(id, json!("stopped"));
                loop {
                    std::thread::sleep(Duration::from_secs(3600));
                }
            }
            "exit" => {
                let code = params[0].as_i64().unwrap_or(3);
                eprintln!("exiting with {code} on request");
                std::process::exit(i32::try_from(code).unwrap_or(3));
            }
            "hang" => {}
            "flood-stdout" => flood_stdout(params[0].as_str() == Some("lines")),
            "flood-stderr" => {
                let total = params[0].as_u64().unwrap_or(0);
                let chunk = vec![b'e'; 1 << 20];
                let mut err = std::io::stderr().lock();
                let mut left = total;
                while left > 0 {
                    let n = usize::try_from(left).unwrap_or(usize::MAX).min(chunk.len());
                    if err.write_all(&chunk[..n]).is_err() {
                        break;
                    }
                    left -= n as u64;
                }
                let _ = err.write_all(b"\nflood done\n");
                drop(err);
                answer(id, json!(total));
            }
            "requests" => {
                answer(id, json!("flooding"));
                for n in 0u64.. {
                    send(&json!({"jsonrpc": "2.0", "id": n, "method": "fault/ask", "params": [n]}));
                }
            }
            other => send(&json!({
                "jsonrpc": "2.0", "id": id,
                "error": {"code": -32601, "message": format!("no method {other}")}
            })),
        }
    }
    ExitCode::SUCCESS
}

fn flood_stdout(lines: bool) -> ! {
    let mut out = std::io::stdout().lock();
    let chunk = if lines {
        let line = "{\"jsonrpc\":\"2.0\",\"method\":\"fault/flood\",\"params\":[1]}\n";
        line.repeat(1024).into_bytes()
    } else {
        vec![b'x'; 1 << 16]
    };
    loop {
        if out.write_all(&chunk).is_err() {
            std::process::exit(1);
        }
    }
}

/// This process's peak resident set size, in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn host(method: &str, params: &str, timeout_ms: &str) -> ExitCode {
    let params: Value = serde_json::from_str(params).expect("params are JSON");
    let timeout = Duration::from_millis(timeout_ms.parse().expect("timeout in ms"));
    let exe = std::env::current_exe().expect("own path");
    // A long grace: the call must end at its deadline, not when a hung child is killed.
    let options = ExtensionOptions::default()
        .with_cancel_grace(Duration::from_secs(3))
        .with_stderr_lines(5);
    let host = Extension::spawn(Command::new(exe), options).expect("the fault child starts");
    let before = peak_rss_kib();
    let started = Instant::now();
    let outcome = host.call_with_timeout::<Value, _>(method, &params, Some(timeout));
    let elapsed = started.elapsed();
    let after = peak_rss_kib();
    let stderr_last = line_before_marker(&host);
    let line = json!({
        "ok": outcome.as_ref().ok(),
        "error": outcome.as_ref().err().map(ToString::to_string),
        "elapsed_ms": elapsed.as_millis() as u64,
        "peak_rss_kib_before": before,
        "peak_rss_kib_after": after,
        "stderr_last": stderr_last,
    });
    println!("{line}");
    ExitCode::SUCCESS
}

/// The stderr line before the flood's end marker, once the tail has caught up with it.
fn line_before_marker(host: &Extension) -> Option<String> {
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let tail = host.stderr_tail();
        if tail.last().map(String::as_str) == Some("flood done") || Instant::now() >= until {
            return tail.iter().rev().nth(1).cloned();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
