//! The CSV editor through the host, on real files: edit, undo, redo, save, revert, backups,
//! changes on disk, and a failed save that loses nothing.

use std::fs;
use std::path::Path;

use serde_json::json;
use symphony_motifs::bridge::BridgeEvent;
use symphony_motifs::diff::Patch;
use symphony_motifs::editor::EditorStatus;
use symphony_motifs::methods::Method;
use symphony_motifs::methods::editor::{
    Backup, BackupParams, DocumentParams, Edit, EditParams, Edited, Event, EventParams, Open,
    OpenParams, Opened, Page, PageParams, Redo, Restore, RestoreParams, Revert, Save, SaveAs,
    SaveAsParams, SaveParams, Status, Undo,
};
use symphony_motifs::page::BridgeTransport;
use symphony_motifs::testing::{ErrorCode, MotifTestHost};

use super::{call_error, click, csv_editor};

fn open(host: &MotifTestHost, path: &Path) -> (u64, Opened) {
    let opened = host.request::<Open>(&OpenParams::new(path)).unwrap();
    assert_eq!(opened.view_type, "symphony.csv");
    (opened.document, opened)
}

/// Calls a method that names only the document.
fn call<M: Method<Params = DocumentParams>>(host: &MotifTestHost, document: u64) -> M::Result {
    host.request::<M>(&DocumentParams::new(document))
        .unwrap_or_else(|error| panic!("{}: {error}", M::NAME))
}

fn save(host: &MotifTestHost, document: u64) -> EditorStatus {
    host.request::<Save>(&SaveParams::new(document)).unwrap()
}

fn send(host: &MotifTestHost, document: u64, event: &BridgeEvent) -> Edited {
    host.request::<Event>(&EventParams::new(document, event))
        .unwrap()
}

fn edit(host: &MotifTestHost, document: u64, edit: serde_json::Value) -> Edited {
    host.request::<Edit>(&EditParams { document, edit })
        .unwrap()
}

fn set_cell(row: usize, column: usize, value: &str) -> BridgeEvent {
    // Cell inputs sit at div > table > tbody > tr[row] > td[column] > input.
    BridgeEvent::new("change", [0, 0, row, column, 0]).value(value)
}

fn patch_value(edited: &Edited) -> &str {
    match &edited.patches[0] {
        Patch::SetAttr { value, .. } => value,
        other => panic!("expected a setAttr patch, got {other:?}"),
    }
}

#[test]
fn edit_undo_redo_save_and_revert() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("people.csv");
    fs::write(&path, "name,age\nAda,36\n").unwrap();
    let host = csv_editor(&[dir.path()]);
    let (doc, opened) = open(&host, &path);
    assert!(!opened.status.dirty);
    assert!(opened.html.contains(r#"value="Ada""#));

    let reply = send(&host, doc, &set_cell(1, 1, "37"));
    assert_eq!(
        serde_json::to_value(&reply.patches).unwrap(),
        json!([{ "op": "setAttr", "path": [0, 0, 1, 1, 0], "name": "value", "value": "37" }])
    );
    assert!(reply.status.dirty);

    let undone = call::<Undo>(&host, doc);
    assert_eq!(patch_value(&undone), "36");
    assert!(!undone.status.dirty, "back at the saved state");
    let redone = call::<Redo>(&host, doc);
    assert_eq!(patch_value(&redone), "37");
    assert!(redone.status.dirty);

    // Add a row through the view, then edit it through the host's edit operation.
    let add = send(&host, doc, &click(&[1]));
    assert!(matches!(add.patches[0], Patch::Insert { .. }), "{add:?}");
    edit(
        &host,
        doc,
        json!({ "op": "setCell", "row": 2, "column": 0, "value": "Grace, \"Amazing\"" }),
    );

    let saved = save(&host, doc);
    assert!(!saved.dirty);
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "name,age\nAda,37\n\"Grace, \"\"Amazing\"\"\",\n"
    );

    edit(&host, doc, json!({ "op": "removeRow", "row": 0 }));
    let reverted = call::<Revert>(&host, doc);
    assert!(!reverted.status.dirty);
    assert!(!reverted.status.can_undo);
    assert!(!reverted.patches.is_empty());
    host.shutdown().unwrap();
}

