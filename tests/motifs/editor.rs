//! The CSV editor through the host, on real files: edit, undo, redo, save, revert, backups,
//! changes on disk, and a failed save that loses nothing.

use std::fs;
use std::path::Path;

use serde_json::{Value, json};
use symphony_core::protocol::ErrorCode;

use super::{call_error, click, csv_editor};

fn open(host: &symphony_core::host::Host, path: &Path) -> (u64, Value) {
    let opened: Value = host
        .call("editor/open", &json!({ "path": path }))
        .expect("editor/open");
    assert_eq!(opened["viewType"], "symphony.csv");
    (opened["document"].as_u64().expect("a document id"), opened)
}

fn call(host: &symphony_core::host::Host, method: &str, document: u64) -> Value {
    host.call(method, &json!({ "document": document }))
        .unwrap_or_else(|error| panic!("{method}: {error}"))
}

fn set_cell(row: usize, column: usize, value: &str) -> String {
    // Cell inputs sit at div > table > tbody > tr[row] > td[column] > input.
    json!({ "type": "event", "event": "change", "path": [0, 0, row, column, 0], "value": value })
        .to_string()
}

#[test]
fn edit_undo_redo_save_and_revert() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("people.csv");
    fs::write(&path, "name,age\nAda,36\n").unwrap();
    let host = csv_editor(&[dir.path()]);
    let (doc, opened) = open(&host, &path);
    assert_eq!(opened["status"]["dirty"], false);
    assert!(opened["html"].as_str().unwrap().contains(r#"value="Ada""#));

    let reply: Value = host
        .call(
            "editor/event",
            &json!({ "document": doc, "message": set_cell(1, 1, "37") }),
        )
        .unwrap();
    assert_eq!(
        reply["patches"],
        json!([{ "op": "setAttr", "path": [0, 0, 1, 1, 0], "name": "value", "value": "37" }])
    );
    assert_eq!(reply["status"]["dirty"], true);

    let undone = call(&host, "editor/undo", doc);
    assert_eq!(undone["patches"][0]["value"], "36");
    assert_eq!(undone["status"]["dirty"], false, "back at the saved state");
    let redone = call(&host, "editor/redo", doc);
    assert_eq!(redone["patches"][0]["value"], "37");
    assert_eq!(redone["status"]["dirty"], true);

    // Add a row through the view, then edit it through the host's edit operation.
    let add: Value = host
        .call(
            "editor/event",
            &json!({ "document": doc, "message": click(&[1]) }),
        )
        .unwrap();
    assert_eq!(add["patches"][0]["op"], "insert");
    let edit = json!({ "op": "setCell", "row": 2, "column": 0, "value": "Grace, \"Amazing\"" });
    host.call::<Value, _>("editor/edit", &json!({ "document": doc, "edit": edit }))
        .unwrap();

    let saved = call(&host, "editor/save", doc);
    assert_eq!(saved["dirty"], false);
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "name,age\nAda,37\n\"Grace, \"\"Amazing\"\"\",\n"
    );

    host.call::<Value, _>(
        "editor/edit",
        &json!({ "document": doc, "edit": { "op": "removeRow", "row": 0 } }),
    )
    .unwrap();
    let reverted = call(&host, "editor/revert", doc);
    assert_eq!(reverted["status"]["dirty"], false);
    assert_eq!(reverted["status"]["canUndo"], false);
    assert!(!reverted["patches"].as_array().unwrap().is_empty());
    host.shutdown().unwrap();
}

#[test]
fn a_change_on_disk_is_detected_and_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.csv");
    fs::write(&path, "a,b\n").unwrap();
    let host = csv_editor(&[dir.path()]);
    let (doc, _) = open(&host, &path);
    host.call::<Value, _>(
        "editor/event",
        &json!({ "document": doc, "message": set_cell(0, 0, "mine") }),
    )
    .unwrap();
    fs::write(&path, "theirs,b\n").unwrap();
    assert_eq!(call(&host, "editor/status", doc)["changedOnDisk"], true);

    let message = call_error(
        &host,
        "editor/save",
        &json!({ "document": doc }),
        ErrorCode::InvalidInput,
    );
    assert!(message.contains("changed on disk"), "{message}");
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "theirs,b\n",
        "their change survives"
    );

    let status: Value = host
        .call(
            "editor/save",
            &json!({ "document": doc, "overwrite": true }),
        )
        .unwrap();
    assert_eq!(
        (status["dirty"].clone(), status["changedOnDisk"].clone()),
        (json!(false), json!(false))
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), "mine,b\n");
    host.shutdown().unwrap();
}

