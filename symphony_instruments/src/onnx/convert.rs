//! Converting between this crate's [`Tensor`] and `ort` values.

use ort::value::{DynValue, TensorElementType, ValueType};

use crate::tensor::{Tensor, TensorData};

pub(super) fn to_value(tensor: Tensor) -> Result<DynValue, String> {
    let (shape, data) = tensor.into_parts();
    let value = match data {
        TensorData::Float32(values) => {
            ort::value::Tensor::from_array((shape, values)).map(|t| t.into_dyn())
        }
        TensorData::Float64(values) => {
            ort::value::Tensor::from_array((shape, values)).map(|t| t.into_dyn())
        }
        TensorData::Int64(values) => {
            ort::value::Tensor::from_array((shape, values)).map(|t| t.into_dyn())
        }
        TensorData::Int32(values) => {
            ort::value::Tensor::from_array((shape, values)).map(|t| t.into_dyn())
        }
        TensorData::Uint8(values) => {
            ort::value::Tensor::from_array((shape, values)).map(|t| t.into_dyn())
        }
        TensorData::Bool(values) => {
            ort::value::Tensor::from_array((shape, values)).map(|t| t.into_dyn())
        }
    };
    value.map_err(|error| error.to_string())
}

pub(super) fn from_value(name: &str, value: &DynValue) -> Result<Tensor, String> {
    fn extract<T: ort::value::PrimitiveTensorElementType + Clone>(
        value: &DynValue,
    ) -> Result<(Vec<usize>, Vec<T>), String> {
        let (shape, values) = value.try_extract_tensor::<T>().map_err(|e| e.to_string())?;
        let shape = shape
            .iter()
            .map(|&dim| usize::try_from(dim).map_err(|_| format!("negative dimension {dim}")))
            .collect::<Result<_, _>>()?;
        Ok((shape, values.to_vec()))
    }
    let ValueType::Tensor { ty, shape, .. } = value.dtype() else {
        return Err(format!("output `{name}` is not a tensor"));
    };
    if shape.contains(&0) {
        // An empty tensor may have no buffer at all; reading it as a slice would be unsound.
        let shape = shape
            .iter()
            .map(|&dim| usize::try_from(dim).unwrap_or(0))
            .collect();
        return Tensor::new(shape, empty(*ty)?)
            .map_err(|error| format!("output `{name}`: {error}"));
    }
    let (shape, data) = match ty {
        TensorElementType::Float32 => extract(value).map(|(s, v)| (s, TensorData::Float32(v))),
        TensorElementType::Float64 => extract(value).map(|(s, v)| (s, TensorData::Float64(v))),
        TensorElementType::Int64 => extract(value).map(|(s, v)| (s, TensorData::Int64(v))),
        TensorElementType::Int32 => extract(value).map(|(s, v)| (s, TensorData::Int32(v))),
        TensorElementType::Uint8 => extract(value).map(|(s, v)| (s, TensorData::Uint8(v))),
        TensorElementType::Bool => extract(value).map(|(s, v)| (s, TensorData::Bool(v))),
        other => Err(format!("element type {other} is not supported")),
    }
    .map_err(|error| format!("output `{name}`: {error}"))?;
    Tensor::new(shape, data).map_err(|error| format!("output `{name}`: {error}"))
}

fn empty(ty: TensorElementType) -> Result<TensorData, String> {
    Ok(match ty {
        TensorElementType::Float32 => TensorData::Float32(Vec::new()),
        TensorElementType::Float64 => TensorData::Float64(Vec::new()),
        TensorElementType::Int64 => TensorData::Int64(Vec::new()),
        TensorElementType::Int32 => TensorData::Int32(Vec::new()),
        TensorElementType::Uint8 => TensorData::Uint8(Vec::new()),
        TensorElementType::Bool => TensorData::Bool(Vec::new()),
        other => return Err(format!("element type {other} is not supported")),
    })
}
