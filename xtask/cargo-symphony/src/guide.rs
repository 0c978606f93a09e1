//! A guide's files: the fenced code blocks of a Markdown guide whose info string names the file
//! the reader writes (```` ```rust file=src/main.rs ````). `cargo xtask guides` builds and tests
//! them, and `new`'s templates are checked to be the same files.
//!
//! A guide's Rust or TOML block must name its file: a block the checker skips would be code
//! that CI never compiles. Other blocks (shell commands, output, `text`) are prose.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Component, Path};

/// The languages whose blocks are files the reader writes, so must say which.
const FILE_LANGUAGES: &[&str] = &["rust", "rs", "toml"];

/// A file a guide asks its reader to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuideFile {
    /// Its path inside the reader's crate (`src/main.rs`), relative and without `..`.
    pub path: String,
    /// Its text, exactly as in the guide.
    pub text: String,
    /// The guide line of its opening fence.
    pub line: usize,
}

/// Why a guide's blocks cannot be turned into files, with the guide line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BlockError {
    /// A Rust or TOML block without `file=`.
    #[error(
        "line {line}: a ```{language} block has no `file=<path>` in its info string, so no check would compile it; name the file it is (```{language} file=src/main.rs), or make it a `text` block if it is not code to write"
    )]
    MissingFile {
        /// The line of the opening fence.
        line: usize,
        /// The block's language.
        language: String,
    },
    /// `file=` with a path that is empty, absolute or leaves the crate.
    #[error(
        "line {line}: `file={path}` is not a relative path inside the crate (no leading `/`, no `..`)"
    )]
    BadPath {
        /// The line of the opening fence.
        line: usize,
        /// The path as written.
        path: String,
    },
    /// `file=` given twice in one info string.
    #[error("line {line}: the info string names a file twice")]
    TwoFiles {
        /// The line of the opening fence.
        line: usize,
    },
    /// Two blocks name the same file.
    #[error(
        "line {line}: `{path}` was already written by the block at line {first}; a guide writes each file once, in full"
    )]
    DuplicateFile {
        /// The second block's opening fence.
        line: usize,
        /// The first block's opening fence.
        first: usize,
        /// The file both name.
        path: String,
    },
    /// The guide ends inside a block.
    #[error("line {line}: the code block opened here is never closed (no matching {fence})")]
    Unclosed {
        /// The line of the opening fence.
        line: usize,
        /// The fence that would close it.
        fence: Fence,
    },
}

/// An opening fence: ```` ``` ```` or `~~~`, three or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fence {
    /// `` ` `` or `~`.
    marker: char,
    /// How many.
    len: usize,
}

impl fmt::Display for Fence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for _ in 0..self.len {
            write!(f, "{}", self.marker)?;
        }
        Ok(())
    }
}

/// An open block: where it started, what closes it, and the file it writes, if any.
struct Open {
    line: usize,
    fence: Fence,
    indent: usize,
    path: Option<String>,
    text: String,
}

/// The files of `guide` (Markdown), in order; the first problem found is the error.
pub fn files(guide: &str) -> Result<Vec<GuideFile>, BlockError> {
    let mut files: Vec<GuideFile> = Vec::new();
    let mut first_line: BTreeMap<String, usize> = BTreeMap::new();
    let mut open: Option<Open> = None;
    for (index, line) in guide.lines().enumerate() {
        let number = index + 1;
        match &mut open {
            None => {
                if let Some((fence, indent, info)) = opening(line) {
                    let path = file_of(info, number)?;
                    if let Some(path) = &path {
                        if let Some(&first) = first_line.get(path) {
                            return Err(BlockError::DuplicateFile {
                                line: number,
                                first,
                                path: path.clone(),
                            });
                        }
                        first_line.insert(path.clone(), number);
                    }
                    open = Some(Open {
                        line: number,
                        fence,
                        indent,
                        path,
                        text: String::new(),
                    });
                }
            }
            Some(block) => {
                if closes(line, block.fence) {
                    let block = open.take().expect("a block is open");
                    if let Some(path) = block.path {
                        files.push(GuideFile {
                            path,
                            text: block.text,
                            line: block.line,
                        });
                    }
                } else {
                    block.text.push_str(strip_indent(line, block.indent));
                    block.text.push('\n');
                }
            }
        }
    }
    match open {
        Some(block) => Err(BlockError::Unclosed {
            line: block.line,
            fence: block.fence,
        }),
        None => Ok(files),
    }
}

/// An opening fence line (CommonMark: up to three spaces of indent, three or more backticks
/// or tildes, and an info string without backticks after backticks): the fence, its indent
/// and the info string.
fn opening(line: &str) -> Option<(Fence, usize, &str)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let marker = rest.chars().next().filter(|c| matches!(c, '`' | '~'))?;
    let len = rest.len() - rest.trim_start_matches(marker).len();
    if len < 3 {
        return None;
    }
    let info = rest[len..].trim();
    if marker == '`' && info.contains('`') {
        return None;
    }
    Some((Fence { marker, len }, indent, info))
}

/// Whether `line` closes a block opened by `fence`: the same marker, at least as many, and
/// nothing after but spaces.
fn closes(line: &str, fence: Fence) -> bool {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return false;
    }
    let rest = &line[indent..];
    let len = rest.len() - rest.trim_start_matches(fence.marker).len();
    len >= fence.len && rest[len..].trim().is_empty()
}

