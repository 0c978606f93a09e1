//! Why a manifest was rejected: every problem, each with its field path and source location.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use semver::Version;

use super::kind::ExtensionKind;
use super::locate::Locator;
use crate::document::{Issue, IssueKind, did_you_mean};

/// A position in the manifest's source text (both 1-based; columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// Line number, from 1.
    pub line: usize,
    /// Column number in characters, from 1.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// The text format a manifest was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SourceFormat {
    /// `symphony.toml`.
    Toml,
    /// JSON, e.g. a manifest sent over the protocol.
    Json,
}

impl fmt::Display for SourceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Toml => "TOML",
            Self::Json => "JSON",
        })
    }
}

/// One problem with a manifest.
///
/// Field errors name the path (`permissions.filesystem[1].access`) and the reason, and end with
/// ` (line L, column C)` when the manifest came from TOML text.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ManifestError {
    /// The manifest file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why reading failed.
        #[source]
        source: io::Error,
    },
    /// The text is not well-formed TOML or JSON.
    #[error("{format} syntax error at {location}: {message}")]
    Syntax {
        /// The format the text was parsed as.
        format: SourceFormat,
        /// Where the parser gave up.
        location: Location,
        /// The parser's description of the problem.
        message: String,
    },
    /// A value has the wrong type.
    #[error("{path}: expected {expected}, found {found}{}", At(location))]
    WrongType {
        /// Field path.
        path: String,
        /// What the manifest format asks for, e.g. `a string`.
        expected: &'static str,
        /// What was given.
        found: &'static str,
        /// Where the value is.
        location: Option<Location>,
    },
    /// A required field is absent.
    #[error("{path}: missing required field{}", At(location))]
    MissingField {
        /// Path of the missing field.
        path: String,
        /// Where the table that should hold it is.
        location: Option<Location>,
    },
    /// A field the manifest format does not have.
    #[error("{path}: unknown field{}{}", did_you_mean(suggestion), At(location))]
    UnknownField {
        /// Path of the unknown field.
        path: String,
        /// The closest known field name, when one is close.
        suggestion: Option<String>,
        /// Where the field is.
        location: Option<Location>,
    },
    /// A well-typed value that is not acceptable.
    #[error("{path}: {reason}{}", At(location))]
    InvalidValue {
        /// Field path.
        path: String,
        /// What is wrong with the value.
        reason: String,
        /// Where the value is.
        location: Option<Location>,
    },
    /// The `engine` range does not accept the API version this SDK implements.
    #[error(
        "engine: `{range}` does not accept this SDK's API version {api_version}; \
         use a range such as `^{}.{}`{}",
        api_version.major,
        api_version.minor,
        At(location)
    )]
    EngineMismatch {
        /// The manifest's `engine` range.
        range: String,
        /// The SDK's API version ([`api_version`](crate::version::api_version)).
        api_version: Version,
        /// Where the range is.
        location: Option<Location>,
    },
    /// A kind section that does not match `kind`.
    #[error(
        "{section}: section [{section}] does not belong in a manifest with kind = \"{kind}\"; \
         rename it to [{kind}] or change `kind`{}",
        At(location)
    )]
    KindMismatch {
        /// The manifest's `kind`.
        kind: ExtensionKind,
        /// The section found.
        section: ExtensionKind,
        /// Where the section is.
        location: Option<Location>,
    },
    /// The section that `kind` requires is absent.
    #[error(
        "{kind}: missing the [{kind}] section that kind = \"{kind}\" requires{}",
        At(location)
    )]
    MissingSection {
        /// The manifest's `kind`.
        kind: ExtensionKind,
        /// Where `kind` is.
        location: Option<Location>,
    },
    /// The manifest cannot be written as TOML (e.g. a JSON `null` in `[instrument.model]`).
    #[error("cannot write the manifest as TOML: {reason}")]
    NotRepresentable {
        /// What the TOML writer rejected.
        reason: String,
    },
    /// The text is larger than any manifest is allowed to be; it was not parsed.
    #[error("the manifest is {bytes} bytes; a manifest may be at most {limit} bytes")]
    TooLarge {
        /// The text's size.
        bytes: usize,
        /// [`MAX_MANIFEST_BYTES`](super::MAX_MANIFEST_BYTES).
        limit: usize,
    },
}

impl ManifestError {
    /// The field path the error is about, if it is about one field.
    pub fn path(&self) -> Option<&str> {
        match self {
            Self::WrongType { path, .. }
            | Self::MissingField { path, .. }
            | Self::UnknownField { path, .. }
            | Self::InvalidValue { path, .. } => Some(path),
            Self::EngineMismatch { .. } => Some("engine"),
            Self::KindMismatch { section, .. } => Some(section.as_str()),
            Self::MissingSection { kind, .. } => Some(kind.as_str()),
            Self::Io { .. }
            | Self::Syntax { .. }
            | Self::NotRepresentable { .. }
            | Self::TooLarge { .. } => None,
        }
    }

