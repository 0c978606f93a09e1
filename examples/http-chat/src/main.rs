//! Example: an instrument extension serving chat (streamed with `instrument/stream`) and
//! embeddings from an OpenAI-compatible endpoint.
//!
//! The host chooses the endpoint, model and key through config values (`endpoint`, `model`,
//! `api_key`) and must grant network access to the endpoint's host and port: every request
//! is checked against the grant before connecting.

use std::process::ExitCode;
use std::sync::Arc;

use symphony_instruments::http::HttpInstrument;
use symphony_instruments::serve::{Start, serve_embedded};
use symphony_instruments::{InstrumentError, Pipeline};

async fn start(start: Start) -> Result<Pipeline, InstrumentError> {
    // Nothing is read from disk, so the base directory does not matter.
    let config = start.model_config(".")?;
    let model = HttpInstrument::from_config(&config, Arc::clone(&start.policy))?;
    Ok(Pipeline::new(Arc::new(model), config.limits))
}

// A plain `main`: `serve_embedded` applies the sandbox before it starts the tokio runtime.
fn main() -> ExitCode {
    serve_embedded(symphony_instruments::manifest::embed_manifest!(), start)
}
