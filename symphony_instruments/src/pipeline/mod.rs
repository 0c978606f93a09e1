//! The inference pipeline between callers and an [`Instrument`].
//!
//! ```text
//! infer() ──▶ bounded queue ──▶ dispatcher ──▶ (permit) ──▶ batch ──▶ instrument
//!   ▲  (waits when full)           forms batches of up to max_batch,      │
//!   └──────────── oneshot reply ◀── waiting at most max_wait ─────────────┘
//! ```
//!
//! - **Backpressure**: [`Pipeline::infer`] waits for room in the queue;
//!   [`Pipeline::try_infer`] fails at once with [`InstrumentError::Overloaded`].
//! - **Batching**: for a model that batches, queued requests are run together, up to
//!   `max_batch`, waiting at most `max_wait` for more once the first arrived.
//! - **Fast path**: without batching, a request that finds the queue empty and a slot free
//!   runs in its caller's task: no hand-off to the dispatcher and back (most of the
//!   pipeline's cost for a fast model). Otherwise it queues as drawn above.
//! - **Concurrency**: at most `max_concurrency` model calls run at once.
//! - **Timeouts**: each request's `timeout` covers queueing and computing.
//! - **Cancellation**: dropping the future returned by `infer` cancels the request: queued
//!   work is discarded (also from a batch still waiting for members), a running single
//!   request is stopped, a running batch finishes for the others. Dropping a stream from
//!   [`Pipeline::stream`] stops the generation.
//! - **Retries**: retryable failures (`InstrumentError::is_retryable`) are retried `retries`
//!   times with [`Backoff`].
//! - **Observability**: a `tracing` span per model call, and [`Pipeline::metrics`].

mod backoff;
mod metrics;
mod stream;

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use futures_util::FutureExt;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, mpsc, oneshot};
use tracing::Instrument as _;

pub use backoff::Backoff;
pub use metrics::MetricsSnapshot;

use crate::error::InstrumentError;
use crate::instrument::{ChunkStream, Instrument};
use crate::io::{Inference, InferenceInput};
use crate::model::Limits;
use metrics::Metrics;

type Reply = oneshot::Sender<Result<Inference, InstrumentError>>;

struct Job {
    input: InferenceInput,
    reply: Reply,
    enqueued: Instant,
}

struct Shared {
    instrument: Arc<dyn Instrument>,
    limits: Limits,
    max_batch: usize,
    backoff: Backoff,
    permits: Arc<Semaphore>,
    metrics: Metrics,
    closed: AtomicBool,
    idle: Notify,
}

/// Queues, batches, limits and retries calls to one [`Instrument`]. Cheap to clone; clones
/// share the queue.
///
/// ```
/// # use std::sync::Arc;
/// # use async_trait::async_trait;
/// # use symphony_instruments::*;
/// # struct Echo(ModelInfo);
/// # #[async_trait]
/// # impl Instrument for Echo {
/// #     fn info(&self) -> &ModelInfo { &self.0 }
/// #     async fn infer(&self, input: InferenceInput) -> Result<Inference, InstrumentError> {
/// #         let InferenceInput::Text(t) = input else { unreachable!() };
/// #         Ok(Inference::new(InferenceOutput::Text(t), Usage::default()))
/// #     }
/// # }
/// # let info = ModelInfo { id: "echo".into(), inputs: vec![], outputs: vec![], capabilities: Default::default() };
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let pipeline = Pipeline::new(Arc::new(Echo(info)), Limits::default().with_max_concurrency(4));
/// let answer = pipeline.infer(InferenceInput::Text("hi".into())).await?;
/// assert_eq!(answer.output, InferenceOutput::Text("hi".into()));
/// assert_eq!(pipeline.metrics().completed, 1);
/// # Ok::<(), InstrumentError>(()) }).unwrap();
/// ```
#[derive(Clone)]
pub struct Pipeline {
    shared: Arc<Shared>,
    queue: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("model", &self.shared.instrument.info().id)
            .field("limits", &self.shared.limits)
            .finish_non_exhaustive()
    }
}

