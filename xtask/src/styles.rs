//! `cargo xtask styles`: proves that each primary example also works in the other import
//! style, and that migrating there and back changes nothing.
//!
//! The examples are checked in written against the focused crates (what a specialised
//! author compiles). For each one this copies it into a scratch workspace beside the build
//! output whose `[workspace.dependencies]` point at this workspace's crates, migrates it to
//! the umbrella, builds it with the shared target directory (so only the example itself
//! compiles), runs the binary through a real Orchestra Kit handshake over pipes, then
//! migrates it back and compares every file with the original byte for byte.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use symphony_core::manifest::Manifest;
use toml_edit::{Array, DocumentMut, Item, Value};

use crate::cmd;
use crate::error::Error;
use cargo_symphony::migrate::{MigrateError, Style, plan};

/// The examples checked in both styles: one per kind.
pub(crate) const EXAMPLES: [&str; 3] = ["csv-cleaner", "onnx-classifier", "counter-panel"];

/// How long an extension may take to answer the handshake (the ONNX example loads its model
/// in a debug build first).
const ANSWER_TIMEOUT: Duration = Duration::from_secs(120);

/// Runs the check for every example in [`EXAMPLES`].
pub(crate) fn run(root: &Path) -> Result<(), Error> {
    for example in EXAMPLES {
        eprintln!("styles: {example}");
        check(root, example)?;
    }
    Ok(())
}

fn check(root: &Path, example: &str) -> Result<(), Error> {
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let scratch = target_dir.join("tmp").join("styles").join(example);
    if scratch.exists() {
        fs::remove_dir_all(&scratch).map_err(|source| io("clear", &scratch, source))?;
    }
    let original = root.join("examples").join(example);
    let copy = scratch.join(example);
    copy_dir(&original, &copy)?;
    write_workspace(root, &scratch, example)?;
    fs::copy(root.join("Cargo.lock"), scratch.join("Cargo.lock"))
        .map_err(|source| io("copy Cargo.lock to", &scratch, source))?;

    apply(&copy, Style::Unified)?;
    cmd::run(
        cmd::cargo()
            .env("CARGO_TARGET_DIR", &target_dir)
            .arg("build")
            .arg("--manifest-path")
            .arg(scratch.join("Cargo.toml"))
            .args(["-p", example]),
    )?;
    handshake(&target_dir.join("debug").join(example), &copy)?;

    apply(&copy, Style::Split)?;
    compare(&original, &copy)
}

/// Migrates the crate at `dir` to `style`, writing the files.
fn apply(dir: &Path, style: Style) -> Result<(), Error> {
    for change in plan(dir, style).map_err(Error::Migrate)? {
        fs::write(&change.path, &change.new).map_err(|source| io("write", &change.path, source))?;
    }
    Ok(())
}

/// A workspace holding only the example, with this workspace's package fields, lints and
/// dependency table (paths made absolute).
fn write_workspace(root: &Path, scratch: &Path, example: &str) -> Result<(), Error> {
    let root_manifest = root.join("Cargo.toml");
    let text =
        fs::read_to_string(&root_manifest).map_err(|source| io("read", &root_manifest, source))?;
    let mut document: DocumentMut = text.parse().map_err(|error| Error::Styles {
        example: example.to_owned(),
        reason: format!("{} is not valid TOML: {error}", root_manifest.display()),
    })?;
    let workspace = document
        .get_mut("workspace")
        .and_then(Item::as_table_mut)
        .ok_or_else(|| Error::Styles {
            example: example.to_owned(),
            reason: format!("{} has no [workspace]", root_manifest.display()),
        })?;
    workspace.remove("exclude");
    workspace.remove("default-members");
    let mut members = Array::new();
    members.push(example);
    workspace.insert("members", Item::Value(Value::Array(members)));
    if let Some(dependencies) = workspace
        .get_mut("dependencies")
        .and_then(Item::as_table_like_mut)
    {
        for (_, dependency) in dependencies.iter_mut() {
            let Some(dependency) = dependency.as_table_like_mut() else {
                continue;
            };
            if let Some(path) = dependency.get("path").and_then(Item::as_str) {
                let absolute = root.join(path).display().to_string();
                dependency.insert("path", toml_edit::value(absolute));
            }
        }
    }
    let path = scratch.join("Cargo.toml");
    fs::write(&path, document.to_string()).map_err(|source| io("write", &path, source))
}

