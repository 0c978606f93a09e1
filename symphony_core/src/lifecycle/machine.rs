//! The [`Lifecycle`] of one extension: its current state and the history of how it got there.

use std::collections::VecDeque;
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;

use super::State;

/// Why a [`Lifecycle`] refused a transition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LifecycleError {
    /// The edge `from → to` is not in the lifecycle graph.
    #[error(
        "illegal lifecycle transition {from} -> {to}: from {from} an extension can only go to {}",
        successors_list(*from)
    )]
    IllegalTransition {
        /// The state the extension was in (and still is).
        from: State,
        /// The state that was requested.
        to: State,
    },
    /// `transition(State::Failed)` was called; a failure must say why.
    #[error(
        "cannot enter failed from {from} without a reason: call Lifecycle::fail(reason) instead"
    )]
    FailureWithoutReason {
        /// The state the extension was in (and still is).
        from: State,
    },
}

fn successors_list(from: State) -> String {
    from.successors()
        .map(State::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// One step in a [`Lifecycle`]'s history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Transition {
    /// The state before the step.
    pub from: State,
    /// The state after the step.
    pub to: State,
    /// Wall-clock time of the step, for logs and for correlating with other processes.
    pub at: SystemTime,
    /// Monotonic time since the [`Lifecycle`] was created; unlike [`Transition::at`] it never
    /// jumps when the system clock is adjusted, so differences between steps are exact.
    pub since_start: Duration,
    /// For a step into [`State::Failed`], why the extension failed.
    pub reason: Option<String>,
}

/// The state machine of one extension, with timestamped history.
///
/// ```
/// use symphony_core::lifecycle::{Lifecycle, State};
///
/// let mut life = Lifecycle::new();
/// life.transition(State::Loading)?;
/// life.transition(State::Loaded)?;
/// life.fail("process exited with status 101");
/// assert_eq!(life.state(), State::Failed);
/// assert_eq!(life.failure_reason(), Some("process exited with status 101"));
///
/// // Skipping a step is an error that names both states; the state is unchanged.
/// let err = life.transition(State::Active).unwrap_err();
/// assert!(err.to_string().contains("failed -> active"));
/// assert_eq!(life.history().len(), 3);
/// # Ok::<(), symphony_core::lifecycle::LifecycleError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Lifecycle {
    state: State,
    created_at: SystemTime,
    created: Instant,
    history: VecDeque<Transition>,
    history_limit: Option<usize>,
    dropped: u64,
}

impl Lifecycle {
    /// A lifecycle in [`State::Discovered`] with an unbounded history.
    pub fn new() -> Self {
        Lifecycle {
            state: State::Discovered,
            created_at: SystemTime::now(),
            created: Instant::now(),
            history: VecDeque::new(),
            history_limit: None,
            dropped: 0,
        }
    }

