//! Example: an instrument extension serving chat (streamed with
//! [`Stream`](symphony_instruments::methods::Stream)) and embeddings from an
//! OpenAI-compatible endpoint.
//!
//! The host chooses the endpoint, model and key through config values (`endpoint`, `model`,
//! `api_key`) and must grant network access to the endpoint's host and port: every request
//! is checked against the grant before connecting.

use std::sync::Arc;

use symphony_instruments::http::HttpInstrument;
use symphony_instruments::{Context, InstrumentError, ModelConfig, Pipeline};

async fn setup(context: Context) -> Result<Pipeline, InstrumentError> {
    // Nothing is read from disk, so the base directory does not matter.
    let config = ModelConfig::from_context(&context, ".")?;
    let model = HttpInstrument::from_config(&config, context.policy())?;
    Ok(Pipeline::new(Arc::new(model), config.limits))
}

symphony_instruments::main!(setup);
