//! One measured build: `cargo build` (debug) of a generated crate in its own empty target
//! dir, timed, with the crates cargo compiled counted from its JSON messages and the target
//! dir's size on disk. While it runs, a line every ten seconds says how far it got.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use super::error::BuildTimesError;
use crate::cmd;

/// What one build took.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Measurement {
    /// Wall time of `cargo build`.
    pub(crate) wall: Duration,
    /// CPU time (user + system) of cargo and every compiler it ran, where the OS reports it:
    /// unlike wall time, barely moved by other processes competing for the cores.
    pub(crate) cpu: Option<Duration>,
    /// Packages cargo compiled (each counted once, build scripts included in their package).
    pub(crate) crates: usize,
    /// Bytes on disk in the target dir afterwards (hard links counted once).
    pub(crate) target_bytes: u64,
}

/// How often a running build reports progress.
const TICK: Duration = Duration::from_secs(10);

/// Builds the crate at `manifest` into the fresh `target_dir` with `jobs` (cargo's default
/// when `None`), labelled `label` in progress lines.
pub(crate) fn build(
    manifest: &Path,
    target_dir: &Path,
    jobs: Option<usize>,
    label: &str,
) -> Result<Measurement, BuildTimesError> {
    let mut command = cmd::cargo();
    command
        .args([
            "build",
            "--message-format=json-render-diagnostics",
            "--manifest-path",
        ])
        .arg(manifest)
        .arg("--target-dir")
        .arg(target_dir)
        // A compiler cache would make the "clean" build anything but.
        .env_remove("RUSTC_WRAPPER")
        .env_remove("CARGO_BUILD_RUSTC_WRAPPER")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(jobs) = jobs {
        command.args(["--jobs", &jobs.to_string()]);
    }
    eprintln!("build-times: $ {}", cmd::display(&command));

    let cpu_before = children_cpu_time();
    let started = Instant::now();
    let mut child = command.spawn().map_err(|source| BuildTimesError::Io {
        action: "run cargo for",
        path: manifest.to_owned(),
        source,
    })?;
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let compiled = AtomicUsize::new(0);
    let done = AtomicBool::new(false);
    let last_stderr = Mutex::new(Vec::<String>::new());

    let (packages, status) = thread::scope(|scope| {
        scope.spawn(|| tick(label, started, &compiled, &done));
        scope.spawn(|| {
            if let Some(stderr) = stderr {
                keep_tail(stderr, &last_stderr);
            }
        });
        let packages = match stdout {
            Some(stdout) => count_packages(stdout, &compiled),
            None => HashSet::new(),
        };
        let status = child.wait();
        done.store(true, Ordering::Relaxed);
        (packages, status)
    });
    let wall = started.elapsed();
    let cpu = children_cpu_time()
        .zip(cpu_before)
        .map(|(after, before)| after.saturating_sub(before));
    let status = status.map_err(|source| BuildTimesError::Io {
        action: "wait for cargo building",
        path: manifest.to_owned(),
        source,
    })?;
    if !status.success() {
        let tail = last_stderr
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .join("\n");
        return Err(BuildTimesError::Build {
            label: label.to_owned(),
            status,
            tail,
        });
    }
    Ok(Measurement {
        wall,
        cpu,
        crates: packages.len(),
        target_bytes: disk_usage(target_dir)?,
    })
}

/// User + system time of this process's waited-for children so far (`cutime` + `cstime` in
/// `/proc/self/stat`, which count grandchildren their children waited for: cargo waits for
/// each rustc). `None` where there is no `/proc`.
fn children_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    parse_children_cpu_time(&stat)
}

