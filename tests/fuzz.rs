//! Every committed fuzz input, replayed on stable through the entry function its cargo-fuzz
//! target calls: the seed corpora (`<crate>/fuzz/corpus/<target>`) and every input that ever
//! crashed a target (`<crate>/fuzz/regressions/<target>`, which `cargo xtask fuzz` fills).

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

#[allow(unreachable_pub, dead_code)]
#[path = "../symphony_core/fuzz/src/lib.rs"]
mod core_entries;

#[allow(unreachable_pub, dead_code)]
#[path = "../symphony_motifs/fuzz/src/lib.rs"]
mod motifs_entries;

/// What a fuzz target calls with each input.
type Entry = fn(&[u8]);

/// Each target: its crate folder, its name, and the entry function it calls.
const TARGETS: &[(&str, &str, Entry)] = &[
    ("symphony_core", "manifest", core_entries::manifest),
    ("symphony_core", "config", core_entries::config),
    (
        "symphony_core",
        "codec_session",
        core_entries::codec_session,
    ),
    (
        "symphony_core",
        "permission_path",
        core_entries::permission_path,
    ),
    ("symphony_motifs", "view_html", motifs_entries::view_html),
];

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| {
            entry
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .path()
        })
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

/// Replays the files of `kind` (`corpus` or `regressions`) of every target; fails naming each
/// input that panics.
fn replay(kind: &str) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut failures = Vec::new();
    let mut count = 0;
    for (krate, target, entry) in TARGETS {
        for input in inputs(&root.join(krate).join("fuzz").join(kind).join(target)) {
            let data = fs::read(&input).unwrap_or_else(|e| panic!("{}: {e}", input.display()));
            count += 1;
            if catch_unwind(AssertUnwindSafe(|| entry(&data))).is_err() {
                failures.push(format!("{target}: {}", input.display()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "fuzz inputs that fail their target (the panic is printed above each):\n{}",
        failures.join("\n")
    );
    count
}

#[test]
fn every_input_that_ever_crashed_a_fuzz_target_passes() {
    replay("regressions");
}

#[test]
fn the_seed_corpora_pass_their_fuzz_targets() {
    // Every target has seeds; an empty corpus would make this test vacuous.
    for (krate, target, _) in TARGETS {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(krate)
            .join("fuzz/corpus")
            .join(target);
        assert!(!inputs(&dir).is_empty(), "no seeds in {}", dir.display());
    }
    assert!(replay("corpus") > 0);
}
