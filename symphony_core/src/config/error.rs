//! Why host-provided configuration values were rejected.

use std::fmt;

use serde_json::Number;

use crate::document::{MAX_LISTED, did_you_mean};

/// One configuration value that does not satisfy its field's schema.
///
/// Every variant names the field path (`config.tags[2]`, `config.retry.attempts`) and displays
/// as `path: reason`. Values of secret fields are never part of an error: their problems are
/// reported as [`SecretRejected`](ConfigError::SecretRejected) without the value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The value has the wrong JSON type.
    #[error("{path}: expected {expected}, found {found}")]
    WrongType {
        /// Field path.
        path: String,
        /// What the schema asks for, e.g. `an integer`.
        expected: &'static str,
        /// What was given, e.g. `a string`.
        found: &'static str,
    },
    /// A required field has no value and no default.
    #[error("{path}: required, but no value was given and the field has no default")]
    Missing {
        /// Field path.
        path: String,
    },
    /// A key that the schema does not declare.
    #[error("{path}: unknown configuration key{}", did_you_mean(suggestion))]
    UnknownKey {
        /// Path of the unknown key.
        path: String,
        /// The closest declared key, if one is close.
        suggestion: Option<String>,
    },
    /// A number below the field's `min`.
    #[error("{path}: {value} is below the minimum {min}")]
    BelowMinimum {
        /// Field path.
        path: String,
        /// The value given.
        value: Number,
        /// The field's `min`.
        min: Number,
    },
    /// A number above the field's `max`.
    #[error("{path}: {value} is above the maximum {max}")]
    AboveMaximum {
        /// Field path.
        path: String,
        /// The value given.
        value: Number,
        /// The field's `max`.
        max: Number,
    },
    /// A string shorter than the field's `min_length`.
    #[error("{path}: {length} characters is shorter than the minimum length {min_length}")]
    TooShort {
        /// Field path.
        path: String,
        /// Length of the value, in characters.
        length: usize,
        /// The field's `min_length`.
        min_length: usize,
    },
    /// A string longer than the field's `max_length`.
    #[error("{path}: {length} characters is longer than the maximum length {max_length}")]
    TooLong {
        /// Field path.
        path: String,
        /// Length of the value, in characters.
        length: usize,
        /// The field's `max_length`.
        max_length: usize,
    },
    /// A string that does not match the field's `pattern`.
    #[error(
        "{path}: `{}` does not match the pattern `{pattern}`",
        Shortened(value)
    )]
    PatternMismatch {
        /// Field path.
        path: String,
        /// The value given.
        value: String,
        /// The field's `pattern`.
        pattern: String,
    },
    /// An `enum` value that is not one of the allowed values.
    #[error(
        "{path}: `{}` is not one of the allowed values ({}){}",
        Shortened(value),
        allowed.join(", "),
        did_you_mean(suggestion)
    )]
    NotAllowed {
        /// Field path.
        path: String,
        /// The value given.
        value: String,
        /// The field's `values`.
        allowed: Vec<String>,
        /// The closest allowed value, if one is close.
        suggestion: Option<String>,
    },
    /// An array with fewer items than `min_items`.
    #[error("{path}: {count} items is fewer than the minimum {min_items}")]
    TooFewItems {
        /// Field path.
        path: String,
        /// Number of items given.
        count: usize,
        /// The field's `min_items`.
        min_items: usize,
    },
    /// An array with more items than `max_items`.
    #[error("{path}: {count} items is more than the maximum {max_items}")]
    TooManyItems {
        /// Field path.
        path: String,
        /// Number of items given.
        count: usize,
        /// The field's `max_items`.
        max_items: usize,
    },
    /// A `url` value that is not a well-formed absolute URL.
    #[error("{path}: `{}` is not a valid URL: {reason}", Shortened(value))]
    InvalidUrl {
        /// Field path.
        path: String,
        /// The value given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A `url` value whose scheme is not in the field's `schemes`.
    #[error("{path}: URL scheme `{scheme}` is not allowed (allowed: {})", allowed.join(", "))]
    SchemeNotAllowed {
        /// Field path.
        path: String,
        /// The scheme given.
        scheme: String,
        /// The field's `schemes`.
        allowed: Vec<String>,
    },
    /// A `path` value that cannot name a file.
    #[error("{path}: invalid path: {reason}")]
    InvalidPath {
        /// Field path.
        path: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A secret value that violates its constraints; the value itself is never included.
    #[error("{path}: secret value rejected: {reason}")]
    SecretRejected {
        /// Field path.
        path: String,
        /// Which constraint failed, e.g. `too short (minimum 20 characters)`.
        reason: String,
    },
    /// [`ConfigValues::get`](super::ConfigValues::get) on a secret field.
    #[error("{path}: is a secret; read it with `ConfigValues::secret`")]
    SecretField {
        /// Field path.
        path: String,
    },
    /// [`ConfigValues::get`](super::ConfigValues::get) asked for a type the value cannot be
    /// read as.
    #[error("{path}: cannot be read as `{target}`: {reason}")]
    Unreadable {
        /// Field path.
        path: String,
        /// The Rust type asked for.
        target: &'static str,
        /// Why the value does not fit it.
        reason: String,
    },
}

impl ConfigError {
    /// The path of the offending field, e.g. `config.retry.attempts`.
    pub fn path(&self) -> &str {
        match self {
            Self::WrongType { path, .. }
            | Self::Missing { path }
            | Self::UnknownKey { path, .. }
            | Self::BelowMinimum { path, .. }
            | Self::AboveMaximum { path, .. }
            | Self::TooShort { path, .. }
            | Self::TooLong { path, .. }
            | Self::PatternMismatch { path, .. }
            | Self::NotAllowed { path, .. }
            | Self::TooFewItems { path, .. }
            | Self::TooManyItems { path, .. }
            | Self::InvalidUrl { path, .. }
            | Self::SchemeNotAllowed { path, .. }
            | Self::InvalidPath { path, .. }
            | Self::SecretRejected { path, .. }
            | Self::SecretField { path }
            | Self::Unreadable { path, .. } => path,
        }
    }

    /// The message without the leading `path: `.
    pub fn reason(&self) -> String {
        let message = self.to_string();
        // Every variant's message is `{path}: {reason}` (checked by a unit test).
        match message
            .strip_prefix(self.path())
            .and_then(|rest| rest.strip_prefix(": "))
        {
            Some(reason) => reason.to_owned(),
            None => message,
        }
    }
}

/// Every problem found in one set of configuration values: one error per offending field.
///
/// Displays as a header line and one line per error. Values with very many problems list the
/// first hundred and count the rest ([`unlisted`](Self::unlisted)), so that a huge bad value
/// costs a count, not a message per item.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", ErrorList(self))]
pub struct ConfigErrors {
    errors: Vec<ConfigError>,
    unlisted: usize,
}

impl ConfigErrors {
    pub(crate) fn new(errors: Vec<ConfigError>) -> Self {
        Self {
            errors,
            unlisted: 0,
        }
    }

    /// Records one more error: listed while there is room, counted afterwards.
    pub(crate) fn push(&mut self, error: ConfigError) {
        if self.is_full() {
            self.unlisted += 1;
        } else {
            self.errors.push(error);
        }
    }

    /// Takes over `other`'s errors, listed and counted.
    pub(crate) fn append(&mut self, other: ConfigErrors) {
        self.unlisted += other.unlisted;
        for error in other.errors {
            self.push(error);
        }
    }

    /// Whether further errors are only counted, so a check can skip describing them.
    pub(crate) fn is_full(&self) -> bool {
        self.errors.len() >= MAX_LISTED
    }

    /// How many errors were found, listed or not.
    pub(crate) fn found(&self) -> usize {
        self.errors.len() + self.unlisted
    }

    /// The errors listed, in schema order.
    pub fn errors(&self) -> &[ConfigError] {
        &self.errors
    }

    /// The number of errors listed (at least one).
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// How many further errors were found but are not listed in [`errors`](Self::errors).
    pub fn unlisted(&self) -> usize {
        self.unlisted
    }

    /// Always false: a `ConfigErrors` holds at least one error.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// Iterates over the errors.
    pub fn iter(&self) -> std::slice::Iter<'_, ConfigError> {
        self.errors.iter()
    }
}