#[test]
fn a_failed_save_loses_no_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keep.csv");
    fs::write(&path, "x,y\n").unwrap();
    // A non-empty directory where save-as should write: the final rename must fail.
    let blocked = dir.path().join("blocked.csv");
    fs::create_dir(&blocked).unwrap();
    fs::write(blocked.join("inside"), "").unwrap();

    let host = csv_editor(&[dir.path()]);
    let (doc, _) = open(&host, &path);
    host.call::<Value, _>(
        "editor/event",
        &json!({ "document": doc, "message": set_cell(0, 1, "unsaved") }),
    )
    .unwrap();
    let message = call_error(
        &host,
        "editor/saveAs",
        &json!({ "document": doc, "path": blocked }),
        ErrorCode::ExtensionFailed,
    );
    assert!(
        message.contains("cannot save") && message.contains("blocked.csv"),
        "{message}"
    );

    let status = call(&host, "editor/status", doc);
    assert_eq!(status["dirty"], true, "the edit is still there");
    assert_eq!(status["path"], json!(path), "the document kept its file");
    assert_eq!(fs::read_to_string(&path).unwrap(), "x,y\n");
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        2,
        "no temporary file left behind: {leftovers:?}"
    );

    // Saving where it can still succeeds with the unsaved edit.
    call(&host, "editor/save", doc);
    assert_eq!(fs::read_to_string(&path).unwrap(), "x,unsaved\n");
    host.shutdown().unwrap();
}

#[test]
fn backups_restore_unsaved_work_after_a_hot_exit() {
    let dir = tempfile::tempdir().unwrap();
    // The host keeps backups in a folder it grants the extension.
    let storage = tempfile::tempdir().unwrap();
    let backups = storage.path().join("backups");
    fs::create_dir(&backups).unwrap();
    let path = dir.path().join("draft.csv");
    fs::write(&path, "1,2\n").unwrap();

    let host = csv_editor(&[dir.path(), storage.path()]);
    let (doc, _) = open(&host, &path);
    host.call::<Value, _>(
        "editor/event",
        &json!({ "document": doc, "message": set_cell(0, 0, "one") }),
    )
    .unwrap();
    let backup: Value = host
        .call("editor/backup", &json!({ "document": doc, "dir": backups }))
        .unwrap();
    // Hot exit: the process goes away without saving.
    drop(host);

    let host = csv_editor(&[dir.path(), storage.path()]);
    let restored: Value = host
        .call(
            "editor/restore",
            &json!({ "backup": backup["backup"], "viewType": "symphony.csv" }),
        )
        .unwrap();
    assert!(
        restored["html"]
            .as_str()
            .unwrap()
            .contains(r#"value="one""#)
    );
    assert_eq!(restored["status"]["dirty"], true);
    assert_eq!(restored["status"]["path"], json!(path));
    let doc = restored["document"].as_u64().unwrap();
    call(&host, "editor/save", doc);
    assert_eq!(fs::read_to_string(&path).unwrap(), "one,2\n");

    let message = call_error(
        &host,
        "editor/restore",
        &json!({ "backup": path, "viewType": "symphony.csv" }),
        ErrorCode::InvalidInput,
    );
    assert!(message.contains("not a valid document backup"), "{message}");
    host.shutdown().unwrap();
}

#[test]
fn unopenable_files_and_bad_edits_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let host = csv_editor(&[dir.path()]);
    let message = call_error(
        &host,
        "editor/open",
        &json!({ "path": dir.path().join("notes.txt") }),
        ErrorCode::InvalidInput,
    );
    assert!(
        message.contains("no custom editor is registered"),
        "{message}"
    );
    let broken = dir.path().join("broken.csv");
    fs::write(&broken, "a,\"b\n").unwrap();
    let message = call_error(
        &host,
        "editor/open",
        &json!({ "path": broken }),
        ErrorCode::InvalidInput,
    );
    assert!(message.contains("not closed"), "{message}");

    let good = dir.path().join("good.csv");
    fs::write(&good, "a\n").unwrap();
    let (doc, _) = open(&host, &good);
    let message = call_error(
        &host,
        "editor/edit",
        &json!({ "document": doc, "edit": { "op": "removeRow", "row": 5 } }),
        ErrorCode::InvalidInput,
    );
    assert!(message.contains("row 5 does not exist"), "{message}");
    let message = call_error(
        &host,
        "editor/edit",
        &json!({ "document": doc, "edit": { "op": "format" } }),
        ErrorCode::InvalidParams,
    );
    assert!(
        message.contains("not an edit of this document type"),
        "{message}"
    );
    assert_eq!(call(&host, "editor/status", doc)["dirty"], false);
    host.shutdown().unwrap();
}

