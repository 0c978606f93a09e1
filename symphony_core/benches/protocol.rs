//! Benchmark: the Orchestra Kit protocol against its physical limits, measured in the same run.
//!
//! The bench binary re-runs itself as the child process (`SYMPHONY_BENCH_CHILD` selects the
//! mode), so the SDK and its baselines are the same build:
//!
//! | SDK measurement | baseline | target |
//! |---|---|---|
//! | `Extension::spawn` (spawn + handshake) + drop | spawn a line-echo child + one exchange + exit | ≤ 2× |
//! | `Extension::call` round trip, small request | one line through a bare line-echo child | ≤ 1.25× |
//! | pipelined `Extension::batch` + `wait`, msgs/s | lines through a child that parses and re-serialises JSON | ≥ 50 % |
//! | `Extension::direct` then `call` | a direct call of the handler's logic | ≤ 5 % overhead |
//!
//! In criterion's `--test` mode (CI), each measurement runs once and the ratio rounds are cut
//! to a few short ones, so that the whole binary checks every path in seconds.
//!
//! Criterion reports absolute times. The ratios are computed separately, at the end, from
//! interleaved rounds: a short burst of the baseline, then of the SDK (then the other way
//! round), many times over, keeping the median of the per-round ratios. On a shared machine
//! whose load changes by the second, measuring the two minutes apart would compare the
//! weather, not the code.
#![allow(missing_docs)]

use std::hint::black_box;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use criterion::Criterion;
use symphony_core::codec::{Decoder, Encoder};
use symphony_core::host::{Extension, ExtensionOptions, PendingCall};
use symphony_core::protocol::{Capabilities, ErrorObject, InitializeResult, RawValue, Request};
use symphony_core::serve::{Call, Handler, serve};

const CHILD: &str = "SYMPHONY_BENCH_CHILD";
const PIPELINED_FULL: usize = 10_000;
/// In `--test` mode.
const PIPELINED_TEST: usize = 100;

/// Whether criterion runs in `--test` mode: every path once, quickly.
static TEST_MODE: AtomicBool = AtomicBool::new(false);

fn test_mode() -> bool {
    TEST_MODE.load(Ordering::Relaxed)
}

/// Messages per pipelined burst.
fn pipelined_count() -> usize {
    if test_mode() {
        PIPELINED_TEST
    } else {
        PIPELINED_FULL
    }
}
const PARAMS: &str = r#"{"text":"hello, extension","n":[1,2,3]}"#;

fn main() -> ExitCode {
    if let Ok(mode) = std::env::var(CHILD) {
        return child(&mode);
    }
    // As criterion decides: `cargo bench` passes `--bench`; `--test`, or no `--bench` (as
    // under `cargo test --benches`), is test mode.
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str| args.iter().any(|arg| arg == name);
    TEST_MODE.store(flag("--test") || !flag("--bench"), Ordering::Relaxed);
    let mut criterion = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    spawn_and_handshake(&mut criterion);
    round_trip(&mut criterion);
    pipelined(&mut criterion);
    in_process(&mut criterion);
    codec(&mut criterion);
    criterion.final_summary();
    summary();
    ExitCode::SUCCESS
}

// ---------------------------------------------------------------------------------------------
// Children.

fn child(mode: &str) -> ExitCode {
    match mode {
        "line-echo" => echo_lines(|line, out| out.write_all(line)),
        "json-echo" => echo_lines(|line, out| {
            let value: serde_json::Value =
                serde_json::from_slice(line).map_err(io::Error::other)?;
            serde_json::to_writer(&mut *out, &value).map_err(io::Error::other)?;
            out.write_all(b"\n")
        }),
        "serve" => return serve(BenchEcho),
        "mini-serve" => mini_serve(),
        other => {
            eprintln!("unknown child mode {other}");
            return ExitCode::FAILURE;
        }
    }
    .map_or(ExitCode::FAILURE, |()| ExitCode::SUCCESS)
}

/// The physical limit: read lines, answer each, flush whenever no more input is buffered.
fn echo_lines(
    answer: impl Fn(&[u8], &mut BufWriter<io::StdoutLock<'static>>) -> io::Result<()>,
) -> io::Result<()> {
    let mut input = BufReader::with_capacity(64 * 1024, io::stdin().lock());
    let mut output = BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return output.flush();
        }
        answer(&line, &mut output)?;
        if input.buffer().is_empty() {
            output.flush()?;
        }
    }
}

