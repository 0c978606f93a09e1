//! Counters of a pipeline, cheap enough to update on every request.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Default)]
pub(super) struct Metrics {
    pub(super) queued: AtomicU64,
    pub(super) running: AtomicU64,
    pub(super) completed: AtomicU64,
    pub(super) failed: AtomicU64,
    pub(super) cancelled: AtomicU64,
    pub(super) timed_out: AtomicU64,
    pub(super) retries: AtomicU64,
    pub(super) batches: AtomicU64,
    pub(super) batched_items: AtomicU64,
    pub(super) latency_micros: AtomicU64,
}

impl Metrics {
    pub(super) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub(super) fn sub(counter: &AtomicU64, n: u64) {
        counter.fetch_sub(n, Ordering::Relaxed);
    }

    pub(super) fn snapshot(&self) -> MetricsSnapshot {
        let get = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        MetricsSnapshot {
            queue_depth: get(&self.queued),
            running: get(&self.running),
            completed: get(&self.completed),
            failed: get(&self.failed),
            cancelled: get(&self.cancelled),
            timed_out: get(&self.timed_out),
            retries: get(&self.retries),
            batches: get(&self.batches),
            batched_items: get(&self.batched_items),
            total_latency: Duration::from_micros(get(&self.latency_micros)),
        }
    }
}

/// A pipeline's counters at one moment (the result of
/// [`methods::Metrics`](crate::methods::Metrics)). Times travel as whole microseconds, in
/// fields whose names end in `Us`, as [`Usage`](crate::Usage)'s do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MetricsSnapshot {
    /// Requests waiting in the queue.
    pub queue_depth: u64,
    /// Requests being computed.
    pub running: u64,
    /// Requests answered with a result.
    pub completed: u64,
    /// Requests answered with an error (timeouts and cancellations not included).
    pub failed: u64,
    /// Requests whose caller went away before they finished.
    pub cancelled: u64,
    /// Requests that exceeded their time limit.
    pub timed_out: u64,
    /// Retries made after retryable failures.
    pub retries: u64,
    /// Model calls made (a batch counts once).
    pub batches: u64,
    /// Requests computed in those calls.
    pub batched_items: u64,
    /// Sum of the latencies (enqueue to answer) of completed requests; `totalLatencyUs` on
    /// the wire, in whole microseconds.
    #[serde(rename = "totalLatencyUs", with = "crate::micros")]
    #[schemars(with = "u64")]
    pub total_latency: Duration,
}

impl MetricsSnapshot {
    /// The mean latency of completed requests.
    pub fn mean_latency(&self) -> Option<Duration> {
        u32::try_from(self.completed)
            .ok()
            .filter(|&n| n > 0)
            .map(|n| self.total_latency / n)
    }

    /// The mean number of requests per model call.
    pub fn mean_batch_size(&self) -> f64 {
        if self.batches == 0 {
            0.0
        } else {
            self.batched_items as f64 / self.batches as f64
        }
    }
}
