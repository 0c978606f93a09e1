//! CSV filter workflow (read → regex filter → write) built from the SDK's operators, against a
//! hand-written loop over the raw `csv` and `regex` crates doing the same work on the same
//! file, side by side in one run; and the per-node overhead of DAG execution.
//!
//! `cargo bench -p symphony_operators --bench workflow -- --warm-up-time 1 --measurement-time 3`
//! (`CSV_FILTER_PARTS=1` adds read-only and read → write workflows, to see where time goes;
//! `CSV_FILTER_BATCH_ROWS=n` sets `csv.read`'s batch size).

use std::hint::black_box;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, LazyLock};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::json;
use symphony_operators::config::ConfigValues;
use symphony_operators::ops;
use symphony_operators::prelude::*;

const PATTERN: &str = r"@example\.(com|org)$";
const ROWS: usize = 300_000;

fn write_input(path: &Path) -> u64 {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create input"));
    writeln!(out, "id,name,email,city,amount").expect("write");
    let domains = ["example.com", "example.org", "mail.test", "corp.invalid"];
    for i in 0..ROWS {
        writeln!(
            out,
            "{i},\"Person {i}, Jr.\",user{i}@{},City {},{}.{:02}",
            domains[i % 4],
            i % 97,
            i * 7 % 10_000,
            i % 100
        )
        .expect("write");
    }
    out.flush().expect("flush");
    std::fs::metadata(path).expect("metadata").len()
}

/// Whether this is criterion's test mode (`cargo test --benches` passes no `--bench`): every
/// path once, quickly, on a debug build.
fn test_mode() -> bool {
    !std::env::args().any(|arg| arg == "--bench")
}

/// The baseline: what a data engineer would write by hand with the same crates.
fn raw_loop(input: &Path, output: &Path) {
    let regex = regex::bytes::Regex::new(PATTERN).expect("regex");
    let mut reader = csv::Reader::from_path(input).expect("open");
    let mut writer = csv::Writer::from_path(output).expect("create");
    writer
        .write_byte_record(reader.byte_headers().expect("headers"))
        .expect("write");
    let column = 2;
    let mut record = csv::ByteRecord::new();
    while reader.read_byte_record(&mut record).expect("read") {
        if record
            .get(column)
            .is_some_and(|field| regex.is_match(field))
        {
            writer.write_byte_record(&record).expect("write");
        }
    }
    writer.flush().expect("flush");
}

/// The raw loop writing as `csv.write` does, for a crash-safe replace: into a temporary
/// file that is synced, renamed over the target, and its directory synced.
fn raw_loop_durable(input: &Path, output: &Path) {
    let temp = output.with_extension("partial");
    raw_loop(input, &temp);
    std::fs::File::open(&temp)
        .and_then(|file| file.sync_all())
        .expect("sync file");
    std::fs::rename(&temp, output).expect("rename");
    if let Some(parent) = output.parent() {
        std::fs::File::open(parent)
            .and_then(|dir| dir.sync_all())
            .expect("sync directory");
    }
}

/// Nanoseconds this thread has spent on a CPU (`/proc/thread-self/schedstat`), on Linux.
fn on_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// `csv.read`'s parameters; `CSV_FILTER_BATCH_ROWS` sets its batch size (to see what the
/// batch's working set costs).
fn read_params(input: &Path) -> serde_json::Value {
    match std::env::var("CSV_FILTER_BATCH_ROWS") {
        Ok(rows) => json!({ "path": input, "batch_rows": rows.parse::<u64>().expect("a number") }),
        Err(_) => json!({ "path": input }),
    }
}