/// A minimal single-threaded JSON-RPC responder: the host's side measured alone.
fn mini_serve() -> io::Result<()> {
    #[derive(serde::Deserialize)]
    struct Incoming<'a> {
        id: Option<i64>,
        method: &'a str,
        #[serde(borrow)]
        params: Option<&'a RawValue>,
    }
    // The typed handshake checks the manifest, so answer with a real one.
    let mut result = InitializeResult::new(
        BenchEcho.manifest().clone(),
        Capabilities::new(["echo", "stats"]),
    );
    result.max_message_size = u64::try_from(symphony_core::protocol::DEFAULT_MAX_MESSAGE_SIZE).ok();
    let initialized = serde_json::to_string(&result).map_err(io::Error::other)?;
    let mut input = BufReader::with_capacity(64 * 1024, io::stdin().lock());
    let mut output = BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return output.flush();
        }
        let incoming: Incoming<'_> = serde_json::from_slice(&line).map_err(io::Error::other)?;
        let Some(id) = incoming.id else {
            if incoming.method == "exit" {
                return output.flush();
            }
            continue;
        };
        let result = match incoming.method {
            "initialize" => initialized.as_str(),
            "shutdown" => "null",
            _ => incoming.params.map_or("null", RawValue::get),
        };
        writeln!(output, r#"{{"jsonrpc":"2.0","id":{id},"result":{result}}}"#)?;
        if input.buffer().is_empty() {
            output.flush()?;
        }
    }
}

/// The extension side of the SDK measurements.
struct BenchEcho;

impl BenchEcho {
    /// A typical small handler: deserialise the params, compute, serialise the result.
    fn stats(&self, params: Option<&RawValue>) -> Result<Box<RawValue>, ErrorObject> {
        let numbers: Vec<f64> = serde_json::from_str(params.map_or("null", RawValue::get))
            .map_err(ErrorObject::invalid_params)?;
        let sum: f64 = numbers.iter().sum();
        let max = numbers.iter().copied().fold(f64::MIN, f64::max);
        symphony_core::serve::reply(
            &serde_json::json!({"sum": sum, "max": max, "n": numbers.len()}),
        )
    }

    /// The handler's logic, called directly for the in-process baseline.
    fn echo(&self, params: Option<&RawValue>) -> Box<RawValue> {
        params.map_or_else(
            || RawValue::from_string("null".into()).unwrap_or_default(),
            ToOwned::to_owned,
        )
    }
}

impl Handler for BenchEcho {
    fn manifest(&self) -> &symphony_core::manifest::Manifest {
        static MANIFEST: &symphony_core::manifest::EmbeddedManifest =
            symphony_core::embed_manifest!("src/testing/example.toml");
        // The file is a fixed part of this crate, checked by the doc tests that embed it.
        MANIFEST
            .get()
            .expect("src/testing/example.toml is a valid manifest")
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::new(["echo", "stats"])
    }

    fn handle(&self, call: &Call<'_>) -> Result<Box<RawValue>, ErrorObject> {
        match call.method() {
            "stats" => self.stats(call.raw_params()),
            _ => Ok(self.echo(call.raw_params())),
        }
    }
}

fn child_command(mode: &str) -> Command {
    let mut command = Command::new(std::env::current_exe().expect("own path"));
    command.env(CHILD, mode);
    command
}

struct Bare {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Bare {
    fn start(mode: &str) -> Bare {
        let mut child = child_command(mode)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::with_capacity(64 * 1024, child.stdout.take().expect("stdout"));
        Bare {
            child,
            stdin,
            stdout,
        }
    }

    fn exchange(&mut self, line: &[u8], answer: &mut Vec<u8>) {
        self.stdin.write_all(line).expect("write");
        answer.clear();
        self.stdout.read_until(b'\n', answer).expect("read");
    }

