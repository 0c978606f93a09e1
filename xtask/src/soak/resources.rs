//! What the host process holds, read from `/proc/self`: threads, open file descriptors, child
//! processes and peak resident memory.

use std::fs;

/// A count of what this process holds at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Snapshot {
    /// Entries of `/proc/self/task`.
    pub(crate) threads: usize,
    /// Entries of `/proc/self/fd`.
    pub(crate) fds: usize,
    /// Process ids listed in `/proc/self/task/*/children`.
    pub(crate) children: Vec<u32>,
}

impl Snapshot {
    /// The counts now.
    pub(crate) fn now() -> Snapshot {
        Snapshot {
            threads: count("/proc/self/task"),
            // Minus the descriptor `read_dir` itself holds open while listing.
            fds: count("/proc/self/fd").saturating_sub(1),
            children: children(),
        }
    }

    /// What `self` holds beyond `baseline`, or `None` when nothing.
    pub(crate) fn excess_over(&self, baseline: &Snapshot) -> Option<String> {
        let extra_children: Vec<u32> = self
            .children
            .iter()
            .copied()
            .filter(|pid| !baseline.children.contains(pid))
            .collect();
        if self.threads <= baseline.threads && self.fds <= baseline.fds && extra_children.is_empty()
        {
            return None;
        }
        Some(format!(
            "threads {} (baseline {}), fds {} (baseline {}), children not reaped: {:?}",
            self.threads, baseline.threads, self.fds, baseline.fds, extra_children
        ))
    }
}

/// The peak resident set size of this process (`VmHWM`), in KiB.
pub(crate) fn peak_rss_kib() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn count(dir: &str) -> usize {
    fs::read_dir(dir).map_or(0, Iterator::count)
}

/// Every child of every thread of this process (a child belongs to the thread that forked
/// it).
fn children() -> Vec<u32> {
    let Ok(tasks) = fs::read_dir("/proc/self/task") else {
        return Vec::new();
    };
    let mut pids: Vec<u32> = tasks
        .filter_map(Result::ok)
        .filter_map(|task| fs::read_to_string(task.path().join("children")).ok())
        .flat_map(|text| {
            text.split_whitespace()
                .filter_map(|pid| pid.parse().ok())
                .collect::<Vec<u32>>()
        })
        .collect();
    pids.sort_unstable();
    pids.dedup();
    pids
}
