//! Benchmark: manifest parsing scales linearly with the number of keys, up to a 16 MiB
//! manifest (the default message limit of a handshake), which must be parsed or refused
//! within a second: a text over `MAX_MANIFEST_BYTES` (1 MiB) is refused unread by
//! `Manifest::from_toml_str` / `from_json_str` and by the host's handshake.
//!
//! Each shape is measured at 1k, 10k and 100k keys; linear parsing shows ten times the time
//! for ten times the keys. The shapes are the ones that used to be quadratic: unknown keys
//! (an error each, with a line and column), config fields (a JSON object's duplicate-key
//! check, the schema's name lookups) and an enum array default checked item by item against
//! a thousand values. Beside them, the bare `toml` and `serde_json` parses of the same text
//! are measured as the floor.
//!
//! `scaling_guard` runs first, also in `--test` mode: it times each shape at n and 4n keys
//! (the best of a few runs) and fails if the ratio is nearer 16 (quadratic) than 4 (linear).
#![allow(missing_docs)]

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use symphony_core::manifest::{MAX_MANIFEST_BYTES, Manifest};

const HEADER: &str = "id = \"acme.big\"\nname = \"Big\"\nversion = \"1.0.0\"\nkind = \"operator\"\n\
                      engine = \"^1\"\n";
const SIXTEEN_MIB: usize = 16 << 20;

/// A TOML manifest with `n` unknown top-level keys: `n` errors, each with a location.
fn unknown_keys(n: usize) -> String {
    let mut text = String::from(HEADER);
    for i in 0..n {
        let _ = writeln!(text, "unknown_{i} = {i}");
    }
    text.push_str("[operator]\ncategory = \"custom\"\n");
    text
}

