//! `cargo xtask soak [--processes N] [--requests M] [--release] [--deadline S]`: a soak
//! benchmark of the host.
//!
//! N extension processes (the `echo`, `csv-cleaner` operator, `counter-panel` motif and
//! `onnx-classifier` instrument examples, round robin) each answer M requests through
//! [`symphony_core::host::Extension`], all processes at once and several requests in flight per
//! process. Three in ten processes are `echo`s that suffer a fault half way: a crash
//! mid-request, a handler that hangs and ignores cancellation, or a process that stops (SIGSTOP:
//! it neither reads its stdin nor answers) while large requests are written to it. Each fault
//! must be reported as an error by its deadline, after which the host restarts the extension
//! and the remaining requests go on.
//!
//! It fails if any answer is wrong, missing, duplicated (the motif's counter must equal the
//! clicks answered), or late; if a fault is not reported by its deadline; or if the host
//! process's threads, file descriptors or children are not back to their baseline afterwards.
//! Every wait is bounded: past `--deadline` the soak kills its extensions and reports what was
//! stuck instead of hanging. It prints throughput, p50/p99 latency and peak RSS.

mod faults;
mod kinds;
mod resources;

use std::collections::VecDeque;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;
use symphony_core::host::{Extension, ExtensionOptions, PendingCall};

use crate::error::Error;
use crate::{cmd, workspace};
use faults::Fault;
use kinds::{Expectations, Kind};
use resources::Snapshot;

/// Requests in flight per process.
const WINDOW: usize = 4;

/// How long one ordinary request may take, under the full soak's load, before it is late.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// How long the host's threads, fds and children get to return to baseline at the end.
const SETTLE: Duration = Duration::from_secs(10);

/// What to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Options {
    /// Extension processes.
    pub(crate) processes: usize,
    /// Requests per process.
    pub(crate) requests: usize,
    /// Build and run the examples with `--release`.
    pub(crate) release: bool,
    /// The bound on the whole soak, in seconds.
    pub(crate) deadline: u64,
}

impl Options {
    /// The CI-sized soak: 10 processes (all kinds and all three faults) x 100 requests.
    pub(crate) fn ci() -> Options {
        Options {
            processes: 10,
            requests: 100,
            release: false,
            deadline: 240,
        }
    }

    /// Parses `--processes N`, `--requests M`, `--release` and `--deadline S`.
    pub(crate) fn parse(args: &[OsString]) -> Result<Options, Error> {
        let mut options = Options {
            processes: 100,
            requests: 1_000,
            release: false,
            deadline: 900,
        };
        let mut args = args.iter().map(|arg| arg.to_string_lossy().into_owned());
        while let Some(arg) = args.next() {
            if arg == "--release" {
                options.release = true;
                continue;
            }
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) => (flag.to_owned(), Some(value.to_owned())),
                None => (arg.clone(), None),
            };
            let text = match inline.or_else(|| args.next()) {
                Some(text) if flag.starts_with("--") => text,
                _ => return Err(Error::Usage(format!("`soak` does not understand {arg:?}"))),
            };
            let number = text
                .parse::<usize>()
                .ok()
                .filter(|&n| n > 0)
                .ok_or_else(|| {
                    Error::Usage(format!("`{flag}` takes a positive number, got {text:?}"))
                })?;
            match flag.as_str() {
                "--processes" => options.processes = number,
                "--requests" => options.requests = number.max(2),
                "--deadline" => options.deadline = number as u64,
                _ => return Err(Error::Usage(format!("`soak` does not understand {flag:?}"))),
            }
        }
        Ok(options)
    }
}

/// What one process's driver saw.
#[derive(Debug, Default)]
struct Outcome {
    answered: usize,
    latencies: Vec<Duration>,
    problems: Vec<String>,
    /// The fault injected, and how long the host took to report it.
    fault: Option<(Fault, Result<Duration, String>)>,
}

/// Shared between the drivers and the watchdog.
struct Shared {
    /// The workspace root, where the examples are.
    root: PathBuf,
    expectations: Expectations,
    binaries: Vec<(Kind, PathBuf)>,
    requests: usize,
    /// Every extension process started, to kill if the soak has to give up.
    pids: Mutex<Vec<u32>>,
    /// What each driver is doing now, for a report of what was stuck.
    steps: Vec<Mutex<String>>,
}

