//! Running external commands, echoing each one first so a log shows exactly what ran and
//! can be pasted into a shell.

use std::ffi::OsStr;
use std::fmt;
use std::process::{Command, Stdio};

use crate::error::Error;

/// A `cargo` command using the same cargo that runs this xtask (cargo sets `$CARGO`), so a
/// `cargo +nightly xtask …` stays on nightly throughout.
pub(crate) fn cargo() -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    Command::new(cargo)
}

/// Echoes `command`, runs it with inherited stdio and fails unless it succeeds.
pub(crate) fn run(command: &mut Command) -> Result<(), Error> {
    let line = echo(command);
    let status = command.status().map_err(|source| Error::Spawn {
        command: line.clone(),
        source,
    })?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::Failed {
            command: line,
            status,
        })
    }
}

/// Echoes `command`, runs it and returns its stdout; stderr goes to ours so errors stay
/// visible.
pub(crate) fn read(command: &mut Command) -> Result<String, Error> {
    let line = echo(command);
    let output = command
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|source| Error::Spawn {
            command: line.clone(),
            source,
        })?;
    if !output.status.success() {
        return Err(Error::Failed {
            command: line,
            status: output.status,
        });
    }
    String::from_utf8(output.stdout).map_err(|_| Error::NotUtf8 { command: line })
}

/// Whether `command` runs and succeeds, silently: for probing what is installed.
pub(crate) fn probe(command: &mut Command) -> bool {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// The command line as a shell would take it.
pub(crate) fn display(command: &Command) -> String {
    CommandLine(command).to_string()
}

fn echo(command: &Command) -> String {
    let line = display(command);
    eprintln!("$ {line}");
    line
}

struct CommandLine<'a>(&'a Command);

impl fmt::Display for CommandLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let command = self.0;
        for (name, value) in command.get_envs() {
            if let Some(value) = value {
                write!(f, "{}={} ", name.to_string_lossy(), quoted(value))?;
            }
        }
        // Show `cargo` rather than the absolute path in `$CARGO`: shorter, and what a
        // developer would type.
        let program = command.get_program();
        let program = match std::path::Path::new(program).file_stem() {
            Some(stem) if stem == "cargo" => OsStr::new("cargo"),
            _ => program,
        };
        write!(f, "{}", quoted(program))?;
        for arg in command.get_args() {
            write!(f, " {}", quoted(arg))?;
        }
        Ok(())
    }
}

/// Single-quotes `text` when a shell would otherwise split or expand it.
fn quoted(text: &OsStr) -> String {
    let text = text.to_string_lossy();
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:+,@%".contains(c));
    if plain {
        text.into_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_a_pasteable_command_line() {
        let mut command = Command::new("/opt/rust/bin/cargo");
        command.env("RUSTDOCFLAGS", "-D warnings").args([
            "tree",
            "--format",
            "{p}",
            "--manifest-path",
            "a b/Cargo.toml",
        ]);
        assert_eq!(
            display(&command),
            "RUSTDOCFLAGS='-D warnings' cargo tree --format '{p}' --manifest-path 'a b/Cargo.toml'"
        );
    }

    #[test]
    fn quotes_empty_and_quote_characters() {
        assert_eq!(quoted(OsStr::new("")), "''");
        assert_eq!(quoted(OsStr::new("it's")), r"'it'\''s'");
        assert_eq!(
            quoted(OsStr::new("--features=operators")),
            "--features=operators"
        );
    }

    #[test]
    fn run_reports_the_failing_command() {
        let mut command = Command::new("sh");
        command.args(["-c", "exit 3"]);
        match run(&mut command) {
            Err(Error::Failed { command, status }) => {
                assert_eq!(command, "sh -c 'exit 3'");
                assert_eq!(status.code(), Some(3));
            }
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn read_returns_stdout_and_spawn_errors_name_the_program() {
        let mut echo = Command::new("sh");
        echo.args(["-c", "printf 'a\\nb'"]);
        assert_eq!(read(&mut echo).expect("sh runs"), "a\nb");

        let mut missing = Command::new("definitely-not-a-program-xtask");
        match read(&mut missing) {
            Err(Error::Spawn { command, .. }) => {
                assert_eq!(command, "definitely-not-a-program-xtask")
            }
            other => panic!("expected a spawn error, got {other:?}"),
        }
    }

    #[test]
    fn probe_tells_success_from_failure() {
        assert!(probe(Command::new("true").arg("ignored")));
        assert!(!probe(&mut Command::new("false")));
        assert!(!probe(&mut Command::new("definitely-not-a-program-xtask")));
    }
}
