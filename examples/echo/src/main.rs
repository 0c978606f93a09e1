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
//! | `env/get [name]` | reads an environment variable, if the host granted it |
//! | `progress [steps]` | sends `$/progress` notifications, then answers |
//! | `log [message]` | logs through `tracing` (stderr, and `$/log` to the host) |
//! | `big [bytes]` | answers with a string of that many bytes |

use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant};

use symphony_core::protocol::{Capabilities, ErrorObject, Id, RawValue};
use symphony_core::serve::log::{self, LogOptions};
use symphony_core::serve::{Call, Handler, reply, serve};

struct Echo;

impl Handler for Echo {
    fn manifest(&self) -> serde_json::Value {
        serde_json::json!({
            "id": "symphony.echo",
            "name": "Echo",
            "version": env!("CARGO_PKG_VERSION"),
            "kind": "operator",
            "description": "Echoes its input; misbehaves on request.",
        })
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::new([
            "echo", "sleep", "hang", "crash", "panic", "garbage", "env/get", "progress", "log",
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
                // Exact names only: the glob-aware permission checker lives elsewhere.
                if !call.grants().env.contains(&name) {
                    return Err(ErrorObject::permission_denied("env", &name));
                }
                reply(&std::env::var(&name).ok())
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

fn main() -> ExitCode {
    log::init(LogOptions::from_env().forward_to_host(true));
    serve(Echo)
}