impl Shared {
    fn step(&self, process: usize, step: impl Into<String>) {
        *self.steps[process]
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = step.into();
    }

    fn started(&self, host: &Extension) {
        if let Some(pid) = host.process_id() {
            self.pids
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(pid);
        }
    }
}

/// Builds the examples, runs the soak and prints its figures.
pub(crate) fn run(root: &Path, options: &Options) -> Result<(), Error> {
    let binaries = build(root, options.release)?;
    let expectations = Expectations::load(root).map_err(Error::Soak)?;
    let baseline = Snapshot::now();
    eprintln!(
        "soak: {} processes x {} requests, {} in flight each; baseline: {} threads, {} fds, {} children",
        options.processes,
        options.requests,
        WINDOW,
        baseline.threads,
        baseline.fds,
        baseline.children.len()
    );
    let shared = Arc::new(Shared {
        root: root.to_owned(),
        expectations,
        binaries,
        requests: options.requests,
        pids: Mutex::new(Vec::new()),
        steps: (0..options.processes)
            .map(|_| Mutex::new("starting".to_owned()))
            .collect(),
    });
    let started = Instant::now();
    let deadline = started + Duration::from_secs(options.deadline);
    let (sender, receiver) = mpsc::channel();
    let mut drivers = Vec::with_capacity(options.processes);
    for process in 0..options.processes {
        let shared = Arc::clone(&shared);
        let sender = sender.clone();
        let driver = thread::Builder::new()
            .name(format!("soak-{process}"))
            .spawn(move || {
                let outcome = drive(&shared, process);
                let _ = sender.send((process, outcome));
            })
            .map_err(|source| Error::Spawn {
                command: format!("soak driver thread {process}"),
                source,
            })?;
        drivers.push(Some(driver));
    }
    drop(sender);

    let mut outcomes: Vec<Option<Outcome>> = (0..options.processes).map(|_| None).collect();
    let mut received = 0;
    while received < options.processes {
        let left = deadline.saturating_duration_since(Instant::now());
        match receiver.recv_timeout(left) {
            Ok((process, outcome)) => {
                if let Some(driver) = drivers[process].take() {
                    let _ = driver.join();
                }
                outcomes[process] = Some(outcome);
                received += 1;
            }
            Err(_) => break,
        }
    }
    let elapsed = started.elapsed();
    if received < options.processes {
        let stuck: Vec<String> = (0..options.processes)
            .filter(|&process| outcomes[process].is_none())
            .map(|process| {
                let step = shared.steps[process]
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clone();
                format!(
                    "  process {process} ({}): {step}",
                    kind_of(process).package()
                )
            })
            .collect();
        kill_all(&shared);
        return Err(Error::Soak(format!(
            "{} of {} processes did not finish within {} s; stuck at:\n{}\n(their extensions were killed)",
            stuck.len(),
            options.processes,
            options.deadline,
            stuck.join("\n")
        )));
    }
    let outcomes: Vec<Outcome> = outcomes.into_iter().flatten().collect();
    let settled = settle(&baseline);
    report(options, &outcomes, elapsed, settled)
}

/// The kind of process `process` runs: every tenth process's last three are faulty `echo`s.
fn kind_of(process: usize) -> Kind {
    if Fault::of(process).is_some() {
        Kind::Echo
    } else {
        Kind::ALL[process % Kind::ALL.len()]
    }
}

