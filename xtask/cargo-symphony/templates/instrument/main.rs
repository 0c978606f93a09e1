use symphony_instruments::prelude::*;

struct Shout(ModelInfo);

#[async_trait]
impl Instrument for Shout {
    fn info(&self) -> &ModelInfo {
        &self.0
    }

    async fn infer(&self, input: InferenceInput) -> Result<Inference, InstrumentError> {
        let InferenceInput::Text(text) = input else {
            let kind = input.kind();
            return Err(InstrumentError::invalid_input(format!("expected text, got {kind}")));
        };
        let shouted = InferenceOutput::Text(text.to_uppercase());
        Ok(Inference::new(shouted, Usage::default()))
    }
}

async fn setup(_: Context) -> Result<Shout, InstrumentError> {
    Ok(Shout(ModelInfo::new("shout", [Modality::Text], [Modality::Text])))
}

symphony_instruments::main!(setup);
