//! Step 2, the instrument: one [`Infer`] request per row, all written at once, so
//! that the extension's pipeline batches them into a few model calls.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use symphony_instruments::methods::{Infer, InferParams, Method, Metrics};
use symphony_instruments::{Inference, InferenceInput, InferenceOutput, Tensor, TensorData};

use crate::error::QuickstartError;
use crate::launch::Launched;
use crate::read::Row;

const INFER: &str = Infer::NAME;
const METRICS: &str = Metrics::NAME;

/// The model's answer for one row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Score {
    pub(crate) class: usize,
    pub(crate) probability: f32,
}

/// What the instrument step produced.
pub(crate) struct Scored {
    /// One per row, in row order.
    pub(crate) scores: Vec<Score>,
    /// How many model calls computed them (a batch counts once).
    pub(crate) model_calls: u64,
    /// From writing the first request to reading the last answer.
    pub(crate) took: Duration,
}

/// Scores every row.
pub(crate) fn score(instrument: &Launched, rows: &[Row]) -> Result<Scored, QuickstartError> {
    let unexpected = |detail: String| QuickstartError::Unexpected {
        kind: instrument.kind,
        what: INFER,
        detail,
    };
    let call_failed = |source| QuickstartError::Call {
        kind: instrument.kind,
        what: INFER.to_owned(),
        source,
    };
    let began = Instant::now();
    let mut batch = instrument.host.batch();
    let mut pending = Vec::with_capacity(rows.len());
    for row in rows {
        let x = Tensor::new(vec![1, 4], TensorData::Float32(row.features.to_vec()))
            .map_err(|error| unexpected(error.to_string()))?;
        let input = InferenceInput::Tensors(BTreeMap::from([("X".to_owned(), x)]));
        pending.push(
            batch
                .start(INFER, &InferParams::new(input))
                .map_err(call_failed)?,
        );
    }
    batch.send();
    let mut scores = Vec::with_capacity(rows.len());
    for call in pending {
        let inference: Inference = call.wait().map_err(call_failed)?;
        scores.push(to_score(inference.output).map_err(unexpected)?);
    }
    let took = began.elapsed();
    // The pipeline counts its model calls; this session made no others.
    let metrics =
        instrument
            .host
            .request::<Metrics>(&())
            .map_err(|source| QuickstartError::Call {
                kind: instrument.kind,
                what: METRICS.to_owned(),
                source,
            })?;
    let model_calls = metrics.batches;
    Ok(Scored {
        scores,
        model_calls,
        took,
    })
}

/// The class with the highest probability, as the model's `label` says.
fn to_score(output: InferenceOutput) -> Result<Score, String> {
    let InferenceOutput::Tensors(tensors) = output else {
        return Err("the output is not tensors".to_owned());
    };
    let label = match tensors.get("label").map(Tensor::data) {
        Some(TensorData::Int64(values)) => values.first().copied(),
        _ => None,
    };
    let class = label
        .and_then(|label| usize::try_from(label).ok())
        .ok_or("`label` is not one non-negative int64")?;
    let probability = match tensors.get("probabilities").map(Tensor::data) {
        Some(TensorData::Float32(values)) => values.get(class).copied(),
        _ => None,
    }
    .ok_or_else(|| format!("`probabilities` has no float32 entry for class {class}"))?;
    Ok(Score { class, probability })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tensor(shape: Vec<usize>, data: TensorData) -> Tensor {
        Tensor::new(shape, data).expect("consistent")
    }

    #[test]
    fn the_label_picks_its_probability() {
        let output = InferenceOutput::Tensors(BTreeMap::from([
            (
                "label".to_owned(),
                tensor(vec![1], TensorData::Int64(vec![2])),
            ),
            (
                "probabilities".to_owned(),
                tensor(vec![1, 3], TensorData::Float32(vec![0.1, 0.2, 0.7])),
            ),
        ]));
        assert_eq!(
            to_score(output),
            Ok(Score {
                class: 2,
                probability: 0.7
            })
        );
    }

    #[test]
    fn a_malformed_answer_is_an_error_not_a_panic() {
        let output = InferenceOutput::Tensors(BTreeMap::from([(
            "label".to_owned(),
            tensor(vec![1], TensorData::Int64(vec![5])),
        )]));
        assert!(to_score(output).unwrap_err().contains("class 5"));
        let negative = InferenceOutput::Tensors(BTreeMap::from([(
            "label".to_owned(),
            tensor(vec![1], TensorData::Int64(vec![-1])),
        )]));
        assert!(to_score(negative).unwrap_err().contains("non-negative"));
    }
}
