//! A backend's health probe, cached briefly so that a host polling `instrument/health` does
//! not turn into load on the model or the endpoint.

use std::future::Future;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::instrument::Health;

/// How long a probe's answer is reused.
const FRESH_FOR: Duration = Duration::from_secs(5);

/// The last probe's answer and when it was taken.
#[derive(Debug, Default)]
pub(crate) struct HealthProbe {
    last: Mutex<Option<(Instant, Health)>>,
}

impl HealthProbe {
    /// The cached answer while it is fresh, otherwise `probe`'s.
    pub(crate) async fn health(&self, probe: impl Future<Output = Health>) -> Health {
        if let Some((taken, health)) = &*self.lock()
            && taken.elapsed() < FRESH_FOR
        {
            return health.clone();
        }
        let health = probe.await;
        *self.lock() = Some((Instant::now(), health.clone()));
        health
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(Instant, Health)>> {
        self.last.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
