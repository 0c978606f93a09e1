//! Waiting for an answer: taking turns as the leader that reads the extension's output,
//! deadlines, cancellation, and the hang watch that kills an extension which does not
//! acknowledge a cancellation in time.

use super::{Connection, Leader, Slot, State};
use std::cmp::Reverse;
use std::sync::{Arc, Condvar, MutexGuard};
use std::time::{Duration, Instant};

use crate::host::error::{CallError, Ended};
use crate::host::outbox::{Room, Withdrawn};
use crate::protocol::{CancelParams, ErrorCode, ErrorObject, Id, RawValue, method};

/// What a waiting caller does next.
enum Step {
    Answered(Result<Box<RawValue>, ErrorObject>, Slot),
    Ended(Ended),
    TimedOut,
    Lead(Option<Instant>),
    Sleep(Arc<Condvar>, Option<Instant>),
}

impl Connection {
    /// Waits for the answer to request `id`, reading the extension's output itself when
    /// nobody else is.
    pub(crate) fn wait(
        &self,
        id: i64,
        method: &str,
        timeout: Option<Duration>,
    ) -> Result<Box<RawValue>, CallError> {
        let mut state = self.lock();
        loop {
            match self.next_step(&mut state, id) {
                Step::Answered(result, slot) => {
                    self.promote(&mut state);
                    return outcome(method, result, &slot);
                }
                Step::Ended(ended) => {
                    self.promote(&mut state);
                    return Err(CallError::Ended {
                        method: method.to_owned(),
                        ended,
                    });
                }
                Step::TimedOut => {
                    let killed = state.kill_reason.is_some();
                    drop(state);
                    self.abandon(id, true);
                    return Err(timed_out(method, timeout, killed));
                }
                Step::Lead(deadline) => {
                    drop(state);
                    self.lead(Some(id), deadline);
                    state = self.lock();
                    if state.leader == Leader::Caller(id) {
                        state.leader = Leader::Nobody;
                    }
                }
                Step::Sleep(waiter, wake_at) => {
                    state.followers.push(id);
                    state = match wake_at {
                        Some(at) => {
                            waiter
                                .wait_timeout(state, at.saturating_duration_since(Instant::now()))
                                .unwrap_or_else(|p| p.into_inner())
                                .0
                        }
                        None => waiter.wait(state).unwrap_or_else(|p| p.into_inner()),
                    };
                    state.followers.retain(|follower| *follower != id);
                }
            }
        }
    }

    /// What the caller waiting for `id` must do next (the state changes it implies are made).
    fn next_step(&self, state: &mut State, id: i64) -> Step {
        let Some(slot) = state.pending.get_mut(&id) else {
            let ended = state
                .ended
                .clone()
                .unwrap_or_else(|| self.ended_now("no longer knows the call"));
            return Step::Ended(ended);
        };
        // The monitor gave up for a leader that could not be interrupted.
        if slot.abandoned {
            return Step::TimedOut;
        }
        if let Some(result) = slot.result.take() {
            let slot = state.pending.remove(&id).unwrap_or_else(|| unreachable!());
            return Step::Answered(result, slot);
        }
        if let Some(ended) = state.ended.clone() {
            state.pending.remove(&id);
            return Step::Ended(ended);
        }
        // The clock is read only now: a pipelined caller mostly finds its answer there.
        if slot
            .deadline
            .is_some_and(|deadline| Instant::now() >= deadline)
        {
            return Step::TimedOut;
        }
        let deadline = slot.deadline;
        if state.leader == Leader::Nobody {
            state.leader = Leader::Caller(id);
            return Step::Lead(deadline);
        }
        let waiter = Arc::clone(slot.waiter.get_or_insert_with(Default::default));
        Step::Sleep(waiter, deadline)
    }

    /// Gives up on `id` at its deadline: a request the extension never received is
    /// withdrawn; one it did is cancelled and watched (see [`monitor`](super::monitor)).
    /// `by_caller`: the caller is returning now (else the monitor acts for a caller that is
    /// blocked reading, which returns when it sees the slot abandoned).
    pub(in crate::host) fn abandon(&self, id: i64, by_caller: bool) {
        let withdrawn = self.outbox.withdraw(id);
        let mut state = self.lock();
        let mut cancel = false;
        if let Some(slot) = state.pending.get_mut(&id) {
            if withdrawn == Withdrawn::Sent && !slot.answered() && !slot.abandoned {
                cancel = true;
            }
            slot.abandoned = true;
            if by_caller {
                slot.orphan = true;
                slot.waiter = None;
            }
            if by_caller && (withdrawn == Withdrawn::Unsent || slot.answered()) {
                // Nothing more will come for it that matters.
                state.pending.remove(&id);
            }
        }
        if cancel {
            let due = Instant::now() + self.cancel_grace;
            state.hang_watch.push(Reverse((due, id)));
        }
        self.promote(&mut state);
        let monitor_leads = state.leader == Leader::Monitor;
        drop(state);
        if cancel {
            self.send_cancel(id);
            // The monitor enforces the watch: wake it, or have it stop reading to look.
            self.monitor_wake.notify_all();
            if monitor_leads {
                self.nudge_reader();
            }
        }
    }

    pub(super) fn nudge_reader(&self) {
        #[cfg(unix)]
        if let Some(wake) = &self.wake {
            wake.nudge();
        }
    }