#[test]
fn files_outside_the_granted_folders_are_refused() {
    let granted = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let outside = elsewhere.path().join("private.csv");
    fs::write(&outside, "secret\n").unwrap();
    let inside = granted.path().join("ok.csv");
    fs::write(&inside, "a\n").unwrap();

    let host = csv_editor(&[granted.path()]);
    let message = call_error(
        &host,
        "editor/open",
        &json!({ "path": outside }),
        ErrorCode::PermissionDenied,
    );
    assert!(message.contains("private.csv"), "{message}");
    // `..` does not walk out of the grant either.
    let sneaky = granted
        .path()
        .join("..")
        .join(elsewhere.path().file_name().unwrap())
        .join("private.csv");
    call_error(
        &host,
        "editor/open",
        &json!({ "path": sneaky }),
        ErrorCode::PermissionDenied,
    );

    let (doc, _) = open(&host, &inside);
    call_error(
        &host,
        "editor/saveAs",
        &json!({ "document": doc, "path": elsewhere.path().join("copy.csv") }),
        ErrorCode::PermissionDenied,
    );
    assert!(!elsewhere.path().join("copy.csv").exists());
    host.shutdown().unwrap();
}

#[test]
#[cfg(unix)]
fn a_restored_document_saves_to_the_real_path_that_was_checked() {
    use symphony_core::host::Host;
    use symphony_core::permission::Permissions;
    use symphony_tests::extension::example_command;

    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().canonicalize().unwrap();
    fs::create_dir_all(ws.join("docs")).unwrap();
    fs::create_dir_all(ws.join("backups")).unwrap();
    let notes = ws.join("notes.csv");
    fs::write(&notes, "1,2\n").unwrap();

    // An earlier session, allowed to write everywhere, backs up unsaved work on notes.csv.
    let host = csv_editor(&[&ws]);
    let (doc, _) = open(&host, &notes);
    host.call::<Value, _>(
        "editor/event",
        &json!({ "document": doc, "message": set_cell(0, 0, "one") }),
    )
    .unwrap();
    let backup: Value = host
        .call(
            "editor/backup",
            &json!({ "document": doc, "dir": ws.join("backups") }),
        )
        .unwrap();
    drop(host);

    // Meanwhile notes.csv became a link into docs/, and this session may write only there.
    let real = ws.join("docs/real.csv");
    fs::write(&real, "1,2\n").unwrap();
    fs::remove_file(&notes).unwrap();
    std::os::unix::fs::symlink(&real, &notes).unwrap();
    let grants: Permissions = serde_json::from_value(json!({
        "filesystem": [
            { "path": "**", "access": ["read"] },
            { "path": "docs/**", "access": ["read", "write"] },
        ]
    }))
    .unwrap();
    let options = super::options()
        .with_grants(grants)
        .with_workspace_root(&ws);
    let host = Host::spawn(example_command("csv-editor"), options).expect("csv-editor starts");
    let restored: Value = host
        .call(
            "editor/restore",
            &json!({ "backup": backup["backup"], "viewType": "symphony.csv" }),
        )
        .unwrap();
    // The restored document names the real file: what the host checks is what it writes.
    assert_eq!(restored["status"]["path"], json!(real));
    let doc = restored["document"].as_u64().unwrap();
    call(&host, "editor/save", doc);
    assert_eq!(fs::read_to_string(&real).unwrap(), "one,2\n");
    assert!(
        fs::symlink_metadata(&notes)
            .unwrap()
            .file_type()
            .is_symlink(),
        "notes.csv (not writable) was not replaced"
    );
    host.shutdown().unwrap();
}
