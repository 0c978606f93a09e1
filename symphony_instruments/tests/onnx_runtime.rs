//! The ONNX backend on the real ONNX Runtime (the PyPI wheel's `libonnxruntime`), against
//! the committed iris model.
//!
//! One test function on purpose: the engine is chosen once per process, so the checks of
//! wrong libraries must run before the real one is loaded.

mod common;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use symphony_instruments::onnx::{Engine, OnnxInstrument};
use symphony_instruments::{Instrument, Limits, OnnxRuntime, Pipeline};

#[tokio::test]
async fn onnxruntime_matches_python_and_wrong_libraries_are_named() {
    let Some(library) = ort_library() else {
        return;
    };

    // Wrong libraries: a missing file, and a file that is not a shared library.
    let missing = PathBuf::from("/nonexistent/libonnxruntime.so.1.31.1");
    let error = OnnxInstrument::load(
        model_path(),
        OnnxRuntime::OnnxRuntime {
            library: missing.clone(),
        },
        None,
        &models_policy(),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("/nonexistent/libonnxruntime.so.1.31.1") && error.contains("does not exist"),
        "{error}"
    );
    let error = OnnxInstrument::load(
        model_path(),
        OnnxRuntime::OnnxRuntime {
            library: model_path(),
        },
        None,
        &models_policy(),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("cannot load") && error.contains("iris.onnx"),
        "{error}"
    );

    // The real library.
    let model = OnnxInstrument::load(
        model_path(),
        OnnxRuntime::OnnxRuntime {
            library: library.clone(),
        },
        Some(1),
        &models_policy(),
    )
    .await
    .unwrap_or_else(|error| panic!("{ORT_LIBRARY_VAR}={}: {error}", library.display()));
    let Some(Engine::OnnxRuntime { version, .. }) = model.engine() else {
        panic!("expected ONNX Runtime, got {:?}", model.engine());
    };
    assert_eq!(version, "1.31.1");

    let reference = reference();
    for (i, row) in reference.inputs.iter().enumerate() {
        let inference = model.infer(rows_input(&[*row])).await.unwrap();
        assert_matches_reference(&reference, i..i + 1, &inference);
    }

    // Batched through the pipeline.
    let pipeline = Pipeline::new(
        Arc::new(model) as Arc<dyn Instrument>,
        Limits::default()
            .with_max_batch(16)
            .with_max_wait(Duration::from_millis(20)),
    );
    let calls = reference.inputs.iter().map(|row| {
        let pipeline = pipeline.clone();
        let input = rows_input(&[*row]);
        async move { pipeline.infer(input).await }
    });
    let results = futures_util::future::join_all(calls).await;
    for (i, result) in results.into_iter().enumerate() {
        assert_matches_reference(&reference, i..i + 1, &result.unwrap());
    }
    assert!(
        pipeline.metrics().mean_batch_size() > 1.5,
        "{:?}",
        pipeline.metrics()
    );

    // Tract cannot join a process that already runs ONNX Runtime; the error says so.
    let error = OnnxInstrument::load(model_path(), OnnxRuntime::Tract, None, &models_policy())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("already runs its ONNX models on ONNX Runtime 1.31.1"),
        "{error}"
    );
}
