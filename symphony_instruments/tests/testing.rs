//! The async test host, in-process through the real codec and serve loop: typed calls, the
//! wire form of usage and metrics, streams as `$/progress`, a failing setup, config checked
//! against the manifest, and a raw session.

use std::sync::Arc;

use async_trait::async_trait;
use futures_util::stream;
use serde_json::{Value, json};
use symphony_instruments::manifest::EmbeddedManifest;
use symphony_instruments::methods::{self, InferParams, Method};
use symphony_instruments::testing::{CallError, ErrorCode, StartError, TestHost, raw_session};
use symphony_instruments::{
    ChunkStream, Context, Inference, InferenceInput, InferenceOutput, Instrument, InstrumentError,
    Limits, Modality, ModelCapabilities, ModelInfo, Pipeline, StreamChunk, Usage,
};

static MANIFEST: EmbeddedManifest = EmbeddedManifest::new(
    "symphony.toml",
    r#"
id = "test.shout"
name = "Shout"
version = "1.0.0"
kind = "instrument"
engine = "^1"
[config.suffix]
type = "string"
default = ""
[instrument]
streaming = true
inputs = [{ name = "text", type = "text" }]
outputs = [{ name = "text", type = "text" }]
"#,
);

/// Upper-cases text, with the config's suffix; streams it a word at a time.
struct Shout {
    info: ModelInfo,
    suffix: String,
}

#[async_trait]
impl Instrument for Shout {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    async fn infer(&self, input: InferenceInput) -> Result<Inference, InstrumentError> {
        let InferenceInput::Text(text) = input else {
            return Err(InstrumentError::invalid_input(format!(
                "expected text, got {}",
                input.kind()
            )));
        };
        let output = InferenceOutput::Text(format!("{}{}", text.to_uppercase(), self.suffix));
        Ok(Inference::new(output, Usage::default()))
    }

    async fn infer_stream(&self, input: InferenceInput) -> Result<ChunkStream, InstrumentError> {
        let InferenceInput::Text(text) = input else {
            return Err(InstrumentError::invalid_input("expected text"));
        };
        let chunks: Vec<Result<StreamChunk, InstrumentError>> = text
            .split(' ')
            .map(|word| {
                Ok(StreamChunk {
                    delta: word.to_uppercase(),
                    usage: None,
                })
            })
            .collect();
        Ok(Box::pin(stream::iter(chunks)))
    }
}

async fn setup(context: Context) -> Result<Pipeline, InstrumentError> {
    let suffix: String = context
        .config()
        .get("suffix")
        .ok()
        .flatten()
        .unwrap_or_default();
    let info = ModelInfo::new("shout", [Modality::Text], [Modality::Text]).with_capabilities(
        ModelCapabilities {
            streaming: true,
            ..ModelCapabilities::default()
        },
    );
    Ok(Pipeline::new(
        Arc::new(Shout { info, suffix }),
        Limits::default(),
    ))
}

fn text(text: &str) -> InferParams {
    InferParams::new(InferenceInput::Text(text.into()))
}