    /// Sends a burst of copies of `line` from a second thread while reading the answers.
    fn pipeline(&mut self, line: &[u8]) {
        std::thread::scope(|scope| {
            let stdin = &mut self.stdin;
            scope.spawn(move || {
                let mut writer = BufWriter::with_capacity(64 * 1024, stdin);
                for _ in 0..pipelined_count() {
                    writer.write_all(line).expect("write");
                }
                writer.flush().expect("flush");
            });
            let mut answer = Vec::new();
            for _ in 0..pipelined_count() {
                answer.clear();
                self.stdout.read_until(b'\n', &mut answer).expect("read");
            }
        });
    }

    fn finish(self) {
        let Bare {
            mut child, stdin, ..
        } = self;
        drop(stdin);
        child.wait().expect("wait");
    }
}

fn request_line() -> Vec<u8> {
    let mut line = serde_json::to_vec(&Request::new(
        1,
        "echo",
        Some(RawValue::from_string(PARAMS.into()).expect("json")),
    ))
    .expect("encode");
    line.push(b'\n');
    line
}

fn params() -> Box<RawValue> {
    RawValue::from_string(PARAMS.into()).expect("json")
}

/// Params of the `stats` handler: 64 numbers.
fn numbers() -> Box<RawValue> {
    let numbers: Vec<f64> = (0..64).map(|i| f64::from(i) * 1.5).collect();
    symphony_core::protocol::to_raw(&numbers).expect("json")
}

// ---------------------------------------------------------------------------------------------
// Criterion measurements (absolute times).

/// How long `run` takes.
fn elapsed(run: impl FnOnce()) -> Duration {
    let started = Instant::now();
    run();
    started.elapsed()
}

fn spawn_and_handshake(c: &mut Criterion) {
    let mut group = c.benchmark_group("spawn");
    let line = request_line();
    group.bench_function("bare_spawn_first_exchange", |b| {
        b.iter_custom(|iters| {
            elapsed(|| {
                let mut answer = Vec::new();
                for _ in 0..iters {
                    let mut bare = Bare::start("line-echo");
                    bare.exchange(&line, &mut answer);
                    bare.finish();
                }
            })
        });
    });
    group.bench_function("sdk_spawn_handshake", |b| {
        b.iter_custom(|iters| {
            elapsed(|| {
                for _ in 0..iters {
                    let host =
                        Extension::spawn(child_command("serve"), ExtensionOptions::default())
                            .expect("spawn");
                    drop(black_box(host));
                }
            })
        });
    });
    group.finish();
}

fn round_trip(c: &mut Criterion) {
    let mut group = c.benchmark_group("round_trip");
    let line = request_line();
    let mut bare = Bare::start("line-echo");
    let mut answer = Vec::new();
    group.bench_function("bare_line_echo", |b| {
        b.iter_custom(|iters| {
            elapsed(|| {
                for _ in 0..iters {
                    bare.exchange(&line, &mut answer);
                }
            })
        });
    });
    bare.finish();
    let host =
        Extension::spawn(child_command("serve"), ExtensionOptions::default()).expect("spawn");
    group.bench_function("sdk_call", |b| {
        b.iter_custom(|iters| {
            elapsed(|| {
                for _ in 0..iters {
                    black_box(host.call_raw("echo", Some(params()), None).expect("call"));
                }
            })
        });
    });
    host.shutdown().expect("shutdown");
    // Diagnostics: each side of the SDK alone against a minimal other side.
    let host =
        Extension::spawn(child_command("mini-serve"), ExtensionOptions::default()).expect("spawn");
    group.bench_function("sdk_host_only", |b| {
        b.iter_custom(|iters| {
            elapsed(|| {
                for _ in 0..iters {
                    black_box(host.call_raw("echo", Some(params()), None).expect("call"));
                }
            })
        });
    });
    drop(host);
    let mut raw = Bare::start("serve");
    let init = br#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"1.0","host":{"name":"bench","version":"0"}}}
"#;
    raw.exchange(init, &mut answer);
    group.bench_function("sdk_serve_only", |b| {
        b.iter_custom(|iters| {
            elapsed(|| {
                for _ in 0..iters {
                    raw.exchange(&line, &mut answer);
                }
            })
        });
    });
    raw.finish();
    group.finish();
}

fn pipelined(c: &mut Criterion) {
    let mut group = c.benchmark_group("pipelined");
    group.throughput(criterion::Throughput::Elements(pipelined_count() as u64));
    let line = request_line();
    let mut bare = Bare::start("json-echo");
    group.bench_function("bare_json_echo", |b| {
        b.iter_custom(|iters| {
            elapsed(|| {
                for _ in 0..iters {
                    bare.pipeline(&line);
                }
            })
        });
    });
    bare.finish();
    let host =
        Extension::spawn(child_command("serve"), ExtensionOptions::default()).expect("spawn");
    let params: serde_json::Value = serde_json::from_str(PARAMS).expect("json");
    group.bench_function("sdk_start_wait", |b| {
        b.iter_custom(|iters| {
            elapsed(|| {
                for _ in 0..iters {
                    let mut batch = host.batch();
                    let calls: Vec<PendingCall> = (0..pipelined_count())
                        .map(|_| batch.start("echo", &params).expect("send"))
                        .collect();
                    batch.send();
                    for call in calls {
                        black_box(call.wait_raw().expect("answer"));
                    }
                }
            })
        });
    });
    host.shutdown().expect("shutdown");
    // Diagnostics: each side of the SDK alone against a minimal other side.
    let host =
        Extension::spawn(child_command("mini-serve"), ExtensionOptions::default()).expect("spawn");
    group.bench_function("sdk_host_only", |b| {
        b.iter_custom(|iters| {
            elapsed(|| {
                for _ in 0..iters {
                    let mut batch = host.batch();
                    let calls: Vec<PendingCall> = (0..pipelined_count())
                        .map(|_| batch.start("echo", &params).expect("send"))
                        .collect();
                    batch.send();
                    for call in calls {
                        black_box(call.wait_raw().expect("answer"));
                    }
                }
            })
        });
    });
    drop(host);
    let mut raw = Bare::start("serve");
    let init = br#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"1.0","host":{"name":"bench","version":"0"}}}
"#;
    raw.exchange(init, &mut Vec::new());
    group.bench_function("sdk_serve_only", |b| {
        b.iter_custom(|iters| {
            elapsed(|| {
                for _ in 0..iters {
                    raw.pipeline(&line);
                }
            })
        });
    });
    raw.finish();
    group.finish();
}

fn in_process(c: &mut Criterion) {
    let mut group = c.benchmark_group("in_process");
    let handler = BenchEcho;
    // Both sides build their params the same way, so only the SDK's share differs.
    group.bench_function("plain_call", |b| {
        b.iter_custom(|iters| {
            elapsed(|| {
                for _ in 0..iters {
                    let params = params();
                    black_box(handler.echo(Some(black_box(&params))));
                }
            })
        });
    });
    let host = Extension::direct(BenchEcho, ExtensionOptions::default()).expect("embed");
    group.bench_function("sdk_direct_call", |b| {
        b.iter_custom(|iters| {
            elapsed(|| {
                for _ in 0..iters {
                    black_box(host.call_raw("echo", Some(params()), None).expect("call"));
                }
            })
        });
    });
    let numbers = numbers();
    group.bench_function("plain_stats", |b| {
        b.iter_custom(|iters| {
            elapsed(|| {
                for _ in 0..iters {
                    black_box(handler.stats(Some(black_box(&numbers))).expect("stats"));
                }
            })
        });
    });
    group.bench_function("sdk_direct_stats", |b| {
        b.iter_custom(|iters| {
            elapsed(|| {
                for _ in 0..iters {
                    let params = Some(black_box(&numbers).clone());
                    black_box(host.call_raw("stats", params, None).expect("call"));
                }
            })
        });
    });
    host.shutdown().expect("shutdown");
    let host = Extension::in_process(BenchEcho, ExtensionOptions::default()).expect("start");
    group.bench_function("sdk_in_process_pipes", |b| {
        b.iter_custom(|iters| {
            elapsed(|| {
                for _ in 0..iters {
                    black_box(host.call_raw("echo", Some(params()), None).expect("call"));
                }
            })
        });
    });
    host.shutdown().expect("shutdown");
    group.finish();
}

fn codec(c: &mut Criterion) {
    let mut group = c.benchmark_group("codec");
    let line = request_line();
    group.throughput(criterion::Throughput::Bytes(line.len() as u64));
    let mut decoder = Decoder::new();
    group.bench_function("decode_request", |b| {
        b.iter(|| {
            decoder.extend(black_box(&line));
            black_box(decoder.next())
        });
    });
    let request = Request::new(1, "echo", Some(params()));
    let mut encoder = Encoder::new();
    group.bench_function("encode_request", |b| {
        b.iter(|| {
            encoder.clear();
            encoder.encode(black_box(&request)).expect("encode");
        });
    });
    group.finish();
}

// ---------------------------------------------------------------------------------------------
// Ratios from interleaved rounds.

const ROUNDS: usize = 21;
/// In `--test` mode.
const ROUNDS_TEST: usize = 3;

/// The median (and quartiles) of `sdk / baseline` over interleaved rounds of `iters` runs
/// (in `--test` mode, a few rounds of one run each).
fn paired(iters: usize, mut baseline: impl FnMut(), mut sdk: impl FnMut()) -> [f64; 3] {
    let (rounds, iters) = if test_mode() {
        (ROUNDS_TEST, 1)
    } else {
        (ROUNDS, iters)
    };
    let time = |f: &mut dyn FnMut()| {
        let started = Instant::now();
        for _ in 0..iters {
            f();
        }
        started.elapsed().as_secs_f64()
    };
    let mut ratios: Vec<f64> = (0..rounds)
        .map(|round| {
            let (b, s) = if round % 2 == 0 {
                let b = time(&mut baseline);
                (b, time(&mut sdk))
            } else {
                let s = time(&mut sdk);
                (time(&mut baseline), s)
            };
            s / b
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    [
        ratios[rounds / 4],
        ratios[rounds / 2],
        ratios[3 * rounds / 4],
    ]
}

/// The round trip with this thread and both children on one CPU, so that what is compared
/// is the work each side does (CPU time and thread switches), not how fast an idle virtual
/// CPU wakes up: unpinned, that wake-up dominates a round trip of a few microseconds and
/// the ratio swings from 0.2× to 10× between runs.
fn pinned_round_trip(line: &[u8]) {
    let Some(unpin) = pin_to_current_cpu() else {
        println!("  round trip, both processes on one CPU: not measured (cannot pin)");
        return;
    };
    // Started after pinning: children and the SDK's threads inherit the mask.
    let mut bare = Bare::start("line-echo");
    let host =
        Extension::spawn(child_command("serve"), ExtensionOptions::default()).expect("spawn");
    let mut answer = Vec::new();
    let trip = paired(
        1500,
        || bare.exchange(line, &mut answer),
        || {
            black_box(host.call_raw("echo", Some(params()), None).expect("call"));
        },
    );
    report("round trip, both processes on one CPU", trip, "≤ 1.25×");
    bare.finish();
    host.shutdown().expect("shutdown");
    unpin();
}

/// Pins the calling thread to the CPU it runs on; the returned function restores its mask.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn pin_to_current_cpu() -> Option<impl FnOnce()> {
    // SAFETY: plain libc calls on a zeroed, correctly sized cpu_set_t owned by this frame.
    unsafe {
        let mut before: libc::cpu_set_t = std::mem::zeroed();
        let size = std::mem::size_of::<libc::cpu_set_t>();
        if libc::sched_getaffinity(0, size, &mut before) != 0 {
            return None;
        }
        let cpu = usize::try_from(libc::sched_getcpu()).ok()?;
        let mut one: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut one);
        if libc::sched_setaffinity(0, size, &one) != 0 {
            return None;
        }
        Some(move || {
            libc::sched_setaffinity(0, size, &before);
        })
    }
}

#[cfg(not(target_os = "linux"))]
fn pin_to_current_cpu() -> Option<impl FnOnce()> {
    None::<fn()>
}

fn report(what: &str, [low, median, high]: [f64; 3], target: &str) {
    println!("  {what}: {median:.2}× (quartiles {low:.2}–{high:.2}; target {target})");
}

fn summary() {
    let rounds = if test_mode() { ROUNDS_TEST } else { ROUNDS };
    println!("\nprotocol ratios (SDK ÷ baseline, median of {rounds} interleaved rounds):");
    let line = request_line();
    let mut answer = Vec::new();

    let spawn = paired(
        3,
        || {
            let mut bare = Bare::start("line-echo");
            bare.exchange(&line, &mut Vec::new());
            bare.finish();
        },
        || {
            drop(
                Extension::spawn(child_command("serve"), ExtensionOptions::default())
                    .expect("spawn"),
            )
        },
    );
    report(
        "spawn + handshake vs bare spawn + first exchange",
        spawn,
        "≤ 2×",
    );

    let mut bare = Bare::start("line-echo");
    let host =
        Extension::spawn(child_command("serve"), ExtensionOptions::default()).expect("spawn");
    let mini =
        Extension::spawn(child_command("mini-serve"), ExtensionOptions::default()).expect("spawn");
    let mut raw = Bare::start("serve");
    let init = br#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"1.0","host":{"name":"bench","version":"0"}}}
"#;
    raw.exchange(init, &mut answer);
    let call = |host: &Extension| {
        black_box(host.call_raw("echo", Some(params()), None).expect("call"));
    };
    let trip = paired(1500, || bare.exchange(&line, &mut answer), || call(&host));
    report("round trip vs bare line echo", trip, "≤ 1.25×");
    let mut answer2 = Vec::new();
    let mut bare2 = Bare::start("line-echo");
    let host_only = paired(1500, || bare2.exchange(&line, &mut answer2), || call(&mini));
    report("  of which: SDK host, minimal extension", host_only, "-");
    let mut answer3 = Vec::new();
    let serve_only = paired(
        1500,
        || bare.exchange(&line, &mut answer3),
        || raw.exchange(&line, &mut answer2),
    );
    report("  of which: raw client, SDK serve loop", serve_only, "-");
    bare.finish();
    bare2.finish();
    pinned_round_trip(&line);

    let mut bare = Bare::start("json-echo");
    let value: serde_json::Value = serde_json::from_str(PARAMS).expect("json");
    let batch = |host: &Extension| {
        let mut batch = host.batch();
        let calls: Vec<PendingCall> = (0..pipelined_count())
            .map(|_| batch.start("echo", &value).expect("send"))
            .collect();
        batch.send();
        for call in calls {
            black_box(call.wait_raw().expect("answer"));
        }
    };
    // Throughput is the inverse of time: report baseline ÷ SDK time as a share.
    let share = |[low, median, high]: [f64; 3]| [1.0 / high, 1.0 / median, 1.0 / low];
    let pipelined = share(paired(1, || bare.pipeline(&line), || batch(&host)));
    let pct =
        |[low, median, high]: [f64; 3]| format!("{median:.2}× (quartiles {low:.2}–{high:.2})");
    println!(
        "  pipelined throughput vs bare JSON echo: {} (target ≥ 0.5×)",
        pct(pipelined)
    );
    let mut bare2 = Bare::start("json-echo");
    let host_only = share(paired(1, || bare2.pipeline(&line), || batch(&mini)));
    println!(
        "    of which: SDK host, minimal extension: {}",
        pct(host_only)
    );
    let serve_only = share(paired(1, || bare.pipeline(&line), || raw.pipeline(&line)));
    println!(
        "    of which: raw client, SDK serve loop: {}",
        pct(serve_only)
    );
    bare.finish();
    bare2.finish();
    raw.finish();
    host.shutdown().expect("shutdown");
    mini.shutdown().expect("shutdown");

    let handler = BenchEcho;
    let direct = Extension::direct(BenchEcho, ExtensionOptions::default()).expect("direct");
    let echo = paired(
        100_000,
        || {
            let params = params();
            black_box(handler.echo(Some(black_box(&params))));
        },
        || call(&direct),
    );
    report(
        "Extension::direct call vs a plain call, echo (does nothing)",
        echo,
        "≤ 1.05×",
    );
    let numbers = numbers();
    let stats = paired(
        10_000,
        || {
            black_box(handler.stats(Some(black_box(&numbers))).expect("stats"));
        },
        || {
            let params = Some(black_box(&numbers).clone());
            black_box(direct.call_raw("stats", params, None).expect("call"));
        },
    );
    report(
        "Extension::direct call vs a plain call, typical handler (64 numbers in, stats out)",
        stats,
        "≤ 1.05×",
    );
    let in_process = Extension::in_process(BenchEcho, ExtensionOptions::default()).expect("start");
    let pipes = paired(
        1500,
        || {
            let params = params();
            black_box(handler.echo(Some(black_box(&params))));
        },
        || call(&in_process),
    );
    report(
        "in-process call over pipes vs direct call, echo",
        pipes,
        "-",
    );
}
