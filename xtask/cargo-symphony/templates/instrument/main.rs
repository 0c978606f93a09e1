//! An instrument extension: serves a model to Symphony over stdin and stdout. This one
//! upper-cases text; replace `Shout` with your model.

use std::process::ExitCode;
use std::sync::Arc;

use symphony_instruments::manifest::EmbeddedManifest;
use symphony_instruments::prelude::*;
use symphony_instruments::serve::{Start, serve_embedded};
use symphony_instruments::{
    Inference, InferenceInput, InferenceOutput, ModelCapabilities, ModelInfo, Usage,
};

static MANIFEST: &EmbeddedManifest = symphony_instruments::embed_manifest!();

struct Shout(ModelInfo);

#[async_trait]
impl Instrument for Shout {
    fn info(&self) -> &ModelInfo {
        &self.0
    }

    async fn infer(&self, input: InferenceInput) -> Result<Inference, InstrumentError> {
        match input {
            InferenceInput::Text(text) => Ok(Inference::new(
                InferenceOutput::Text(text.to_uppercase()),
                Usage::default(),
            )),
            other => Err(InstrumentError::invalid_input(format!(
                "expected text, got {}",
                other.kind()
            ))),
        }
    }
}

async fn start(_: Start) -> Result<Pipeline, InstrumentError> {
    let info = ModelInfo {
        id: "shout".into(),
        inputs: vec![],
        outputs: vec![],
        capabilities: ModelCapabilities::default(),
    };
    Ok(Pipeline::new(Arc::new(Shout(info)), Default::default()))
}

fn main() -> ExitCode {
    serve_embedded(MANIFEST, start)
}
