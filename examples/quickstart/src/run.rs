//! The whole run: start each extension with its grants, do its step, shut it down.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use symphony_core::permission::{FsAccess, FsRule, ModelAction, Permissions};

use crate::args::{Backend, Options};
use crate::error::QuickstartError;
use crate::launch::{Confinement, Launched, base_options, launch};
use crate::read::read;
use crate::render::render;
use crate::report::{Report, ScoredRow};
use crate::score::score;
use crate::serve::Kind;

/// The model file, relative to the classifier's directory (as its manifest names it).
const MODEL: &str = "model/iris.onnx";

/// One extension's part in the run.
pub(crate) struct Step {
    pub(crate) kind: Kind,
    pub(crate) id: String,
    pub(crate) pid: Option<u32>,
    pub(crate) started: Duration,
    /// What `started` included beyond spawn and handshake, if anything.
    pub(crate) startup_note: Option<String>,
    pub(crate) grants: Vec<String>,
    pub(crate) sandbox: String,
    /// What it did, and how long that took.
    pub(crate) work: String,
    /// More to say about the result, as (label, text).
    pub(crate) details: Vec<(&'static str, String)>,
}

/// Everything the summary reports.
pub(crate) struct Summary {
    pub(crate) steps: Vec<Step>,
    pub(crate) report: Report,
    /// The report's absolute path.
    pub(crate) out: PathBuf,
    pub(crate) total: Duration,
}

/// Runs the three steps for `options`.
pub(crate) fn run(options: &Options) -> Result<Summary, QuickstartError> {
    let began = Instant::now();
    let csv = resolve_csv(&options.csv)?;
    let confinement = Confinement::available();
    let mut steps = Vec::with_capacity(3);

    // 1. The operator may read the CSV file and nothing else.
    let (root, file) = split_utf8(&csv)?;
    let operator = launch(
        Kind::Operator,
        base_options()
            .with_workspace_root(root)
            .with_grants(read_grant(&escape_glob(file))),
        &confinement,
    )?;
    let read = read(&operator, &csv, &options.csv)?;
    steps.push(finish(
        operator,
        None,
        format!(
            "read and validated {} rows in {} (csv.read, then validate: 4 numeric columns)",
            read.rows.len(),
            ms(read.took)
        ),
        Vec::new(),
    )?);

    // 2. The instrument may read its model and run it. On tract that is all it needs, so the
    // kernel holds it to that; ONNX Runtime is a library loaded from outside its grants.
    let instrument_confinement = match &options.backend {
        Backend::Tract => confinement.clone(),
        Backend::OnnxRuntime(library) => Confinement::None(format!(
            "none: ONNX Runtime is loaded from {}, outside what the manifest may request",
            library.display()
        )),
    };
    let mut instrument_options = base_options()
        .with_workspace_root(onnx_classifier::BASE_DIR)
        .with_grants(Permissions {
            model: vec![ModelAction::Invoke],
            ..read_grant(MODEL)
        })
        .with_config("runtime", options.backend.name().into());
    if let Backend::OnnxRuntime(library) = &options.backend {
        // The backend reads the library only where the grant allows it (granted where its
        // links lead, which is where the check finds it).
        let resolved = library.canonicalize().unwrap_or_else(|_| library.clone());
        let mut grants = instrument_options.grants.clone();
        grants
            .filesystem
            .extend(read_grant(&escape_glob(&resolved.to_string_lossy())).filesystem);
        instrument_options = instrument_options
            .with_grants(grants)
            .with_config("library", library.to_string_lossy().into());
    }
    let instrument = launch(
        Kind::Instrument,
        instrument_options,
        &instrument_confinement,
    )?;
    let scored = score(&instrument, &read.rows)?;
    steps.push(finish(
        instrument,
        Some(format!("loads the model on {}", options.backend.name())),
        format!(
            "scored {} rows in {} model call{} ({} requests pipelined, batched by the extension) in {}",
            scored.scores.len(),
            scored.model_calls,
            if scored.model_calls == 1 { "" } else { "s" },
            scored.scores.len(),
            ms(scored.took)
        ),
        Vec::new(),
    )?);

    let report = Report {
        source: options.csv.display().to_string(),
        engine: options.backend.name().to_owned(),
        classes: onnx_classifier::CLASSES.map(str::to_owned).to_vec(),
        rows: read
            .rows
            .iter()
            .zip(&scored.scores)
            .enumerate()
            .map(|(index, (row, score))| ScoredRow {
                name: row
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("row {}", index + 1)),
                features: row.features,
                class: score.class,
                probability: score.probability,
            })
            .collect(),
    };

