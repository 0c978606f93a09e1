//! Program normalisation for `process` checks: where a program name or path really leads.

use std::ffi::{OsStr, OsString};
use std::path::Path;

use super::path::{NormalizeError, NormalizedPath};

/// A program about to be spawned, resolved the way `std::process::Command` would resolve it.
///
/// `process` rules come in two forms, and this type carries what each one matches:
///
/// - a **bare name** rule (`git`, `python3*`) matches the program's [`name`](Self::name) only
///   if the program is the one the search path finds under that name
///   ([`found_by_name`](Self::found_by_name)): spawning `git`, or `/usr/bin/git` when that is
///   what `git` resolves to — never `/tmp/evil/git`;
/// - a **path** rule (`/usr/bin/*`, `tools/**`) matches the program's resolved, normalised
///   path ([`resolved`](Self::resolved)).
///
/// Spawn the resolved path, so that what was checked is what runs even if the search path
/// changes in between.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedProgram {
    name: OsString,
    resolved: Option<NormalizedPath>,
    found_by_name: bool,
}

impl NormalizedProgram {
    /// Resolves `program` with the `PATH` of this process and the current directory.
    ///
    /// # Errors
    ///
    /// See [`NormalizeError`].
    pub fn new(program: impl AsRef<OsStr>) -> Result<Self, NormalizeError> {
        let search_path = std::env::var_os("PATH");
        Self::with_search_path(program, search_path.as_deref())
    }

    /// Resolves `program` with an explicit search path (the `PATH` the child will get);
    /// `None` searches nowhere, so a bare name resolves to nothing.
    ///
    /// # Errors
    ///
    /// See [`NormalizeError`].
    pub fn with_search_path(
        program: impl AsRef<OsStr>,
        search_path: Option<&OsStr>,
    ) -> Result<Self, NormalizeError> {
        let program = Path::new(program.as_ref());
        let is_bare = program.components().count() == 1 && program.file_name().is_some();
        if is_bare {
            let name = program.as_os_str().to_os_string();
            let resolved = search(&name, search_path)?;
            return Ok(Self {
                name,
                resolved,
                found_by_name: true,
            });
        }
        let resolved = NormalizedPath::new(program)?;
        let name = program
            .file_name()
            .map(OsStr::to_os_string)
            .unwrap_or_default();
        let found_by_name =
            !name.is_empty() && search(&name, search_path)?.is_some_and(|found| found == resolved);
        Ok(Self {
            name,
            resolved: Some(resolved),
            found_by_name,
        })
    }

    /// The program's file name as it was given (`git` for both `git` and `/usr/bin/git`).
    pub fn name(&self) -> &OsStr {
        &self.name
    }

    /// The normalised path of the program, if it was given as a path or found on the search
    /// path.
    pub fn resolved(&self) -> Option<&NormalizedPath> {
        self.resolved.as_ref()
    }

    /// Whether this is the program the search path finds under its name, so that bare-name
    /// rules apply to it.
    pub fn found_by_name(&self) -> bool {
        self.found_by_name
    }
}

/// The first executable file called `name` in `search_path`, normalised.
fn search(
    name: &OsStr,
    search_path: Option<&OsStr>,
) -> Result<Option<NormalizedPath>, NormalizeError> {
    let Some(search_path) = search_path else {
        return Ok(None);
    };
    for dir in std::env::split_paths(search_path) {
        let candidate = dir.join(name);
        if is_executable_file(&candidate) {
            return NormalizedPath::new(candidate).map(Some);
        }
    }
    Ok(None)
}

fn is_executable_file(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}