    /// A lifecycle that keeps only the newest `limit` transitions.
    ///
    /// A host that restarts a crash-looping extension indefinitely adds a few transitions per
    /// restart; a limit bounds that memory. Older entries are dropped and counted in
    /// [`Lifecycle::dropped_transitions`], so a reader knows the history is partial. The newest
    /// step is always kept (a limit of 0 acts as 1), so [`Lifecycle::failure_reason`] still
    /// answers.
    ///
    /// ```
    /// use symphony_core::lifecycle::{Lifecycle, State};
    ///
    /// let mut life = Lifecycle::with_history_limit(2);
    /// life.transition(State::Loading)?;
    /// life.transition(State::Loaded)?;
    /// life.transition(State::Activating)?;
    /// assert_eq!(life.history().len(), 2);
    /// assert_eq!(life.dropped_transitions(), 1);
    /// # Ok::<(), symphony_core::lifecycle::LifecycleError>(())
    /// ```
    pub fn with_history_limit(limit: usize) -> Self {
        Lifecycle {
            history_limit: Some(limit),
            ..Lifecycle::new()
        }
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// Moves to `to` if `current → to` is a legal edge (see [`State::can_transition_to`]).
    ///
    /// On error the state and history are unchanged. Entering [`State::Failed`] needs a
    /// reason, so it goes through [`Lifecycle::fail`] instead.
    pub fn transition(&mut self, to: State) -> Result<(), LifecycleError> {
        let from = self.state;
        if to == State::Failed {
            return Err(LifecycleError::FailureWithoutReason { from });
        }
        if !from.can_transition_to(to) {
            return Err(LifecycleError::IllegalTransition { from, to });
        }
        self.record(to, None);
        Ok(())
    }

    /// Moves to [`State::Failed`] from any state, keeping `reason`.
    ///
    /// Failing while already failed is recorded too (for example cleanup failing after a
    /// crash); [`Lifecycle::failure_reason`] then answers the newest reason.
    pub fn fail(&mut self, reason: impl Into<String>) {
        self.record(State::Failed, Some(reason.into()));
    }

    /// Why the extension failed, while it is in [`State::Failed`]; `None` in any other state.
    pub fn failure_reason(&self) -> Option<&str> {
        if self.state != State::Failed {
            return None;
        }
        self.history.back().and_then(|step| step.reason.as_deref())
    }

    /// The recorded transitions, oldest first.
    pub fn history(&self) -> impl ExactSizeIterator<Item = &Transition> + DoubleEndedIterator {
        self.history.iter()
    }

    /// The newest transition, if any: for logging the step just taken.
    pub fn last_transition(&self) -> Option<&Transition> {
        self.history.back()
    }

    /// How many old transitions a history limit has dropped (always 0 without a limit).
    pub fn dropped_transitions(&self) -> u64 {
        self.dropped
    }

    /// Wall-clock time at which this lifecycle was created.
    pub fn created_at(&self) -> SystemTime {
        self.created_at
    }

    /// Monotonic time elapsed since this lifecycle was created.
    pub fn age(&self) -> Duration {
        self.created.elapsed()
    }

    /// How long the extension has been in its current state (monotonic).
    pub fn time_in_state(&self) -> Duration {
        let entered = self
            .history
            .back()
            .map_or(Duration::ZERO, |t| t.since_start);
        self.age().saturating_sub(entered)
    }

    fn record(&mut self, to: State, reason: Option<String>) {
        let step = Transition {
            from: self.state,
            to,
            at: SystemTime::now(),
            since_start: self.created.elapsed(),
            reason,
        };
        self.state = to;
        if let Some(limit) = self.history_limit {
            while self.history.len() >= limit.max(1) {
                self.history.pop_front();
                self.dropped += 1;
            }
        }
        self.history.push_back(step);
    }
}

impl Default for Lifecycle {
    fn default() -> Self {
        Lifecycle::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use State::*;

    /// Walks a fresh lifecycle along `path`, each step through `transition`.
    fn walk(path: &[State]) -> Lifecycle {
        let mut life = Lifecycle::new();
        for &to in path {
            life.transition(to)
                .unwrap_or_else(|e| panic!("walking {path:?}: {e}"));
        }
        life
    }

    /// A shortest legal path from `Discovered` to `target` that ends without failing.
    fn path_to(target: State) -> Vec<State> {
        match target {
            Discovered => vec![],
            Loading => vec![Loading],
            Loaded => vec![Loading, Loaded],
            Activating => vec![Loading, Loaded, Activating],
            Active => vec![Loading, Loaded, Activating, Active],
            Deactivating => vec![Loading, Loaded, Activating, Active, Deactivating],
            Inactive => vec![Loading, Loaded, Activating, Active, Deactivating, Inactive],
            Unloading => vec![Loading, Loaded, Unloading],
            Unloaded => vec![Loading, Loaded, Unloading, Unloaded],
            Failed => unreachable!("reached through fail()"),
        }
    }

    fn in_state(state: State) -> Lifecycle {
        if state == Failed {
            let mut life = walk(&path_to(Active));
            life.fail("test crash");
            life
        } else {
            walk(&path_to(state))
        }
    }

    #[test]
    fn every_legal_edge_is_taken_and_recorded() {
        for from in State::ALL {
            for to in from.successors().filter(|&to| to != Failed) {
                let mut life = in_state(from);
                let before = life.history().len();
                life.transition(to)
                    .unwrap_or_else(|e| panic!("{from} -> {to}: {e}"));
                let step = life.last_transition().expect("recorded").clone();
                assert_eq!((step.from, step.to, step.reason), (from, to, None));
                assert_eq!(life.state(), to);
                assert_eq!(life.history().len(), before + 1);
            }
        }
    }

    #[test]
    fn every_illegal_edge_is_refused_and_changes_nothing() {
        for from in State::ALL {
            for to in State::ALL {
                if from.can_transition_to(to) {
                    continue;
                }
                let mut life = in_state(from);
                let before: Vec<Transition> = life.history().cloned().collect();
                let err = life.transition(to).expect_err("illegal edge accepted");
                assert_eq!(err, LifecycleError::IllegalTransition { from, to });
                let message = err.to_string();
                assert!(message.contains(&format!("{from} -> {to}")), "{message}");
                assert_eq!(life.state(), from);
                assert_eq!(life.history().cloned().collect::<Vec<_>>(), before);
            }
        }
    }

    #[test]
    fn illegal_transition_message_lists_the_way_forward() {
        let mut life = in_state(Loaded);
        let message = life.transition(Active).unwrap_err().to_string();
        assert_eq!(
            message,
            "illegal lifecycle transition loaded -> active: from loaded an extension can only \
             go to activating, unloading, failed"
        );
    }

    #[test]
    fn fail_works_from_every_state_and_keeps_the_reason() {
        for from in State::ALL {
            let mut life = in_state(from);
            let reason = format!("crashed while {from}");
            life.fail(reason.clone());
            let step = life.last_transition().expect("recorded").clone();
            assert_eq!((step.from, step.to), (from, Failed));
            assert_eq!(step.reason.as_deref(), Some(reason.as_str()));
            assert_eq!(life.state(), Failed);
            assert_eq!(life.failure_reason(), Some(reason.as_str()));
        }
    }

    #[test]
    fn entering_failed_without_a_reason_is_refused() {
        let mut life = in_state(Active);
        assert_eq!(
            life.transition(Failed),
            Err(LifecycleError::FailureWithoutReason { from: Active })
        );
        assert_eq!(life.state(), Active);
    }

    #[test]
    fn restart_after_failure_clears_the_current_reason_but_history_keeps_it() {
        let mut life = in_state(Active);
        life.fail("segfault");
        life.transition(Loading).expect("restart");
        assert_eq!(life.failure_reason(), None);
        let reasons: Vec<_> = life.history().filter_map(|t| t.reason.as_deref()).collect();
        assert_eq!(reasons, ["segfault"]);
    }

    #[test]
    fn history_is_ordered_with_monotonic_timestamps() {
        let mut life = Lifecycle::new();
        life.transition(Loading).expect("load");
        std::thread::sleep(Duration::from_millis(20));
        life.transition(Loaded).expect("loaded");

        let steps: Vec<&Transition> = life.history().collect();
        let pairs: Vec<_> = steps.iter().map(|t| (t.from, t.to)).collect();
        assert_eq!(pairs, [(Discovered, Loading), (Loading, Loaded)]);
        let gap = steps[1].since_start - steps[0].since_start;
        assert!(gap >= Duration::from_millis(20), "gap {gap:?}");
        assert!(steps[0].at >= life.created_at());
        assert!(life.age() >= steps[1].since_start);
    }

    #[test]
    fn time_in_state_counts_from_the_last_transition() {
        let mut life = in_state(Active);
        std::thread::sleep(Duration::from_millis(20));
        assert!(life.time_in_state() >= Duration::from_millis(20));
        life.transition(Deactivating).expect("legal");
        let entered = life.last_transition().expect("recorded").since_start;
        assert!(life.time_in_state() <= life.age() - entered);
    }

    #[test]
    fn history_limit_drops_oldest_and_counts_them() {
        let mut life = Lifecycle::with_history_limit(3);
        for to in path_to(Inactive) {
            life.transition(to).expect("legal");
        }
        let kept: Vec<_> = life.history().map(|t| t.to).collect();
        assert_eq!(kept, [Active, Deactivating, Inactive]);
        assert_eq!(life.dropped_transitions(), 3);
        assert_eq!(life.last_transition().map(|t| t.to), Some(Inactive));
    }

    #[test]
    fn zero_history_limit_still_keeps_the_newest_step() {
        // A limit of 0 would make `failure_reason` unanswerable; the newest step is always kept.
        let mut life = Lifecycle::with_history_limit(0);
        life.transition(Loading).expect("legal");
        life.fail("boom");
        assert_eq!(life.history().len(), 1);
        assert_eq!(life.failure_reason(), Some("boom"));
        assert_eq!(life.dropped_transitions(), 1);
    }

    #[test]
    fn transitions_serialise_for_host_diagnostics() {
        let mut life = Lifecycle::new();
        life.fail("manifest unreadable");
        let json = serde_json::to_value(life.history().next()).expect("serialise");
        assert_eq!(json["from"], "discovered");
        assert_eq!(json["to"], "failed");
        assert_eq!(json["reason"], "manifest unreadable");
    }
}