/// Starts the built extension, completes `initialize` (checking it answers with the
/// manifest's id) and shuts it down cleanly.
fn handshake(binary: &Path, crate_dir: &Path) -> Result<(), Error> {
    let failed = |reason: String| Error::Styles {
        example: binary.display().to_string(),
        reason,
    };
    let manifest_path = crate_dir.join("symphony.toml");
    let manifest = Manifest::from_path(&manifest_path)
        .map_err(|errors| failed(format!("{}: {errors}", manifest_path.display())))?;
    // The host grants what the manifest asks for, relative to the copied crate: the
    // extension's backends check their grants before they touch a file (its model).
    let initialize = serde_json::json!({
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "1.0",
            "host": { "name": "xtask-styles", "version": "1" },
            "grants": manifest.permissions(),
            "workspaceRoots": [crate_dir],
        },
    })
    .to_string();
    let id = manifest.id().to_string();

    let mut child = Command::new(binary)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|source| Error::Spawn {
            command: binary.display().to_string(),
            source,
        })?;
    let result = talk(&mut child, &id, &initialize);
    if result.is_err() {
        // Already failing; a kill error would only hide the reason.
        let _ = child.kill();
    }
    let status = child
        .wait()
        .map_err(|source| failed(format!("cannot wait for the extension: {source}")))?;
    result.map_err(failed)?;
    if status.success() {
        Ok(())
    } else {
        Err(failed(format!("exited with {status} after `exit`")))
    }
}

fn talk(child: &mut Child, id: &str, initialize: &str) -> Result<(), String> {
    let mut stdin = child.stdin.take().ok_or("no stdin pipe")?;
    let stdout = child.stdout.take().ok_or("no stdout pipe")?;
    let (lines, replies) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    // The extension may log (`$/log` notifications) before it answers: a reply is the first
    // message without a `method`.
    let reply = |what: &str| -> Result<String, String> {
        loop {
            match replies.recv_timeout(ANSWER_TIMEOUT) {
                Ok(Ok(line)) if line.contains("\"method\"") => continue,
                Ok(Ok(line)) => return Ok(line),
                Ok(Err(error)) => return Err(format!("reading the {what} reply: {error}")),
                Err(_) => return Err(format!("no {what} reply within {ANSWER_TIMEOUT:?}")),
            }
        }
    };
    let mut send = |line: &str| -> Result<(), String> {
        writeln!(stdin, "{line}").map_err(|error| format!("writing `{line}`: {error}"))
    };
    send(initialize)?;
    let answer = reply("initialize")?;
    let quoted_id = format!("\"{id}\"");
    if !answer.contains("\"result\"") || !answer.contains(&quoted_id) {
        return Err(format!(
            "`initialize` answered without a result naming {id}: {answer}"
        ));
    }
    send(r#"{"jsonrpc":"2.0","method":"initialized"}"#)?;
    send(r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#)?;
    let answer = reply("shutdown")?;
    if !answer.contains("\"result\"") {
        return Err(format!("`shutdown` failed: {answer}"));
    }
    send(r#"{"jsonrpc":"2.0","method":"exit"}"#)?;
    Ok(())
}

/// Fails naming the first file that differs (or is missing) between the two trees.
fn compare(original: &Path, copy: &Path) -> Result<(), Error> {
    let mut files = Vec::new();
    list(original, Path::new(""), &mut files)?;
    for relative in files {
        let before =
            fs::read(original.join(&relative)).map_err(|source| io("read", &relative, source))?;
        let after =
            fs::read(copy.join(&relative)).map_err(|source| io("read", &relative, source))?;
        if before != after {
            return Err(Error::Styles {
                example: original.display().to_string(),
                reason: format!(
                    "{} differs after migrating to unified and back; run `cargo xtask migrate \
                     {} --to unified --dry-run` to see what the migration does to it",
                    relative.display(),
                    original.display()
                ),
            });
        }
    }
    Ok(())
}

fn list(base: &Path, relative: &Path, files: &mut Vec<PathBuf>) -> Result<(), Error> {
    let dir = base.join(relative);
    for entry in fs::read_dir(&dir).map_err(|source| io("list", &dir, source))? {
        let entry = entry.map_err(|source| io("list", &dir, source))?;
        let name = entry.file_name();
        if name == "target" {
            continue;
        }
        let path = relative.join(&name);
        if entry.path().is_dir() {
            list(base, &path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), Error> {
    let mut files = Vec::new();
    list(from, Path::new(""), &mut files)?;
    for relative in files {
        let target = to.join(&relative);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|source| io("create", parent, source))?;
        }
        fs::copy(from.join(&relative), &target).map_err(|source| io("copy", &target, source))?;
    }
    Ok(())
}

fn io(action: &'static str, path: &Path, source: std::io::Error) -> Error {
    Error::Migrate(MigrateError::Io {
        action,
        path: path.to_owned(),
        source,
    })
}