/// A valid JSON manifest with `n` config fields, as a handshake would carry it.
fn config_fields_json(n: usize) -> String {
    let mut text = String::from(
        r#"{"id":"acme.big","name":"Big","version":"1.0.0","kind":"operator","engine":"^1","operator":{"category":"custom"},"config":{"#,
    );
    for i in 0..n {
        if i > 0 {
            text.push(',');
        }
        let _ = write!(text, r#""f{i}":{{"type":"integer","default":{i}}}"#);
    }
    text.push_str("}}");
    text
}

/// A valid TOML manifest with an array field whose items are one of up to 1000 enum values
/// (the most an enum may list is 1024) and whose default lists `n` of them.
fn enum_default(n: usize) -> String {
    let count = n.min(1000);
    let mut values = String::new();
    let mut default = String::new();
    for i in 0..count {
        let _ = write!(values, "\"v{i}\",");
    }
    for i in 0..n {
        let _ = write!(default, "\"v{}\",", (i * 7919) % count);
    }
    format!(
        "{HEADER}[config.pick]\ntype = \"array\"\nitems = {{ type = \"enum\", values = [{values}] }}\n\
         default = [{default}]\n[operator]\ncategory = \"custom\"\n"
    )
}

/// `shape` grown to at least `size` bytes.
fn at_least(size: usize, shape: fn(usize) -> String) -> String {
    let per_key = shape(1_000).len() / 1_000;
    let mut n = size / per_key.max(1);
    loop {
        let text = shape(n);
        if text.len() >= size {
            return text;
        }
        n += n / 32 + 1;
    }
}

fn parse_toml(text: &str) -> bool {
    Manifest::from_toml_str(black_box(text)).is_ok()
}

fn parse_json(text: &str) -> bool {
    // The host reads the manifest in the handshake through serde.
    serde_json::from_str::<Manifest>(black_box(text)).is_ok()
}

/// The bare parse of the same text into the format's own value type.
fn floor(text: &str) -> bool {
    if text.starts_with('{') {
        serde_json::from_str::<serde_json::Value>(black_box(text)).is_ok()
    } else {
        toml::from_str::<toml::Table>(black_box(text)).is_ok()
    }
}

/// Name, text, parse, whether the text is a valid manifest, and whether the parse refuses a
/// text over `MAX_MANIFEST_BYTES` unread (the serde path has no text to measure; the host
/// checks the size of the answer before it).
type Shape = (
    &'static str,
    fn(usize) -> String,
    fn(&str) -> bool,
    bool,
    bool,
);

const SHAPES: [Shape; 3] = [
    ("unknown_keys_toml", unknown_keys, parse_toml, false, true),
    (
        "config_fields_json",
        config_fields_json,
        parse_json,
        true,
        false,
    ),
    ("enum_default_toml", enum_default, parse_toml, true, true),
];

/// What parsing `text` must give: `valid`, unless the parse refuses its size.
fn expected(text: &str, valid: bool, capped: bool) -> bool {
    valid && !(capped && text.len() > MAX_MANIFEST_BYTES)
}

/// The CPU time this thread has used: unlike the wall clock, it does not count the time the
/// thread waited for a core, so a busy machine does not make the longer parse look slower.
#[cfg(unix)]
#[allow(unsafe_code)]
fn cpu_time() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid timespec to write; the clock id is a constant.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(status, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    Duration::new(
        u64::try_from(now.tv_sec).unwrap_or_default(),
        u32::try_from(now.tv_nsec).unwrap_or_default(),
    )
}

/// Without a thread clock: the wall clock, from the first call.
#[cfg(not(unix))]
fn cpu_time() -> Duration {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START.get_or_init(std::time::Instant::now).elapsed()
}

fn best_of(runs: usize, text: &str, parse: fn(&str) -> bool, valid: bool) -> Duration {
    (0..runs)
        .map(|_| {
            let started = cpu_time();
            assert_eq!(parse(text), valid, "unexpected parse result");
            cpu_time().saturating_sub(started)
        })
        .min()
        .unwrap_or_default()
}

/// Fails when quadrupling the keys costs nearer 16× (quadratic) than 4× (linear).
fn scaling_guard(_: &mut Criterion) {
    for (name, shape, parse, valid, capped) in SHAPES {
        let (small, large) = (shape(5_000), shape(20_000));
        assert!(
            !capped || large.len() <= MAX_MANIFEST_BYTES,
            "{name}: the guard must parse, not refuse"
        );
        let ratio = best_of(5, &large, parse, valid).as_secs_f64()
            / best_of(5, &small, parse, valid).as_secs_f64();
        println!("scaling_guard {name}: 4x keys took {ratio:.1}x the time");
        assert!(
            ratio < 9.0,
            "{name}: 4x the keys took {ratio:.1}x the time; parsing is not linear"
        );
    }
}

fn scaling(c: &mut Criterion) {
    let mut group = c.benchmark_group("manifest_scaling");
    group.sample_size(10);
    for (name, shape, parse, valid, capped) in SHAPES {
        for n in [1_000, 10_000, 100_000] {
            let text = shape(n);
            let valid = expected(&text, valid, capped);
            group.throughput(Throughput::Elements(n as u64));
            group.bench_with_input(BenchmarkId::new(name, n), &text, |b, text| {
                b.iter(|| assert_eq!(parse(text), valid));
            });
            group.bench_with_input(
                BenchmarkId::new(format!("{name}_floor"), n),
                &text,
                |b, text| {
                    b.iter(|| floor(text));
                },
            );
        }
    }
    group.finish();
}

fn sixteen_mib(c: &mut Criterion) {
    let mut group = c.benchmark_group("manifest_16mib");
    group.sample_size(10);
    for (name, shape, parse, valid, capped) in SHAPES {
        let text = at_least(SIXTEEN_MIB, shape);
        let valid = expected(&text, valid, capped);
        group.throughput(Throughput::Bytes(text.len() as u64));
        // The contract: parsed (or refused) within a second, in release.
        let once = best_of(1, &text, parse, valid);
        println!("manifest_16mib {name}: {} bytes in {once:?}", text.len());
        group.bench_with_input(BenchmarkId::from_parameter(name), &text, |b, text| {
            b.iter(|| assert_eq!(parse(text), valid));
        });
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("{name}_floor")),
            &text,
            |b, text| b.iter(|| floor(text)),
        );
    }
    group.finish();
}

criterion_group!(benches, scaling_guard, scaling, sixteen_mib);
criterion_main!(benches);