fn csv_filter(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("input.csv");
    let bytes = write_input(&input);
    let (raw_out, sdk_out) = (dir.path().join("raw.csv"), dir.path().join("sdk.csv"));
    let mut builder = Workflow::builder();
    builder
        .then(
            "read",
            Step::with_json(Arc::new(ops::CsvRead), read_params(&input)),
        )
        .and_then(|b| {
            b.then(
                "filter",
                Step::with_json(
                    Arc::new(ops::RegexFilter),
                    json!({ "pattern": PATTERN, "column": "email" }),
                ),
            )
        })
        .and_then(|b| {
            b.then(
                "write",
                Step::with_json(Arc::new(ops::CsvWrite), json!({ "path": sdk_out })),
            )
        })
        .expect("builds");
    let workflow = builder.build().expect("valid");

    // Same output, or the comparison means nothing.
    raw_loop(&input, &raw_out);
    workflow.run(&RunOptions::default()).expect("runs");
    assert_eq!(
        std::fs::read(&raw_out).expect("raw"),
        std::fs::read(&sdk_out).expect("sdk")
    );

    let mut group = c.benchmark_group("csv_filter");
    group.throughput(Throughput::Bytes(bytes));
    group.sample_size(10);
    group.bench_function("raw_csv_regex_loop", |b| {
        b.iter(|| raw_loop(&input, &raw_out))
    });
    group.bench_function("sdk_workflow", |b| {
        b.iter(|| workflow.run(&RunOptions::default()).expect("runs"))
    });
    group.finish();

    // Load on the shared machine swings between criterion's two runs; rounds alternating
    // the two, each round a ratio, give a figure that holds. `csv.write` syncs its file and
    // directory before replacing the target (a crash never leaves half a file); the same
    // loop with the same durability shows what of the gap is that guarantee.
    let durable_out = dir.path().join("durable.csv");
    let rounds = if test_mode() { 1 } else { 15 };
    let mut plain = Vec::with_capacity(rounds);
    let mut durable = Vec::with_capacity(rounds);
    // On-CPU time of this thread per run (every node of the chain runs on it), in the order
    // the runs happen: a figure the machine's load hardly moves.
    let cpu_ns = std::cell::RefCell::new(Vec::new());
    let mut cpu = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let time = |run: &dyn Fn()| {
            let (started, cpu) = (std::time::Instant::now(), on_cpu_ns());
            run();
            let elapsed = started.elapsed().as_secs_f64();
            if let (Some(before), Some(after)) = (cpu, on_cpu_ns()) {
                cpu_ns.borrow_mut().push(after.saturating_sub(before));
            }
            elapsed
        };
        let raw = || raw_loop(&input, &raw_out);
        let raw_durable = || raw_loop_durable(&input, &durable_out);
        let sdk = || {
            workflow.run(&RunOptions::default()).expect("runs");
        };
        let (raw, raw_durable, sdk) = if round % 2 == 0 {
            (time(&raw), time(&raw_durable), time(&sdk))
        } else {
            let sdk = time(&sdk);
            let raw_durable = time(&raw_durable);
            (time(&raw), raw_durable, sdk)
        };
        plain.push(raw / sdk);
        durable.push(raw_durable / sdk);
        let mut used = cpu_ns.borrow_mut();
        if let [first, durable, third] = used[..] {
            // Even rounds ran raw, durable, SDK; odd rounds SDK, durable, raw.
            let (raw, sdk) = if round % 2 == 0 {
                (first, third)
            } else {
                (third, first)
            };
            if sdk > 0 {
                cpu.push((raw as f64 / sdk as f64, durable as f64 / sdk as f64));
            }
        }
        used.clear();
    }
    for (what, ratios) in [
        ("raw loop", &mut plain),
        ("raw loop + fsync and rename (as csv.write)", &mut durable),
    ] {
        ratios.sort_by(f64::total_cmp);
        println!(
            "csv_filter: SDK throughput / {what} throughput over {rounds} interleaved rounds: median {:.2} (min {:.2}, max {:.2})",
            ratios[rounds / 2],
            ratios[0],
            ratios[rounds - 1]
        );
    }
    for (what, pick) in [("raw loop", 0), ("raw loop + fsync and rename", 1)] {
        let mut ratios: Vec<f64> = cpu
            .iter()
            .map(|&(plain, durable)| if pick == 0 { plain } else { durable })
            .collect();
        if ratios.is_empty() {
            continue;
        }
        ratios.sort_by(f64::total_cmp);
        println!(
            "csv_filter: {what} CPU time / SDK CPU time (on-CPU ns of the one thread) over {} rounds: median {:.2} (min {:.2}, max {:.2})",
            ratios.len(),
            ratios[ratios.len() / 2],
            ratios[0],
            ratios[ratios.len() - 1]
        );
    }

    let mut group = c.benchmark_group("csv_filter_parts");
    group.throughput(Throughput::Bytes(bytes));
    group.sample_size(10);
    if std::env::var_os("CSV_FILTER_PARTS").is_some() {
        let copy = dir.path().join("copy.csv");
        let mut builder = Workflow::builder();
        builder
            .then(
                "read",
                Step::with_json(Arc::new(ops::CsvRead), json!({ "path": input })),
            )
            .and_then(|b| {
                b.then(
                    "write",
                    Step::with_json(Arc::new(ops::CsvWrite), json!({ "path": copy })),
                )
            })
            .expect("builds");
        let copy_only = builder.build().expect("valid");
        group.bench_function("sdk_read_write", |b| {
            b.iter(|| copy_only.run(&RunOptions::default()).expect("runs"))
        });
        let mut builder = Workflow::builder();
        builder
            .then(
                "read",
                Step::with_json(Arc::new(ops::CsvRead), json!({ "path": input })),
            )
            .expect("builds");
        let read_only = builder.build().expect("valid");
        group.bench_function("sdk_read", |b| {
            b.iter(|| read_only.run(&RunOptions::default()).expect("runs"))
        });
    }
    group.finish();
}

