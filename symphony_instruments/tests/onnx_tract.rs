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
