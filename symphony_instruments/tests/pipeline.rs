//! The pipeline under concurrent load, with instruments that record what reached them.

use std::collections::HashSet;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use futures_core::Stream;
use futures_util::StreamExt;
use symphony_instruments::pipeline::Backoff;
use symphony_instruments::{
    ChunkStream, Inference, InferenceInput, InferenceOutput, Instrument, InstrumentError, Limits,
    ModelCapabilities, ModelInfo, Pipeline, StreamChunk, Usage,
};
use tokio::sync::Semaphore;

/// Permits of a recorder's gate: taking them all holds the model busy.
const GATE: usize = 1_000_000;

fn info(batching: bool) -> ModelInfo {
    ModelInfo {
        id: "recorder".into(),
        inputs: vec![],
        outputs: vec![],
        capabilities: ModelCapabilities {
            streaming: true,
            batching,
            max_batch: 64,
        },
    }
}

fn text(input: &InferenceInput) -> String {
    match input {
        InferenceInput::Text(text) => text.clone(),
        other => panic!("unexpected input {other:?}"),
    }
}

fn answer(text: &str) -> Inference {
    Inference::new(InferenceOutput::Text(format!("{text}!")), Usage::default())
}

/// Records every input it computes, the batch sizes, and the most calls seen at once; each
/// call waits for a permit of `gate` (so tests can hold the model busy) and takes `work`.
struct Recorder {
    info: ModelInfo,
    seen: Mutex<Vec<String>>,
    batches: Mutex<Vec<usize>>,
    running: AtomicUsize,
    most_running: AtomicUsize,
    gate: Semaphore,
    work: Duration,
}

impl Recorder {
    fn new(batching: bool, work: Duration) -> Arc<Self> {
        Arc::new(Recorder {
            info: info(batching),
            seen: Mutex::default(),
            batches: Mutex::default(),
            running: AtomicUsize::new(0),
            most_running: AtomicUsize::new(0),
            gate: Semaphore::new(GATE),
            work,
        })
    }

    async fn compute(&self, inputs: &[InferenceInput]) {
        let _permit = self.gate.acquire().await.unwrap();
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_running.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(self.work).await;
        self.running.fetch_sub(1, Ordering::SeqCst);
        self.seen.lock().unwrap().extend(inputs.iter().map(text));
        self.batches.lock().unwrap().push(inputs.len());
    }
}

#[async_trait]
impl Instrument for Recorder {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    async fn infer(&self, input: InferenceInput) -> Result<Inference, InstrumentError> {
        self.compute(std::slice::from_ref(&input)).await;
        Ok(answer(&text(&input)))
    }

    async fn infer_batch(
        &self,
        inputs: Vec<InferenceInput>,
    ) -> Result<Vec<Result<Inference, InstrumentError>>, InstrumentError> {
        self.compute(&inputs).await;
        Ok(inputs
            .iter()
            .map(|input| Ok(answer(&text(input))))
            .collect())
    }

    async fn infer_stream(&self, input: InferenceInput) -> Result<ChunkStream, InstrumentError> {
        let word = text(&input);
        let chunks =
            futures_util::stream::iter(word.chars().map(|c| c.to_string()).collect::<Vec<_>>())
                .then(|delta| async move {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    Ok(StreamChunk { delta, usage: None })
                });
        Ok(Box::pin(chunks))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_load_is_batched_with_nothing_lost_or_duplicated() {
    let recorder = Recorder::new(true, Duration::from_millis(2));
    let pipeline = Pipeline::new(
        recorder.clone(),
        Limits::default()
            .with_max_batch(16)
            .with_max_concurrency(2)
            .with_max_wait(Duration::from_millis(5))
            .with_queue_capacity(64),
    );
    let n = 600;
    let calls = (0..n).map(|i| {
        let pipeline = pipeline.clone();
        tokio::spawn(async move { (i, pipeline.infer(InferenceInput::Text(i.to_string())).await) })
    });
    for call in futures_util::future::join_all(calls).await {
        let (i, result) = call.unwrap();
        assert_eq!(
            result.unwrap().output,
            InferenceOutput::Text(format!("{i}!"))
        );
    }
    let seen = recorder.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), n, "every request computed exactly once");
    let unique: HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), n, "no request computed twice");
    let batches = recorder.batches.lock().unwrap().clone();
    assert!(batches.iter().all(|&size| size <= 16), "{batches:?}");
    assert!(
        batches.len() < n / 4,
        "requests were not batched: {} calls",
        batches.len()
    );
    assert!(recorder.most_running.load(Ordering::SeqCst) <= 2);
    let metrics = pipeline.metrics();
    assert_eq!(metrics.completed, n as u64);
    assert_eq!(
        (metrics.queue_depth, metrics.running, metrics.failed),
        (0, 0, 0)
    );
}