    /// The earliest acknowledgement due, if any.
    pub(in crate::host) fn next_hang_check(state: &State) -> Option<Instant> {
        state.hang_watch.peek().map(|Reverse((due, _))| *due)
    }

    /// Kills the extension if a cancelled request was not acknowledged in time; returns
    /// whether it did.
    pub(in crate::host) fn enforce_hang_watch(&self, mut state: MutexGuard<'_, State>) -> bool {
        let now = Instant::now();
        while let Some(Reverse((due, id))) = state.hang_watch.peek().copied() {
            if due > now {
                return false;
            }
            state.hang_watch.pop();
            let Some(slot) = state.pending.get(&id).filter(|slot| !slot.answered()) else {
                continue; // acknowledged
            };
            let reason = self.hung_reason(&format!("`{}`", slot.method));
            drop(state);
            self.kill(reason);
            return true;
        }
        false
    }

    /// Forgets a call whose answer nobody will wait for.
    pub(crate) fn forget(&self, id: i64) {
        let mut state = self.lock();
        state.pending.remove(&id);
        self.promote(&mut state);
    }

    /// Cancels a call at the caller's request.
    pub(crate) fn cancel(&self, id: i64) {
        let in_flight = match self.lock().pending.get_mut(&id) {
            Some(slot) if !slot.answered() => {
                slot.cancelled = true;
                true
            }
            _ => false,
        };
        if !in_flight {
            return;
        }
        if self.outbox.withdraw(id) == Withdrawn::Unsent {
            // The extension never saw it: cancelled here, as it would have answered.
            self.complete(id, Err(ErrorObject::cancelled()));
        } else {
            self.send_cancel(id);
        }
    }

    pub(in crate::host) fn send_cancel(&self, id: i64) {
        let params = crate::protocol::to_raw(&CancelParams { id: Id::Number(id) }).ok();
        // Never waits: with no room the extension is not reading, and the hang watch kills it
        // if it does not answer. If it is gone, reading notices.
        let _ = self.notify_until(method::CANCEL_REQUEST, params, Room::OrDrop);
    }

    /// If nobody reads, lets a waiting caller take over.
    ///
    /// Not the monitor: calls still pending when a caller stops reading are, most often,
    /// pipelined calls whose callers are about to wait. Woken now, the monitor would take the
    /// reading role from each of them in turn, and every answer would cost two thread
    /// switches (measured: pipelined throughput fell to half). It reads on its own within
    /// [`IDLE_GRACE`](crate::host::monitor::IDLE_GRACE) if nobody does.
    pub(in crate::host) fn promote(&self, state: &mut State) {
        if state.leader != Leader::Nobody {
            return;
        }
        if let Some(waiter) = state
            .followers
            .first()
            .and_then(|id| state.pending.get(id))
            .and_then(|slot| slot.waiter.as_ref())
        {
            waiter.notify_one();
        }
    }

    /// Reads and routes messages until `own` is answered (or, for the monitor, `own` being
    /// `None`, until a caller is waiting or activity suggests one will soon), the deadline
    /// passes (a read of a child's output gives up then), or the connection ends.
    pub(in crate::host) fn lead(&self, own: Option<i64>, mut deadline: Option<Instant>) {
        let mut reader = self.reader.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            self.set_read_deadline(deadline);
            match reader.read() {
                Ok(Some(Ok(message))) => self.route(message),
                Ok(Some(Err(error))) => self.route_garbage(&error),
                Ok(None) => {
                    drop(reader);
                    self.end_of_output(None);
                    return;
                }
                // The deadline passed, or the reader was nudged: look at the state again.
                Err(error)
                    if matches!(
                        error.kind(),
                        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                    ) =>
                {
                    return;
                }
                Err(error) => {
                    drop(reader);
                    self.end_of_output(Some(error));
                    return;
                }
            }
            let state = self.lock();
            if state.ended.is_some() {
                return;
            }
            let now = Instant::now();
            let done = match own {
                Some(id) => state
                    .pending
                    .get(&id)
                    .is_none_or(|slot| slot.answered() || slot.abandoned || slot.overdue(now)),
                None => {
                    deadline = Connection::next_hang_check(&state);
                    !state.followers.is_empty()
                        || deadline.is_some_and(|due| now >= due)
                        || (state.pending.is_empty()
                            && state.last_activity.elapsed() < crate::host::monitor::IDLE_GRACE)
                }
            };
            if done {
                return;
            }
        }
    }

    pub(super) fn set_read_deadline(&self, deadline: Option<Instant>) {
        #[cfg(unix)]
        if let Some(wake) = &self.wake {
            wake.set_read_deadline(deadline);
        }
        #[cfg(not(unix))]
        let _ = deadline;
    }
}

pub(super) fn outcome(
    method: &str,
    result: Result<Box<RawValue>, ErrorObject>,
    slot: &Slot,
) -> Result<Box<RawValue>, CallError> {
    match result {
        Ok(result) => Ok(result),
        Err(error) if slot.cancelled && error.kind() == Some(ErrorCode::Cancelled) => {
            Err(CallError::Cancelled {
                method: method.to_owned(),
            })
        }
        Err(error) => Err(CallError::Remote {
            method: method.to_owned(),
            error,
        }),
    }
}

pub(super) fn timed_out(method: &str, timeout: Option<Duration>, killed: bool) -> CallError {
    CallError::TimedOut {
        method: method.to_owned(),
        timeout: timeout.unwrap_or_default(),
        killed,
    }
}