/// A pipeline in front of the instrument with the default [`Limits`]: a `setup` may return
/// its instrument and leave the pipeline to [`run`](crate::run).
///
/// # Panics
///
/// Outside a tokio runtime, as [`Pipeline::new`].
impl<I: Instrument + 'static> From<I> for Pipeline {
    fn from(instrument: I) -> Self {
        Pipeline::new(Arc::new(instrument), Limits::default())
    }
}

impl Pipeline {
    /// A pipeline in front of `instrument` enforcing `limits`.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime (the dispatcher is a tokio task).
    pub fn new(instrument: Arc<dyn Instrument>, limits: Limits) -> Self {
        Self::with_backoff(instrument, limits, Backoff::default())
    }

    /// A pipeline with a custom retry [`Backoff`].
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    pub fn with_backoff(instrument: Arc<dyn Instrument>, limits: Limits, backoff: Backoff) -> Self {
        let capabilities = &instrument.info().capabilities;
        let max_batch = if capabilities.batching {
            limits.max_batch.min(capabilities.max_batch).max(1)
        } else {
            1
        };
        let (queue, jobs) = mpsc::channel(limits.queue_capacity.max(1));
        let shared = Arc::new(Shared {
            permits: Arc::new(Semaphore::new(limits.max_concurrency.max(1))),
            instrument,
            limits,
            max_batch,
            backoff,
            metrics: Metrics::default(),
            closed: AtomicBool::new(false),
            idle: Notify::new(),
        });
        tokio::spawn(dispatch(Arc::clone(&shared), jobs));
        Pipeline { shared, queue }
    }

    /// The instrument behind this pipeline.
    pub fn instrument(&self) -> &Arc<dyn Instrument> {
        &self.shared.instrument
    }

    /// The limits this pipeline enforces.
    pub fn limits(&self) -> &Limits {
        &self.shared.limits
    }

    /// The counters at this moment.
    pub fn metrics(&self) -> MetricsSnapshot {
        self.shared.metrics.snapshot()
    }

    /// Runs one inference, waiting for room in the queue when it is full.
    ///
    /// # Errors
    ///
    /// The instrument's error (after retries), [`InstrumentError::TimedOut`], or
    /// [`InstrumentError::ShutDown`].
    pub async fn infer(&self, input: InferenceInput) -> Result<Inference, InstrumentError> {
        self.submit(input, false).await
    }

    /// Runs one inference, failing at once with [`InstrumentError::Overloaded`] when the
    /// queue is full.
    ///
    /// # Errors
    ///
    /// As [`infer`](Self::infer), plus `Overloaded`.
    pub async fn try_infer(&self, input: InferenceInput) -> Result<Inference, InstrumentError> {
        self.submit(input, true).await
    }

    async fn submit(
        &self,
        input: InferenceInput,
        fail_fast: bool,
    ) -> Result<Inference, InstrumentError> {
        if self.shared.closed.load(Ordering::Acquire) {
            return Err(InstrumentError::ShutDown);
        }
        let limit = self.shared.limits.timeout;
        let shared = &self.shared;
        let work = async {
            if let Some(permit) = self.free_slot() {
                return run_here(shared, input, permit).await;
            }
            let (reply, answer) = oneshot::channel();
            let job = Job {
                input,
                reply,
                enqueued: Instant::now(),
            };
            if fail_fast {
                self.queue.try_send(job).map_err(|error| match error {
                    mpsc::error::TrySendError::Full(_) => InstrumentError::Overloaded {
                        capacity: shared.limits.queue_capacity,
                    },
                    mpsc::error::TrySendError::Closed(_) => InstrumentError::ShutDown,
                })?;
            } else {
                self.queue
                    .send(job)
                    .await
                    .map_err(|_| InstrumentError::ShutDown)?;
            }
            Metrics::add(&shared.metrics.queued, 1);
            answer.await.map_err(|_| InstrumentError::ShutDown)?
        };
        match tokio::time::timeout(limit, work).await {
            Ok(result) => result,
            Err(_) => {
                Metrics::add(&shared.metrics.timed_out, 1);
                Err(InstrumentError::TimedOut { limit })
            }
        }
    }

