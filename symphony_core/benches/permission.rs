//! Permission check cost (target: well under 1 µs per check), and path normalisation measured
//! separately since it makes system calls and is done once per path, not once per check.
#![allow(missing_docs)]

use std::hint::black_box;
use std::os::unix::fs::symlink;

use criterion::{Criterion, criterion_group, criterion_main};
use symphony_core::permission::{FsAccess, NormalizedPath, Permissions, Policy, Resource};

/// A realistic extension: a few filesystem, network and env rules, a host grant that narrows
/// them, and a host deny list.
const REQUEST: &str = r#"
filesystem = [
    { path = "src/**/*.rs", access = ["read"] },
    { path = "data/**/*.csv", access = ["read"] },
    { path = "out/**", access = ["read", "write", "delete"] },
    { path = "/usr/share/dict/*", access = ["read"] },
]
network = [
    { host = "api.example.com", ports = [443] },
    { host = "*.cdn.example.net" },
    { host = "127.0.0.1", ports = [8080, 8081] },
]
env = ["OPENAI_*", "HOME", "LANG"]
model = ["invoke"]
"#;

const GRANT: &str = r#"
filesystem = [
    { path = "src/**", access = ["read"] },
    { path = "data/**", access = ["read"] },
    { path = "out/*.json", access = ["write"] },
]
network = [{ host = "*.example.com" }, { host = "127.0.0.1" }]
env = ["OPENAI_API_KEY", "HOME"]
model = ["invoke"]
"#;

const DENY: &str = r#"
filesystem = [{ path = "**/.env", access = ["read", "write", "delete"] }, { path = "**/.git/**", access = ["write", "delete"] }]
network = [{ host = "169.254.169.254" }]
"#;

fn permissions(text: &str) -> Permissions {
    toml::from_str(text).expect("bench permissions parse")
}

fn bench_permission(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let ws = dir
        .path()
        .canonicalize()
        .expect("canonical temp dir")
        .join("workspace");
    std::fs::create_dir_all(ws.join("data/2024/q1")).expect("create data dirs");
    std::fs::create_dir_all(ws.join("src/permission")).expect("create src dirs");
    std::fs::write(ws.join("data/2024/q1/sales.csv"), "a,b\n").expect("write csv");
    std::fs::write(ws.join("src/permission/policy.rs"), "").expect("write rs");
    symlink(ws.join("data/2024"), ws.join("latest")).expect("symlink");

    let policy = Policy::builder(&permissions(REQUEST), &permissions(GRANT))
        .deny(&permissions(DENY))
        .workspace_root(&ws)
        .build()
        .expect("policy compiles");

    let normalize = |p: &str| NormalizedPath::with_base(p, &ws).expect("normalises");
    let csv = normalize("data/2024/q1/sales.csv");
    let source = normalize("src/permission/policy.rs");
    let new_output = normalize("out/report.json");
    let secret = normalize("data/.env");
    let outside = normalize("../../etc/passwd");

    let mut group = c.benchmark_group("check");
    let cases = [
        ("path allowed (csv)", Resource::path(&csv, FsAccess::Read)),
        (
            "path allowed (source)",
            Resource::path(&source, FsAccess::Read),
        ),
        ("path needs prompt", Resource::path(&csv, FsAccess::Write)),
        (
            "path allowed (new file)",
            Resource::path(&new_output, FsAccess::Write),
        ),
        (
            "path denied by host",
            Resource::path(&secret, FsAccess::Read),
        ),
        (
            "path not requested",
            Resource::path(&outside, FsAccess::Read),
        ),
        ("host allowed", Resource::host("api.example.com", 443)),
        (
            "host glob allowed",
            Resource::host("img.cdn.example.net", 443),
        ),
        ("host ip legacy spelling", Resource::host("127.1", 8080)),
        ("host denied by host", Resource::host("169.254.169.254", 80)),
        ("env allowed", Resource::env_var("OPENAI_API_KEY")),
        (
            "env not requested",
            Resource::env_var("AWS_SECRET_ACCESS_KEY"),
        ),
    ];
    for (name, resource) in cases {
        group.bench_function(name, |b| b.iter(|| policy.check(black_box(&resource))));
    }
    group.finish();

    let mut group = c.benchmark_group("normalize");
    let existing = ws.join("data/2024/q1/sales.csv");
    let missing = ws.join("out/reports/2024/summary.json");
    let through_link = ws.join("latest/q1/../q1/sales.csv");
    group.bench_function("existing file (depth 4 in workspace)", |b| {
        b.iter(|| NormalizedPath::new(black_box(&existing)))
    });
    group.bench_function("file not yet created", |b| {
        b.iter(|| NormalizedPath::new(black_box(&missing)))
    });
    group.bench_function("through a symlink and ..", |b| {
        b.iter(|| NormalizedPath::new(black_box(&through_link)))
    });
    group.bench_function("std::fs::canonicalize (baseline)", |b| {
        b.iter(|| std::fs::canonicalize(black_box(&existing)))
    });
    group.finish();
}

criterion_group!(benches, bench_permission);
criterion_main!(benches);
