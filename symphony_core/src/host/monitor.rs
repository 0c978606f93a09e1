//! The monitor thread of a connection: reads when no caller does, and enforces the deadline
//! of a caller that is blocked reading.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::connection::{Connection, Leader};

/// After this long without a request, the monitor starts reading so that notifications and a
/// crash are noticed while the host is idle. Shorter gaps (a caller making call after call)
/// leave reading to the callers, who then read their answers without a thread hop.
pub(super) const IDLE_GRACE: Duration = Duration::from_millis(10);

/// Runs until the connection ends.
pub(super) fn run(connection: Arc<Connection>) {
    let mut state = connection.lock();
    loop {
        if state.ended.is_some() {
            return;
        }
        let now = Instant::now();
        let mut wake_at = now + IDLE_GRACE;
        match state.leader {
            Leader::Caller(id) => {
                // The leader is blocked in a read and cannot watch its own deadline.
                if let Some(slot) = state.pending.get_mut(&id)
                    && !slot.answered()
                {
                    match (slot.deadline, slot.kill_at) {
                        (Some(deadline), None) if now >= deadline => {
                            slot.kill_at = Some(now + connection.cancel_grace);
                            drop(state);
                            connection.send_cancel(id);
                            state = connection.lock();
                            continue;
                        }
                        (Some(deadline), None) => wake_at = wake_at.min(deadline),
                        (_, Some(kill_at)) if now >= kill_at && !slot.killed => {
                            slot.killed = true;
                            drop(state);
                            connection.kill(connection.hung_reason(&format!("request {id}")));
                            state = connection.lock();
                            continue;
                        }
                        (_, Some(kill_at)) if !slot.killed => wake_at = wake_at.min(kill_at),
                        _ => {}
                    }
                }
            }
            Leader::Monitor => state.leader = Leader::Nobody,
            Leader::Nobody => {
                if !state.followers.is_empty() {
                    // A waiting caller missed its turn: wake it to read.
                    connection.promote(&mut state);
                } else {
                    let idle_since = state.last_activity;
                    if !state.pending.is_empty() || now >= idle_since + IDLE_GRACE {
                        state.leader = Leader::Monitor;
                        drop(state);
                        connection.lead(None);
                        state = connection.lock();
                        if state.leader == Leader::Monitor {
                            state.leader = Leader::Nobody;
                        }
                        connection.promote(&mut state);
                        continue;
                    }
                    wake_at = idle_since + IDLE_GRACE;
                }
            }
        }
        state.monitor_parked = true;
        state = connection
            .monitor_wake
            .wait_timeout(state, wake_at.saturating_duration_since(now))
            .unwrap_or_else(|p| p.into_inner())
            .0;
        state.monitor_parked = false;
    }
}
