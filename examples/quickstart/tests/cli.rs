//! The quickstart binary, run for real: three child processes, the bundled CSV and model,
//! the page on disk, and the errors a user can make.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use symphony_core::testing::{landlock_or_skip, require_or_skip};

const CLASSES: [&str; 3] = ["setosa", "versicolor", "virginica"];
const HEADER: &str = "name,sepal_length,sepal_width,petal_length,petal_width";

fn quickstart(args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_quickstart"));
    command.args(args).env_remove("SYMPHONY_ORT_LIBRARY");
    command.output().expect("the quickstart runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The Python onnxruntime outputs the bundled CSV's rows were taken from (its first rows).
fn reference() -> Value {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../onnx-classifier/model/reference.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("reference.json")).expect("JSON")
}

/// The `<tr>` of row `number` in the results table.
fn table_row(html: &str, number: usize) -> &str {
    let start = format!("<tr><td>{number}</td>");
    let from = html
        .find(&start)
        .unwrap_or_else(|| panic!("row {number} is missing"));
    let rest = &html[from..];
    &rest[..rest.find("</tr>").expect("the row ends")]
}

/// Checks the page against the reference outputs; returns the reference labels.
fn assert_scores_like_onnxruntime(html: &str) -> Vec<usize> {
    let reference = reference();
    let labels: Vec<usize> = reference["label"].as_array().expect("labels")[..30]
        .iter()
        .map(|label| usize::try_from(label.as_u64().expect("a label")).expect("small"))
        .collect();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains(
        r#"<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;"#
    ));
    assert!(html.contains("30 rows from"), "{html}");
    for (index, &label) in labels.iter().enumerate() {
        let row = table_row(html, index + 1);
        assert!(
            row.contains(&format!("<td>flower-{:02}</td>", index + 1)),
            "{row}"
        );
        let class = CLASSES[label];
        assert!(
            row.contains(&format!("<td>{class}</td>")),
            "row {}: onnxruntime says {class}: {row}",
            index + 1
        );
    }
    assert!(!html.contains("<tr><td>31</td>"));
    labels
}

/// The ONNX Runtime library `cargo xtask ci` provides, if this run has one.
fn ort_library() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("SYMPHONY_ORT_LIBRARY") {
        return Some(path.into());
    }
    let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/lib");
    std::fs::read_dir(lib)
        .ok()?
        .filter_map(Result::ok)
        .find_map(|entry| {
            let path = entry
                .path()
                .join("site-packages/onnxruntime/capi/libonnxruntime.so.1.31.1");
            path.is_file().then_some(path)
        })
}

#[test]
fn on_onnxruntime_scores_the_same() {
    let found = ort_library().ok_or_else(|| {
        "SYMPHONY_ORT_LIBRARY is unset and .venv has no onnxruntime wheel (`cargo xtask ci` \
         installs it)"
            .to_owned()
    });
    let Some(library) = require_or_skip("ONNX Runtime", "SYMPHONY_SKIP_ORT", found) else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("report.html");
    let output = Command::new(env!("CARGO_BIN_EXE_quickstart"))
        .args([
            "--backend",
            "onnxruntime",
            "--out",
            out.to_str().expect("UTF-8"),
        ])
        .env("SYMPHONY_ORT_LIBRARY", &library)
        .output()
        .expect("the quickstart runs");
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("loads the model on onnxruntime"));
    let html = std::fs::read_to_string(&out).expect("the report is written");
    assert_scores_like_onnxruntime(&html);
    assert!(html.contains("scored by the iris classifier on onnxruntime"));
}

fn write_csv(dir: &Path, name: &str, contents: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("CSV written");
    path
}

/// Runs on a CSV expected to fail; returns stderr after checking the exit and the output.
fn failure(csv: &Path, out: &Path) -> String {
    let output = quickstart(&[
        "--csv",
        csv.to_str().expect("UTF-8"),
        "--out",
        out.to_str().expect("UTF-8"),
    ]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!out.exists(), "no report is written for bad input");
    stderr
}

