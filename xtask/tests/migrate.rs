//! `cargo xtask migrate` run as a real process on real crates in temp directories: an
//! example of this repository migrated there and back, and crates it must refuse.
//! (Building and running a migrated example is `cargo xtask styles`, a CI step.)

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn xtask(args: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("the xtask binary runs")
}

fn migrate(dir: &Path, to: &str, dry_run: bool) -> Output {
    let mut args = vec![Path::new("migrate"), dir, Path::new("--to"), Path::new(to)];
    if dry_run {
        args.push(Path::new("--dry-run"));
    }
    xtask(&args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A workspace declaring the SDK as this repository does, around a copy of `example`.
fn workspace_with(example: &str) -> (tempfile::TempDir, PathBuf) {
    let root = tempfile::tempdir().expect("a temp dir");
    fs::write(
        root.path().join("Cargo.toml"),
        "[workspace]\nmembers = [\"ext\"]\n\n[workspace.dependencies]\n\
         symphony = { version = \"=0.1.0\", default-features = false, package = \"symphony-sdk\" }\n\
         symphony_operators = { version = \"=0.1.0\" }\n\
         symphony_motifs = { version = \"=0.1.0\" }\n\
         symphony_instruments = { version = \"=0.1.0\" }\n",
    )
    .expect("write the workspace manifest");
    let repository = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let crate_dir = root.path().join("ext");
    copy(&repository.join("examples").join(example), &crate_dir);
    (root, crate_dir)
}

fn copy(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create a directory");
    for entry in fs::read_dir(from).expect("list the example") {
        let entry = entry.expect("list the example");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).expect("copy a file");
        }
    }
}

fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).expect("list") {
        let path = entry.expect("list").path();
        if path.is_dir() {
            files.extend(snapshot(&path));
        } else {
            let bytes = fs::read(&path).expect("read");
            files.push((path, bytes));
        }
    }
    files.sort();
    files
}

#[test]
fn an_example_goes_unified_and_back_to_the_same_bytes() {
    let (_root, dir) = workspace_with("csv-cleaner");
    let original = snapshot(&dir);

    let dry = migrate(&dir, "unified", true);
    assert!(dry.status.success(), "{}", text(&dry.stderr));
    let report = text(&dry.stdout);
    assert!(
        report.contains("+   11 symphony = { workspace = true, features = [\"operators\"] }"),
        "{report}"
    );
    assert!(
        report.contains("+   10 use symphony::operators::{OperatorError, Operators};"),
        "{report}"
    );
    assert_eq!(snapshot(&dir), original, "--dry-run wrote files");

    let unified = migrate(&dir, "unified", false);
    assert!(unified.status.success(), "{}", text(&unified.stderr));
    let manifest = fs::read_to_string(dir.join("Cargo.toml")).expect("read Cargo.toml");
    assert!(!manifest.contains("symphony_operators"), "{manifest}");
    let main = fs::read_to_string(dir.join("src/main.rs")).expect("read main.rs");
    assert!(
        main.contains("symphony::operators::main!(setup);"),
        "{main}"
    );
    let build = fs::read_to_string(dir.join("build.rs")).expect("read build.rs");
    assert!(
        build.contains("symphony::operators::manifest::build"),
        "{build}"
    );

    let split = migrate(&dir, "split", false);
    assert!(split.status.success(), "{}", text(&split.stderr));
    assert_eq!(snapshot(&dir), original);
}

#[test]
fn a_crate_that_cannot_be_migrated_is_left_untouched_and_each_place_is_named() {
    let (_root, dir) = workspace_with("csv-cleaner");
    fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"ext\"\n\n[dependencies]\nsymphony = { workspace = true, features = [\"operators\", \"motifs\"] }\n",
    )
    .expect("write Cargo.toml");
    fs::write(
        dir.join("src/main.rs"),
        "use std::io;\nuse symphony::{operators::Task, motifs::Motif};\nfn main() {}\n",
    )
    .expect("write main.rs");
    let before = snapshot(&dir);

    let output = migrate(&dir, "split", false);
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    let place = format!("{}:2:15: ", dir.join("src/main.rs").display());
    assert!(stderr.contains(&place), "{stderr}");
    assert!(stderr.contains("write one `use` per kind"), "{stderr}");
    assert_eq!(snapshot(&dir), before);
}

#[test]
fn a_crate_already_in_the_style_asked_for_is_refused() {
    let (_root, dir) = workspace_with("counter-panel");
    let output = migrate(&dir, "split", false);
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("has no dependency on `symphony-sdk`"),
        "{stderr}"
    );
}

#[test]
fn usage_errors_exit_with_2_and_say_what_is_missing() {
    let output = xtask(&[Path::new("migrate"), Path::new("some/crate")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("`--to split` or `--to unified`"));
    let output = xtask(&[
        Path::new("migrate"),
        Path::new("x"),
        Path::new("--to=sideways"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("`--to sideways`"));
}
