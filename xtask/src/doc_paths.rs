//! The focused crates' rendered docs show only their own paths: an author who depends on
//! `symphony_operators` must never read `use symphony_core::…` in an example, since the README
//! tells them not to depend on core. Core's items that a focused crate re-exports keep their
//! doc examples, so those examples import core paths on hidden (`# `) lines.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// The crates whose docs must not show core's paths.
pub(crate) const FOCUSED: &[&str] = &[
    "symphony_instruments",
    "symphony_operators",
    "symphony_motifs",
];

/// The crate whose paths must not show.
const CORE: &str = "symphony_core";

/// One page that shows a core path, with the text around it.
#[derive(Debug)]
pub(crate) struct Shown {
    page: PathBuf,
    text: String,
}

/// Every page under `doc_dir/<focused crate>/` whose visible text names `symphony_core`.
pub(crate) fn find(doc_dir: &Path) -> Result<Vec<Shown>, Error> {
    let mut shown = Vec::new();
    for krate in FOCUSED {
        let mut stack = vec![doc_dir.join(krate)];
        while let Some(dir) = stack.pop() {
            let entries = std::fs::read_dir(&dir).map_err(|source| Error::Io {
                path: dir.clone(),
                source,
            })?;
            for entry in entries {
                let path = entry
                    .map_err(|source| Error::Io {
                        path: dir.clone(),
                        source,
                    })?
                    .path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|ext| ext == "html") {
                    let html = std::fs::read_to_string(&path).map_err(|source| Error::Io {
                        path: path.clone(),
                        source,
                    })?;
                    if let Some(text) = visible_mention(&html) {
                        shown.push(Shown { page: path, text });
                    }
                }
            }
        }
    }
    shown.sort_by(|a, b| a.page.cmp(&b.page));
    Ok(shown)
}

/// The first place where the page's visible text (tags and their attributes removed: a link's
/// target or tooltip may name core) says `symphony_core`, with some context.
fn visible_mention(html: &str) -> Option<String> {
    let text = strip_tags(html);
    let at = text.find(CORE)?;
    let start = text[..at]
        .char_indices()
        .rev()
        .nth(40)
        .map_or(0, |(index, _)| index);
    let end = text[at..]
        .char_indices()
        .nth(60)
        .map_or(text.len(), |(index, _)| at + index);
    Some(
        text[start..end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// `html` without its tags.
fn strip_tags(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

/// The pages found, as one error naming each.
pub(crate) fn check(doc_dir: &Path) -> Result<(), Error> {
    let shown = find(doc_dir)?;
    if shown.is_empty() {
        return Ok(());
    }
    let list = shown
        .iter()
        .map(|shown| format!("  {}: …{}…", shown.page.display(), shown.text))
        .collect::<Vec<_>>()
        .join("\n");
    Err(Error::Doc(format!(
        "{} page(s) of the focused crates' docs show `{CORE}` paths, which their readers cannot \
         use; import core items on hidden `# use …` lines in core's doc examples:\n{list}",
        shown.len()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_core_path_in_an_example_is_found_and_a_link_target_is_not() {
        let shown = r#"<pre><code><span class="kw">use </span>symphony_core::testing::RawSession;</code></pre>"#;
        let text = visible_mention(shown).expect("found");
        assert!(
            text.contains("symphony_core::testing::RawSession"),
            "{text}"
        );
        let linked =
            r#"<a href="../symphony_core/struct.X.html" title="struct symphony_core::X">X</a>"#;
        assert_eq!(visible_mention(linked), None);
    }

    #[test]
    fn pages_are_searched_in_every_focused_crate() {
        let dir = tempfile::tempdir().expect("temp dir");
        for krate in FOCUSED {
            std::fs::create_dir_all(dir.path().join(krate).join("testing")).expect("mkdir");
        }
        let page = dir
            .path()
            .join("symphony_motifs/testing/struct.RawSession.html");
        std::fs::write(
            &page,
            "<code>symphony_core::testing::RawSession::start</code>",
        )
        .expect("write");
        std::fs::write(
            dir.path().join("symphony_operators/index.html"),
            "<code>symphony_operators::main!</code>",
        )
        .expect("write");
        let error = check(dir.path()).unwrap_err().to_string();
        assert!(error.contains("1 page(s)"), "{error}");
        assert!(error.contains("struct.RawSession.html"), "{error}");
    }
}
