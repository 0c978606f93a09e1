//! Typed tensors: a shape and a flat, row-major buffer of one element type.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[doc(inline)]
pub use symphony_core::manifest::DataType;

/// The elements of a tensor, row-major, one variant per supported element type.
///
/// On the wire this is `{"dtype": "float32", "values": [...]}` so that a JSON client can build
/// one by hand: `dtype` is one of `float32`, `float64`, `int64`, `int32`, `uint8`, `bool`, and
/// `values` a flat JSON array of numbers (or booleans) in row-major order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "dtype", content = "values", rename_all = "lowercase")]
#[non_exhaustive]
pub enum TensorData {
    /// 32-bit floats.
    Float32(Vec<f32>),
    /// 64-bit floats.
    Float64(Vec<f64>),
    /// 64-bit signed integers.
    Int64(Vec<i64>),
    /// 32-bit signed integers.
    Int32(Vec<i32>),
    /// Bytes.
    Uint8(Vec<u8>),
    /// Booleans.
    Bool(Vec<bool>),
}

macro_rules! for_each_variant {
    ($data:expr, $values:ident => $body:expr) => {
        match $data {
            TensorData::Float32($values) => $body,
            TensorData::Float64($values) => $body,
            TensorData::Int64($values) => $body,
            TensorData::Int32($values) => $body,
            TensorData::Uint8($values) => $body,
            TensorData::Bool($values) => $body,
        }
    };
}

impl TensorData {
    /// The number of elements.
    pub fn len(&self) -> usize {
        for_each_variant!(self, values => values.len())
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The element type, named as in manifests.
    pub fn dtype(&self) -> DataType {
        match self {
            TensorData::Float32(_) => DataType::Float32,
            TensorData::Float64(_) => DataType::Float64,
            TensorData::Int64(_) => DataType::Int64,
            TensorData::Int32(_) => DataType::Int32,
            TensorData::Uint8(_) => DataType::UInt8,
            TensorData::Bool(_) => DataType::Bool,
        }
    }
}

/// A tensor: its shape and its elements.
///
/// # On the wire
///
/// One JSON object with three fields: `shape` (the dimensions, outermost first), `dtype` (the
/// element type) and `values` (every element, flat, row-major; as many as the shape's
/// product). Two rows of four `float32` features:
///
/// ```json
/// {"shape": [2, 4], "dtype": "float32", "values": [5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3]}
/// ```
///
/// A tensor whose `values` do not fill its `shape` is refused when it is read, naming both.
/// The JSON Schema is [`Infer::params_schema`](crate::methods::Infer).
///
/// ```
/// use symphony_instruments::{Tensor, TensorData};
///
/// let tensor = Tensor::new(vec![2, 2], TensorData::Float32(vec![1.0, 2.0, 3.0, 4.0]))?;
/// assert_eq!(tensor.shape(), &[2, 2]);
/// assert!(Tensor::new(vec![3], TensorData::Int64(vec![1, 2])).is_err());
/// # Ok::<(), symphony_instruments::TensorError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(example = serde_json::json!(
    {"shape": [2, 4], "dtype": "float32", "values": [5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3]}
))]
pub struct Tensor {
    /// The dimensions, outermost first; `values` holds their product of elements.
    shape: Vec<usize>,
    #[serde(flatten)]
    data: TensorData,
}

/// Why a tensor could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TensorError {
    /// The shape's element count differs from the number of values.
    #[error("shape {shape:?} holds {expected} elements, but {actual} values were given")]
    ShapeMismatch {
        /// The shape given.
        shape: Vec<usize>,
        /// The product of the shape.
        expected: usize,
        /// The number of values given.
        actual: usize,
    },
    /// The shape's element count does not fit in memory addresses.
    #[error("shape {shape:?} has more elements than can be addressed")]
    TooLarge {
        /// The shape given.
        shape: Vec<usize>,
    },
}

impl Tensor {
    /// A tensor of `shape` holding `data`.
    ///
    /// # Errors
    ///
    /// [`TensorError::ShapeMismatch`] when the shape's element count is not `data.len()`.
    pub fn new(shape: Vec<usize>, data: TensorData) -> Result<Self, TensorError> {
        let expected = element_count(&shape).ok_or_else(|| TensorError::TooLarge {
            shape: shape.clone(),
        })?;
        if expected != data.len() {
            return Err(TensorError::ShapeMismatch {
                actual: data.len(),
                shape,
                expected,
            });
        }
        Ok(Tensor { shape, data })
    }

    /// The dimensions, outermost first.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The elements.
    pub fn data(&self) -> &TensorData {
        &self.data
    }

    /// The element type.
    pub fn dtype(&self) -> DataType {
        self.data.dtype()
    }

    /// Takes the tensor apart into its shape and elements.
    pub fn into_parts(self) -> (Vec<usize>, TensorData) {
        (self.shape, self.data)
    }
}

/// The number of elements of `shape`, or `None` on overflow.
pub(crate) fn element_count(shape: &[usize]) -> Option<usize> {
    shape
        .iter()
        .try_fold(1usize, |count, &dim| count.checked_mul(dim))
}

// Deserialising goes through `new` so that a tensor from the wire is always consistent.
impl<'de> Deserialize<'de> for Tensor {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Wire {
            shape: Vec<usize>,
            #[serde(flatten)]
            data: TensorData,
        }
        let wire = Wire::deserialize(deserializer)?;
        Tensor::new(wire.shape, wire.data).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_form_round_trips_and_is_checked() {
        let tensor = Tensor::new(vec![1, 2], TensorData::Bool(vec![true, false])).unwrap();
        let json = serde_json::to_value(&tensor).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"shape": [1, 2], "dtype": "bool", "values": [true, false]})
        );
        assert_eq!(serde_json::from_value::<Tensor>(json).unwrap(), tensor);
        let bad = serde_json::json!({"shape": [3], "dtype": "int64", "values": [1]});
        let error = serde_json::from_value::<Tensor>(bad)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("shape [3] holds 3 elements, but 1 values"),
            "{error}"
        );
    }

    #[test]
    fn overflowing_shape_is_an_error() {
        let error = Tensor::new(vec![usize::MAX, 2], TensorData::Uint8(vec![])).unwrap_err();
        assert!(matches!(error, TensorError::TooLarge { .. }));
    }
}
