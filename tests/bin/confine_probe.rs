//! A child process for the host-confinement tests: an extension that never calls the SDK's
//! sandbox hook. It answers `initialize` by hand (the sandbox flag ignored), then for each
//! `probe/run` request performs the operations and reports their outcomes, so the test sees
//! what a program that skips the hook can still do when the host spawned it.
//!
//! `probe/run` params: `[["read" | "write" | "env" | "connect" | "bind" | "replace", arg]]`;
//! result: one `{"ok", "value", "kind", "errno"}` per operation. `replace` writes `arg` atomically
//! (a temporary file beside it, renamed over it).

use std::io::{BufRead, Write};
use std::net::{TcpListener, TcpStream};

use serde_json::{Value, json};
use symphony_core::manifest::Manifest;
use symphony_core::protocol::{Capabilities, InitializeResult};

const MANIFEST: &str = r#"
id = "tests.confine-probe"
name = "Confine probe"
version = "0.1.0"
kind = "operator"
engine = "^1.0"

[operator]
category = "filter"
inputs = [{ name = "rows", type = "records" }]
outputs = [{ name = "kept", type = "records" }]
"#;

fn main() {
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { return };
        let Ok(message) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        let Some(id) = message.get("id").cloned() else {
            if message["method"] == "exit" {
                return;
            }
            continue;
        };
        let result = match message["method"].as_str() {
            Some("initialize") => initialize(),
            Some("probe/run") => run(&message["params"]),
            _ => Value::Null,
        };
        let reply = json!({"jsonrpc": "2.0", "id": id, "result": result});
        if writeln!(stdout, "{reply}")
            .and_then(|()| stdout.flush())
            .is_err()
        {
            return;
        }
    }
}

fn initialize() -> Value {
    let manifest = Manifest::from_toml_str(MANIFEST).unwrap_or_else(|e| panic!("manifest: {e}"));
    serde_json::to_value(InitializeResult::new(manifest, Capabilities::default()))
        .unwrap_or_else(|e| panic!("initialize result: {e}"))
}

fn run(ops: &Value) -> Value {
    let ops = ops.as_array().cloned().unwrap_or_default();
    let outcomes: Vec<Value> = ops
        .iter()
        .map(|op| {
            let kind = op[0].as_str().unwrap_or_default();
            let arg = op[1].as_str().unwrap_or_default();
            let outcome = match kind {
                "read" => std::fs::read_to_string(arg),
                "write" => std::fs::write(arg, "probe").map(|()| String::new()),
                "replace" => replace(arg).map(|()| String::new()),
                "env" => {
                    return match std::env::var(arg) {
                        Ok(value) => json!({"ok": true, "value": value}),
                        Err(_) => json!({"ok": false, "kind": "NotPresent"}),
                    };
                }
                "connect" => TcpStream::connect(arg).map(|_| String::new()),
                "bind" => TcpListener::bind(arg).map(|_| String::new()),
                _ => Err(std::io::Error::other(format!("unknown op {kind}"))),
            };
            match outcome {
                Ok(value) => json!({"ok": true, "value": value}),
                Err(error) => json!({
                    "ok": false,
                    "kind": format!("{:?}", error.kind()),
                    "errno": error.raw_os_error(),
                }),
            }
        })
        .collect();
    Value::Array(outcomes)
}

/// Write-to-temp and rename, as every atomic save does.
fn replace(target: &str) -> std::io::Result<()> {
    let temp = format!("{target}.probe-tmp");
    std::fs::write(&temp, "replaced")?;
    std::fs::rename(&temp, target)
}