#[tokio::test]
async fn typed_calls_through_the_real_serve_loop_with_config() {
    let host = TestHost::builder()
        .config("suffix", json!("!"))
        .start(&MANIFEST, setup)
        .await
        .expect("starts");
    assert_eq!(
        host.initialize_result().manifest.id().as_str(),
        "test.shout"
    );
    let info = host.request::<methods::Info>(&()).await.expect("info");
    assert_eq!(info.id, "shout");
    let answer = host
        .request::<methods::Infer>(&text("hi"))
        .await
        .expect("infer");
    assert_eq!(answer.output, InferenceOutput::Text("HI!".into()));
    // An unbatched call ran in a model call of one item.
    assert_eq!(answer.usage.batch_size, 1);

    let wrong = host
        .request::<methods::Infer>(&InferParams::new(InferenceInput::Embed(vec![])))
        .await
        .expect_err("embed is refused");
    assert_eq!(wrong.code(), Some(ErrorCode::InvalidInput), "{wrong}");
    assert!(
        wrong.to_string().contains("expected text, got embed"),
        "{wrong}"
    );
    host.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn usage_and_metrics_report_times_as_microsecond_numbers() {
    let host = TestHost::start(&MANIFEST, setup).await.expect("starts");
    let answer = host
        .call_json(
            methods::Infer::NAME,
            json!({"input": {"type": "text", "value": "a"}}),
        )
        .await
        .expect("infer");
    assert_eq!(answer["usage"]["batchSize"], 1, "{answer}");
    assert!(answer["usage"]["computeTimeUs"].is_u64(), "{answer}");
    let metrics = host
        .call_json(methods::Metrics::NAME, Value::Null)
        .await
        .expect("metrics");
    assert!(metrics["totalLatencyUs"].is_u64(), "{metrics}");
    assert_eq!(metrics["completed"], 1, "{metrics}");
    // The typed result reads the same answer.
    let typed = host
        .request::<methods::Metrics>(&())
        .await
        .expect("metrics");
    assert_eq!(typed.completed, 1);
    host.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn a_stream_arrives_as_progress_then_its_end() {
    let host = TestHost::start(&MANIFEST, setup).await.expect("starts");
    let end = host
        .request::<methods::Stream>(&text("one two three"))
        .await
        .expect("stream");
    assert_eq!(end.chunks, 3);
    let deltas: Vec<String> = host
        .notifications()
        .iter()
        .filter(|notification| notification.method == "$/progress")
        .map(|notification| notification.params_as::<Value>().expect("params"))
        .map(|params| {
            serde_json::from_value::<StreamChunk>(params["value"].clone()).expect("chunk")
        })
        .map(|chunk| chunk.delta)
        .collect();
    assert_eq!(deltas, ["ONE", "TWO", "THREE"]);
    host.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn setup_errors_and_bad_config_fail_the_start_naming_the_problem() {
    async fn broken(_: Context) -> Result<Pipeline, InstrumentError> {
        Err(InstrumentError::invalid_input("no model in this test"))
    }
    let error = TestHost::start(&MANIFEST, broken)
        .await
        .expect_err("setup fails");
    assert!(matches!(error, StartError::Host(_)), "{error:?}");
    assert!(
        error.to_string().contains("no model in this test"),
        "{error}"
    );

    let error = TestHost::builder()
        .config("sufix", json!("!"))
        .start(&MANIFEST, setup)
        .await
        .expect_err("unknown key");
    assert!(error.to_string().contains("sufix"), "{error}");

    static BROKEN: EmbeddedManifest = EmbeddedManifest::new("broken.toml", "id = 3");
    let error = TestHost::start(&BROKEN, setup)
        .await
        .expect_err("invalid manifest");
    assert!(matches!(error, StartError::Manifest(_)), "{error:?}");
}

#[tokio::test]
async fn a_call_past_its_time_limit_ends_with_a_timeout() {
    struct Slow(ModelInfo);
    #[async_trait]
    impl Instrument for Slow {
        fn info(&self) -> &ModelInfo {
            &self.0
        }
        async fn infer(&self, _: InferenceInput) -> Result<Inference, InstrumentError> {
            tokio::time::sleep(std::time::Duration::from_secs(30)).await;
            Err(InstrumentError::invalid_input("unreachable"))
        }
    }
    async fn slow(_: Context) -> Result<Pipeline, InstrumentError> {
        let info = ModelInfo::new("slow", [Modality::Text], [Modality::Text]);
        Ok(Pipeline::new(Arc::new(Slow(info)), Limits::default()))
    }
    let host = TestHost::builder()
        .request_timeout(std::time::Duration::from_millis(300))
        .start(&MANIFEST, slow)
        .await
        .expect("starts");
    let error = host
        .request::<methods::Infer>(&text("x"))
        .await
        .expect_err("times out");
    assert!(matches!(error, CallError::TimedOut { .. }), "{error:?}");
    // Still serving.
    assert_eq!(
        host.request::<methods::Info>(&()).await.expect("info").id,
        "slow"
    );
}

#[test]
fn a_raw_session_sees_exact_bytes() {
    let mut raw = raw_session(&MANIFEST, setup).expect("valid manifest");
    let init = raw.initialize().expect("initialize");
    assert_eq!(init["result"]["manifest"]["id"], "test.shout", "{init}");
    raw.send(&format!(
        r#"{{"jsonrpc":"2.0","id":"x","method":"{}","params":{{"input":{{"type":"text","value":"hi"}},"extra":1}}}}"#,
        methods::Infer::NAME
    ))
    .expect("send");
    let answer = raw.recv().expect("answer");
    assert_eq!(answer["id"], "x");
    assert_eq!(
        answer["error"]["code"],
        ErrorCode::InvalidParams.code(),
        "{answer}"
    );
    assert!(
        answer["error"]["message"]
            .as_str()
            .is_some_and(|message| message.contains("extra")),
        "{answer}"
    );
}

#[test]
fn the_params_schema_spells_out_tensors() {
    let schema = methods::Infer::params_schema().to_string();
    for needle in [
        r#""shape""#,
        r#""dtype""#,
        r#""float32""#,
        r#""values""#,
        r#""tensors""#,
        "row-major",
    ] {
        assert!(schema.contains(needle), "{needle} missing from {schema}");
    }
    let result = methods::Metrics::result_schema();
    assert_eq!(
        result["properties"]["totalLatencyUs"]["type"], "integer",
        "{result}"
    );
}