    /// Where in the source text the problem is, when known.
    pub fn location(&self) -> Option<Location> {
        match self {
            Self::Syntax { location, .. } => Some(*location),
            Self::WrongType { location, .. }
            | Self::MissingField { location, .. }
            | Self::UnknownField { location, .. }
            | Self::InvalidValue { location, .. }
            | Self::EngineMismatch { location, .. }
            | Self::KindMismatch { location, .. }
            | Self::MissingSection { location, .. } => *location,
            Self::Io { .. } | Self::NotRepresentable { .. } | Self::TooLarge { .. } => None,
        }
    }

    pub(crate) fn from_issue(issue: Issue, locator: &Locator<'_>) -> Self {
        let location = locator.locate(issue.span.as_ref());
        let path = issue.path;
        match issue.kind {
            IssueKind::WrongType { expected, found } => Self::WrongType {
                path,
                expected,
                found,
                location,
            },
            IssueKind::Missing => Self::MissingField { path, location },
            IssueKind::Unknown { suggestion } => Self::UnknownField {
                path,
                suggestion,
                location,
            },
            IssueKind::Invalid(reason) => Self::InvalidValue {
                path,
                reason,
                location,
            },
        }
    }
}

/// Every problem found in one manifest, in source order where known.
///
/// Displays as a header naming the file (when read from one) and one line per error. A
/// manifest with very many problems lists the first hundred found and counts the rest
/// ([`unlisted`](Self::unlisted)).
#[derive(Debug, thiserror::Error)]
#[error("{}", ErrorList(self))]
pub struct ManifestErrors {
    file: Option<PathBuf>,
    errors: Vec<ManifestError>,
    unlisted: usize,
}

impl ManifestErrors {
    pub(crate) fn new(errors: Vec<ManifestError>) -> Self {
        Self {
            file: None,
            errors,
            unlisted: 0,
        }
    }

    pub(crate) fn with_unlisted(mut self, unlisted: usize) -> Self {
        self.unlisted = unlisted;
        self
    }

    /// How many further problems were found but are not listed in [`errors`](Self::errors).
    pub fn unlisted(&self) -> usize {
        self.unlisted
    }

    pub(crate) fn in_file(mut self, file: impl Into<PathBuf>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// The manifest file, when the manifest was read from one.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// The errors listed.
    pub fn errors(&self) -> &[ManifestError] {
        &self.errors
    }

    /// The number of errors listed (at least one).
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// Always false: a `ManifestErrors` holds at least one error.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// Iterates over the errors.
    pub fn iter(&self) -> std::slice::Iter<'_, ManifestError> {
        self.errors.iter()
    }
}

impl IntoIterator for ManifestErrors {
    type Item = ManifestError;
    type IntoIter = std::vec::IntoIter<ManifestError>;

    fn into_iter(self) -> Self::IntoIter {
        self.errors.into_iter()
    }
}

impl<'a> IntoIterator for &'a ManifestErrors {
    type Item = &'a ManifestError;
    type IntoIter = std::slice::Iter<'a, ManifestError>;

    fn into_iter(self) -> Self::IntoIter {
        self.errors.iter()
    }
}

struct ErrorList<'a>(&'a ManifestErrors);

impl fmt::Display for ErrorList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ManifestErrors {
            file,
            errors,
            unlisted,
        } = self.0;
        f.write_str("invalid manifest")?;
        if let Some(file) = file {
            write!(f, " {}", file.display())?;
        }
        let count = errors.len() + unlisted;
        write!(f, " ({count} error{})", if count == 1 { "" } else { "s" })?;
        for error in errors {
            write!(f, "\n  {error}")?;
        }
        if *unlisted > 0 {
            write!(f, "\n  … and {unlisted} more not listed")?;
        }
        Ok(())
    }
}

/// Renders an optional location as ` (line L, column C)`.
struct At<'a>(&'a Option<Location>);

impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(location) => write!(f, " ({location})"),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_names_the_file_and_each_error() {
        let errors = ManifestErrors::new(vec![
            ManifestError::MissingField {
                path: "version".into(),
                location: Some(Location { line: 1, column: 1 }),
            },
            ManifestError::UnknownField {
                path: "descripton".into(),
                suggestion: Some("description".into()),
                location: None,
            },
        ])
        .in_file("ext/symphony.toml");
        assert_eq!(
            errors.to_string(),
            "invalid manifest ext/symphony.toml (2 errors)\n  \
             version: missing required field (line 1, column 1)\n  \
             descripton: unknown field (did you mean `description`?)"
        );
    }
}