    /// A slot for running a request in its caller's task: only without batching (a batch
    /// forms in the dispatcher), with nothing queued (no overtaking), and only if one is free
    /// now. The dispatcher waits for a slot only while holding a job, and a slot given back
    /// goes to a waiter first, so a queued request is never passed over for long.
    fn free_slot(&self) -> Option<OwnedSemaphorePermit> {
        let nothing_queued = self.queue.capacity() == self.queue.max_capacity();
        if self.shared.max_batch > 1 || !nothing_queued {
            return None;
        }
        Arc::clone(&self.shared.permits).try_acquire_owned().ok()
    }

    /// Starts a streamed inference. It counts against `max_concurrency` until the stream is
    /// dropped or ends; the wait for a slot and the start count against `timeout`.
    ///
    /// # Errors
    ///
    /// As [`Instrument::infer_stream`], [`InstrumentError::TimedOut`], or
    /// [`InstrumentError::ShutDown`].
    pub async fn stream(&self, input: InferenceInput) -> Result<ChunkStream, InstrumentError> {
        if self.shared.closed.load(Ordering::Acquire) {
            return Err(InstrumentError::ShutDown);
        }
        let limit = self.shared.limits.timeout;
        let shared = Arc::clone(&self.shared);
        let start = async move {
            let permit = Arc::clone(&shared.permits)
                .acquire_owned()
                .await
                .map_err(|_| InstrumentError::ShutDown)?;
            let inner = shared.instrument.infer_stream(input).await?;
            Ok::<_, InstrumentError>(stream::Guarded::new(inner, permit))
        };
        match tokio::time::timeout(limit, start).await {
            Ok(stream) => Ok(Box::pin(stream?)),
            Err(_) => Err(InstrumentError::TimedOut { limit }),
        }
    }

    /// Stops accepting requests, lets queued and running ones finish, then shuts the
    /// instrument down.
    ///
    /// # Errors
    ///
    /// The instrument's shutdown error.
    pub async fn shutdown(&self) -> Result<(), InstrumentError> {
        self.shared.closed.store(true, Ordering::Release);
        loop {
            let idle = self.shared.idle.notified();
            let snapshot = self.metrics();
            if snapshot.queue_depth == 0 && snapshot.running == 0 {
                break;
            }
            idle.await;
        }
        self.shared.instrument.shutdown().await
    }
}

/// Takes jobs off the queue, forms batches, and starts one task per batch.
async fn dispatch(shared: Arc<Shared>, mut jobs: mpsc::Receiver<Job>) {
    loop {
        let Some(first) = jobs.recv().await else {
            return;
        };
        // The batch is formed only once a slot is free: while the model is busy, requests
        // pile up in the queue and the next batch fills at once. (Holding a slot while idle
        // would starve streams, which take slots directly.)
        let Ok(permit) = Arc::clone(&shared.permits).acquire_owned().await else {
            return;
        };
        let mut batch = Vec::with_capacity(shared.max_batch);
        take(&shared, first, &mut batch);
        if shared.max_batch > 1 {
            let deadline = tokio::time::Instant::now() + shared.limits.max_wait;
            while batch.len() < shared.max_batch {
                // Whatever is queued already joins without waiting.
                let next = match jobs.try_recv() {
                    Ok(job) => Some(job),
                    Err(mpsc::error::TryRecvError::Disconnected) => None,
                    Err(mpsc::error::TryRecvError::Empty) => {
                        tokio::time::timeout_at(deadline, jobs.recv())
                            .await
                            .ok()
                            .flatten()
                    }
                };
                match next {
                    Some(job) => take(&shared, job, &mut batch),
                    None => break,
                }
            }
        }
        // Callers may have gone while the batch waited for more: their rows are not computed.
        prune(&shared, &mut batch);
        if batch.is_empty() {
            shared.idle.notify_waiters();
            continue;
        }
        tokio::spawn(execute(Arc::clone(&shared), batch, permit));
    }
}

/// Moves `job` from the queue into `batch`, unless its caller has gone.
fn take(shared: &Shared, job: Job, batch: &mut Vec<Job>) {
    Metrics::sub(&shared.metrics.queued, 1);
    if job.reply.is_closed() {
        Metrics::add(&shared.metrics.cancelled, 1);
    } else {
        Metrics::add(&shared.metrics.running, 1);
        batch.push(job);
    }
}

