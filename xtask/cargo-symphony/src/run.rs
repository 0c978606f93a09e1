//! `cargo symphony run [<dir>] [--grant …] [--sandbox] [--requests FILE]`: the author's
//! development host. Builds the crate's binary with cargo, spawns it through the SDK's own
//! host (`symphony_core::host`, the code the IDE runs), performs the handshake with the
//! given grants, sends each request (a JSON-lines file, or lines typed at the prompt) and
//! prints a readable trace: what went out, what came back and how long it took, every
//! notification the extension sent, and its stderr log lines at the end.

use std::io::{self, BufRead, BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::Value;
use serde_json::value::RawValue;
use symphony_core::host::{Extension, ExtensionOptions};
use symphony_core::permission::{FsAccess, FsRule, ModelAction, NetworkRule, Permissions};

use crate::check;

/// What `run` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RunOptions {
    /// The extension crate.
    pub dir: PathBuf,
    /// `--grant` values, in order (see [`grants`]).
    pub grants: Vec<String>,
    /// Whether the extension must sandbox itself (and the host confines it).
    pub sandbox: bool,
    /// Requests to send, one JSON object per line; `None` reads them from stdin.
    pub requests: Option<PathBuf>,
}

/// Why `run` stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The command line is wrong.
    #[error("{0}")]
    Usage(String),
    /// The manifest is invalid (located errors) or a file cannot be read.
    #[error("{0}")]
    Input(String),
    /// `cargo build` failed or built no binary.
    #[error("{0}")]
    Build(String),
    /// The extension could not be started or failed the handshake.
    #[error("the extension did not start: {0}")]
    Start(String),
}

impl RunOptions {
    /// Parses `[<dir>] [--grant G]… [--sandbox] [--requests FILE]`.
    pub fn parse(args: &[String]) -> Result<RunOptions, RunError> {
        let mut options = RunOptions {
            dir: PathBuf::from("."),
            grants: Vec::new(),
            sandbox: false,
            requests: None,
        };
        let mut dir = None;
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = |flag: &str| {
                args.next()
                    .cloned()
                    .ok_or_else(|| RunError::Usage(format!("`{flag}` needs a value")))
            };
            match arg.as_str() {
                "--grant" => options.grants.push(value("--grant")?),
                "--requests" => options.requests = Some(PathBuf::from(value("--requests")?)),
                "--sandbox" => options.sandbox = true,
                other if other.starts_with('-') => {
                    return Err(RunError::Usage(format!(
                        "`run` does not understand {other:?}"
                    )));
                }
                other if dir.is_none() => dir = Some(PathBuf::from(other)),
                other => {
                    return Err(RunError::Usage(format!(
                        "`run` takes one crate directory, got {other:?} too"
                    )));
                }
            }
        }
        if let Some(dir) = dir {
            options.dir = dir;
        }
        Ok(options)
    }
}

/// The permissions `--grant` values give, against what `manifest` asks for:
/// `manifest` (everything it asks for), `fs:read,write:GLOB`, `net:HOST[:PORT]`, `env:NAME`,
/// `process:NAME`, `model:invoke|configure`. No `--grant` grants nothing.
pub fn grants(values: &[String], asked: &Permissions) -> Result<Permissions, RunError> {
    let mut granted = Permissions::default();
    for value in values {
        let bad = |why: &str| RunError::Usage(format!("`--grant {value}`: {why}"));
        let (category, rest) = value.split_once(':').unwrap_or((value.as_str(), ""));
        match category {
            "manifest" if rest.is_empty() => {
                let asked = asked.clone();
                granted.filesystem.extend(asked.filesystem);
                granted.network.extend(asked.network);
                granted.env.extend(asked.env);
                granted.process.extend(asked.process);
                granted.model.extend(asked.model);
            }
            "fs" => {
                let (access, path) = rest
                    .split_once(':')
                    .ok_or_else(|| bad("write it `fs:read,write:GLOB`"))?;
                let access = access
                    .split(',')
                    .map(|access| match access {
                        "read" => Ok(FsAccess::Read),
                        "write" => Ok(FsAccess::Write),
                        "delete" => Ok(FsAccess::Delete),
                        _ => Err(bad("the accesses are read, write and delete")),
                    })
                    .collect::<Result<_, _>>()?;
                granted.filesystem.push(FsRule {
                    path: path.to_owned(),
                    access,
                });
            }
            "net" => {
                let (host, ports) = match rest.rsplit_once(':') {
                    Some((host, port)) => (
                        host,
                        vec![port.parse().map_err(|_| bad("the port is not a number"))?],
                    ),
                    None => (rest, Vec::new()),
                };
                if host.is_empty() {
                    return Err(bad("name the host: `net:HOST[:PORT]`"));
                }
                granted.network.push(NetworkRule {
                    host: host.to_owned(),
                    ports,
                });
            }
            "env" if !rest.is_empty() => granted.env.push(rest.to_owned()),
            "process" if !rest.is_empty() => granted.process.push(rest.to_owned()),
            "model" => granted.model.push(match rest {
                "invoke" => ModelAction::Invoke,
                "configure" => ModelAction::Configure,
                _ => return Err(bad("the model actions are invoke and configure")),
            }),
            _ => {
                return Err(bad(
                    "grants are `manifest`, `fs:read,write:GLOB`, `net:HOST[:PORT]`, \
                     `env:NAME`, `process:NAME` and `model:invoke|configure`",
                ));
            }
        }
    }
    Ok(granted)
}