/// Starts one extension, sends it its requests (and its fault), and shuts it down.
fn drive(shared: &Shared, process: usize) -> Outcome {
    let mut outcome = Outcome::default();
    let kind = kind_of(process);
    let fault = Fault::of(process);
    let Some((_, binary)) = shared.binaries.iter().find(|(k, _)| *k == kind) else {
        outcome.problems.push(format!("no binary for {kind:?}"));
        return outcome;
    };
    let options = kind.options(
        ExtensionOptions::default()
            .with_request_timeout(Some(REQUEST_TIMEOUT))
            .with_handshake_timeout(Duration::from_secs(60))
            .with_cancel_grace(faults::CANCEL_GRACE)
            .with_shutdown_timeout(Duration::from_secs(10)),
        &shared.root,
    );
    shared.step(process, "spawning");
    let host = match Extension::spawn(Command::new(binary), options) {
        Ok(host) => Arc::new(host),
        Err(error) => {
            outcome.problems.push(format!("spawn: {error}"));
            return outcome;
        }
    };
    shared.started(&host);
    let half = shared.requests / 2;
    requests(shared, &host, kind, process, 0..half, &mut outcome);
    if let Some(fault) = fault {
        shared.step(process, format!("injecting {fault:?}"));
        let reported = fault.inject(&host);
        outcome.fault = Some((fault, reported));
        shared.step(process, format!("restarting after {fault:?}"));
        if let Err(error) = host.restart() {
            outcome
                .problems
                .push(format!("restart after {fault:?}: {error}"));
            return outcome;
        }
        shared.started(&host);
    }
    requests(
        shared,
        &host,
        kind,
        process,
        half..shared.requests,
        &mut outcome,
    );
    shared.step(process, "final check");
    if let Err(problem) = kinds::check_final(kind, &host, outcome.answered) {
        outcome.problems.push(problem);
    }
    shared.step(process, "shutting down");
    match Arc::try_unwrap(host) {
        Ok(host) => {
            if let Err(error) = host.shutdown() {
                outcome.problems.push(format!("shutdown: {error}"));
            }
        }
        Err(_) => outcome
            .problems
            .push("a call thread still holds the host; not shut down".to_owned()),
    }
    shared.step(process, "done");
    outcome
}

/// Sends requests `seqs` with [`WINDOW`] in flight, checking each answer.
fn requests(
    shared: &Shared,
    host: &Extension,
    kind: Kind,
    process: usize,
    seqs: std::ops::Range<usize>,
    outcome: &mut Outcome,
) {
    let mut in_flight: VecDeque<(usize, Instant, PendingCall)> = VecDeque::new();
    let mut next = seqs.start;
    while next < seqs.end || !in_flight.is_empty() {
        while next < seqs.end && in_flight.len() < WINDOW {
            shared.step(process, format!("sending request {next}"));
            let (method, params) = shared.expectations.request(kind, process, next);
            match host.start(method, &params) {
                Ok(pending) => in_flight.push_back((next, Instant::now(), pending)),
                Err(error) => outcome
                    .problems
                    .push(format!("request {next} not sent: {error}")),
            }
            next += 1;
        }
        let Some((seq, sent, pending)) = in_flight.pop_front() else {
            continue;
        };
        shared.step(process, format!("waiting for request {seq}"));
        match pending.wait::<Value>() {
            Ok(answer) => {
                let latency = sent.elapsed();
                match shared.expectations.check(kind, process, seq, &answer) {
                    Ok(()) => {
                        outcome.answered += 1;
                        outcome.latencies.push(latency);
                    }
                    Err(problem) => outcome.problems.push(problem),
                }
            }
            Err(error) => outcome
                .problems
                .push(format!("request {seq} failed: {error}")),
        }
    }
}

/// Waits up to [`SETTLE`] for the process to hold no more than at `baseline`.
fn settle(baseline: &Snapshot) -> Result<Snapshot, String> {
    let until = Instant::now() + SETTLE;
    loop {
        let now = Snapshot::now();
        match now.excess_over(baseline) {
            None => return Ok(now),
            Some(excess) if Instant::now() >= until => return Err(excess),
            Some(_) => thread::sleep(Duration::from_millis(100)),
        }
    }
}

