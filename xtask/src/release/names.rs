//! Step 0: every crate's name is free on crates.io, or already ours.
//!
//! crates.io treats `-` and `_` alike, so a name can be taken by a crate that merely looks
//! different; `cargo publish` would only find out at upload, after the crates before it in
//! the order were published. Each name is looked up with cargo's own client
//! (`cargo info <name> --registry crates-io`, which skips the local workspace and reads the
//! registry cargo is configured for, mirror included). A crate there is ours when its
//! `repository` is the one our package declares; anything else is a conflict. When the
//! registry cannot answer, the release stops: a name that cannot be checked is not known
//! to be free.

use std::path::Path;
use std::process::{Command, Stdio};

use super::error::ReleaseError;
use super::order::Crate;
use crate::cmd;

/// What crates.io holds under one name.
#[derive(Debug, PartialEq, Eq)]
enum Lookup {
    /// Nothing: the name is free.
    Free,
    /// A crate, with the repository it declares (if any).
    Taken { repository: Option<String> },
}

/// Checks each of `crates` against crates.io, failing on the first name held by a crate
/// that is not ours.
pub(crate) fn check(root: &Path, crates: &[Crate]) -> Result<(), ReleaseError> {
    for krate in crates {
        let mut command = cmd::cargo();
        command
            .args(["info", &krate.name, "--registry", "crates-io"])
            .current_dir(root)
            .env("CARGO_TERM_COLOR", "never")
            .stdin(Stdio::null());
        match lookup(&mut command, &krate.name)? {
            Lookup::Free => eprintln!("release: `{}` is free on crates.io", krate.name),
            Lookup::Taken { repository } => {
                if same_repository(repository.as_deref(), krate.repository.as_deref()) {
                    eprintln!("release: `{}` on crates.io is ours", krate.name);
                } else {
                    return Err(ReleaseError::NameTaken {
                        package: krate.name.clone(),
                        theirs: repository.unwrap_or_else(|| "no repository".to_owned()),
                        ours: krate
                            .repository
                            .clone()
                            .unwrap_or_else(|| "no repository".to_owned()),
                    });
                }
            }
        }
    }
    Ok(())
}

/// Runs `command` (a `cargo info`) and reads its answer about `name`.
fn lookup(command: &mut Command, name: &str) -> Result<Lookup, ReleaseError> {
    let line = cmd::display(command);
    eprintln!("$ {line}");
    let output = command
        .output()
        .map_err(|source| ReleaseError::NameUnchecked {
            package: name.to_owned(),
            reason: format!("`{line}` did not start: {source}"),
        })?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    parse(name, output.status.success(), &stdout, &stderr)
}

/// Interprets `cargo info`'s output for `name`.
fn parse(name: &str, success: bool, stdout: &str, stderr: &str) -> Result<Lookup, ReleaseError> {
    if success {
        let repository = stdout
            .lines()
            .find_map(|line| line.strip_prefix("repository:"))
            .map(|url| url.trim().to_owned());
        return Ok(Lookup::Taken { repository });
    }
    if stderr.contains(&format!("could not find `{name}` in registry")) {
        return Ok(Lookup::Free);
    }
    Err(ReleaseError::NameUnchecked {
        package: name.to_owned(),
        reason: stderr.trim().to_owned(),
    })
}

/// Whether two repository URLs name the same repository (`.git` and a trailing `/` aside).
fn same_repository(theirs: Option<&str>, ours: Option<&str>) -> bool {
    fn normal(url: &str) -> String {
        let url = url.trim().trim_end_matches('/');
        url.strip_suffix(".git").unwrap_or(url).to_ascii_lowercase()
    }
    match (theirs, ours) {
        (Some(theirs), Some(ours)) => normal(theirs) == normal(ours),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Trimmed real output of `cargo info symphony --registry crates-io`.
    const TAKEN: &str = "symphony #orchestration\nEclipse Symphony Target Provider Rust binding\nversion: 0.1.5\nlicense: MIT\nrepository: https://github.com/eclipse-symphony/symphony.git\n";

    #[test]
    fn reads_the_repository_of_a_taken_name_and_a_free_name() {
        assert_eq!(
            parse("symphony", true, TAKEN, "    Updating crates.io index\n").expect("answer"),
            Lookup::Taken {
                repository: Some("https://github.com/eclipse-symphony/symphony.git".to_owned())
            }
        );
        let free = "    Updating crates.io index\nerror: could not find `symphony-sdk` in registry `https://github.com/rust-lang/crates.io-index`\n";
        assert_eq!(
            parse("symphony-sdk", false, "", free).expect("answer"),
            Lookup::Free
        );
    }

    #[test]
    fn a_registry_that_does_not_answer_stops_the_release() {
        let error = parse(
            "symphony-sdk",
            false,
            "",
            "error: failed to query replaced source registry `crates-io`\n",
        )
        .expect_err("unchecked");
        assert!(
            error
                .to_string()
                .contains("cannot check whether `symphony-sdk` is free"),
            "{error}"
        );
    }

    #[test]
    fn a_crate_is_ours_only_with_our_repository() {
        let ours = Some("https://github.com/symphony-ide/symphony-sdk");
        assert!(same_repository(
            Some("https://github.com/symphony-ide/symphony-sdk.git/"),
            ours
        ));
        assert!(!same_repository(
            Some("https://github.com/eclipse-symphony/symphony.git"),
            ours
        ));
        assert!(!same_repository(None, ours));
        assert!(!same_repository(Some("https://x"), None));
    }
}