#[test]
fn a_change_on_disk_is_detected_and_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.csv");
    fs::write(&path, "a,b\n").unwrap();
    let host = csv_editor(&[dir.path()]);
    let (doc, _) = open(&host, &path);
    send(&host, doc, &set_cell(0, 0, "mine"));
    fs::write(&path, "theirs,b\n").unwrap();
    assert!(call::<Status>(&host, doc).changed_on_disk);

    let message = call_error::<Save>(&host, &SaveParams::new(doc), ErrorCode::InvalidInput);
    assert!(message.contains("changed on disk"), "{message}");
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "theirs,b\n",
        "their change survives"
    );

    let status = host
        .request::<Save>(&SaveParams {
            document: doc,
            overwrite: true,
        })
        .unwrap();
    assert_eq!((status.dirty, status.changed_on_disk), (false, false));
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
    send(&host, doc, &set_cell(0, 1, "unsaved"));
    let message = call_error::<SaveAs>(
        &host,
        &SaveAsParams {
            document: doc,
            path: blocked,
        },
        ErrorCode::ExtensionFailed,
    );
    assert!(
        message.contains("cannot save") && message.contains("blocked.csv"),
        "{message}"
    );

    let status = call::<Status>(&host, doc);
    assert!(status.dirty, "the edit is still there");
    assert_eq!(status.path, path, "the document kept its file");
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
    save(&host, doc);
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
    send(&host, doc, &set_cell(0, 0, "one"));
    let backup = host
        .request::<Backup>(&BackupParams {
            document: doc,
            dir: backups,
        })
        .unwrap();
    // Hot exit: the process goes away without saving.
    drop(host);

    let host = csv_editor(&[dir.path(), storage.path()]);
    let restored = host
        .request::<Restore>(&RestoreParams {
            backup: backup.backup,
            view_type: "symphony.csv".to_owned(),
        })
        .unwrap();
    assert!(restored.html.contains(r#"value="one""#));
    assert!(restored.status.dirty);
    assert_eq!(restored.status.path, path);
    save(&host, restored.document);
    assert_eq!(fs::read_to_string(&path).unwrap(), "one,2\n");

    let message = call_error::<Restore>(
        &host,
        &RestoreParams {
            backup: path,
            view_type: "symphony.csv".to_owned(),
        },
        ErrorCode::InvalidInput,
    );
    assert!(message.contains("not a valid document backup"), "{message}");
    host.shutdown().unwrap();
}

#[test]
fn unopenable_files_and_bad_edits_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let host = csv_editor(&[dir.path()]);
    let message = call_error::<Open>(
        &host,
        &OpenParams::new(dir.path().join("notes.txt")),
        ErrorCode::InvalidInput,
    );
    assert!(
        message.contains("no custom editor is registered"),
        "{message}"
    );
    let broken = dir.path().join("broken.csv");
    fs::write(&broken, "a,\"b\n").unwrap();
    let message = call_error::<Open>(&host, &OpenParams::new(broken), ErrorCode::InvalidInput);
    assert!(message.contains("not closed"), "{message}");

    let good = dir.path().join("good.csv");
    fs::write(&good, "a\n").unwrap();
    let (doc, _) = open(&host, &good);
    let message = call_error::<Edit>(
        &host,
        &EditParams {
            document: doc,
            edit: json!({ "op": "removeRow", "row": 5 }),
        },
        ErrorCode::InvalidInput,
    );
    assert!(message.contains("row 5 does not exist"), "{message}");
    let message = call_error::<Edit>(
        &host,
        &EditParams {
            document: doc,
            edit: json!({ "op": "format" }),
        },
        ErrorCode::InvalidParams,
    );
    assert!(
        message.contains("not an edit of this document type"),
        "{message}"
    );
    assert!(!call::<Status>(&host, doc).dirty);
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
    let message = call_error::<Open>(
        &host,
        &OpenParams::new(&outside),
        ErrorCode::PermissionDenied,
    );
    assert!(message.contains("private.csv"), "{message}");
    // `..` does not walk out of the grant either.
    let sneaky = granted
        .path()
        .join("..")
        .join(elsewhere.path().file_name().unwrap())
        .join("private.csv");
    call_error::<Open>(&host, &OpenParams::new(sneaky), ErrorCode::PermissionDenied);

    let (doc, _) = open(&host, &inside);
    call_error::<SaveAs>(
        &host,
        &SaveAsParams {
            document: doc,
            path: elsewhere.path().join("copy.csv"),
        },
        ErrorCode::PermissionDenied,
    );
    assert!(!elsewhere.path().join("copy.csv").exists());
    host.shutdown().unwrap();
}

#[test]
#[cfg(unix)]
fn a_restored_document_saves_to_the_real_path_that_was_checked() {
    use symphony_motifs::testing::Permissions;
    use symphony_tests::extension::example_binary;

    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().canonicalize().unwrap();
    fs::create_dir_all(ws.join("docs")).unwrap();
    fs::create_dir_all(ws.join("backups")).unwrap();
    let notes = ws.join("notes.csv");
    fs::write(&notes, "1,2\n").unwrap();

    // An earlier session, allowed to write everywhere, backs up unsaved work on notes.csv.
    let host = csv_editor(&[&ws]);
    let (doc, _) = open(&host, &notes);
    send(&host, doc, &set_cell(0, 0, "one"));
    let backup = host
        .request::<Backup>(&BackupParams {
            document: doc,
            dir: ws.join("backups"),
        })
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
    let host = super::builder()
        .grants(grants)
        .workspace_root(&ws)
        .spawn(example_binary("csv-editor"))
        .expect("csv-editor starts");
    let restored = host
        .request::<Restore>(&RestoreParams {
            backup: backup.backup,
            view_type: "symphony.csv".to_owned(),
        })
        .unwrap();
    // The restored document names the real file: what the host checks is what it writes.
    assert_eq!(restored.status.path, real);
    save(&host, restored.document);
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

#[test]
fn a_document_page_is_titled_by_the_extension_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    fs::write(&path, "a\n").unwrap();
    let host = csv_editor(&[dir.path()]);
    let (doc, _) = open(&host, &path);
    let page = host
        .request::<Page>(&PageParams {
            document: doc,
            transport: BridgeTransport::Http {
                endpoint: "/event".to_owned(),
            },
            stylesheet: None,
        })
        .unwrap();
    // symphony.toml: name = "CSV table editor"
    assert!(
        page.html.contains("<title>CSV table editor</title>"),
        "{}",
        page.html
    );
    host.shutdown().unwrap();
}
