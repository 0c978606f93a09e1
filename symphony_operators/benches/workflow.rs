//! CSV filter workflow (read → regex filter → write) built from the SDK's operators, against a
//! hand-written loop over the raw `csv` and `regex` crates doing the same work on the same
//! file, side by side in one run; and the per-node overhead of DAG execution.
//!
//! `cargo bench -p symphony_operators --bench workflow -- --warm-up-time 1 --measurement-time 3`
//! (`CSV_FILTER_PARTS=1` adds read-only and read → write workflows, to see where time goes).

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

fn csv_filter(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("input.csv");
    let bytes = write_input(&input);
    let (raw_out, sdk_out) = (dir.path().join("raw.csv"), dir.path().join("sdk.csv"));
    let mut builder = Workflow::builder();
    builder
        .then(
            "read",
            Step::with_json(Arc::new(ops::CsvRead), json!({ "path": input })),
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
    // the two, each round a ratio, give a figure that holds.
    let mut ratios: Vec<f64> = (0..9)
        .map(|round| {
            let time = |sdk: bool| {
                let started = std::time::Instant::now();
                if sdk {
                    workflow.run(&RunOptions::default()).expect("runs");
                } else {
                    raw_loop(&input, &raw_out);
                }
                started.elapsed().as_secs_f64()
            };
            let (raw, sdk) = if round % 2 == 0 {
                let raw = time(false);
                (raw, time(true))
            } else {
                let sdk = time(true);
                (time(false), sdk)
            };
            raw / sdk
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    println!(
        "csv_filter: SDK throughput / raw loop throughput over {} interleaved rounds: median {:.2} (min {:.2}, max {:.2})",
        ratios.len(),
        ratios[ratios.len() / 2],
        ratios[0],
        ratios[ratios.len() - 1]
    );

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
struct Pass;

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
        Ok(Box::new(PassTask))
    }
}

struct PassTask;

impl Task for PassTask {
    fn run(&self, io: &mut Io<'_>) -> Result<(), OperatorError> {
        while let Some(chunk) = io.recv("records")? {
            io.send("records", chunk)?;
        }
        Ok(())
    }
}

fn node_overhead(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("tiny.csv");
    std::fs::write(&input, "a,b\n1,2\n").expect("write");
    let chain = |passes: usize| {
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
                    Step::with_json(Arc::new(Pass), json!({})),
                )
                .expect("node");
        }
        builder.build().expect("valid")
    };
    let mut group = c.benchmark_group("dag_overhead");
    for passes in [0, 16] {
        let workflow = chain(passes);
        group.bench_function(format!("read_plus_{passes}_pass_nodes"), |b| {
            b.iter(|| black_box(workflow.run(&RunOptions::default()).expect("runs")))
        });
    }
    group.finish();
}

criterion_group!(benches, csv_filter, node_overhead);
criterion_main!(benches);