/// `bench.pass`: forwards every chunk unchanged, so a chain of them measures the runner.
/// `streaming` picks the chunk-by-chunk form (fused: run on the reader's thread) or the
/// plain task (a pooled thread per node, channels between them).
struct Pass {
    streaming: bool,
}

static PASS: LazyLock<OperatorSpec> = LazyLock::new(|| {
    OperatorSpec::new("bench.pass", OperatorCategory::Custom)
        .describe("Forwards its input")
        .input("records", OperatorPortType::Records)
        .output("records", OperatorPortType::Records)
});

impl Operator for Pass {
    fn spec(&self) -> &OperatorSpec {
        &PASS
    }
    fn task(&self, _: &ConfigValues) -> Result<Box<dyn Task>, OperatorError> {
        Ok(Box::new(PassTask {
            streaming: self.streaming,
        }))
    }
}

struct PassTask {
    streaming: bool,
}

/// What a pass node does to a chunk, called directly for the baseline.
#[inline(never)]
fn pass(chunk: Chunk) -> Chunk {
    black_box(chunk)
}

impl Task for PassTask {
    fn run(&self, io: &mut Io<'_>) -> Result<(), OperatorError> {
        while let Some(chunk) = io.recv("records")? {
            io.send("records", pass(chunk))?;
        }
        Ok(())
    }
    fn streaming(&self) -> Option<&dyn Streaming> {
        self.streaming.then_some(self as &dyn Streaming)
    }
}

impl Streaming for PassTask {
    fn open(&self, _: &mut Io<'_>) -> Result<Box<dyn Stage + '_>, OperatorError> {
        Ok(Box::new(PassStage))
    }
}

struct PassStage;

impl Stage for PassStage {
    fn chunk(&mut self, chunk: Chunk, io: &mut Io<'_>) -> Result<(), OperatorError> {
        io.send("records", pass(chunk))
    }
}

const PASSES: usize = 16;

/// Per-node cost of running a node: a chain of `PASSES` pass nodes after a reader of a
/// one-row file, minus the reader alone, per node; the baseline is calling what a pass node
/// does directly, `PASSES` times.
fn node_overhead(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("tiny.csv");
    std::fs::write(&input, "a,b\n1,2\n").expect("write");
    let chain = |passes: usize, streaming: bool| {
        let mut builder = Workflow::builder();
        builder
            .then(
                "read",
                Step::with_json(Arc::new(ops::CsvRead), json!({ "path": input })),
            )
            .expect("node");
        for n in 0..passes {
            builder
                .then(
                    &format!("pass{n}"),
                    Step::with_json(Arc::new(Pass { streaming }), json!({})),
                )
                .expect("node");
        }
        builder.build().expect("valid")
    };
    let workflows = [
        ("read_only", chain(0, false)),
        ("read_plus_16_threaded_nodes", chain(PASSES, false)),
        ("read_plus_16_fused_nodes", chain(PASSES, true)),
    ];
    let chunk = Chunk::Json(vec![json!(1)]);
    let direct = || {
        let mut chunk = chunk.clone();
        for _ in 0..PASSES {
            chunk = pass(chunk);
        }
        black_box(chunk)
    };
    let mut group = c.benchmark_group("dag_overhead");
    group.bench_function("direct_16_calls", |b| b.iter(direct));
    for (name, workflow) in &workflows {
        group.bench_function(*name, |b| {
            b.iter(|| black_box(workflow.run(&RunOptions::default()).expect("runs")))
        });
    }
    group.finish();

    // Side by side in one loop, so that load swings hit every variant alike.
    let rounds = if test_mode() { 2 } else { 200 };
    let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); workflows.len() + 1];
    for _ in 0..rounds {
        let started = std::time::Instant::now();
        direct();
        times[0].push(started.elapsed().as_secs_f64());
        for (slot, (_, workflow)) in times[1..].iter_mut().zip(&workflows) {
            let started = std::time::Instant::now();
            workflow.run(&RunOptions::default()).expect("runs");
            slot.push(started.elapsed().as_secs_f64());
        }
    }
    let median = |times: &mut Vec<f64>| {
        times.sort_by(f64::total_cmp);
        times[times.len() / 2]
    };
    let medians: Vec<f64> = times.iter_mut().map(median).collect();
    let per_node = |total: f64| (total - medians[1] - medians[0]) / PASSES as f64 * 1e6;
    println!(
        "dag_overhead: per node beyond a direct call, median of {rounds} rounds: threaded {:.1} µs, fused {:.2} µs (target ≤ 20 µs)",
        per_node(medians[2]),
        per_node(medians[3]),
    );
}

criterion_group!(benches, csv_filter, node_overhead);
criterion_main!(benches);
