//! Peak memory of a CSV filter workflow (read → regex filter → write) as the file grows:
//! each size runs in a child process, which reports its own peak resident set (`VmHWM`).
//!
//! `cargo bench -p symphony_operators --bench memory` (100 MB and 1 GB; the files are
//! generated in a temporary directory and deleted afterwards). `MEMORY_BENCH_MB=10,40` picks
//! other sizes. Run as a test (`cargo test --benches`, no `--bench` argument) it uses 10 and
//! 40 MB, so CI checks the curve without a gigabyte of scratch disk. A size whose input and
//! output would not fit in the free space of the temporary directory is refused up front,
//! naming the sizes, rather than failing half-way with `ENOSPC`.

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use serde_json::json;
use symphony_operators::ops;
use symphony_operators::prelude::*;

const CHILD: &str = "MEMORY_BENCH_CHILD_INPUT";

fn main() {
    if let Some(input) = std::env::var_os(CHILD) {
        child(Path::new(&input));
        return;
    }
    if !cfg!(target_os = "linux") {
        eprintln!("the memory benchmark reads /proc and runs on Linux only");
        return;
    }
    let sizes: Vec<u64> = std::env::var("MEMORY_BENCH_MB")
        .ok()
        .map(|list| {
            list.split(',')
                .filter_map(|n| n.trim().parse().ok())
                .collect()
        })
        .unwrap_or_else(|| {
            // `cargo bench` passes `--bench`; `cargo test --benches` does not.
            if std::env::args().any(|arg| arg == "--bench") {
                vec![100, 1000]
            } else {
                vec![10, 40]
            }
        });
    let dir = tempfile::tempdir().expect("tempdir");
    let largest = sizes.iter().copied().max().unwrap_or(0);
    // The input plus the filtered output (at most as large) must fit at once.
    let needed = 2 * largest * 1_000_000;
    if let Some(free) = free_bytes(dir.path()) {
        assert!(
            free > needed + 64 * 1_000_000,
            "the memory benchmark needs {} MB free in {} for its {largest} MB case, and {} MB are; \
             pick smaller sizes with MEMORY_BENCH_MB or point TMPDIR elsewhere",
            needed / 1_000_000,
            dir.path().display(),
            free / 1_000_000
        );
    }
    let mut peaks = Vec::new();
    for mb in sizes {
        let input = dir.path().join(format!("{mb}.csv"));
        let bytes = generate(&input, mb * 1_000_000);
        let started = Instant::now();
        let output = Command::new(std::env::current_exe().expect("own path"))
            .env(CHILD, &input)
            .output()
            .expect("child runs");
        assert!(
            output.status.success(),
            "child failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let peak_kb: u64 = String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .expect("VmHWM in kB");
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "csv filter workflow, {:>6.0} MB input: peak RSS {:>7.1} MB, {:>6.1} MB/s",
            bytes as f64 / 1e6,
            peak_kb as f64 / 1024.0,
            bytes as f64 / 1e6 / seconds
        );
        std::fs::remove_file(&input).expect("delete input");
        peaks.push(peak_kb);
    }
    if let (Some(first), Some(last)) = (peaks.first(), peaks.last()) {
        println!(
            "peak ratio largest/smallest: {:.2}",
            *last as f64 / *first as f64
        );
    }
}

/// Free bytes on the filesystem holding `dir`, from `df` (POSIX output), if it can be read.
fn free_bytes(dir: &Path) -> Option<u64> {
    let out = Command::new("df").arg("-Pk").arg(dir).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let kb: u64 = text
        .lines()
        .nth(1)?
        .split_whitespace()
        .nth(3)?
        .parse()
        .ok()?;
    Some(kb * 1024)
}

fn generate(path: &Path, bytes: u64) -> u64 {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    let mut written = 0u64;
    let header = b"id,name,email,city,amount\n";
    out.write_all(header).expect("write");
    written += header.len() as u64;
    let domains = ["example.com", "example.org", "mail.test", "corp.invalid"];
    let mut i = 0usize;
    while written < bytes {
        let line = format!(
            "{i},\"Person {i}, Jr.\",user{i}@{},City {},{}\n",
            domains[i % 4],
            i % 97,
            i % 10_000
        );
        out.write_all(line.as_bytes()).expect("write");
        written += line.len() as u64;
        i += 1;
    }
    out.flush().expect("flush");
    written
}

fn child(input: &Path) {
    let output = input.with_extension("out.csv");
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
                    json!({ "pattern": r"@example\.(com|org)$", "column": "email" }),
                ),
            )
        })
        .and_then(|b| {
            b.then(
                "write",
                Step::with_json(Arc::new(ops::CsvWrite), json!({ "path": output })),
            )
        })
        .expect("builds");
    builder
        .build()
        .expect("valid")
        .run(&RunOptions::default())
        .expect("runs");
    std::fs::remove_file(&output).expect("delete output");
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let peak = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .expect("VmHWM");
    println!("{peak}");
}
