//! Benchmark: the Orchestra Kit protocol against its physical limits, measured in the same run.
//!
//! The bench binary re-runs itself as the child process (`SYMPHONY_BENCH_CHILD` selects the
//! mode), so the SDK and its baselines are the same build:
//!
//! | SDK measurement | baseline | target |
//! |---|---|---|
//! | `Host::spawn` (spawn + handshake) + drop | spawn a line-echo child + one exchange + exit | ≤ 2× |
//! | `Host::call` round trip, small request | one line through a bare line-echo child | ≤ 1.25× |
//! | pipelined `Host::batch` + `wait`, msgs/s | lines through a child that parses and re-serialises JSON | ≥ 50 % |
//! | embedded `Host::call` | a direct call of the handler's logic | ≤ 5 % overhead |
//!
//! A summary of the ratios is printed at the end.
#![allow(missing_docs)]

use std::collections::BTreeMap;
use std::hint::black_box;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitCode, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use criterion::Criterion;
use symphony_core::codec::{Decoder, Encoder};
use symphony_core::host::{Host, HostOptions, PendingCall};
use symphony_core::protocol::{Capabilities, ErrorObject, RawValue, Request};
use symphony_core::serve::{Call, Handler, serve};

const CHILD: &str = "SYMPHONY_BENCH_CHILD";
const PIPELINED: usize = 10_000;
const PARAMS: &str = r#"{"text":"hello, extension","n":[1,2,3]}"#;

