//! Benchmark: parse + validate a realistic manifest (target: ≤ 100 µs).
//!
//! The manifest is the 60-line operator sample the documentation uses: permissions in four
//! categories, four activation events, six config fields (float, enum, secret, array with a
//! pattern, url, object) and an `[operator]` section. Parsing the bare TOML into a
//! `toml::Table` is measured beside it, as the floor the manifest parser builds on.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use symphony_core::manifest::Manifest;

const SAMPLE: &str = include_str!("../src/manifest/sample/symphony.toml");

fn manifest(c: &mut Criterion) {
    let mut group = c.benchmark_group("manifest");
    group.bench_function("toml_table_only", |b| {
        b.iter(|| toml::from_str::<toml::Table>(black_box(SAMPLE)))
    });
    group.bench_function("parse_and_validate_toml", |b| {
        b.iter(|| Manifest::from_toml_str(black_box(SAMPLE)))
    });
    let parsed = Manifest::from_toml_str(SAMPLE);
    let json = parsed
        .as_ref()
        .ok()
        .and_then(|manifest| serde_json::to_string(manifest).ok())
        .unwrap_or_default();
    group.bench_function("parse_and_validate_json", |b| {
        b.iter(|| Manifest::from_json_str(black_box(&json)))
    });
    if let Ok(manifest) = &parsed {
        let values = json!({
            "threshold": 0.7,
            "api_key": "sk-live-0123456789abcdef",
            "tags": ["red", "green"],
            "retry": { "attempts": 5 }
        });
        group.bench_function("validate_config_values", |b| {
            b.iter(|| manifest.config().validate(black_box(&values)))
        });
    }
    group.finish();
}

criterion_group!(benches, manifest);
criterion_main!(benches);