/// `cutime` + `cstime` from the text of `/proc/<pid>/stat`, in `USER_HZ` ticks, which the
/// kernel fixes at 100 per second for this interface on every architecture Rust targets.
fn parse_children_cpu_time(stat: &str) -> Option<Duration> {
    const TICKS_PER_SECOND: u64 = 100;
    // The command name (field 2) is in parentheses and may contain spaces: count fields
    // from the last `)`. Field 3 (state) is the first after it; cutime and cstime are
    // fields 16 and 17.
    let (_, rest) = stat.rsplit_once(')')?;
    let mut fields = rest.split_whitespace().skip(13);
    let cutime: u64 = fields.next()?.parse().ok()?;
    let cstime: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis(
        (cutime + cstime) * 1000 / TICKS_PER_SECOND,
    ))
}

/// Prints elapsed time and crates compiled every [`TICK`] until `done`.
fn tick(label: &str, started: Instant, compiled: &AtomicUsize, done: &AtomicBool) {
    let mut next = TICK;
    while !done.load(Ordering::Relaxed) {
        thread::sleep(Duration::from_millis(200));
        let elapsed = started.elapsed();
        if elapsed >= next {
            eprintln!(
                "build-times:   {label}: {:>4} s, {} crates compiled",
                elapsed.as_secs(),
                compiled.load(Ordering::Relaxed)
            );
            next += TICK;
        }
    }
}

/// Reads cargo's JSON messages; returns the distinct packages that produced a
/// `compiler-artifact`, counting them in `compiled` as they come.
fn count_packages(stdout: impl Read, compiled: &AtomicUsize) -> HashSet<String> {
    let mut packages = HashSet::new();
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        if let Some(package) = artifact_package(&line)
            && packages.insert(package)
        {
            compiled.store(packages.len(), Ordering::Relaxed);
        }
    }
    packages
}

/// The `package_id` of a `compiler-artifact` message; `None` for any other line.
fn artifact_package(line: &str) -> Option<String> {
    let message: serde_json::Value = serde_json::from_str(line).ok()?;
    if message.get("reason")?.as_str()? != "compiler-artifact" {
        return None;
    }
    Some(message.get("package_id")?.as_str()?.to_owned())
}

/// Keeps the last 40 lines of `stderr`, to show when the build fails.
fn keep_tail(stderr: impl Read, tail: &Mutex<Vec<String>>) {
    for line in BufReader::new(stderr).lines() {
        let Ok(line) = line else { break };
        let mut tail = tail.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if tail.len() == 40 {
            tail.remove(0);
        }
        tail.push(line);
    }
}

/// Bytes of every file under `dir`, a hard-linked file once (cargo links each output from
/// `deps/` to the profile dir), symlinks not followed.
pub(crate) fn disk_usage(dir: &Path) -> Result<u64, BuildTimesError> {
    let mut seen = HashSet::new();
    let mut total = 0;
    let mut pending: Vec<PathBuf> = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|source| BuildTimesError::Io {
            action: "list",
            path: dir.clone(),
            source,
        })?;
        for entry in entries {
            let entry = entry.map_err(|source| BuildTimesError::Io {
                action: "list",
                path: dir.clone(),
                source,
            })?;
            let metadata = entry.metadata().map_err(|source| BuildTimesError::Io {
                action: "read the metadata of",
                path: entry.path(),
                source,
            })?;
            if metadata.is_dir() {
                pending.push(entry.path());
            } else if metadata.is_file() && seen.insert(file_id(&metadata, &entry.path())) {
                total += metadata.len();
            }
        }
    }
    Ok(total)
}

/// What identifies a file's data: device and inode on Unix, the path elsewhere.
#[cfg(unix)]
fn file_id(metadata: &std::fs::Metadata, _: &Path) -> (u64, u64, PathBuf) {
    use std::os::unix::fs::MetadataExt;
    (metadata.dev(), metadata.ino(), PathBuf::new())
}

