//! Text to one unit-length vector: the tokenizer, the transformer, then mean pooling over
//! the attention mask and L2 normalisation (what sentence-transformers does for MiniLM).

use std::collections::BTreeMap;
use std::path::Path;

use symphony_instruments::onnx::OnnxInstrument;
use symphony_instruments::permission::{FsAccess, Policy, require_path};
use symphony_instruments::{Instrument, InstrumentError, ModelConfig, Tensor, TensorData};
use tokenizers::{Tokenizer, TruncationParams};

use crate::MAX_TOKENS;

/// The length of every embedding.
pub const DIMENSIONS: usize = 384;

/// The model's per-token output.
const HIDDEN: &str = "last_hidden_state";

/// The tokenizer and the model.
pub struct Embedder {
    model: OnnxInstrument,
    tokenizer: Tokenizer,
}

impl Embedder {
    /// Loads the model `config` names and the tokenizer at `tokenizer`, each if `policy`
    /// grants reading it, and checks that the model answers as MiniLM does.
    ///
    /// # Errors
    ///
    /// A file is not granted or cannot be read, or the model does not produce
    /// [`DIMENSIONS`]-long token vectors.
    pub async fn load(
        config: &ModelConfig,
        tokenizer: &Path,
        policy: &Policy,
    ) -> Result<Self, InstrumentError> {
        let model = OnnxInstrument::from_config(config, policy).await?;
        let file = require_path(policy, tokenizer, FsAccess::Read)?;
        let mut tokenizer = Tokenizer::from_file(file.as_path()).map_err(|error| {
            InstrumentError::backend(
                "tokenizer",
                format!("`{}` is not a tokenizer.json: {error}", tokenizer.display()),
            )
        })?;
        // One text at a time: no padding; long texts are cut as the model was trained.
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..TruncationParams::default()
            }))
            .map_err(|error| InstrumentError::backend("tokenizer", error.to_string()))?;
        let embedder = Embedder { model, tokenizer };
        embedder.embed("warm up")?;
        Ok(embedder)
    }

    /// The embedding of `text`: [`DIMENSIONS`] numbers, unit length (all zeros for a text
    /// without tokens, which the tokenizer never produces: it adds `[CLS]` and `[SEP]`).
    ///
    /// # Errors
    ///
    /// The tokenizer or the model fails, or the model's output is not MiniLM's.
    pub fn embed(&self, text: &str) -> Result<Vec<f32>, InstrumentError> {
        let encoding = self
            .tokenizer
            .encode(text, true)
            .map_err(|error| InstrumentError::invalid_input(format!("cannot tokenize: {error}")))?;
        let ids: Vec<i64> = encoding.get_ids().iter().map(|&id| i64::from(id)).collect();
        let mask: Vec<i64> = encoding
            .get_attention_mask()
            .iter()
            .map(|&bit| i64::from(bit))
            .collect();
        let tokens = ids.len();
        let tensor = |values: Vec<i64>| {
            Tensor::new(vec![1, tokens], TensorData::Int64(values))
                .map_err(|error| InstrumentError::invalid_input(error.to_string()))
        };
        let inputs = BTreeMap::from([
            ("input_ids".to_owned(), tensor(ids)?),
            ("attention_mask".to_owned(), tensor(mask.clone())?),
            ("token_type_ids".to_owned(), tensor(vec![0; tokens])?),
        ]);
        let mut outputs = self.model.run_raw(inputs)?;
        let hidden = outputs
            .remove(HIDDEN)
            .ok_or_else(|| self.unexpected(format!("no `{HIDDEN}` output")))?;
        let (shape, data) = hidden.into_parts();
        let TensorData::Float32(values) = data else {
            return Err(self.unexpected(format!("`{HIDDEN}` is not float32")));
        };
        if shape != [1, tokens, DIMENSIONS] {
            return Err(self.unexpected(format!(
                "`{HIDDEN}` has shape {shape:?}, expected [1, {tokens}, {DIMENSIONS}]"
            )));
        }
        Ok(normalized(mean_over_mask(&values, &mask)))
    }

    fn unexpected(&self, what: String) -> InstrumentError {
        InstrumentError::backend(
            self.model.info().id.clone(),
            format!("not a MiniLM sentence encoder: {what}"),
        )
    }
}

/// The mean of the token vectors (`values`, tokens × [`DIMENSIONS`]) whose mask is 1.
fn mean_over_mask(values: &[f32], mask: &[i64]) -> Vec<f32> {
    let mut sum = vec![0.0f32; DIMENSIONS];
    let mut count = 0.0f32;
    for (token, &keep) in values.chunks_exact(DIMENSIONS).zip(mask) {
        if keep != 0 {
            count += 1.0;
            for (total, value) in sum.iter_mut().zip(token) {
                *total += value;
            }
        }
    }
    let count = count.max(1e-9);
    sum.iter().map(|total| total / count).collect()
}

/// `vector` scaled to unit length (unchanged if it is all zeros).
fn normalized(mut vector: Vec<f32>) -> Vec<f32> {
    let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        for x in &mut vector {
            *x /= norm;
        }
    }
    vector
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masked_tokens_do_not_count_in_the_mean() {
        let mut values = vec![1.0; DIMENSIONS];
        values.extend(vec![100.0; DIMENSIONS]);
        let mean = mean_over_mask(&values, &[1, 0]);
        assert!(mean.iter().all(|&x| x == 1.0));
    }

    #[test]
    fn vectors_come_out_unit_length() {
        let vector = normalized(vec![3.0, 4.0]);
        assert_eq!(vector, vec![0.6, 0.8]);
        assert_eq!(normalized(vec![0.0, 0.0]), vec![0.0, 0.0]);
    }
}