/// Removes up to `indent` leading spaces, as CommonMark does inside an indented fence.
fn strip_indent(line: &str, indent: usize) -> &str {
    let spaces = line.len() - line.trim_start_matches(' ').len();
    &line[spaces.min(indent)..]
}

/// The `file=` of an info string, checked; an error if a Rust or TOML block has none.
fn file_of(info: &str, line: usize) -> Result<Option<String>, BlockError> {
    let mut words = info.split_whitespace();
    let language = words.next().unwrap_or("");
    // `rust,ignore` style attributes: the language is the first of them.
    let language = language.split(',').next().unwrap_or("");
    if language.starts_with("file=") {
        // No language given: the first word is the file.
        return checked_path(info, line);
    }
    match checked_path(info, line)? {
        Some(path) => Ok(Some(path)),
        None if FILE_LANGUAGES.contains(&language) => Err(BlockError::MissingFile {
            line,
            language: language.to_owned(),
        }),
        None => Ok(None),
    }
}

/// The path of the one `file=` word of `info`, if any, refused when empty, absolute or
/// escaping the crate.
fn checked_path(info: &str, line: usize) -> Result<Option<String>, BlockError> {
    let mut paths = info
        .split_whitespace()
        .filter_map(|word| word.strip_prefix("file="));
    let Some(path) = paths.next() else {
        return Ok(None);
    };
    if paths.next().is_some() {
        return Err(BlockError::TwoFiles { line });
    }
    // Normalized (`./src//main.rs` is `src/main.rs`) so that a file named twice is seen.
    let mut normal = Vec::new();
    for component in Path::new(path).components() {
        match component {
            Component::Normal(part) => normal.push(part.to_string_lossy()),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                return Err(BlockError::BadPath {
                    line,
                    path: path.to_owned(),
                });
            }
        }
    }
    if normal.is_empty() {
        return Err(BlockError::BadPath {
            line,
            path: path.to_owned(),
        });
    }
    Ok(Some(normal.join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_blocks_become_files_and_the_rest_is_prose() {
        let guide = "# Guide\n\n```sh\ncargo new hello\n```\n\n```toml file=Cargo.toml\n[package]\nname = \"hello\"\n```\n\nText.\n\n````rust file=src/main.rs\nfn main() {\n    // ``` inside is text\n}\n````\n\n```text\noutput\n```\n";
        let files = files(guide).expect("valid guide");
        assert_eq!(
            files,
            vec![
                GuideFile {
                    path: "Cargo.toml".into(),
                    text: "[package]\nname = \"hello\"\n".into(),
                    line: 7,
                },
                GuideFile {
                    path: "src/main.rs".into(),
                    text: "fn main() {\n    // ``` inside is text\n}\n".into(),
                    line: 14,
                },
            ]
        );
    }

    #[test]
    fn tildes_and_indented_fences_keep_their_text() {
        let guide = "  ~~~rust file=tests/a.rs\n  #[test]\n  fn a() {}\n  ~~~\n";
        let files = files(guide).expect("valid guide");
        assert_eq!(files[0].path, "tests/a.rs");
        assert_eq!(files[0].text, "#[test]\nfn a() {}\n");
    }

    #[test]
    fn a_rust_or_toml_block_without_a_file_is_refused_with_its_line() {
        for (guide, language) in [
            ("text\n\n```rust\nfn main() {}\n```\n", "rust"),
            ("text\n\n```toml\n[package]\n```\n", "toml"),
            ("text\n\n```rust,ignore\nfn main() {}\n```\n", "rust"),
        ] {
            let error = files(guide).unwrap_err();
            assert_eq!(
                error,
                BlockError::MissingFile {
                    line: 3,
                    language: language.into()
                }
            );
            assert!(error.to_string().contains("file=<path>"), "{error}");
        }
    }

    #[test]
    fn a_file_written_twice_names_both_blocks() {
        let guide = "```rust file=src/main.rs\nfn main() {}\n```\n\n```rust file=src/lib.rs\n```\n\n```rust file=./src//main.rs\nfn main() {}\n```\n";
        let error = files(guide).unwrap_err();
        assert_eq!(
            error,
            BlockError::DuplicateFile {
                line: 8,
                first: 1,
                path: "src/main.rs".into()
            }
        );
        assert!(error.to_string().contains("line 1"), "{error}");
    }

    #[test]
    fn an_unclosed_block_names_its_opening_line_and_fence() {
        let guide = "```toml file=Cargo.toml\n[package]\n```\n\n````rust file=src/lib.rs\n```\n";
        let error = files(guide).unwrap_err();
        assert_eq!(
            error,
            BlockError::Unclosed {
                line: 5,
                fence: Fence {
                    marker: '`',
                    len: 4
                }
            }
        );
        assert_eq!(
            error.to_string(),
            "line 5: the code block opened here is never closed (no matching ````)"
        );
    }

    #[test]
    fn paths_outside_the_crate_and_double_names_are_refused() {
        for path in ["", "/etc/passwd", "../x.rs", "src/../../x.rs"] {
            let guide = format!("```rust file={path}\n```\n");
            assert_eq!(
                files(&guide).unwrap_err(),
                BlockError::BadPath {
                    line: 1,
                    path: path.into()
                },
                "{path:?}"
            );
        }
        assert_eq!(
            files("```rust file=a.rs file=b.rs\n```\n").unwrap_err(),
            BlockError::TwoFiles { line: 1 }
        );
    }
}