#[cfg(not(unix))]
fn file_id(_: &std::fs::Metadata, path: &Path) -> (u64, u64, PathBuf) {
    (0, 0, path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_cpu_time_is_read_after_the_command_name() {
        // Fields 14–17 are utime, stime, cutime, cstime; the name has a space and a `)`.
        let stat = "4242 (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 7 3 1234 566 20 0 1 0";
        assert_eq!(
            parse_children_cpu_time(stat),
            Some(Duration::from_millis(18_000))
        );
        assert_eq!(parse_children_cpu_time("4242 (x) S 1"), None);
        assert_eq!(parse_children_cpu_time("garbage"), None);
    }

    #[test]
    fn only_compiler_artifacts_count_each_package_once() {
        let stdout = [
            r#"{"reason":"compiler-artifact","package_id":"registry+x#memchr@2.7.4","target":{"kind":["custom-build"]}}"#,
            r#"{"reason":"build-script-executed","package_id":"registry+x#memchr@2.7.4"}"#,
            r#"{"reason":"compiler-artifact","package_id":"registry+x#memchr@2.7.4","target":{"kind":["lib"]}}"#,
            r#"{"reason":"compiler-message","package_id":"path+file:///t#csv-cleaner@0.0.0"}"#,
            r#"{"reason":"compiler-artifact","package_id":"path+file:///t#csv-cleaner@0.0.0"}"#,
            "not json",
            r#"{"reason":"build-finished","success":true}"#,
        ]
        .join("\n");
        let compiled = AtomicUsize::new(0);
        let packages = count_packages(stdout.as_bytes(), &compiled);
        assert_eq!(packages.len(), 2);
        assert_eq!(compiled.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn disk_usage_counts_hard_links_once_and_skips_symlinks() {
        let dir = tempfile::tempdir().expect("temp dir");
        let deps = dir.path().join("debug/deps");
        std::fs::create_dir_all(&deps).expect("mkdir");
        std::fs::write(deps.join("app-1234"), vec![0u8; 1000]).expect("write");
        std::fs::write(deps.join("libx.rlib"), vec![0u8; 24]).expect("write");
        std::fs::hard_link(deps.join("app-1234"), dir.path().join("debug/app")).expect("link");
        #[cfg(unix)]
        std::os::unix::fs::symlink(deps.join("libx.rlib"), dir.path().join("link"))
            .expect("symlink");
        assert_eq!(disk_usage(dir.path()).expect("readable"), 1024);
    }

    #[test]
    fn a_failing_build_returns_cargo_s_complaint() {
        let dir = tempfile::tempdir().expect("temp dir");
        let manifest = dir.path().join("Cargo.toml");
        std::fs::write(
            &manifest,
            "[package]\nname = \"broken\"\nversion = \"0.0.0\"\nedition = \"2024\"\n[workspace]\n",
        )
        .expect("write");
        std::fs::create_dir(dir.path().join("src")).expect("mkdir");
        std::fs::write(
            dir.path().join("src/main.rs"),
            "fn main() { let x: u8 = \"no\"; }\n",
        )
        .expect("write");
        match build(
            &manifest,
            &dir.path().join("target"),
            Some(1),
            "broken/direct",
        ) {
            Err(BuildTimesError::Build { label, tail, .. }) => {
                assert_eq!(label, "broken/direct");
                assert!(tail.contains("could not compile `broken`"), "{tail}");
            }
            other => panic!("expected a build failure, got {other:?}"),
        }
    }

    #[test]
    fn a_tiny_crate_builds_and_is_measured() {
        let dir = tempfile::tempdir().expect("temp dir");
        let manifest = dir.path().join("Cargo.toml");
        std::fs::write(
            &manifest,
            "[package]\nname = \"tiny\"\nversion = \"0.0.0\"\nedition = \"2024\"\n[workspace]\n",
        )
        .expect("write");
        std::fs::create_dir(dir.path().join("src")).expect("mkdir");
        std::fs::write(dir.path().join("src/main.rs"), "fn main() {}\n").expect("write");
        let target = dir.path().join("target");
        let measured = build(&manifest, &target, None, "tiny/direct").expect("builds");
        assert_eq!(measured.crates, 1);
        if cfg!(target_os = "linux") {
            assert!(measured.cpu.is_some_and(|cpu| cpu > Duration::ZERO));
        }
        assert!(measured.target_bytes > 0);
        assert!(target.join("debug/tiny").is_file());
    }
}