fn report(
    options: &Options,
    outcomes: &[Outcome],
    elapsed: Duration,
    settled: Result<Snapshot, String>,
) -> Result<(), Error> {
    let mut latencies: Vec<Duration> = outcomes
        .iter()
        .flat_map(|outcome| outcome.latencies.iter().copied())
        .collect();
    latencies.sort_unstable();
    let answered: usize = outcomes.iter().map(|outcome| outcome.answered).sum();
    let expected = options.processes * options.requests;
    let percentile = |p: f64| -> Duration {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    let mut problems: Vec<String> = Vec::new();
    // Faults first: they are the rarer news.
    for (process, outcome) in outcomes.iter().enumerate() {
        if let Some((fault, Err(problem))) = &outcome.fault {
            problems.push(format!("process {process}: {fault:?} fault: {problem}"));
        }
    }
    for (process, outcome) in outcomes.iter().enumerate() {
        for problem in &outcome.problems {
            problems.push(format!(
                "process {process} ({}): {problem}",
                kind_of(process).package()
            ));
        }
    }
    if answered != expected {
        problems.push(format!(
            "{answered} of {expected} requests answered correctly"
        ));
    }
    if let Err(excess) = &settled {
        problems.push(format!(
            "not back to baseline {} s after the last extension stopped: {excess}",
            SETTLE.as_secs()
        ));
    }
    println!(
        "soak: {} processes x {} requests in {:.1} s",
        options.processes,
        options.requests,
        elapsed.as_secs_f64()
    );
    println!(
        "soak: {answered} of {expected} answered correctly; throughput {:.0} requests/s; latency p50 {:.2} ms, p99 {:.2} ms",
        answered as f64 / elapsed.as_secs_f64(),
        percentile(0.50).as_secs_f64() * 1e3,
        percentile(0.99).as_secs_f64() * 1e3,
    );
    for fault in Fault::ALL {
        let reports: Vec<&Result<Duration, String>> = outcomes
            .iter()
            .filter_map(|outcome| outcome.fault.as_ref())
            .filter(|(f, _)| *f == fault)
            .map(|(_, reported)| reported)
            .collect();
        let on_time: Vec<Duration> = reports
            .iter()
            .filter_map(|r| r.as_ref().ok().copied())
            .collect();
        let slowest = on_time.iter().max().copied().unwrap_or_default();
        println!(
            "soak: fault {fault:?}: {} injected, {} reported by the deadline ({} s), slowest {:.2} s",
            reports.len(),
            on_time.len(),
            fault.deadline().as_secs(),
            slowest.as_secs_f64()
        );
    }
    match &settled {
        Ok(now) => println!(
            "soak: afterwards {} threads, {} fds, {} children (back to baseline)",
            now.threads,
            now.fds,
            now.children.len()
        ),
        Err(excess) => println!("soak: afterwards {excess}"),
    }
    if let Some(kib) = resources::peak_rss_kib() {
        println!("soak: host peak RSS {:.1} MiB", kib as f64 / 1024.0);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        let shown = problems.len().min(30);
        Err(Error::Soak(format!(
            "{} problem(s){}:\n  {}",
            problems.len(),
            if shown < problems.len() {
                ", the first 30"
            } else {
                ""
            },
            problems[..shown].join("\n  ")
        )))
    }
}

/// Kills every extension still running, when the soak gives up on its drivers.
fn kill_all(shared: &Shared) {
    let children = Snapshot::now().children;
    let pids = shared.pids.lock().unwrap_or_else(PoisonError::into_inner);
    for pid in pids.iter().filter(|pid| children.contains(pid)) {
        let _ = cmd::probe(Command::new("kill").args(["-KILL", &pid.to_string()]));
    }
}

/// Builds the example binaries and returns their paths.
fn build(root: &Path, release: bool) -> Result<Vec<(Kind, PathBuf)>, Error> {
    let mut command = cmd::cargo();
    command.current_dir(root).arg("build");
    if release {
        command.arg("--release");
    }
    for kind in Kind::ALL {
        command.args(["-p", kind.package()]);
    }
    cmd::run(&mut command)?;
    let dir = workspace::target_dir(root).join(if release { "release" } else { "debug" });
    Kind::ALL
        .iter()
        .map(|&kind| {
            let binary = dir.join(kind.package());
            if binary.is_file() {
                Ok((kind, binary))
            } else {
                Err(Error::Soak(format!("{} was not built", binary.display())))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, Error> {
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        Options::parse(&args)
    }

    #[test]
    fn options_parse_and_refuse_by_name() {
        let options = parse(&["--processes", "10", "--requests=100", "--release"]).unwrap();
        assert_eq!(
            (options.processes, options.requests, options.release),
            (10, 100, true)
        );
        assert!(
            parse(&["--processes", "0"])
                .unwrap_err()
                .to_string()
                .contains("positive")
        );
        assert!(
            parse(&["--fast"])
                .unwrap_err()
                .to_string()
                .contains("--fast")
        );
    }

    #[test]
    fn the_ci_soak_has_every_kind_and_every_fault() {
        let processes = Options::ci().processes;
        let kinds: Vec<Kind> = (0..processes).map(kind_of).collect();
        for kind in Kind::ALL {
            assert!(kinds.contains(&kind), "{kind:?}");
        }
        let faults: Vec<Fault> = (0..processes).filter_map(Fault::of).collect();
        assert_eq!(faults, Fault::ALL);
    }
}