fn main() -> ExitCode {
    if let Ok(mode) = std::env::var(CHILD) {
        return child(&mode);
    }
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
    let initialized = format!(
        r#"{{"protocolVersion":"1.0","manifest":{{}},"capabilities":{{}},"maxMessageSize":{}}}"#,
        symphony_core::protocol::DEFAULT_MAX_MESSAGE_SIZE
    );
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
    fn manifest(&self) -> serde_json::Value {
        serde_json::json!({"id": "bench.echo"})
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

    /// Sends `PIPELINED` copies of `line` from a second thread while reading the answers.
    fn pipeline(&mut self, line: &[u8]) {
        std::thread::scope(|scope| {
            let stdin = &mut self.stdin;
            scope.spawn(move || {
                let mut writer = BufWriter::with_capacity(64 * 1024, stdin);
                for _ in 0..PIPELINED {
                    writer.write_all(line).expect("write");
                }
                writer.flush().expect("flush");
            });
            let mut answer = Vec::new();
            for _ in 0..PIPELINED {
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
// Measurements, recorded for the summary as mean time per iteration.

static MEANS: Mutex<BTreeMap<String, (Duration, u64)>> = Mutex::new(BTreeMap::new());

fn timed(name: &str, iters: u64, run: impl FnOnce()) -> Duration {
    let started = Instant::now();
    run();
    let elapsed = started.elapsed();
    let mut means = MEANS.lock().expect("lock");
    let entry = means.entry(name.to_owned()).or_default();
    entry.0 += elapsed;
    entry.1 += iters;
    elapsed
}

fn mean(name: &str) -> Option<Duration> {
    let means = MEANS.lock().expect("lock");
    let (total, iters) = means.get(name)?;
    Some(*total / u32::try_from((*iters).max(1)).unwrap_or(u32::MAX))
}

fn spawn_and_handshake(c: &mut Criterion) {
    let mut group = c.benchmark_group("spawn");
    let line = request_line();
    group.bench_function("bare_spawn_first_exchange", |b| {
        b.iter_custom(|iters| {
            timed("spawn/bare", iters, || {
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
            timed("spawn/sdk", iters, || {
                for _ in 0..iters {
                    let host =
                        Host::spawn(child_command("serve"), HostOptions::default()).expect("spawn");
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
            timed("round_trip/bare", iters, || {
                for _ in 0..iters {
                    bare.exchange(&line, &mut answer);
                }
            })
        });
    });
    bare.finish();
    let host = Host::spawn(child_command("serve"), HostOptions::default()).expect("spawn");
    group.bench_function("sdk_call", |b| {
        b.iter_custom(|iters| {
            timed("round_trip/sdk", iters, || {
                for _ in 0..iters {
                    black_box(host.call_raw("echo", Some(params()), None).expect("call"));
                }
            })
        });
    });
    host.shutdown().expect("shutdown");
    // Diagnostics: each side of the SDK alone against a minimal other side.
    let host = Host::spawn(child_command("mini-serve"), HostOptions::default()).expect("spawn");
    group.bench_function("sdk_host_only", |b| {
        b.iter_custom(|iters| {
            timed("round_trip/host_only", iters, || {
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
            timed("round_trip/serve_only", iters, || {
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
    group.throughput(criterion::Throughput::Elements(PIPELINED as u64));
    let line = request_line();
    let mut bare = Bare::start("json-echo");
    group.bench_function("bare_json_echo", |b| {
        b.iter_custom(|iters| {
            timed("pipelined/bare", iters, || {
                for _ in 0..iters {
                    bare.pipeline(&line);
                }
            })
        });
    });
    bare.finish();
    let host = Host::spawn(child_command("serve"), HostOptions::default()).expect("spawn");
    let params: serde_json::Value = serde_json::from_str(PARAMS).expect("json");
    group.bench_function("sdk_start_wait", |b| {
        b.iter_custom(|iters| {
            timed("pipelined/sdk", iters, || {
                for _ in 0..iters {
                    let mut batch = host.batch();
                    let calls: Vec<PendingCall> = (0..PIPELINED)
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
    let host = Host::spawn(child_command("mini-serve"), HostOptions::default()).expect("spawn");
    group.bench_function("sdk_host_only", |b| {
        b.iter_custom(|iters| {
            timed("pipelined/host_only", iters, || {
                for _ in 0..iters {
                    let mut batch = host.batch();
                    let calls: Vec<PendingCall> = (0..PIPELINED)
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
            timed("pipelined/serve_only", iters, || {
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
    group.bench_function("direct_call", |b| {
        b.iter_custom(|iters| {
            timed("in_process/direct", iters, || {
                for _ in 0..iters {
                    let params = params();
                    black_box(handler.echo(Some(black_box(&params))));
                }
            })
        });
    });
    let host = Host::embedded(BenchEcho, HostOptions::default()).expect("embed");
    group.bench_function("sdk_embedded_call", |b| {
        b.iter_custom(|iters| {
            timed("in_process/embedded", iters, || {
                for _ in 0..iters {
                    black_box(host.call_raw("echo", Some(params()), None).expect("call"));
                }
            })
        });
    });
    let numbers = numbers();
    group.bench_function("direct_stats", |b| {
        b.iter_custom(|iters| {
            timed("in_process/direct_stats", iters, || {
                for _ in 0..iters {
                    black_box(handler.stats(Some(black_box(&numbers))).expect("stats"));
                }
            })
        });
    });
    group.bench_function("sdk_embedded_stats", |b| {
        b.iter_custom(|iters| {
            timed("in_process/embedded_stats", iters, || {
                for _ in 0..iters {
                    let params = Some(black_box(&numbers).clone());
                    black_box(host.call_raw("stats", params, None).expect("call"));
                }
            })
        });
    });
    host.shutdown().expect("shutdown");
    let host = Host::in_process(BenchEcho, HostOptions::default()).expect("start");
    group.bench_function("sdk_in_process_pipes", |b| {
        b.iter_custom(|iters| {
            timed("in_process/pipes", iters, || {
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

fn summary() {
    let ratio = |sdk: &str, bare: &str| Some(mean(sdk)?.as_secs_f64() / mean(bare)?.as_secs_f64());
    println!("\nprotocol benchmark summary (same run, mean per iteration):");
    for (name, sdk, bare, target) in [
        (
            "spawn + handshake vs bare spawn + exchange",
            "spawn/sdk",
            "spawn/bare",
            "≤ 2×",
        ),
        (
            "round trip vs bare line echo",
            "round_trip/sdk",
            "round_trip/bare",
            "≤ 1.25×",
        ),
        (
            "  of which: SDK host, minimal extension",
            "round_trip/host_only",
            "round_trip/bare",
            "-",
        ),
        (
            "  of which: raw client, SDK serve loop",
            "round_trip/serve_only",
            "round_trip/bare",
            "-",
        ),
        (
            "embedded call vs direct call",
            "in_process/embedded",
            "in_process/direct",
            "≤ 1.05×",
        ),
        (
            "embedded call vs direct call, typical handler (64 numbers in, stats out)",
            "in_process/embedded_stats",
            "in_process/direct_stats",
            "≤ 1.05×",
        ),
        (
            "in-process call over pipes vs direct call",
            "in_process/pipes",
            "in_process/direct",
            "-",
        ),
    ] {
        if let (Some(r), Some(s), Some(b)) = (ratio(sdk, bare), mean(sdk), mean(bare)) {
            println!("  {name}: {s:?} vs {b:?} = {r:.2}× (target {target})");
        }
    }
    let rate = |name: &str| Some(PIPELINED as f64 / mean(name)?.as_secs_f64());
    if let Some(bare) = rate("pipelined/bare") {
        for (name, sdk) in [
            ("pipelined", "pipelined/sdk"),
            (
                "  of which: SDK host, minimal extension",
                "pipelined/host_only",
            ),
            (
                "  of which: raw client, SDK serve loop",
                "pipelined/serve_only",
            ),
        ] {
            if let Some(sdk) = rate(sdk) {
                println!(
                    "  {name}: {sdk:.0} msgs/s vs bare JSON echo {bare:.0} msgs/s = {:.0} % \
                     (target ≥ 50 %)",
                    100.0 * sdk / bare
                );
            }
        }
    }
}