    // 3. The motif may touch nothing: it returns the page, and the host writes it.
    let motif = launch(Kind::Motif, base_options(), &confinement)?;
    let rendered = render(&motif, &report, &options.out)?;
    steps.push(finish(
        motif,
        None,
        format!(
            "rendered a {:.1} KiB page in {}; the host wrote it",
            rendered.bytes as f64 / 1024.0,
            ms(rendered.took),
        ),
        vec![("page CSP", rendered.csp)],
    )?);

    let out = std::path::absolute(&options.out).unwrap_or_else(|_| options.out.clone());
    Ok(Summary {
        steps,
        report,
        out,
        total: began.elapsed(),
    })
}

/// Shuts the extension down and keeps what the summary says about it.
fn finish(
    launched: Launched,
    startup_note: Option<String>,
    work: String,
    details: Vec<(&'static str, String)>,
) -> Result<Step, QuickstartError> {
    let Launched {
        host,
        kind,
        id,
        pid,
        started,
        grants,
        sandbox,
    } = launched;
    host.shutdown()
        .map_err(|source| QuickstartError::Shutdown { kind, source })?;
    Ok(Step {
        kind,
        id,
        pid,
        started,
        startup_note,
        grants,
        sandbox,
        work,
        details,
    })
}

/// The CSV file's canonical path: the grant must name the file itself, not a link to it.
fn resolve_csv(csv: &Path) -> Result<PathBuf, QuickstartError> {
    let failed = |source| QuickstartError::OpenCsv {
        path: csv.to_path_buf(),
        source,
    };
    let canonical = std::fs::canonicalize(csv).map_err(failed)?;
    if !canonical.is_file() {
        return Err(failed(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "it is not a file",
        )));
    }
    Ok(canonical)
}

/// The directory and name of a canonical file path, as text for the permission globs.
fn split_utf8(path: &Path) -> Result<(&Path, &str), QuickstartError> {
    let not_utf8 = || QuickstartError::NotUtf8 {
        path: path.to_path_buf(),
    };
    let root = path.parent().ok_or_else(not_utf8)?;
    root.to_str().ok_or_else(not_utf8)?;
    let name = path.file_name().and_then(|name| name.to_str());
    Ok((root, name.ok_or_else(not_utf8)?))
}

/// Read access to `glob` (relative to the workspace root).
fn read_grant(glob: &str) -> Permissions {
    Permissions {
        filesystem: vec![FsRule {
            path: glob.to_owned(),
            access: vec![FsAccess::Read],
        }],
        ..Permissions::default()
    }
}

/// A file name as a glob that matches only that name.
fn escape_glob(name: &str) -> String {
    let mut glob = String::with_capacity(name.len());
    for c in name.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '{' | '}' | '\\') {
            glob.push('\\');
        }
        glob.push(c);
    }
    glob
}

/// A duration in milliseconds, to a tenth.
pub(crate) fn ms(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

#[cfg(test)]
mod tests {
    use symphony_core::permission::{NormalizedPath, Policy, Resource};

    use super::*;

    #[test]
    fn the_operator_grant_covers_its_file_and_nothing_beside_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().canonicalize().expect("canonical");
        let name = "odd [1] {a,b} *.csv";
        std::fs::write(root.join(name), "x").expect("written");
        std::fs::write(root.join("other.csv"), "x").expect("written");
        let request = Permissions {
            filesystem: vec![FsRule {
                path: "**".into(),
                access: vec![FsAccess::Read],
            }],
            ..Permissions::default()
        };
        let policy = Policy::builder(&request, &read_grant(&escape_glob(name)))
            .workspace_root(&root)
            .build()
            .expect("valid policy");
        let allowed = |file: &str| {
            let path = NormalizedPath::new(root.join(file)).expect("normalised");
            policy
                .check(&Resource::path(&path, FsAccess::Read))
                .is_allowed()
        };
        assert!(allowed(name));
        assert!(!allowed("other.csv"));
    }

    #[test]
    fn a_missing_csv_names_the_path() {
        let error = resolve_csv(Path::new("/nonexistent/iris.csv")).expect_err("missing");
        assert!(
            error
                .to_string()
                .starts_with("cannot open the CSV file `/nonexistent/iris.csv`: "),
            "{error}"
        );
    }
}
