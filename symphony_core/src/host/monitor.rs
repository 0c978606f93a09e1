//! The monitor thread of a connection: reads when no caller does, gives up for a reading
//! caller that cannot be interrupted at its deadline, and kills an extension that does not
//! acknowledge a cancellation within the grace period.

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
        if Connection::next_hang_check(&state).is_some_and(|due| Instant::now() >= due) {
            connection.enforce_hang_watch(state);
            state = connection.lock();
            continue;
        }
        let now = Instant::now();
        let mut wake_at = now + IDLE_GRACE;
        if let Some(due) = Connection::next_hang_check(&state) {
            wake_at = wake_at.min(due);
        }
        match state.leader {
            Leader::Caller(id) => {
                // A reading caller past its deadline: a child's output gives up by itself, an
                // in-process pipe cannot be interrupted, so give up for it.
                if let Some(slot) = state.pending.get(&id) {
                    if slot.overdue(now) {
                        drop(state);
                        connection.abandon(id, false);
                        state = connection.lock();
                        continue;
                    }
                    if let Some(deadline) = slot.deadline {
                        wake_at = wake_at.min(deadline);
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
                        let deadline = Connection::next_hang_check(&state);
                        drop(state);
                        connection.lead(None, deadline);
                        state = connection.lock();
                        if state.leader == Leader::Monitor {
                            state.leader = Leader::Nobody;
                        }
                        connection.promote(&mut state);
                        continue;
                    }
                    wake_at = wake_at.min(idle_since + IDLE_GRACE);
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
