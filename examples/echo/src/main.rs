//! Example: a Symphony extension built on `symphony_core` alone.
//!
//! It echoes its params, and has a method for each way an extension can behave badly, so the
//! workspace integration tests can exercise the host against a real child process:
//!
//! | method | does |
//! |---|---|
//! | `echo` | returns its params |
//! | `sleep [ms]` | sleeps, stopping early when cancelled |
//! | `hang [ms]` | sleeps and ignores cancellation |
//! | `crash [code, message]` | prints `message` to stderr and exits with `code` mid-request |
//! | `panic` | panics (answered as an error; the extension keeps serving) |
//! | `garbage` | writes a line that is not JSON to stdout, then answers |
//! | `env/get [name]` | reads an environment variable, if the policy allows it |
//! | `fs/read [path]` | reads a file as UTF-8 text, if the policy allows it |
//! | `fs/read-unchecked [path]` | reads a file without the SDK's check (only the kernel sandbox stands in the way) |
//! | `greet [name]` | greets with the `greeting` config value |
//! | `progress [steps]` | sends `$/progress` notifications, then answers |
//! | `log [message]` | logs through `tracing` (stderr, and `$/log` to the host) |
//! | `big [bytes]` | answers with a string of that many bytes |
//!
//! Its manifest, `symphony.toml` beside `Cargo.toml`, is embedded at compile time and checked
//! by `build.rs`.

use std::path::Path;
use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant};

use symphony_core::manifest::{EmbeddedManifest, Manifest};
use symphony_core::permission::{FsAccess, Resource};
use symphony_core::protocol::{Capabilities, ErrorCode, ErrorObject, Id, RawValue};
use symphony_core::serve::log::{self, LogOptions};
use symphony_core::serve::{Call, Handler, reply, serve};

static MANIFEST: &EmbeddedManifest = symphony_core::embed_manifest!();

struct Echo {
    manifest: &'static Manifest,
}

impl Handler for Echo {
    fn manifest(&self) -> &Manifest {
        self.manifest
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::new([
            "echo",
            "sleep",
            "hang",
            "crash",
            "panic",
            "garbage",
            "env/get",
            "fs/read",
            "fs/read-unchecked",
            "greet",
            "progress",
            "log",
            "big",
        ])
    }

    fn handle(&self, call: &Call<'_>) -> Result<Box<RawValue>, ErrorObject> {
        match call.method() {
            "echo" => match call.raw_params() {
                Some(params) => Ok(params.to_owned()),
                None => reply(&()),
            },
            "sleep" => {
                let [ms]: [u64; 1] = call.params()?;
                let until = Instant::now() + Duration::from_millis(ms);
                while Instant::now() < until {
                    call.check_cancelled()?;
                    thread::sleep(Duration::from_millis(1));
                }
                reply(&ms)
            }
            "hang" => {
                let [ms]: [u64; 1] = call.params()?;
                thread::sleep(Duration::from_millis(ms));
                reply(&ms)
            }
            "crash" => {
                let (code, message): (i32, String) = call.params()?;
                eprintln!("{message}");
                std::process::exit(code);
            }
            "panic" => panic!("asked to panic"),
            "garbage" => {
                // Deliberately breaks the rule that stdout carries only protocol messages.
                println!("this line is not JSON");
                reply("sent garbage")
            }
            "env/get" => {
                let [name]: [String; 1] = call.params()?;
                call.policy().require(&Resource::env_var(&name))?;
                reply(&std::env::var(&name).ok())
            }
            "fs/read" => {
                let [path]: [String; 1] = call.params()?;
                // Normalise, check, and open the normalised path (not the one given, which a
                // symbolic link swapped in between could redirect).
                let path = call.policy().require_path(&path, FsAccess::Read)?;
                read_text(path.as_path())
            }
            "fs/read-unchecked" => {
                let [path]: [String; 1] = call.params()?;
                read_text(Path::new(&path))
            }
            "greet" => {
                let [name]: [String; 1] = call.params()?;
                let greeting: Option<String> = call.config().get("greeting").map_err(|error| {
                    ErrorObject::new(ErrorCode::InvalidConfig, error.to_string())
                })?;
                reply(&format!("{}, {name}", greeting.unwrap_or_default()))
            }
            "progress" => {
                let [steps]: [u32; 1] = call.params()?;
                let token = Id::String(format!("progress-{}", call.id()));
                for step in 1..=steps {
                    // A host that went away will be noticed by the serve loop.
                    let _ = call
                        .peer()
                        .progress(&token, &serde_json::json!({ "step": step }));
                }
                reply(&steps)
            }
            "log" => {
                let [message]: [String; 1] = call.params()?;
                tracing::info!(from = "echo", "{message}");
                reply("logged")
            }
            "big" => {
                let [bytes]: [usize; 1] = call.params()?;
                reply(&"x".repeat(bytes))
            }
            other => Err(ErrorObject::method_not_found(other)),
        }
    }

    fn concurrency(&self) -> usize {
        4
    }
}

/// Reads `path` as text; an I/O error names the path and keeps the OS error code in `data`.
fn read_text(path: &Path) -> Result<Box<RawValue>, ErrorObject> {
    match std::fs::read_to_string(path) {
        Ok(text) => reply(&text),
        Err(error) => Err(ErrorObject::new(
            ErrorCode::ExtensionFailed,
            format!("cannot read `{}`: {error}", path.display()),
        )
        .with_data(serde_json::json!({ "osError": error.raw_os_error() }))),
    }
}

fn main() -> ExitCode {
    log::init(LogOptions::from_env().forward_to_host(true));
    match MANIFEST.get() {
        Ok(manifest) => serve(Echo { manifest }),
        Err(errors) => {
            // build.rs checks the manifest, so this is only reached if that check was skipped.
            eprintln!("{errors}");
            ExitCode::FAILURE
        }
    }
}
