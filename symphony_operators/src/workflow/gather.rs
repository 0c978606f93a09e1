//! Collecting the results of the groups that run on pooled threads.
//!
//! A channel woke the running thread once per group as each one finished, only for it to wait
//! again: in a chain of threaded nodes that was a thread switch per node. Here the results go
//! into one list and only the last group to finish wakes the waiter.

use std::sync::{Arc, Condvar, Mutex, PoisonError};

use super::group::NodeResult;

/// Where the groups' results meet.
pub(super) struct Gather {
    state: Mutex<State>,
    done: Condvar,
}

struct State {
    results: Vec<NodeResult>,
    /// Groups that have not reported yet.
    due: usize,
}

impl Gather {
    /// A gathering of `due` groups' results.
    pub(super) fn new(due: usize) -> Arc<Gather> {
        Arc::new(Gather {
            state: Mutex::new(State {
                results: Vec::new(),
                due,
            }),
            done: Condvar::new(),
        })
    }

    /// The way one group reports: dropped without [`Reporter::deliver`] (its job was never
    /// run, or its thread unwound), it counts as reported with no results, which the run's
    /// report then treats as a lost thread.
    pub(super) fn reporter(self: &Arc<Gather>) -> Reporter {
        Reporter {
            gather: Some(Arc::clone(self)),
        }
    }

    /// Waits until every group has reported, and takes their results.
    pub(super) fn wait(&self) -> Vec<NodeResult> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        while state.due > 0 {
            state = self
                .done
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        std::mem::take(&mut state.results)
    }

    fn report(&self, results: Vec<NodeResult>) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.results.extend(results);
        state.due -= 1;
        if state.due == 0 {
            self.done.notify_all();
        }
    }
}

/// One group's report, made exactly once: by [`deliver`](Self::deliver), or else when dropped.
pub(super) struct Reporter {
    /// Taken by the one report.
    gather: Option<Arc<Gather>>,
}

impl Reporter {
    /// Reports the group's results.
    pub(super) fn deliver(mut self, results: Vec<NodeResult>) {
        if let Some(gather) = self.gather.take() {
            gather.report(results);
        }
    }
}

impl Drop for Reporter {
    fn drop(&mut self) {
        if let Some(gather) = self.gather.take() {
            gather.report(Vec::new());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_waiter_gets_every_result_once_all_have_reported() {
        let gather = Gather::new(3);
        let reporters: Vec<Reporter> = (0..3).map(|_| gather.reporter()).collect();
        let threads: Vec<_> = reporters
            .into_iter()
            .enumerate()
            .map(|(node, reporter)| {
                std::thread::spawn(move || {
                    std::thread::sleep(Duration::from_millis(10 * node as u64));
                    reporter.deliver(vec![(
                        node,
                        Err(crate::workflow::WorkflowError::Panicked {
                            node: format!("n{node}"),
                            message: String::new(),
                        }),
                    )]);
                })
            })
            .collect();
        let mut nodes: Vec<usize> = gather.wait().into_iter().map(|(node, _)| node).collect();
        nodes.sort_unstable();
        assert_eq!(nodes, [0, 1, 2]);
        for thread in threads {
            thread.join().expect("reporter");
        }
        assert_eq!(
            Arc::strong_count(&gather),
            1,
            "a reporter kept the gathering alive"
        );
    }

    #[test]
    fn a_reporter_dropped_unused_still_counts() {
        let gather = Gather::new(2);
        let (first, second) = (gather.reporter(), gather.reporter());
        drop(first);
        std::thread::spawn(move || {
            // As when a job's thread unwinds before it reports.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
                let _held = second;
                panic!("lost");
            }));
        })
        .join()
        .expect("thread");
        assert!(gather.wait().is_empty());
    }
}
