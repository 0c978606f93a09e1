//! The committed iris model and its reference outputs from Python onnxruntime.

#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;
use symphony_instruments::permission::{Permissions, Policy};
use symphony_instruments::{Inference, InferenceInput, InferenceOutput, Tensor, TensorData};

/// Agreement required with Python onnxruntime.
pub const TOLERANCE: f32 = 1e-5;

pub fn model_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/onnx-classifier/model")
}

pub fn model_path() -> PathBuf {
    model_dir().join("iris.onnx")
}

/// A policy that requests and grants `permissions` (the `[permissions]` table as JSON).
pub fn policy(permissions: serde_json::Value) -> Policy {
    let permissions: Permissions = serde_json::from_value(permissions).unwrap();
    Policy::builder(&permissions, &permissions).build().unwrap()
}

/// Reading any file and invoking models: what the tests of loading and running need.
pub fn models_policy() -> Policy {
    policy(serde_json::json!({
        "filesystem": [{"path": "/**", "access": ["read"]}],
        "model": ["invoke"],
    }))
}

#[derive(Debug, Deserialize)]
pub struct Reference {
    pub inputs: Vec<[f32; 4]>,
    pub label: Vec<i64>,
    pub probabilities: Vec<[f32; 3]>,
}

pub fn reference() -> Reference {
    let text = std::fs::read_to_string(model_dir().join("reference.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// One request with `rows` as the `X` input.
pub fn rows_input(rows: &[[f32; 4]]) -> InferenceInput {
    let values = rows.iter().flatten().copied().collect();
    let tensor = Tensor::new(vec![rows.len(), 4], TensorData::Float32(values)).unwrap();
    InferenceInput::Tensors(BTreeMap::from([("X".to_owned(), tensor)]))
}

/// The (labels, probabilities) of an inference of the iris model.
pub fn outputs(inference: &Inference) -> (Vec<i64>, Vec<f32>) {
    let InferenceOutput::Tensors(tensors) = &inference.output else {
        panic!("expected tensors, got {:?}", inference.output);
    };
    let TensorData::Int64(labels) = tensors["label"].data() else {
        panic!("label is not int64: {:?}", tensors["label"]);
    };
    let TensorData::Float32(probabilities) = tensors["probabilities"].data() else {
        panic!("probabilities are not float32");
    };
    (labels.clone(), probabilities.clone())
}

/// Asserts that `inference` of reference rows `range` matches Python onnxruntime.
pub fn assert_matches_reference(
    reference: &Reference,
    range: std::ops::Range<usize>,
    inference: &Inference,
) {
    let (labels, probabilities) = outputs(inference);
    assert_eq!(
        labels,
        reference.label[range.clone()],
        "labels of rows {range:?}"
    );
    let expected: Vec<f32> = reference.probabilities[range.clone()]
        .iter()
        .flatten()
        .copied()
        .collect();
    assert_eq!(probabilities.len(), expected.len());
    for (i, (actual, expected)) in probabilities.iter().zip(&expected).enumerate() {
        assert!(
            (actual - expected).abs() <= TOLERANCE,
            "rows {range:?}, element {i}: {actual} vs onnxruntime's {expected}"
        );
    }
}

/// The variable `cargo xtask ci` sets to the wheel's `libonnxruntime` (see
/// `xtask/src/provision/python.rs`).
pub const ORT_LIBRARY_VAR: &str = "SYMPHONY_ORT_LIBRARY";

/// The ONNX Runtime library to test against: the variable's value when set (used as is, so a
/// wrong value fails the test loudly), else the repo's `.venv`. When neither exists the
/// calling test fails, or with `SYMPHONY_SKIP_ORT` set to the reason, this says so and
/// returns `None`.
pub fn ort_library() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(ORT_LIBRARY_VAR) {
        return Some(PathBuf::from(path));
    }
    let lib = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv/lib");
    let found = std::fs::read_dir(lib).ok().and_then(|entries| {
        entries
            .filter_map(Result::ok)
            .map(|entry| {
                entry
                    .path()
                    .join("site-packages/onnxruntime/capi/libonnxruntime.so.1.31.1")
            })
            .find(|path| path.is_file())
    });
    // Missing, the test fails unless SYMPHONY_SKIP_ORT says why it is skipped.
    let found = found.ok_or_else(|| {
        format!(
            "{ORT_LIBRARY_VAR} is unset and .venv has no onnxruntime wheel; run `cargo xtask ci` \
             (it installs it) or set {ORT_LIBRARY_VAR}"
        )
    });
    symphony_core::testing::require_or_skip("ONNX Runtime", "SYMPHONY_SKIP_ORT", found)
}