/// Builds, spawns and drives the extension, writing the trace to `out`.
pub fn run(options: &RunOptions, out: &mut dyn Write) -> Result<(), RunError> {
    let manifest = check::load(&options.dir).map_err(RunError::Input)?;
    let granted = grants(&options.grants, manifest.permissions())?;
    let binary = build(&options.dir)?;
    let root = options
        .dir
        .canonicalize()
        .map_err(|error| RunError::Input(format!("{}: {error}", options.dir.display())))?;
    let started = Instant::now();
    let host_options = ExtensionOptions::default()
        .with_grants(granted)
        .with_sandbox(options.sandbox)
        .with_workspace_root(&root)
        .on_notification(move |notification| {
            let params = notification.params.as_deref().map_or("", RawValue::get);
            // With the trace on stdout, in arrival order (answers are printed as they come).
            println!(
                "<- {:>8.1} ms  notification {} {params}",
                started.elapsed().as_secs_f64() * 1000.0,
                notification.method
            );
        });
    let mut command = Command::new(&binary);
    command.current_dir(&root);
    let host = Extension::spawn(command, host_options)
        .map_err(|error| RunError::Start(error.to_string()))?;
    let _ = writeln!(
        out,
        "-- {} started and answered initialize in {:.1} ms: {}",
        binary.display(),
        started.elapsed().as_secs_f64() * 1000.0,
        serde_json::to_string(&*host.initialize_result()).unwrap_or_default()
    );

    let (reader, interactive): (Box<dyn BufRead>, bool) = match &options.requests {
        Some(path) => {
            let file = std::fs::File::open(path)
                .map_err(|error| RunError::Input(format!("{}: {error}", path.display())))?;
            (Box::new(BufReader::new(file)), false)
        }
        None => (Box::new(io::stdin().lock()), io::stdin().is_terminal()),
    };
    let mut sent = 0_usize;
    let prompt = || {
        if interactive {
            eprint!("request (method [params-json]) > ");
            let _ = io::stderr().flush();
        }
    };
    prompt();
    for (number, line) in reader.lines().enumerate() {
        let line = line.map_err(|error| RunError::Input(format!("reading requests: {error}")))?;
        let text = line.trim();
        if text.is_empty() || text.starts_with('#') {
            prompt();
            continue;
        }
        match request(text) {
            Ok((method, params)) => {
                sent += 1;
                let shown = params.as_deref().map_or("", RawValue::get);
                let _ = writeln!(out, "-> #{sent} {method} {shown}");
                let call = Instant::now();
                let answer = host.call_raw(&method, params, None);
                let took = call.elapsed().as_secs_f64() * 1000.0;
                match answer {
                    Ok(result) => {
                        let _ = writeln!(out, "<- #{sent} ok in {took:.1} ms: {}", result.get());
                    }
                    Err(error) => {
                        let _ = writeln!(out, "<- #{sent} error in {took:.1} ms: {error}");
                    }
                }
            }
            Err(why) => {
                let _ = writeln!(out, "!! line {}: {why}", number + 1);
            }
        }
        prompt();
    }
    let stderr = host.stderr_tail();
    let ended = host.shutdown();
    let _ = writeln!(
        out,
        "-- {sent} request(s); shutdown {}",
        match &ended {
            Ok(()) => "clean".to_owned(),
            Err(error) => format!("failed: {error}"),
        }
    );
    for line in stderr {
        let _ = writeln!(out, "stderr | {line}");
    }
    Ok(())
}

