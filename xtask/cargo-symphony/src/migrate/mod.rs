//! `cargo symphony migrate <crate-dir> --to split|unified [--dry-run]` (and `cargo xtask
//! migrate`, which calls this): moves an extension between the umbrella (package
//! `symphony-sdk`, library `symphony`) and the focused crates.
//!
//! Dependencies may come from the workspace (`workspace = true`), a registry (`version`), a
//! git repository (`git`, with `branch`, `tag` or `rev`) or a checkout of the SDK (`path`,
//! pointing at its `symphony/` or `symphony_<kind>/` folder; the other style's path is the
//! sibling folder). `[patch.<source>]` tables follow: the unified style patches the umbrella
//! beside the focused crates it depends on, the split style drops it.
//!
//! Both halves of the move are done together or not at all: the `Cargo.toml` dependency
//! (with `toml_edit`, keeping comments and layout) and every `use symphony::…` /
//! `symphony_<kind>::…` path in the crate's Rust files (parsed with `syn`, edited by span).
//! Nothing is written unless every file can be migrated; what cannot be is reported with
//! its file and line. See `docs/migration.md`.

mod dependency;
mod diff;
mod kind;
mod manifest;
mod source;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use dependency::Spec;
use kind::Kind;
use manifest::{Usage, Workspace};

/// The import style to migrate to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// The focused crates: `symphony_operators::…`.
    Split,
    /// The umbrella: `symphony::operators::…`.
    Unified,
}

impl Style {
    /// `split` or `unified`.
    pub fn parse(text: &str) -> Option<Style> {
        match text {
            "split" => Some(Style::Split),
            "unified" => Some(Style::Unified),
            _ => None,
        }
    }
}

/// Why a crate could not be migrated; nothing was written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MigrateError {
    /// A file could not be read or written.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done (`read`, `write`, `list`).
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// What the OS said.
        source: io::Error,
    },
    /// The crate's `Cargo.toml` cannot be migrated as it stands.
    #[error("{path} {message}")]
    Manifest {
        /// The `Cargo.toml`.
        path: PathBuf,
        /// What cannot be migrated, naming the table and key.
        message: String,
    },
    /// Source files hold paths the migration cannot rewrite, one `file:line:column` each.
    #[error("{} place(s) cannot be migrated automatically; change them, then migrate again:\n{}", .0.len(), .0.join("\n"))]
    Sources(Vec<String>),
}

/// One file's new text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The file.
    pub path: PathBuf,
    /// Its text now.
    pub old: String,
    /// Its text in the other style.
    pub new: String,
}

/// Migrates the crate in `dir` to `style`; with `dry_run`, prints what would change instead.
pub fn run(dir: &Path, style: Style, dry_run: bool) -> Result<(), MigrateError> {
    let changes = plan(dir, style)?;
    for change in &changes {
        if change.old == change.new {
            continue;
        }
        if dry_run {
            print!("{}", diff::lines(&change.path, &change.old, &change.new));
        } else {
            fs::write(&change.path, &change.new).map_err(|source| MigrateError::Io {
                action: "write",
                path: change.path.clone(),
                source,
            })?;
            eprintln!("migrate: rewrote {}", change.path.display());
        }
    }
    Ok(())
}

/// Every file's new text (unchanged ones included), or every reason the crate cannot be
/// migrated; writes nothing.
pub fn plan(dir: &Path, style: Style) -> Result<Vec<Change>, MigrateError> {
    let manifest_path = dir.join("Cargo.toml");
    let manifest_text = read(&manifest_path)?;
    let mut sources = Vec::new();
    rust_files(dir, &mut sources)?;
    sources.sort();
    let sources: Vec<(PathBuf, String)> = sources
        .into_iter()
        .map(|path| read(&path).map(|text| (path, text)))
        .collect::<Result<_, _>>()?;

    let mut problems = Vec::new();
    let mut usage = Usage::default();
    if style == Style::Split {
        for (path, text) in &sources {
            match source::usage(text) {
                Ok(file) => {
                    usage.prelude |= file.prelude;
                    for kind in file.kinds {
                        if !usage.kinds.contains(&kind) {
                            usage.kinds.push(kind);
                        }
                    }
                }
                Err(found) => problems.extend(located(path, found)),
            }
        }
        if !problems.is_empty() {
            return Err(MigrateError::Sources(problems));
        }
    }
    let workspace = EnclosingWorkspace { crate_dir: dir };
    let rewritten =
        manifest::rewrite(&manifest_text, style, &usage, &workspace).map_err(|message| {
            MigrateError::Manifest {
                path: manifest_path.clone(),
                message,
            }
        })?;
    let kinds: Vec<Kind> = Kind::ALL
        .into_iter()
        .filter(|kind| rewritten.kinds.contains(kind))
        .collect();

    let mut changes = vec![Change {
        path: manifest_path,
        old: manifest_text,
        new: rewritten.text,
    }];
    for (path, text) in sources {
        match source::rewrite(&text, style, &kinds) {
            Ok(new) => changes.push(Change {
                path,
                old: text,
                new,
            }),
            Err(found) => problems.extend(located(&path, found)),
        }
    }
    if problems.is_empty() {
        Ok(changes)
    } else {
        Err(MigrateError::Sources(problems))
    }
}

