//! Stacking requests along the batch dimension and splitting the results back.

use std::collections::BTreeMap;

use crate::error::InstrumentError;
use crate::tensor::{Tensor, TensorData, element_count};

/// Named tensors of one request or one batch.
pub(super) type Tensors = BTreeMap<String, Tensor>;

/// Concatenates each named input along dimension 0; returns the stacked inputs and each
/// request's row count (its size along dimension 0).
pub(super) fn stack(items: Vec<Tensors>) -> Result<(Tensors, Vec<usize>), InstrumentError> {
    let mut rows = Vec::with_capacity(items.len());
    let mut stacked: Tensors = BTreeMap::new();
    for (index, item) in items.into_iter().enumerate() {
        let mut item_rows = None;
        for (name, tensor) in item {
            let n = tensor.shape().first().copied().unwrap_or(1);
            if *item_rows.get_or_insert(n) != n {
                return Err(InstrumentError::invalid_input(format!(
                    "request {index}: inputs disagree on the batch dimension ({name} has {n} rows)"
                )));
            }
            match stacked.remove(&name) {
                None => {
                    stacked.insert(name, tensor);
                }
                Some(acc) => {
                    let joined = append(acc, tensor).map_err(|reason| {
                        InstrumentError::invalid_input(format!(
                            "request {index}: input `{name}`: {reason}"
                        ))
                    })?;
                    stacked.insert(name, joined);
                }
            }
        }
        rows.push(item_rows.unwrap_or(0));
    }
    Ok((stacked, rows))
}

fn append(acc: Tensor, next: Tensor) -> Result<Tensor, String> {
    let (mut shape, data) = acc.into_parts();
    let (next_shape, next_data) = next.into_parts();
    if shape.get(1..) != next_shape.get(1..) || shape.is_empty() {
        return Err(format!(
            "shape {next_shape:?} cannot be stacked onto {shape:?}"
        ));
    }
    let data = match (data, next_data) {
        (TensorData::Float32(mut a), TensorData::Float32(b)) => {
            a.extend(b);
            TensorData::Float32(a)
        }
        (TensorData::Float64(mut a), TensorData::Float64(b)) => {
            a.extend(b);
            TensorData::Float64(a)
        }
        (TensorData::Int64(mut a), TensorData::Int64(b)) => {
            a.extend(b);
            TensorData::Int64(a)
        }
        (TensorData::Int32(mut a), TensorData::Int32(b)) => {
            a.extend(b);
            TensorData::Int32(a)
        }
        (TensorData::Uint8(mut a), TensorData::Uint8(b)) => {
            a.extend(b);
            TensorData::Uint8(a)
        }
        (TensorData::Bool(mut a), TensorData::Bool(b)) => {
            a.extend(b);
            TensorData::Bool(a)
        }
        (a, b) => {
            return Err(format!(
                "element types differ ({} and {})",
                a.dtype().as_str(),
                b.dtype().as_str()
            ));
        }
    };
    if let (Some(first), Some(more)) = (shape.first_mut(), next_shape.first()) {
        *first += more;
    }
    Tensor::new(shape, data).map_err(|error| error.to_string())
}

/// Splits each named output along dimension 0 into pieces of `rows` rows.
pub(super) fn split(outputs: Tensors, rows: &[usize]) -> Result<Vec<Tensors>, String> {
    let mut pieces: Vec<Tensors> = rows.iter().map(|_| BTreeMap::new()).collect();
    let total: usize = rows.iter().sum();
    for (name, tensor) in outputs {
        let (shape, data) = tensor.into_parts();
        if shape.first() != Some(&total) {
            return Err(format!(
                "output `{name}` has shape {shape:?}; expected {total} rows to split among the batch"
            ));
        }
        let row_len = element_count(shape.get(1..).unwrap_or(&[])).unwrap_or(0);
        let mut rest = data;
        for (piece, &n) in pieces.iter_mut().zip(rows) {
            let (head, tail) = split_off(rest, n * row_len);
            rest = tail;
            let mut piece_shape = shape.clone();
            if let Some(first) = piece_shape.first_mut() {
                *first = n;
            }
            let tensor = Tensor::new(piece_shape, head).map_err(|error| error.to_string())?;
            piece.insert(name.clone(), tensor);
        }
    }
    Ok(pieces)
}

/// The first `n` elements and the rest.
fn split_off(data: TensorData, n: usize) -> (TensorData, TensorData) {
    fn cut<T>(mut values: Vec<T>, n: usize) -> (Vec<T>, Vec<T>) {
        let tail = values.split_off(n.min(values.len()));
        (values, tail)
    }
    match data {
        TensorData::Float32(v) => {
            let (a, b) = cut(v, n);
            (TensorData::Float32(a), TensorData::Float32(b))
        }
        TensorData::Float64(v) => {
            let (a, b) = cut(v, n);
            (TensorData::Float64(a), TensorData::Float64(b))
        }
        TensorData::Int64(v) => {
            let (a, b) = cut(v, n);
            (TensorData::Int64(a), TensorData::Int64(b))
        }
        TensorData::Int32(v) => {
            let (a, b) = cut(v, n);
            (TensorData::Int32(a), TensorData::Int32(b))
        }
        TensorData::Uint8(v) => {
            let (a, b) = cut(v, n);
            (TensorData::Uint8(a), TensorData::Uint8(b))
        }
        TensorData::Bool(v) => {
            let (a, b) = cut(v, n);
            (TensorData::Bool(a), TensorData::Bool(b))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: usize, start: f32) -> Tensors {
        let values = (0..n * 2).map(|i| start + i as f32).collect();
        BTreeMap::from([(
            "x".to_owned(),
            Tensor::new(vec![n, 2], TensorData::Float32(values)).unwrap(),
        )])
    }

    #[test]
    fn stack_then_split_restores_every_request() {
        let items = vec![rows(1, 0.0), rows(3, 10.0), rows(2, 100.0)];
        let (stacked, counts) = stack(items.clone()).unwrap();
        assert_eq!(counts, [1, 3, 2]);
        assert_eq!(stacked["x"].shape(), &[6, 2]);
        assert_eq!(split(stacked, &counts).unwrap(), items);
    }

    #[test]
    fn mismatched_items_are_named() {
        let mut bad = rows(1, 0.0);
        bad.insert(
            "x".into(),
            Tensor::new(vec![1, 3], TensorData::Float32(vec![0.0; 3])).unwrap(),
        );
        let error = stack(vec![rows(1, 0.0), bad]).unwrap_err().to_string();
        assert!(
            error.contains("request 1: input `x`: shape [1, 3] cannot be stacked onto [1, 2]"),
            "{error}"
        );
        let error = split(rows(2, 0.0), &[1, 2]).unwrap_err();
        assert!(error.contains("expected 3 rows"), "{error}");
    }
}