/// Drops the jobs of `batch` whose callers have gone since they were taken.
fn prune(shared: &Shared, batch: &mut Vec<Job>) {
    let before = batch.len();
    batch.retain(|job| !job.reply.is_closed());
    let gone = (before - batch.len()) as u64;
    if gone > 0 {
        Metrics::sub(&shared.metrics.running, gone);
        Metrics::add(&shared.metrics.cancelled, gone);
    }
}

async fn execute(shared: Arc<Shared>, batch: Vec<Job>, permit: OwnedSemaphorePermit) {
    let size = batch.len();
    let span =
        tracing::debug_span!("inference", model = %shared.instrument.info().id, batch = size);
    async {
        Metrics::add(&shared.metrics.batches, 1);
        Metrics::add(&shared.metrics.batched_items, size as u64);
        if let [_] = batch.as_slice() {
            let Some(job) = batch.into_iter().next() else {
                return;
            };
            execute_one(&shared, job).await;
        } else {
            execute_batch(&shared, batch).await;
        }
    }
    .instrument(span)
    .await;
    drop(permit);
    shared.idle.notify_waiters();
}

/// Runs one request in the caller's task, holding `permit`, with the same span, retries and
/// counters as a dispatched one. Dropping the future (the caller went away or timed out)
/// counts it cancelled and frees the slot.
async fn run_here(
    shared: &Shared,
    input: InferenceInput,
    permit: OwnedSemaphorePermit,
) -> Result<Inference, InstrumentError> {
    let started = Instant::now();
    let running = Running::start(shared, permit);
    let span = tracing::debug_span!("inference", model = %shared.instrument.info().id, batch = 1);
    let result = retrying(shared, input, |input| shared.instrument.infer(input))
        .instrument(span)
        .await;
    running.finish();
    let result = stamped(result, 1);
    count(shared, started, &result);
    result
}

/// A request computed in its caller's task; until [`finish`](Self::finish)ed, dropping it
/// counts the request cancelled. Either way the slot is given back and a waiting
/// [`Pipeline::shutdown`] is told.
struct Running<'a> {
    shared: &'a Shared,
    permit: Option<OwnedSemaphorePermit>,
    finished: bool,
}

impl<'a> Running<'a> {
    fn start(shared: &'a Shared, permit: OwnedSemaphorePermit) -> Self {
        let metrics = &shared.metrics;
        Metrics::add(&metrics.running, 1);
        Metrics::add(&metrics.batches, 1);
        Metrics::add(&metrics.batched_items, 1);
        Running {
            shared,
            permit: Some(permit),
            finished: false,
        }
    }

    fn finish(mut self) {
        self.finished = true;
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        let metrics = &self.shared.metrics;
        Metrics::sub(&metrics.running, 1);
        if !self.finished {
            Metrics::add(&metrics.cancelled, 1);
        }
        drop(self.permit.take());
        self.shared.idle.notify_waiters();
    }
}

async fn execute_one(shared: &Shared, mut job: Job) {
    let input = job.input;
    let run = retrying(shared, input, |input| shared.instrument.infer(input));
    // A single request can stop as soon as its caller goes away.
    let result = tokio::select! {
        result = run => result,
        () = job.reply.closed() => {
            Metrics::sub(&shared.metrics.running, 1);
            Metrics::add(&shared.metrics.cancelled, 1);
            return;
        }
    };
    answer(shared, job.reply, job.enqueued, 1, result);
}

