//! The probe as a served extension: an instrument on the tokio serve loop, or a core handler on
//! the blocking loop, whose request tries the operations it is given from the threads the loop
//! runs handlers on, and answers each outcome.
//!
//! The request's params (for an instrument, its text input) are JSON
//! `{"ops": [["read" | "list" | "tcp", path or address]]}`; the answer is JSON
//! `{"<thread>": [{"ok": bool, "errno": n}]}` for each thread kind the loop uses: `worker`
//! (a tokio worker) and `blocking` (tokio's blocking pool), or `handler` (a core pool thread).

use std::process::ExitCode;
use std::sync::Arc;

use serde_json::{Value, json};
use symphony_core::manifest::Manifest;
use symphony_core::protocol::{Capabilities, ErrorObject, RawValue};
use symphony_core::serve::{Call, Handler, reply, serve};
use symphony_instruments::manifest::EmbeddedManifest;
use symphony_instruments::prelude::async_trait;
use symphony_instruments::{
    Context, Inference, InferenceInput, InferenceOutput, Instrument, InstrumentError,
    ModelCapabilities, ModelInfo, Pipeline, Usage,
};

/// Requests reading anything and any network; the host's grant narrows it.
const PERMISSIONS: &str = r#"
[permissions]
filesystem = [{ path = "/**", access = ["read"] }]
network = [{ host = "127.0.0.1" }]
"#;

fn manifest_text(kind: &str, section: &str) -> String {
    format!(
        "id = \"test.sandbox-probe\"\nname = \"Sandbox probe\"\nversion = \"1.0.0\"\n\
         kind = \"{kind}\"\nengine = \"^1\"\n{PERMISSIONS}\n{section}"
    )
}

fn manifest(kind: &str, section: &str) -> Result<Manifest, String> {
    Manifest::from_toml_str(&manifest_text(kind, section)).map_err(|errors| errors.to_string())
}

/// Serves the instrument as an extension's `main` does ([`symphony_instruments::run`], what
/// `main!` expands to), with the manifest embedded as `embed_manifest!` would.
pub(crate) fn instrument() -> ExitCode {
    let text: &'static str = Box::leak(manifest_text("instrument", INSTRUMENT).into_boxed_str());
    let embedded: &'static EmbeddedManifest =
        Box::leak(Box::new(EmbeddedManifest::new("probe.toml", text)));
    symphony_instruments::run(embedded, start)
}

/// Serves the instrument the way this SDK used to recommend: from inside a running tokio
/// runtime (`#[tokio::main]`), whose threads exist before `initialize`.
pub(crate) fn instrument_in_runtime() -> ExitCode {
    let manifest = match manifest("instrument", INSTRUMENT) {
        Ok(manifest) => manifest,
        Err(error) => return fail(&error),
    };
    match tokio::runtime::Builder::new_multi_thread().build() {
        Ok(runtime) => runtime.block_on(symphony_instruments::serve::serve(manifest, start)),
        Err(error) => fail(&error.to_string()),
    }
}

/// Serves a core handler on the blocking loop; with `early_thread`, a thread is started (and
/// kept alive) before serving, as a library starting a background thread in `main` would.
pub(crate) fn core(early_thread: bool) -> ExitCode {
    let manifest = match manifest("operator", "[operator]\ncategory = \"custom\"\n") {
        Ok(manifest) => manifest,
        Err(error) => return fail(&error),
    };
    let _early = early_thread.then(|| {
        std::thread::spawn(|| {
            loop {
                std::thread::park();
            }
        })
    });
    serve(Probe { manifest })
}

fn fail(error: &str) -> ExitCode {
    eprintln!("sandbox-probe: {error}");
    ExitCode::FAILURE
}

const INSTRUMENT: &str = r#"
[instrument]
inputs = [{ name = "ops", type = "text" }]
outputs = [{ name = "outcomes", type = "text" }]
"#;

async fn start(_: Context) -> Result<Pipeline, InstrumentError> {
    let instrument = Tries {
        info: ModelInfo {
            id: "sandbox-probe".into(),
            inputs: vec![],
            outputs: vec![],
            capabilities: ModelCapabilities::default(),
        },
    };
    Ok(Pipeline::new(Arc::new(instrument), Default::default()))
}

/// The instrument: tries the operations on a tokio worker and on the blocking pool.
struct Tries {
    info: ModelInfo,
}

#[async_trait]
impl Instrument for Tries {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    async fn infer(&self, input: InferenceInput) -> Result<Inference, InstrumentError> {
        let InferenceInput::Text(text) = input else {
            return Err(InstrumentError::invalid_input("text only"));
        };
        let ops = ops(&text).map_err(InstrumentError::invalid_input)?;
        let worker = try_all(&ops);
        let blocking = tokio::task::spawn_blocking(move || try_all(&ops))
            .await
            .map_err(|error| InstrumentError::invalid_input(error.to_string()))?;
        let outcomes = json!({ "worker": worker, "blocking": blocking });
        Ok(Inference::new(
            InferenceOutput::Text(outcomes.to_string()),
            Usage::default(),
        ))
    }
}

/// The core handler: `probe` tries the operations on the pool thread that runs it.
struct Probe {
    manifest: Manifest,
}

impl Handler for Probe {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::new(["probe"])
    }

    fn handle(&self, call: &Call<'_>) -> Result<Box<RawValue>, ErrorObject> {
        let [text]: [String; 1] = call.params()?;
        let ops = ops(&text).map_err(ErrorObject::invalid_params)?;
        reply(&json!({ "handler": try_all(&ops) }))
    }

    fn concurrency(&self) -> usize {
        // Several pool threads, all started after the sandbox.
        4
    }
}

fn ops(text: &str) -> Result<Vec<(String, String)>, String> {
    let spec: Value = serde_json::from_str(text).map_err(|e| format!("ops are not JSON: {e}"))?;
    serde_json::from_value(spec["ops"].clone()).map_err(|e| format!("bad ops: {e}"))
}

fn try_all(ops: &[(String, String)]) -> Vec<Value> {
    ops.iter()
        .map(|(op, target)| {
            let result = match op.as_str() {
                "read" => std::fs::read(target).map(drop),
                "list" => std::fs::read_dir(target).map(drop),
                "tcp" => std::net::TcpStream::connect(target).map(drop),
                other => Err(std::io::Error::other(format!("unknown op `{other}`"))),
            };
            match result {
                Ok(()) => json!({ "ok": true }),
                Err(error) => json!({ "ok": false, "errno": error.raw_os_error() }),
            }
        })
        .collect()
}