/// One request line: `{"method": …, "params": …}` or `method [params-json]`.
fn request(text: &str) -> Result<(String, Option<Box<RawValue>>), String> {
    let (method, params) = if text.starts_with('{') {
        let mut object: serde_json::Map<String, Value> =
            serde_json::from_str(text).map_err(|error| format!("not a JSON object: {error}"))?;
        let method = match object.remove("method") {
            Some(Value::String(method)) => method,
            _ => return Err("has no string `method`".to_owned()),
        };
        (method, object.remove("params"))
    } else {
        let (method, params) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
        let params = match params.trim() {
            "" => None,
            json => Some(
                serde_json::from_str(json)
                    .map_err(|error| format!("params are not JSON: {error}"))?,
            ),
        };
        (method.to_owned(), params)
    };
    let params = params
        .map(|params| serde_json::value::to_raw_value(&params))
        .transpose()
        .map_err(|error| error.to_string())?;
    Ok((method, params))
}

/// `cargo build` of the crate in `dir`: the path of the binary it built.
fn build(dir: &Path) -> Result<PathBuf, RunError> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = dir.join("Cargo.toml");
    let output = Command::new(cargo)
        .args([
            "build",
            "--message-format=json-render-diagnostics",
            "--manifest-path",
        ])
        .arg(&manifest)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|error| RunError::Build(format!("cannot start cargo: {error}")))?;
    if !output.status.success() {
        return Err(RunError::Build(format!(
            "`cargo build --manifest-path {}` failed ({})",
            manifest.display(),
            output.status
        )));
    }
    let wanted = manifest.canonicalize().unwrap_or(manifest.clone());
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact")
        .filter(|message| {
            message["manifest_path"].as_str().map(PathBuf::from) == Some(wanted.clone())
        })
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| {
            RunError::Build(format!(
                "{} has no binary target to run",
                manifest.display()
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|arg| (*arg).to_owned()).collect()
    }

    #[test]
    fn grants_read_every_category_and_refuse_the_rest() {
        let asked = Permissions {
            env: vec!["HOME".to_owned()],
            ..Permissions::default()
        };
        let granted = grants(
            &args(&[
                "fs:read,write:data/**",
                "net:127.0.0.1:8080",
                "env:TOKEN",
                "manifest",
            ]),
            &asked,
        )
        .expect("valid");
        assert_eq!(
            granted.filesystem[0].access,
            [FsAccess::Read, FsAccess::Write]
        );
        assert_eq!(granted.network[0].ports, [8080]);
        assert_eq!(granted.env, ["TOKEN", "HOME"]);
        for bad in ["fs:data", "net:", "disk:/", "fs:exec:/x", "model:train"] {
            let error = grants(&args(&[bad]), &asked).expect_err(bad).to_string();
            assert!(error.contains(bad), "{error}");
        }
    }

    #[test]
    fn request_lines_are_json_objects_or_a_method_and_params() {
        let (method, params) = request(r#"{"method":"operator/run","params":{"a":1}}"#).unwrap();
        assert_eq!(
            (method.as_str(), params.unwrap().get()),
            ("operator/run", r#"{"a":1}"#)
        );
        let (method, params) = request("$/ping").unwrap();
        assert_eq!((method.as_str(), params.is_none()), ("$/ping", true));
        assert!(request("m {bad").unwrap_err().contains("not JSON"));
        assert!(request(r#"{"params":1}"#).unwrap_err().contains("method"));
    }

    #[test]
    fn options_parse() {
        let options = RunOptions::parse(&args(&[
            "ext",
            "--grant",
            "manifest",
            "--sandbox",
            "--requests",
            "r.jsonl",
        ]))
        .expect("valid");
        assert_eq!(options.dir, PathBuf::from("ext"));
        assert!(options.sandbox);
        assert!(RunOptions::parse(&args(&["--grant"])).is_err());
        assert!(RunOptions::parse(&args(&["a", "b"])).is_err());
    }
}