async fn execute_batch(shared: &Shared, batch: Vec<Job>) {
    let (inputs, waiting): (Vec<_>, Vec<_>) = batch
        .into_iter()
        .map(|job| (job.input, (job.reply, job.enqueued)))
        .unzip();
    let size = inputs.len();
    let outcome = retrying(shared, inputs, |inputs| {
        shared.instrument.infer_batch(inputs)
    })
    .await;
    match outcome {
        Ok(results) if results.len() == size => {
            for ((reply, enqueued), result) in waiting.into_iter().zip(results) {
                answer(shared, reply, enqueued, size, result);
            }
        }
        Ok(results) => {
            let error = InstrumentError::backend(
                shared.instrument.info().id.clone(),
                format!(
                    "infer_batch returned {} results for {size} inputs",
                    results.len()
                ),
            );
            for (reply, enqueued) in waiting {
                answer(shared, reply, enqueued, size, Err(error.clone()));
            }
        }
        Err(error) => {
            for (reply, enqueued) in waiting {
                answer(shared, reply, enqueued, size, Err(error.clone()));
            }
        }
    }
}

/// Runs one model call. A panicking model fails the call: unwinding through the pipeline's
/// task instead would drop its callers' replies, answering them "shut down".
async fn guarded<T>(
    shared: &Shared,
    call: impl Future<Output = Result<T, InstrumentError>>,
) -> Result<T, InstrumentError> {
    AssertUnwindSafe(call)
        .catch_unwind()
        .await
        .unwrap_or_else(|panic| {
            let what = symphony_core::panic::message(panic.as_ref());
            tracing::error!(panic = what, "the model panicked");
            Err(InstrumentError::backend(
                shared.instrument.info().id.clone(),
                format!("the model panicked: {what}"),
            ))
        })
}

/// Runs `call`, retrying retryable failures with backoff. The input is cloned only for
/// attempts that may be followed by another.
async fn retrying<I, T, F, Fut>(shared: &Shared, input: I, call: F) -> Result<T, InstrumentError>
where
    I: Clone,
    F: Fn(I) -> Fut,
    Fut: Future<Output = Result<T, InstrumentError>>,
{
    let retries = shared.limits.retries;
    let mut attempt = 0;
    loop {
        let last = attempt >= retries;
        let result = if last {
            return guarded(shared, call(input)).await;
        } else {
            guarded(shared, call(input.clone())).await
        };
        match result {
            Err(error) if error.is_retryable() => {
                let retry_after = match &error {
                    InstrumentError::Backend { retry_after, .. } => *retry_after,
                    _ => None,
                };
                let delay = shared.backoff.delay(attempt, retry_after);
                tracing::info!(%error, attempt, ?delay, "retrying after a retryable failure");
                Metrics::add(&shared.metrics.retries, 1);
                tokio::time::sleep(delay).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// Answers one caller; `batch_size` is how many items the model call that computed it held,
/// which only the pipeline knows, so it is stamped on the usage here.
fn answer(
    shared: &Shared,
    reply: Reply,
    enqueued: Instant,
    batch_size: usize,
    result: Result<Inference, InstrumentError>,
) {
    let result = stamped(result, batch_size);
    // Counters are updated before the caller can see the answer, so that a caller reading
    // the metrics after its answer sees its own request counted.
    let metrics = &shared.metrics;
    Metrics::sub(&metrics.running, 1);
    if reply.is_closed() {
        Metrics::add(&metrics.cancelled, 1);
        return;
    }
    let counter = count(shared, enqueued, &result);
    if reply.send(result).is_err() {
        // The caller left between the check and the send.
        Metrics::sub(counter, 1);
        Metrics::add(&metrics.cancelled, 1);
    }
}

/// `result` with the size of the model call that computed it on its usage.
fn stamped(
    mut result: Result<Inference, InstrumentError>,
    batch_size: usize,
) -> Result<Inference, InstrumentError> {
    if let Ok(inference) = &mut result {
        inference.usage.batch_size = batch_size;
    }
    result
}

/// Counts an answered request (and its latency, if it succeeded); the counter it went to.
fn count<'a>(
    shared: &'a Shared,
    enqueued: Instant,
    result: &Result<Inference, InstrumentError>,
) -> &'a AtomicU64 {
    let metrics = &shared.metrics;
    let counter = if result.is_ok() {
        let micros = u64::try_from(enqueued.elapsed().as_micros()).unwrap_or(u64::MAX);
        Metrics::add(&metrics.latency_micros, micros);
        &metrics.completed
    } else {
        &metrics.failed
    };
    Metrics::add(counter, 1);
    counter
}
