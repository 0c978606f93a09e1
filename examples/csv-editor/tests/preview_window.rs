//! The `csv-editor-preview` binary in a real window (Xvfb, Tauri 2, WebKitGTK): a CSV file
//! edited through its page, driven by selector over WebDriver (`tauri-driver`), and the
//! host's document commands typed on the preview's console.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::json;
use symphony_motifs::testing::display::VirtualDisplay;
use symphony_motifs::testing::webdriver::WebDriver;

const START: Duration = Duration::from_secs(60);
const ROUND_TRIP: Duration = Duration::from_secs(20);
const CSV: &str = "name,score\nada,3\n";

fn preview_binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_csv-editor-preview"))
}

#[test]
fn the_window_edits_the_document_by_selector() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scores.csv");
    std::fs::write(&file, CSV).unwrap();
    let display = VirtualDisplay::start().expect("Xvfb starts (`cargo xtask ci` installs it)");
    let window = WebDriver::tauri(preview_binary(), &[&file], &[("DISPLAY", display.name())])
        .unwrap_or_else(|error| panic!("the preview starts under tauri-driver: {error}"));
    let rows = "return document.querySelectorAll('tbody tr').length";
    window.wait_for(rows, &json!(2), START).unwrap();
    assert_eq!(
        window.url().unwrap(),
        "motif://symphony.preview/.page/table"
    );

    // A cell: typed, then committed by leaving it; the document's re-render keeps it.
    let cell = r#"input[aria-label="row 2 column 2"]"#;
    window.type_text(cell, "12").unwrap();
    window
        .execute(&format!("document.querySelector({}).blur()", json!(cell)))
        .unwrap();
    // A row: an edit whose patches add inputs to the page.
    window.click("#add-row").unwrap();
    window.wait_for(rows, &json!(3), ROUND_TRIP).unwrap();
    window
        .wait_for(
            &format!(
                "return document.querySelector({}).getAttribute('value')",
                json!(cell)
            ),
            &json!("12"),
            ROUND_TRIP,
        )
        .unwrap();
    window.click("tbody tr:nth-child(1) button.remove").unwrap();
    window.wait_for(rows, &json!(2), ROUND_TRIP).unwrap();
    let bridge_error =
        "return document.getElementById('motif-root').getAttribute('data-motif-error')";
    assert_eq!(window.execute(bridge_error).unwrap(), json!(null));

    // Edits stay in memory until the host saves: the file is as it was.
    assert_eq!(std::fs::read_to_string(&file).unwrap(), CSV);
}

#[test]
fn the_console_saves_undoes_and_refuses_unknown_commands() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scores.csv");
    std::fs::write(&file, CSV).unwrap();
    let display = VirtualDisplay::start().expect("Xvfb starts (`cargo xtask ci` installs it)");
    let mut child = Command::new(preview_binary())
        .arg(&file)
        .env("DISPLAY", display.name())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the preview starts");
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (sender, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    let wait_for = |what: &str, prefix: &str| -> String {
        let deadline = std::time::Instant::now() + START;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) if line.starts_with(prefix) => return line,
                Ok(_) => {}
                Err(_) => panic!("no {what} (a line starting {prefix:?})"),
            }
        }
    };
    wait_for(
        "page load",
        "motif preview: page loaded: motif://symphony.preview/.page/table",
    );

    writeln!(stdin, "undo").unwrap();
    let undo = wait_for("undo", "motif preview: dispatch undo -> ");
    assert!(undo.ends_with("-> []"), "nothing to undo: {undo}");

    // Saving writes the document back (atomically): same content, a new file.
    let before = std::fs::metadata(&file).unwrap().modified().unwrap();
    std::thread::sleep(Duration::from_millis(20));
    writeln!(stdin, "save").unwrap();
    let save = wait_for("save", "motif preview: dispatch save -> ");
    assert!(save.ends_with("-> []"), "{save}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), CSV);
    assert!(std::fs::metadata(&file).unwrap().modified().unwrap() > before);

    writeln!(stdin, "publish").unwrap();
    let refused = wait_for(
        "the refused command",
        "motif preview: dispatch publish -> error:",
    );
    assert!(refused.contains("save, undo, redo and revert"), "{refused}");
    let _ = child.kill();
    let _ = child.wait();
}
