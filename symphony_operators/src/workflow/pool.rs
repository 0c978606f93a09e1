//! Threads kept between runs for the nodes that need their own: starting a node costs a
//! wake-up rather than a thread spawn.
//!
//! Every job starts at once (on an idle worker, or a new one when none is idle): a node may
//! wait for another node's output, so holding a job back behind a busy worker could
//! deadlock. Idle workers exit after a while.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

/// How long a worker waits for another job before it exits.
const IDLE: Duration = Duration::from_secs(10);

type Job = Box<dyn FnOnce() + Send>;

struct State {
    queue: VecDeque<Job>,
    /// Workers waiting for a job.
    waiting: usize,
}

static STATE: Mutex<State> = Mutex::new(State {
    queue: VecDeque::new(),
    waiting: 0,
});
static READY: Condvar = Condvar::new();

/// Runs `job` on a worker thread now.
///
/// # Errors
///
/// When no worker was idle and no thread could be started; the job is dropped.
pub(super) fn execute(job: impl FnOnce() + Send + 'static) -> std::io::Result<()> {
    let mut state = STATE.lock().unwrap_or_else(PoisonError::into_inner);
    state.queue.push_back(Box::new(job));
    if state.waiting >= state.queue.len() {
        // Only the first of a burst of jobs wakes a worker here; that worker wakes the next
        // (see `work`), so the thread starting a workflow is not preempted once per node.
        if state.queue.len() == 1 {
            READY.notify_one();
        }
        return Ok(());
    }
    drop(state);
    let spawned = std::thread::Builder::new()
        .name("workflow-node".to_owned())
        .spawn(work);
    if let Err(error) = spawned {
        // Take a job back so that the queue matches the workers that will serve it.
        let mut state = STATE.lock().unwrap_or_else(PoisonError::into_inner);
        state.queue.pop_back();
        return Err(error);
    }
    Ok(())
}

fn work() {
    loop {
        let job = {
            let mut state = STATE.lock().unwrap_or_else(PoisonError::into_inner);
            loop {
                if let Some(job) = state.queue.pop_front() {
                    if !state.queue.is_empty() && state.waiting > 0 {
                        READY.notify_one();
                    }
                    break job;
                }
                state.waiting += 1;
                let (next, timeout) = READY
                    .wait_timeout(state, IDLE)
                    .unwrap_or_else(PoisonError::into_inner);
                state = next;
                state.waiting -= 1;
                if timeout.timed_out() && state.queue.is_empty() {
                    return;
                }
            }
        };
        // A job catches its own panics; one that escapes must not take the worker's
        // accounting with it.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc::channel;
    use std::sync::{Arc, Barrier};
    use std::time::Duration;

    /// Jobs that wait for each other must all be running at once, including when they come in
    /// a burst and the workers wake one another rather than each being woken by `execute`.
    #[test]
    fn a_burst_of_jobs_that_wait_for_each_other_all_start() {
        for burst in [2, 8, 33] {
            for _ in 0..20 {
                let all_in = Arc::new(Barrier::new(burst));
                let (done, finished) = channel();
                for _ in 0..burst {
                    let (all_in, done) = (Arc::clone(&all_in), done.clone());
                    super::execute(move || {
                        all_in.wait();
                        let _ = done.send(());
                    })
                    .expect("a worker");
                }
                for n in 0..burst {
                    finished
                        .recv_timeout(Duration::from_secs(10))
                        .unwrap_or_else(|_| panic!("job {n} of {burst} never started"));
                }
            }
        }
    }
}