fn located(path: &Path, problems: Vec<source::Problem>) -> Vec<String> {
    problems
        .into_iter()
        .map(|problem| {
            format!(
                "{}:{}:{}: {}",
                path.display(),
                problem.line,
                problem.column,
                problem.message
            )
        })
        .collect()
}

fn read(path: &Path) -> Result<String, MigrateError> {
    fs::read_to_string(path).map_err(|source| MigrateError::Io {
        action: "read",
        path: path.to_owned(),
        source,
    })
}

/// The crate's `.rs` files: `src/`, `build.rs`, `tests/`, `examples/`, `benches/` — every
/// one below `dir` except build output and hidden directories.
fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), MigrateError> {
    let entries = fs::read_dir(dir).map_err(|source| MigrateError::Io {
        action: "list",
        path: dir.to_owned(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| MigrateError::Io {
            action: "list",
            path: dir.to_owned(),
            source,
        })?;
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                rust_files(&path, found)?;
            }
        } else if name.ends_with(".rs") {
            found.push(path);
        }
    }
    Ok(())
}

/// The workspace whose root `Cargo.toml` is the nearest one above the crate with a
/// `[workspace]` table.
struct EnclosingWorkspace<'a> {
    crate_dir: &'a Path,
}

impl Workspace for EnclosingWorkspace<'_> {
    fn dependency(&self, name: &str) -> Result<Option<Spec>, String> {
        let start = self
            .crate_dir
            .canonicalize()
            .unwrap_or_else(|_| self.crate_dir.to_owned());
        for dir in start.ancestors() {
            let path = dir.join("Cargo.toml");
            let Ok(text) = fs::read_to_string(&path) else {
                continue;
            };
            let document: toml_edit::DocumentMut = text
                .parse()
                .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
            let Some(workspace) = document.get("workspace") else {
                continue;
            };
            let Some(item) = workspace
                .get("dependencies")
                .and_then(|deps| deps.get(name))
            else {
                return Ok(None);
            };
            let mut item = item.clone();
            if let Some(table) = item.as_table_like_mut() {
                // Where the workspace finds it does not matter here.
                table.remove("path");
            }
            return Spec::read(&item)
                .map(|(spec, _)| Some(spec))
                .map_err(|error| {
                    format!(
                        "{} [workspace.dependencies] `{name}` {error}",
                        path.display()
                    )
                });
        }
        Err(format!(
            "uses `workspace = true` but no Cargo.toml above {} has a [workspace]",
            self.crate_dir.display()
        ))
    }
}

/// Parses `migrate <crate-dir> --to split|unified [--dry-run]` arguments.
pub fn parse_args(args: &[String]) -> Result<(PathBuf, Style, bool), String> {
    let mut dir = None;
    let mut style = None;
    let mut dry_run = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let to = match arg.as_str() {
            "--dry-run" => {
                dry_run = true;
                continue;
            }
            "--to" => Some(
                args.next()
                    .ok_or("`--to` needs `split` or `unified`")?
                    .as_str(),
            ),
            other => other.strip_prefix("--to="),
        };
        match to {
            Some(to) => {
                style =
                    Some(Style::parse(to).ok_or_else(|| {
                        format!("`--to {to}`: the styles are `split` and `unified`")
                    })?);
            }
            None if arg.starts_with('-') => {
                return Err(format!("`migrate` does not understand {arg:?}"));
            }
            None if dir.is_none() => dir = Some(PathBuf::from(arg)),
            None => {
                return Err(format!(
                    "`migrate` takes one crate directory, got {arg:?} too"
                ));
            }
        }
    }
    let dir = dir.ok_or("`migrate` needs the directory of the crate to migrate")?;
    let style = style.ok_or("`migrate` needs `--to split` or `--to unified`")?;
    Ok((dir, style, dry_run))
}