impl IntoIterator for ConfigErrors {
    type Item = ConfigError;
    type IntoIter = std::vec::IntoIter<ConfigError>;

    fn into_iter(self) -> Self::IntoIter {
        self.errors.into_iter()
    }
}

impl<'a> IntoIterator for &'a ConfigErrors {
    type Item = &'a ConfigError;
    type IntoIter = std::slice::Iter<'a, ConfigError>;

    fn into_iter(self) -> Self::IntoIter {
        self.errors.iter()
    }
}

struct ErrorList<'a>(&'a ConfigErrors);

impl fmt::Display for ErrorList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.0.found();
        write!(
            f,
            "invalid configuration ({count} error{})",
            if count == 1 { "" } else { "s" }
        )?;
        for error in &self.0.errors {
            write!(f, "\n  {error}")?;
        }
        if self.0.unlisted > 0 {
            write!(f, "\n  … and {} more not listed", self.0.unlisted)?;
        }
        Ok(())
    }
}

/// Shows at most 80 characters of a user-supplied value, so one huge value cannot drown the
/// message; the full value stays in the error's field.
struct Shortened<'a>(&'a str);

impl fmt::Display for Shortened<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.char_indices().nth(80) {
            Some((end, _)) => write!(f, "{}…", self.0.get(..end).unwrap_or_default()),
            None => f.write_str(self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_variant() -> Vec<ConfigError> {
        let path = || "config.x".to_owned();
        vec![
            ConfigError::WrongType {
                path: path(),
                expected: "a string",
                found: "null",
            },
            ConfigError::Missing { path: path() },
            ConfigError::UnknownKey {
                path: path(),
                suggestion: Some("y".into()),
            },
            ConfigError::BelowMinimum {
                path: path(),
                value: 1.into(),
                min: 2.into(),
            },
            ConfigError::AboveMaximum {
                path: path(),
                value: 3.into(),
                max: 2.into(),
            },
            ConfigError::TooShort {
                path: path(),
                length: 1,
                min_length: 2,
            },
            ConfigError::TooLong {
                path: path(),
                length: 3,
                max_length: 2,
            },
            ConfigError::PatternMismatch {
                path: path(),
                value: "v".into(),
                pattern: "^a".into(),
            },
            ConfigError::NotAllowed {
                path: path(),
                value: "v".into(),
                allowed: vec!["a".into()],
                suggestion: None,
            },
            ConfigError::TooFewItems {
                path: path(),
                count: 1,
                min_items: 2,
            },
            ConfigError::TooManyItems {
                path: path(),
                count: 3,
                max_items: 2,
            },
            ConfigError::InvalidUrl {
                path: path(),
                value: "v".into(),
                reason: "r".into(),
            },
            ConfigError::SchemeNotAllowed {
                path: path(),
                scheme: "ftp".into(),
                allowed: vec!["https".into()],
            },
            ConfigError::InvalidPath {
                path: path(),
                reason: "r",
            },
            ConfigError::SecretRejected {
                path: path(),
                reason: "r".into(),
            },
            ConfigError::SecretField { path: path() },
            ConfigError::Unreadable {
                path: path(),
                target: "u8",
                reason: "r".into(),
            },
        ]
    }

    #[test]
    fn every_message_starts_with_the_path() {
        for error in every_variant() {
            let message = error.to_string();
            assert!(message.starts_with("config.x: "), "{message}");
            assert_eq!(format!("config.x: {}", error.reason()), message);
        }
    }

    #[test]
    fn long_values_are_shortened_in_messages_only() {
        let value = "v".repeat(500);
        let error = ConfigError::PatternMismatch {
            path: "config.x".into(),
            value: value.clone(),
            pattern: "^a".into(),
        };
        assert!(error.to_string().len() < 200);
        assert!(matches!(error, ConfigError::PatternMismatch { value: kept, .. } if kept == value));
    }

    #[test]
    fn list_displays_each_error() {
        let errors = ConfigErrors::new(every_variant().into_iter().take(2).collect());
        assert_eq!(
            errors.to_string(),
            "invalid configuration (2 errors)\n  config.x: expected a string, found null\n  \
             config.x: required, but no value was given and the field has no default"
        );
    }
}
