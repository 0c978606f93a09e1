//! Permission checks against real directories, files and symbolic links.
#![cfg(unix)]

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use symphony_core::permission::{
    Category, Decision, Denial, FsAccess, NormalizedPath, PermissionError, Permissions, Policy,
    Resource, RuleId, RuleSource,
};
use symphony_tests::temp_workspace::TempWorkspace;

/// A temporary workspace `ws/` next to an `outside/` directory holding a secret.
struct Fixture {
    _dirs: TempWorkspace,
    ws: PathBuf,
    outside: PathBuf,
}

impl Fixture {
    fn new() -> Self {
        let dirs = TempWorkspace::with_files(&[
            ("ws/data/in.csv", "a,b\n"),
            ("ws/secret.txt", "ws secret"),
            ("outside/secret.txt", "outside secret"),
        ]);
        Self {
            ws: dirs.ws.clone(),
            outside: dirs.outside.clone(),
            _dirs: dirs,
        }
    }

    /// A policy whose request and grant are both `rules` (as the protocol sends them: JSON).
    fn policy(&self, rules: Value) -> Policy {
        self.policy_with(rules.clone(), rules, json!({}))
    }

    fn policy_with(&self, request: Value, grant: Value, deny: Value) -> Policy {
        Policy::builder(&permissions(request), &permissions(grant))
            .deny(&permissions(deny))
            .workspace_root(&self.ws)
            .build()
            .expect("policy compiles")
    }

    fn decide(&self, policy: &Policy, path: impl AsRef<Path>, access: FsAccess) -> Decision {
        let path = NormalizedPath::with_base(path, &self.ws).expect("path normalises");
        policy.check(&Resource::path(&path, access))
    }
}

fn permissions(rules: Value) -> Permissions {
    serde_json::from_value(rules).expect("test permissions deserialize")
}

/// Read and write inside the workspace's `data` directory.
fn data_rules() -> Value {
    fs_rules(&[("data/**", &["read", "write"])])
}

fn fs_rules(rules: &[(&str, &[&str])]) -> Value {
    let rules: Vec<Value> = rules
        .iter()
        .map(|(path, access)| json!({ "path": path, "access": access }))
        .collect();
    json!({ "filesystem": rules })
}

fn allowed(request: usize, grant: usize) -> Decision {
    let id = |source, index| RuleId {
        source,
        category: Category::Filesystem,
        index,
    };
    Decision::Allowed {
        requested_by: id(RuleSource::Request, request),
        granted_by: id(RuleSource::Grant, grant),
    }
}

#[test]
fn dot_dot_cannot_leave_a_grant() {
    let fx = Fixture::new();
    let policy = fx.policy(data_rules());
    assert_eq!(
        fx.decide(&policy, "data/in.csv", FsAccess::Read),
        allowed(0, 0)
    );
    for escape in [
        "data/../secret.txt",
        "data/./../../outside/secret.txt",
        "data/in.csv/../../secret.txt",
    ] {
        assert_eq!(
            fx.decide(&policy, escape, FsAccess::Read),
            Decision::Denied(Denial::NotRequested),
            "{escape}"
        );
    }
}

#[test]
fn a_symlink_pointing_outside_is_checked_where_it_points() {
    let fx = Fixture::new();
    symlink(fx.outside.join("secret.txt"), fx.ws.join("data/leak.csv")).expect("symlink file");
    symlink(&fx.outside, fx.ws.join("data/outdir")).expect("symlink dir");
    symlink("../../outside/secret.txt", fx.ws.join("data/relative-leak"))
        .expect("relative symlink");
    let policy = fx.policy(data_rules());
    for link in [
        "data/leak.csv",
        "data/outdir/secret.txt",
        "data/relative-leak",
    ] {
        let normalized = NormalizedPath::with_base(link, &fx.ws).expect("normalises");
        assert_eq!(
            normalized.as_path(),
            fx.outside.join("secret.txt"),
            "{link}"
        );
        assert_eq!(
            policy.check(&Resource::path(&normalized, FsAccess::Read)),
            Decision::Denied(Denial::NotRequested),
            "{link}"
        );
    }
}

#[test]
fn a_dangling_symlink_is_checked_where_the_file_would_be_created() {
    let fx = Fixture::new();
    let target = fx.outside.join("planted.txt");
    symlink(&target, fx.ws.join("data/new.csv")).expect("dangling symlink");
    let policy = fx.policy(data_rules());
    let normalized = NormalizedPath::with_base("data/new.csv", &fx.ws).expect("normalises");
    assert_eq!(normalized.as_path(), target);
    assert!(
        !policy
            .check(&Resource::path(&normalized, FsAccess::Write))
            .is_allowed()
    );
}