#[test]
fn scores_the_bundled_csv_like_onnxruntime_and_writes_the_page() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("nested/report.html");
    let output = quickstart(&["--out", out.to_str().expect("UTF-8")]);
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{}", text(&output.stderr));

    let html = std::fs::read_to_string(&out).expect("the report is written");
    let labels = assert_scores_like_onnxruntime(&html);

    let counts: Vec<String> = CLASSES
        .iter()
        .enumerate()
        .map(|(class, name)| {
            let count = labels.iter().filter(|&&label| label == class).count();
            format!("{name} {count}")
        })
        .collect();
    for expected in [
        "1. operator    symphony-examples.quickstart-operators",
        "2. instrument  symphony-examples.iris-classifier",
        "3. motif       symphony-examples.quickstart-report",
        "read and validated 30 rows",
        "scored 30 rows in ",
        "granted    nothing",
        "granted    read /",
        "model/iris.onnx, model invoke",
        "page CSP   default-src 'none'",
        &format!("Predicted   {} (30 rows)", counts.join(", ")),
        &format!("Report      {}", out.display()),
        "Total       ",
    ] {
        assert!(
            stdout.contains(expected),
            "`{expected}` is not in:\n{stdout}"
        );
    }
    // The operator was granted the bundled file itself, and nothing else.
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/iris.csv")
        .canonicalize()
        .expect("bundled CSV");
    assert!(
        stdout.contains(&format!("granted    read {}\n", bundled.display())),
        "{stdout}"
    );
    assert_eq!(stdout.matches("(spawn + handshake").count(), 3, "{stdout}");
    // On tract every extension is held to its grants by the kernel, and the line says what
    // the extension reported (a kernel without Landlock fails here unless
    // SYMPHONY_SKIP_LANDLOCK says why).
    let sandboxed = match landlock_or_skip() {
        Some(abi) if abi >= 4 => format!(
            "sandbox    Landlock, as the extension reports: the kernel confines every thread \
             to its grants and no TCP (Landlock ABI {abi}"
        ),
        Some(abi) => format!(
            "sandbox    Landlock, as the extension reports: the kernel confines every thread \
             to its filesystem grants (TCP is not restricted) (Landlock ABI {abi}"
        ),
        None => "sandbox    none, this kernel cannot enforce one".to_owned(),
    };
    assert_eq!(stdout.matches(&sandboxed).count(), 3, "{stdout}");
}

#[test]
fn quiet_prints_only_the_report_path_and_unnamed_rows_get_numbers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = write_csv(
        dir.path(),
        "mine.csv",
        "petal_width,sepal_length,sepal_width,petal_length\n0.2,5.0,3.6,1.4\n2.1,6.8,3.0,5.5\n",
    );
    let out = dir.path().join("mine.html");
    let output = quickstart(&[
        "--csv",
        csv.to_str().expect("UTF-8"),
        "--out",
        out.to_str().expect("UTF-8"),
        "--quiet",
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), format!("{}\n", out.display()));
    let html = std::fs::read_to_string(&out).expect("the report is written");
    // Columns are found by name, in any order.
    assert!(
        table_row(&html, 1).contains(
            "<td>row 1</td><td>5</td><td>3.6</td><td>1.4</td><td>0.2</td><td>setosa</td>"
        ),
        "{html}"
    );
    assert!(table_row(&html, 2).contains("<td>virginica</td>"), "{html}");
}

#[test]
fn help_explains_every_option() {
    let output = quickstart(&["--help"]);
    assert!(output.status.success());
    let help = text(&output.stdout);
    for option in [
        "--csv <PATH>",
        "--out <PATH>",
        "--backend <ENGINE>",
        "--quiet",
        "cargo run -p quickstart -- ",
        "SYMPHONY_ORT_LIBRARY",
    ] {
        assert!(help.contains(option), "`{option}` is not in:\n{help}");
    }
}

#[test]
fn a_non_numeric_value_names_the_file_row_and_column() {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = write_csv(
        dir.path(),
        "bad.csv",
        &format!("{HEADER}\na,5.1,3.5,1.4,0.2\nb,4.9,3.0,1.4,0.2\nc,4.7,3.2,1.3,wide\n"),
    );
    let stderr = failure(&csv, &dir.path().join("report.html"));
    assert_eq!(
        stderr,
        format!(
            "quickstart: {}: row 3 (c), column `petal_width`: not a number: `wide`\n",
            csv.display()
        )
    );
}

#[test]
fn a_missing_column_or_an_empty_file_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("report.html");
    let csv = write_csv(
        dir.path(),
        "three.csv",
        "name,sepal_length,sepal_width,petal_length\na,5.1,3.5,1.4\n",
    );
    let stderr = failure(&csv, &out);
    assert!(
        stderr.starts_with(&format!(
            "quickstart: {}: unknown column `petal_width`",
            csv.display()
        )),
        "{stderr}"
    );
    let csv = write_csv(dir.path(), "empty.csv", &format!("{HEADER}\n"));
    let stderr = failure(&csv, &out);
    assert!(stderr.contains("the file has no data rows"), "{stderr}");
}

#[test]
fn a_missing_csv_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("nope.csv");
    let stderr = failure(&csv, &dir.path().join("report.html"));
    assert!(
        stderr.starts_with(&format!(
            "quickstart: cannot open the CSV file `{}`: ",
            csv.display()
        )),
        "{stderr}"
    );
}

#[test]
fn command_line_mistakes_exit_2_with_what_to_change() {
    let output = quickstart(&["--backend", "onnxruntime"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("SYMPHONY_ORT_LIBRARY, which is not set"));
    let output = quickstart(&["--frobnicate"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        text(&output.stderr),
        "quickstart: unknown option `--frobnicate` (see --help)\n"
    );
}
