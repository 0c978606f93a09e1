//! A model's inputs and outputs as the model file declares them, and the checks of tensors
//! against them.

use ort::value::{TensorElementType, ValueType};
use serde::Serialize;

use crate::error::InstrumentError;
use crate::tensor::{DataType, Tensor};

/// One declared input or output tensor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TensorSpec {
    /// Its name in the graph.
    pub name: String,
    /// Its element type.
    pub dtype: DataType,
    /// Its dimensions; `None` is dynamic (e.g. the batch dimension).
    pub shape: Vec<Option<usize>>,
}

impl TensorSpec {
    fn shape_text(&self) -> String {
        let dims: Vec<String> = self
            .shape
            .iter()
            .map(|dim| dim.map_or_else(|| "?".to_owned(), |n| n.to_string()))
            .collect();
        format!("[{}]", dims.join(", "))
    }

    /// Checks that `tensor` fits this spec.
    pub(super) fn check(&self, tensor: &Tensor) -> Result<(), InstrumentError> {
        if tensor.dtype() != self.dtype {
            return Err(InstrumentError::invalid_input(format!(
                "input `{}`: expected {}, got {}",
                self.name,
                self.dtype.as_str(),
                tensor.dtype().as_str()
            )));
        }
        let fits = tensor.shape().len() == self.shape.len()
            && tensor
                .shape()
                .iter()
                .zip(&self.shape)
                .all(|(&actual, expected)| expected.is_none_or(|n| n == actual));
        if !fits {
            return Err(InstrumentError::invalid_input(format!(
                "input `{}`: expected shape {}, got {:?}",
                self.name,
                self.shape_text(),
                tensor.shape()
            )));
        }
        Ok(())
    }
}

/// All declared inputs and outputs of a model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelSignature {
    /// Inputs, in graph order.
    pub inputs: Vec<TensorSpec>,
    /// Outputs, in graph order.
    pub outputs: Vec<TensorSpec>,
}

impl ModelSignature {
    pub(super) fn read(session: &ort::session::Session) -> Result<Self, String> {
        let spec = |name: &str, dtype: &ValueType, what: &str| -> Result<TensorSpec, String> {
            let ValueType::Tensor { ty, shape, .. } = dtype else {
                return Err(format!(
                    "{what} `{name}` is a {dtype}, not a tensor; only tensor inputs and outputs are \
                     supported (for scikit-learn classifiers, export with zipmap=False)"
                ));
            };
            Ok(TensorSpec {
                name: name.to_owned(),
                dtype: data_type(*ty).ok_or_else(|| {
                    format!("{what} `{name}` has element type {ty}, which is not supported")
                })?,
                shape: shape.iter().map(|&dim| usize::try_from(dim).ok()).collect(),
            })
        };
        Ok(ModelSignature {
            inputs: session
                .inputs()
                .iter()
                .map(|outlet| spec(outlet.name(), outlet.dtype(), "input"))
                .collect::<Result<_, _>>()?,
            outputs: session
                .outputs()
                .iter()
                .map(|outlet| spec(outlet.name(), outlet.dtype(), "output"))
                .collect::<Result<_, _>>()?,
        })
    }

    /// Whether every input and output has a dynamic first dimension, so that requests can be
    /// stacked along it.
    pub fn is_batchable(&self) -> bool {
        self.inputs
            .iter()
            .chain(&self.outputs)
            .all(|spec| matches!(spec.shape.first(), Some(None)))
    }
}

fn data_type(ty: TensorElementType) -> Option<DataType> {
    Some(match ty {
        TensorElementType::Float32 => DataType::Float32,
        TensorElementType::Float64 => DataType::Float64,
        TensorElementType::Int64 => DataType::Int64,
        TensorElementType::Int32 => DataType::Int32,
        TensorElementType::Uint8 => DataType::UInt8,
        TensorElementType::Bool => DataType::Bool,
        _ => return None,
    })
}