#[test]
fn a_symlinked_directory_in_the_middle_resolves_to_its_target() {
    let fx = Fixture::new();
    std::fs::create_dir_all(fx.ws.join("real")).expect("create real");
    std::fs::write(fx.ws.join("real/file.txt"), "x").expect("write real file");
    symlink(fx.ws.join("real"), fx.ws.join("data/mid")).expect("symlink mid");
    let grant_real = fs_rules(&[("real/**", &["read"])]);
    let policy = fx.policy(grant_real);
    assert_eq!(
        fx.decide(&policy, "data/mid/file.txt", FsAccess::Read),
        allowed(0, 0)
    );
    // `mid/..` is the parent of the link's *target* (the workspace), as for open(2).
    let normalized =
        NormalizedPath::with_base("data/mid/../secret.txt", &fx.ws).expect("normalises");
    assert_eq!(normalized.as_path(), fx.ws.join("secret.txt"));
    // A grant on the link's own path does not cover what it points to.
    let policy = fx.policy(fs_rules(&[("data/mid/**", &["read"])]));
    assert_eq!(
        fx.decide(&policy, "data/mid/file.txt", FsAccess::Read),
        Decision::Denied(Denial::NotRequested)
    );
}

#[test]
fn repeated_separators_and_dots_are_collapsed() {
    let fx = Fixture::new();
    let policy = fx.policy(data_rules());
    let spelled = format!("{}//data/.//in.csv/", fx.ws.display());
    let normalized = NormalizedPath::new(&spelled).expect("normalises");
    assert_eq!(normalized.as_path(), fx.ws.join("data/in.csv"));
    assert_eq!(
        policy.check(&Resource::path(&normalized, FsAccess::Read)),
        allowed(0, 0)
    );
}

#[test]
fn trailing_dots_name_other_files() {
    let fx = Fixture::new();
    let policy = fx.policy(fs_rules(&[("data/*.csv", &["read"])]));
    assert!(
        fx.decide(&policy, "data/in.csv", FsAccess::Read)
            .is_allowed()
    );
    for name in ["data/in.csv.", "data/in.csv..", "data/.", "data/..."] {
        assert_eq!(
            fx.decide(&policy, name, FsAccess::Read),
            Decision::Denied(Denial::NotRequested),
            "{name}"
        );
    }
}

#[test]
fn non_utf8_names_match_byte_for_byte() {
    let fx = Fixture::new();
    let raw = |bytes: &[u8]| fx.ws.join("data").join(OsStr::from_bytes(bytes));
    std::fs::write(raw(b"caf\xe9.csv"), "latin-1 name").expect("write non-UTF-8 name");
    let policy = fx.policy(fs_rules(&[("data/*.csv", &["read"])]));
    assert!(
        fx.decide(&policy, raw(b"caf\xe9.csv"), FsAccess::Read)
            .is_allowed()
    );
    assert!(
        !fx.decide(&policy, raw(b"in.csv\xff"), FsAccess::Read)
            .is_allowed()
    );
    // A lossy conversion would turn 0xFF into U+FFFD and match this rule; bytes do not.
    let policy = fx.policy(fs_rules(&[("data/\u{fffd}.txt", &["read"])]));
    assert!(
        !fx.decide(&policy, raw(b"\xff.txt"), FsAccess::Read)
            .is_allowed()
    );
    assert!(
        fx.decide(&policy, raw("\u{fffd}.txt".as_bytes()), FsAccess::Read)
            .is_allowed()
    );
}

#[test]
fn files_not_yet_created_can_be_checked() {
    let fx = Fixture::new();
    let policy = fx.policy(data_rules());
    let future = NormalizedPath::with_base("data/new/deeper/out.csv", &fx.ws).expect("normalises");
    assert_eq!(future.as_path(), fx.ws.join("data/new/deeper/out.csv"));
    assert_eq!(
        policy.check(&Resource::path(&future, FsAccess::Write)),
        allowed(0, 0)
    );
    let elsewhere = NormalizedPath::with_base("new/out.csv", &fx.ws).expect("normalises");
    assert!(
        !policy
            .check(&Resource::path(&elsewhere, FsAccess::Write))
            .is_allowed()
    );
}

#[test]
fn relative_paths_resolve_against_their_base() {
    let fx = Fixture::new();
    let policy = fx.policy(data_rules());
    let data = fx.ws.join("data");
    let normalized = NormalizedPath::with_base("in.csv", &data).expect("normalises");
    assert_eq!(normalized.as_path(), data.join("in.csv"));
    assert!(
        policy
            .check(&Resource::path(&normalized, FsAccess::Read))
            .is_allowed()
    );
}

