//! Scoped file access: escapes by `..` and symbolic links, atomic writes.

use std::io::Write;
use std::sync::Arc;

use serde_json::json;
use symphony_operators::files::{Files, FilesError};
use symphony_operators::ops;
use symphony_operators::permission::{Permissions, Policy};
use symphony_operators::prelude::*;

/// Read and write inside `root` (and reading `root` itself), as a host would grant it.
fn files_within(root: &std::path::Path) -> Files {
    let root = root.display();
    let rules: Permissions = serde_json::from_value(json!({
        "filesystem": [
            { "path": format!("{root}"), "access": ["read"] },
            { "path": format!("{root}/**"), "access": ["read", "write"] },
        ]
    }))
    .expect("rules");
    Files::new(Arc::new(
        Policy::builder(&rules, &rules).build().expect("policy"),
    ))
}

#[test]
fn traversal_and_symlink_escapes_are_refused() {
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(outside.path().join("secret.txt"), "secret").expect("write");
    let root = tempfile::tempdir().expect("tempdir");
    let root_path = root.path();
    std::fs::write(root_path.join("ok.txt"), "fine").expect("write");
    let files = files_within(root_path);

    assert!(files.open(root_path.join("ok.txt")).is_ok());
    let sneaky = root_path
        .join("sub/../../")
        .join(outside.path().file_name().expect("name"))
        .join("secret.txt");
    std::fs::create_dir(root_path.join("sub")).expect("mkdir");
    let error = files.open(&sneaky).unwrap_err();
    assert!(matches!(error, FilesError::Permission(_)), "{error}");
    assert!(
        error
            .to_string()
            .contains("filesystem read permission denied"),
        "{error}"
    );

    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(outside.path(), root_path.join("link")).expect("symlink");
        let error = files.open(root_path.join("link/secret.txt")).unwrap_err();
        assert!(matches!(error, FilesError::Permission(_)), "{error}");
        let error = files.create(root_path.join("link/new.txt")).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("filesystem write permission denied"),
            "{error}"
        );
        assert!(!outside.path().join("new.txt").exists());
        // A link to a file outside, replaced by a write: refused, not followed.
        std::os::unix::fs::symlink(
            outside.path().join("secret.txt"),
            root_path.join("alias.txt"),
        )
        .expect("symlink");
        assert!(files.create(root_path.join("alias.txt")).is_err());
        assert_eq!(
            std::fs::read_to_string(outside.path().join("secret.txt")).expect("read"),
            "secret"
        );
    }
}

#[test]
fn atomic_write_appears_only_on_commit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = files_within(dir.path());
    let target = dir.path().join("out.txt");
    let mut file = files.create(&target).expect("create");
    file.write_all(b"half").expect("write");
    assert!(!target.exists());
    drop(file);
    assert!(!target.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("list").count(),
        0,
        "temporary file removed"
    );
    let mut file = files.create(&target).expect("create");
    file.write_all(b"whole").expect("write");
    file.commit().expect("commit");
    assert_eq!(std::fs::read_to_string(&target).expect("read"), "whole");
    assert_eq!(
        files.list(dir.path()).expect("list"),
        [std::fs::canonicalize(&target).expect("real")]
    );
}

#[test]
fn a_workflow_cannot_write_outside_its_grants() {
    let root = tempfile::tempdir().expect("tempdir");
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(root.path().join("in.csv"), "a\n1\n").expect("write");
    let mut builder = Workflow::builder();
    builder
        .then("read", Step::with_json(Arc::new(ops::CsvRead), json!({ "path": root.path().join("in.csv") })))
        .and_then(|b| b.then("write", Step::with_json(Arc::new(ops::CsvWrite), json!({ "path": root.path().join("..").join(outside.path().file_name().expect("name")).join("out.csv") }))))
        .expect("builds");
    let files = files_within(root.path());
    let error = builder
        .build()
        .expect("valid")
        .run(&RunOptions::default().with_files(files))
        .unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("node `write` failed: filesystem write permission denied"),
        "{error}"
    );
    assert_eq!(std::fs::read_dir(outside.path()).expect("list").count(), 0);
}
