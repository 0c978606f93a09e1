//! Step 3, the motif: hand it the results as its component's state, ask for the page, and
//! write the page to disk with the motif's default stylesheet beside it (the motif itself is
//! granted no filesystem access).

use std::fs;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use symphony_motifs::methods::Method;
use symphony_motifs::methods::motif::{Page, PageParams, Restore, RestoreParams, Stylesheet};
use symphony_motifs::page::BridgeTransport;

use crate::error::QuickstartError;
use crate::launch::Launched;
use crate::report::Report;
use crate::serve::COMPONENT;

/// The stylesheet's file name, beside the report (the page links it relatively, so the report
/// opens styled from disk; its CSP's `'self'` covers a file beside it).
pub(crate) const STYLESHEET_FILE: &str = "motifs.css";

/// What the motif step produced.
pub(crate) struct Rendered {
    /// The page's size in bytes.
    pub(crate) bytes: usize,
    /// The page's Content-Security-Policy.
    pub(crate) csp: String,
    /// Restoring the state and asking for the page, end to end.
    pub(crate) took: Duration,
}

/// Renders `report` with the motif and writes the page to `out`.
pub(crate) fn render(
    motif: &Launched,
    report: &Report,
    out: &Path,
) -> Result<Rendered, QuickstartError> {
    let failed = |what: &str| {
        let what = what.to_owned();
        move |source| QuickstartError::Call {
            kind: motif.kind,
            what,
            source,
        }
    };
    let state = serde_json::to_value(report).map_err(|error| QuickstartError::Unexpected {
        kind: motif.kind,
        what: "the report as the motif's state",
        detail: error.to_string(),
    })?;
    let began = Instant::now();
    motif
        .host
        .request::<Restore>(&RestoreParams {
            component: COMPONENT.to_owned(),
            state,
        })
        .map_err(failed(Restore::NAME))?;
    // The page's bridge would post events to `event` beside it; the report sends none.
    let page = motif
        .host
        .request::<Page>(
            &PageParams::new(
                COMPONENT,
                BridgeTransport::Http {
                    endpoint: "event".to_owned(),
                },
            )
            .stylesheet(STYLESHEET_FILE),
        )
        .map_err(failed(Page::NAME))?;
    let stylesheet = motif
        .host
        .request::<Stylesheet>(&())
        .map_err(failed(Stylesheet::NAME))?;
    let took = began.elapsed();
    write_atomically(out, page.html.as_bytes()).map_err(|source| QuickstartError::WriteReport {
        path: out.to_path_buf(),
        source,
    })?;
    // After the report: a path that cannot take the report gets nothing beside it.
    let css_path = out.with_file_name(STYLESHEET_FILE);
    write_atomically(&css_path, stylesheet.css.as_bytes()).map_err(|source| {
        QuickstartError::WriteReport {
            path: css_path.clone(),
            source,
        }
    })?;
    Ok(Rendered {
        bytes: page.html.len(),
        csp: page.csp,
        took,
    })
}

/// Writes `bytes` to a temporary file beside `path` and renames it over `path`, so that a
/// failed run never leaves a truncated report behind.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir)?;
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}.tmp", std::process::id()));
    let temporary = dir.join(name);
    let written = fs::File::create(&temporary).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    match written.and_then(|()| fs::rename(&temporary, path)) {
        Ok(()) => Ok(()),
        Err(error) => {
            let _ = fs::remove_file(&temporary);
            Err(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_whole_page_and_its_directories() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a/b/report.html");
        write_atomically(&path, b"<html>").expect("written");
        assert_eq!(fs::read(&path).expect("readable"), b"<html>");
        let names: Vec<_> = fs::read_dir(path.parent().expect("parent"))
            .expect("listed")
            .map(|entry| entry.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["report.html"], "no temporary file is left");
    }

    #[test]
    fn a_path_that_is_a_directory_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert!(write_atomically(dir.path(), b"x").is_err());
        assert!(dir.path().is_dir());
    }
}