#[test]
fn a_narrower_grant_leaves_the_rest_of_the_request_to_a_prompt() {
    let fx = Fixture::new();
    let policy = fx.policy_with(
        fs_rules(&[("data/**", &["read", "write"])]),
        fs_rules(&[
            ("data/*.csv", &["read"]),
            ("/**", &["read", "write", "delete"]),
        ]),
        fs_rules(&[("/**", &["delete"])]),
    );
    // The second grant rule covers everything, yet cannot widen the request.
    assert_eq!(
        fx.decide(&policy, "data/in.csv", FsAccess::Read),
        allowed(0, 0)
    );
    assert_eq!(
        fx.decide(&policy, "data/in.csv", FsAccess::Write),
        allowed(0, 1)
    );
    assert_eq!(
        fx.decide(&policy, "secret.txt", FsAccess::Read),
        Decision::Denied(Denial::NotRequested)
    );
    let narrow = fx.policy_with(
        fs_rules(&[("data/**", &["read", "write"])]),
        fs_rules(&[("data/*.csv", &["read"])]),
        json!({}),
    );
    let prompt = Decision::NeedsPrompt {
        requested_by: RuleId {
            source: RuleSource::Request,
            category: Category::Filesystem,
            index: 0,
        },
    };
    assert_eq!(fx.decide(&narrow, "data/in.csv", FsAccess::Write), prompt);
    assert_eq!(
        fx.decide(&narrow, "data/sub/x.json", FsAccess::Read),
        prompt
    );
    assert_eq!(
        fx.decide(&narrow, "secret.txt", FsAccess::Read),
        Decision::Denied(Denial::NotRequested)
    );
}

#[test]
fn the_deny_list_wins_over_request_and_grant() {
    let fx = Fixture::new();
    std::fs::write(fx.ws.join("data/.env"), "TOKEN=x").expect("write .env");
    let everything = fs_rules(&[("/**", &["read", "write", "delete"])]);
    let policy = fx.policy_with(
        everything.clone(),
        everything,
        fs_rules(&[("**/.env", &["read"])]),
    );
    let deny = Decision::Denied(Denial::ByHost {
        rule: RuleId {
            source: RuleSource::Deny,
            category: Category::Filesystem,
            index: 0,
        },
    });
    assert_eq!(fx.decide(&policy, "data/.env", FsAccess::Read), deny);
    assert!(
        fx.decide(&policy, "data/.env", FsAccess::Write)
            .is_allowed()
    );
    // Reaching the denied file through a link is still denying it.
    symlink(fx.ws.join("data/.env"), fx.ws.join("innocent.txt")).expect("symlink to .env");
    assert_eq!(fx.decide(&policy, "innocent.txt", FsAccess::Read), deny);
}

#[test]
fn a_symlinked_workspace_root_still_matches() {
    let fx = Fixture::new();
    let link = fx.ws.with_file_name("ws-link");
    symlink(&fx.ws, &link).expect("symlink root");
    let absolute = format!("{}/data/**", link.display());
    for rules in [data_rules(), fs_rules(&[(&absolute, &["read"])])] {
        let policy = Policy::builder(&permissions(rules.clone()), &permissions(rules.clone()))
            .workspace_root(&link)
            .build()
            .expect("policy compiles");
        assert_eq!(policy.workspace_roots(), std::slice::from_ref(&fx.ws));
        for spelled in [link.join("data/in.csv"), fx.ws.join("data/in.csv")] {
            let normalized = NormalizedPath::new(&spelled).expect("normalises");
            assert!(
                policy
                    .check(&Resource::path(&normalized, FsAccess::Read))
                    .is_allowed(),
                "{rules} {spelled:?}"
            );
        }
    }
}

#[test]
fn require_path_returns_the_path_to_open_or_names_what_was_refused() {
    let fx = Fixture::new();
    let policy = fx.policy(data_rules());
    let opened = policy
        .require_path(fx.ws.join("data//in.csv"), FsAccess::Read)
        .expect("allowed");
    assert_eq!(
        std::fs::read_to_string(opened.as_path()).expect("read"),
        "a,b\n"
    );
    let error = policy
        .require_path(fx.ws.join("data/../secret.txt"), FsAccess::Read)
        .expect_err("escape is refused");
    assert!(matches!(error, PermissionError::NotRequested { .. }));
    let message = error.to_string();
    assert!(
        message.starts_with("filesystem read permission denied for `"),
        "{message}"
    );
    assert!(
        message.contains(&fx.ws.join("secret.txt").display().to_string()),
        "{message}"
    );
    let error = policy
        .require_path("/a\0b", FsAccess::Read)
        .expect_err("NUL is refused");
    assert!(
        matches!(error, PermissionError::Unresolvable { .. }),
        "{error}"
    );
}

#[test]
fn a_symlink_loop_is_an_error_not_a_hang() {
    let fx = Fixture::new();
    symlink(fx.ws.join("b"), fx.ws.join("a")).expect("symlink a");
    symlink(fx.ws.join("a"), fx.ws.join("b")).expect("symlink b");
    let result = NormalizedPath::with_base("a/file", &fx.ws);
    assert!(result.is_err_and(|e| e.to_string().contains("too many symbolic links")));
}