#[tokio::test]
async fn a_full_queue_pushes_back() {
    let recorder = Recorder::new(false, Duration::ZERO);
    let gate = recorder.gate.acquire_many(GATE as u32).await.unwrap();
    let pipeline = Pipeline::new(
        recorder.clone(),
        Limits::default()
            .with_max_concurrency(1)
            .with_queue_capacity(2),
    );
    // One request runs (held at the gate), one is in the dispatcher's hand waiting for a
    // slot, two fill the queue.
    let mut held = Vec::new();
    for i in 0..4 {
        let pipeline = pipeline.clone();
        held.push(tokio::spawn(async move {
            pipeline.infer(InferenceInput::Text(i.to_string())).await
        }));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(pipeline.metrics().queue_depth, 3);
    // try_infer is refused at once; infer waits for room instead of failing.
    let refused = pipeline
        .try_infer(InferenceInput::Text("x".into()))
        .await
        .unwrap_err();
    assert!(
        matches!(refused, InstrumentError::Overloaded { capacity: 2 }),
        "{refused:?}"
    );
    let waiting = {
        let pipeline = pipeline.clone();
        tokio::spawn(async move { pipeline.infer(InferenceInput::Text("late".into())).await })
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(!waiting.is_finished());
    drop(gate);
    assert_eq!(
        waiting.await.unwrap().unwrap().output,
        InferenceOutput::Text("late!".into())
    );
    for call in held {
        call.await.unwrap().unwrap();
    }
    assert_eq!(recorder.seen.lock().unwrap().len(), 5);
}

#[tokio::test]
async fn timeouts_cover_queueing_and_the_pipeline_keeps_serving() {
    let recorder = Recorder::new(false, Duration::from_millis(300));
    let pipeline = Pipeline::new(
        recorder.clone(),
        Limits::default().with_timeout(Duration::from_millis(50)),
    );
    let started = Instant::now();
    let error = pipeline
        .infer(InferenceInput::Text("slow".into()))
        .await
        .unwrap_err();
    assert!(
        matches!(error, InstrumentError::TimedOut { .. }),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_millis(250));
    assert_eq!(pipeline.metrics().timed_out, 1);
    // The timed-out call was stopped, so the model is free again.
    let fast = Pipeline::new(recorder.clone(), Limits::default());
    assert!(
        fast.infer(InferenceInput::Text("again".into()))
            .await
            .is_ok()
    );
    assert_eq!(*recorder.seen.lock().unwrap(), ["again"]);
}

#[tokio::test]
async fn dropping_the_caller_removes_queued_work() {
    let recorder = Recorder::new(false, Duration::ZERO);
    let gate = recorder.gate.acquire_many(GATE as u32).await.unwrap();
    let pipeline = Pipeline::new(recorder.clone(), Limits::default().with_max_concurrency(1));
    let first = {
        let pipeline = pipeline.clone();
        tokio::spawn(async move { pipeline.infer(InferenceInput::Text("first".into())).await })
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    let queued = {
        let pipeline = pipeline.clone();
        tokio::spawn(async move { pipeline.infer(InferenceInput::Text("dropped".into())).await })
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    queued.abort();
    drop(gate);
    first.await.unwrap().unwrap();
    pipeline
        .infer(InferenceInput::Text("after".into()))
        .await
        .unwrap();
    assert_eq!(*recorder.seen.lock().unwrap(), ["first", "after"]);
    assert_eq!(pipeline.metrics().cancelled, 1);
}

#[tokio::test]
async fn a_caller_gone_while_its_batch_forms_is_not_computed() {
    let recorder = Recorder::new(true, Duration::ZERO);
    let pipeline = Pipeline::new(
        recorder.clone(),
        Limits::default()
            .with_max_batch(4)
            .with_max_wait(Duration::from_millis(300)),
    );
    // The dispatcher takes this one at once and waits up to 300 ms for three more.
    let gone = {
        let pipeline = pipeline.clone();
        tokio::spawn(async move { pipeline.infer(InferenceInput::Text("gone".into())).await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    gone.abort();
    let kept = pipeline.infer(InferenceInput::Text("kept".into())).await;
    assert_eq!(kept.unwrap().output, InferenceOutput::Text("kept!".into()));
    assert_eq!(*recorder.seen.lock().unwrap(), ["kept"]);
    assert_eq!(*recorder.batches.lock().unwrap(), [1]);
    let metrics = pipeline.metrics();
    assert_eq!((metrics.cancelled, metrics.running), (1, 0));
}

/// Fails with a retryable error `failures` times, then answers.
struct Flaky {
    info: ModelInfo,
    failures: AtomicUsize,
    calls: AtomicUsize,
    retry_after: Option<Duration>,
    retryable: bool,
}

#[async_trait]
impl Instrument for Flaky {
    fn info(&self) -> &ModelInfo {
        &self.info
    }
    async fn infer(&self, input: InferenceInput) -> Result<Inference, InstrumentError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if self.failures.load(Ordering::SeqCst) > 0 {
            self.failures.fetch_sub(1, Ordering::SeqCst);
            return Err(InstrumentError::Backend {
                model: "flaky".into(),
                message: "HTTP 429".into(),
                retryable: self.retryable,
                retry_after: self.retry_after,
            });
        }
        Ok(answer(&text(&input)))
    }
}

fn flaky(failures: usize, retryable: bool, retry_after: Option<Duration>) -> Arc<Flaky> {
    Arc::new(Flaky {
        info: info(false),
        failures: AtomicUsize::new(failures),
        calls: AtomicUsize::new(0),
        retry_after,
        retryable,
    })
}

#[tokio::test]
async fn retryable_failures_are_retried_with_backoff_honouring_retry_after() {
    let backoff = Backoff {
        base: Duration::from_millis(1),
        cap: Duration::from_millis(2),
    };
    let model = flaky(2, true, Some(Duration::from_millis(40)));
    let pipeline =
        Pipeline::with_backoff(model.clone(), Limits::default().with_retries(2), backoff);
    let started = Instant::now();
    pipeline
        .infer(InferenceInput::Text("x".into()))
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(80),
        "Retry-After ignored"
    );
    assert_eq!(model.calls.load(Ordering::SeqCst), 3);
    assert_eq!(pipeline.metrics().retries, 2);

    // Out of retries: the last error is returned.
    let model = flaky(5, true, None);
    let pipeline =
        Pipeline::with_backoff(model.clone(), Limits::default().with_retries(1), backoff);
    let error = pipeline
        .infer(InferenceInput::Text("x".into()))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("HTTP 429"), "{error}");
    assert_eq!(model.calls.load(Ordering::SeqCst), 2);

    // Not retryable: one call.
    let model = flaky(1, false, None);
    let pipeline =
        Pipeline::with_backoff(model.clone(), Limits::default().with_retries(3), backoff);
    assert!(
        pipeline
            .infer(InferenceInput::Text("x".into()))
            .await
            .is_err()
    );
    assert_eq!(model.calls.load(Ordering::SeqCst), 1);
}

/// A stream that records being dropped.
struct Watched {
    inner: ChunkStream,
    dropped: Arc<AtomicBool>,
}

impl Stream for Watched {
    type Item = Result<StreamChunk, InstrumentError>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        self.dropped.store(true, Ordering::SeqCst);
    }
}

struct Endless {
    info: ModelInfo,
    dropped: Arc<AtomicBool>,
}

#[async_trait]
impl Instrument for Endless {
    fn info(&self) -> &ModelInfo {
        &self.info
    }
    async fn infer(&self, _: InferenceInput) -> Result<Inference, InstrumentError> {
        Err(InstrumentError::invalid_input("stream only"))
    }
    async fn infer_stream(&self, _: InferenceInput) -> Result<ChunkStream, InstrumentError> {
        let ticks = futures_util::stream::repeat(()).then(|()| async {
            tokio::time::sleep(Duration::from_millis(1)).await;
            Ok(StreamChunk {
                delta: "tick".into(),
                usage: None,
            })
        });
        Ok(Box::pin(Watched {
            inner: Box::pin(ticks),
            dropped: Arc::clone(&self.dropped),
        }))
    }
}

#[tokio::test]
async fn streams_deliver_in_order_and_stop_when_dropped() {
    let recorder = Recorder::new(false, Duration::ZERO);
    let pipeline = Pipeline::new(recorder, Limits::default());
    let chunks: Vec<String> = pipeline
        .stream(InferenceInput::Text("abc".into()))
        .await
        .unwrap()
        .map(|chunk| chunk.unwrap().delta)
        .collect()
        .await;
    assert_eq!(chunks, ["a", "b", "c"]);

    let dropped = Arc::new(AtomicBool::new(false));
    let endless = Arc::new(Endless {
        info: info(false),
        dropped: Arc::clone(&dropped),
    });
    let pipeline = Pipeline::new(endless, Limits::default().with_max_concurrency(1));
    let mut stream = pipeline
        .stream(InferenceInput::Text(String::new()))
        .await
        .unwrap();
    for _ in 0..3 {
        assert_eq!(stream.next().await.unwrap().unwrap().delta, "tick");
    }
    drop(stream);
    assert!(
        dropped.load(Ordering::SeqCst),
        "the generation was not stopped"
    );
    // The concurrency slot was released: a second stream starts.
    let mut again = pipeline
        .stream(InferenceInput::Text(String::new()))
        .await
        .unwrap();
    assert!(again.next().await.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_keep_their_order_when_some_run_in_the_callers_task() {
    let recorder = Recorder::new(false, Duration::ZERO);
    let gate = recorder.gate.acquire_many(GATE as u32).await.unwrap();
    let pipeline = Pipeline::new(recorder.clone(), Limits::default().with_max_concurrency(1));
    // The first finds the slot free and runs in its own task (held at the gate); the others
    // queue behind it, and none of them may pass the queue once the slot is free again.
    let mut calls = Vec::new();
    for i in 0..4 {
        let pipeline = pipeline.clone();
        calls.push(tokio::spawn(async move {
            pipeline.infer(InferenceInput::Text(i.to_string())).await
        }));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(pipeline.metrics().running, 1);
    assert_eq!(pipeline.metrics().queue_depth, 3);
    drop(gate);
    let late = pipeline
        .infer(InferenceInput::Text("4".into()))
        .await
        .unwrap();
    assert_eq!(late.usage.batch_size, 1);
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(*recorder.seen.lock().unwrap(), ["0", "1", "2", "3", "4"]);
    let metrics = pipeline.metrics();
    assert_eq!(
        (metrics.completed, metrics.running, metrics.queue_depth),
        (5, 0, 0)
    );
    assert_eq!((metrics.batches, metrics.batched_items), (5, 5));
}

#[tokio::test]
async fn a_call_running_in_its_callers_task_is_cancelled_by_dropping_it() {
    let recorder = Recorder::new(false, Duration::ZERO);
    let gate = recorder.gate.acquire_many(GATE as u32).await.unwrap();
    let pipeline = Pipeline::new(recorder.clone(), Limits::default().with_max_concurrency(1));
    let running = {
        let pipeline = pipeline.clone();
        tokio::spawn(async move { pipeline.infer(InferenceInput::Text("dropped".into())).await })
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(pipeline.metrics().running, 1);
    running.abort();
    assert!(running.await.unwrap_err().is_cancelled());
    let metrics = pipeline.metrics();
    assert_eq!((metrics.running, metrics.cancelled), (0, 1));
    // The slot came back: the next call runs once the model is free.
    drop(gate);
    pipeline
        .infer(InferenceInput::Text("after".into()))
        .await
        .unwrap();
    assert_eq!(*recorder.seen.lock().unwrap(), ["after"]);
}

#[tokio::test]
async fn shutdown_waits_for_a_call_running_in_its_callers_task() {
    let recorder = Recorder::new(false, Duration::from_millis(100));
    let pipeline = Pipeline::new(recorder.clone(), Limits::default());
    let running = {
        let pipeline = pipeline.clone();
        tokio::spawn(async move { pipeline.infer(InferenceInput::Text("last".into())).await })
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(pipeline.metrics().running, 1);
    pipeline.shutdown().await.unwrap();
    // Shutdown returned only after the running call finished, and it was answered.
    assert_eq!(*recorder.seen.lock().unwrap(), ["last"]);
    assert!(running.await.unwrap().is_ok());
    assert!(matches!(
        pipeline.infer(InferenceInput::Text("late".into())).await,
        Err(InstrumentError::ShutDown)
    ));
}
