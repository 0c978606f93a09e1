//! [`ExtensionId`]: `publisher.name`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::ManifestError;

/// An extension's identifier, `publisher.name`.
///
/// Each part is 1 to 64 lowercase ASCII letters, digits and `-`, neither starting nor ending
/// with `-`.
///
/// ```
/// # use symphony_core::manifest::ExtensionId;
///
/// let id: ExtensionId = "acme.csv-cleaner".parse()?;
/// assert_eq!((id.publisher(), id.name()), ("acme", "csv-cleaner"));
/// assert!("Acme.cleaner".parse::<ExtensionId>().is_err());
/// # Ok::<(), symphony_core::manifest::ManifestError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExtensionId {
    text: String,
    dot: usize,
}

/// Longest allowed publisher or name.
const MAX_PART: usize = 64;

impl ExtensionId {
    /// The publisher part, before the dot.
    pub fn publisher(&self) -> &str {
        self.text.get(..self.dot).unwrap_or_default()
    }

    /// The name part, after the dot.
    pub fn name(&self) -> &str {
        self.text.get(self.dot + 1..).unwrap_or_default()
    }

    /// The whole identifier.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Checks `text`, explaining what is wrong when it is not an identifier.
    pub(crate) fn parse_reason(text: &str) -> Result<Self, String> {
        let invalid = |why: String| format!("`{text}` is not a valid extension id: {why}");
        let Some((publisher, name)) = text.split_once('.') else {
            return Err(invalid("expected `publisher.name`".to_owned()));
        };
        for (part, label) in [(publisher, "publisher"), (name, "name")] {
            check_part(part, label).map_err(invalid)?;
        }
        Ok(Self {
            text: text.to_owned(),
            dot: publisher.len(),
        })
    }
}

fn check_part(part: &str, label: &str) -> Result<(), String> {
    if part.is_empty() {
        return Err(format!("the {label} is empty"));
    }
    if part.len() > MAX_PART {
        return Err(format!(
            "the {label} is {} characters long (at most {MAX_PART})",
            part.chars().count()
        ));
    }
    if let Some(bad) = part
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(format!(
            "the {label} contains {bad:?}; use lowercase letters, digits and `-`"
        ));
    }
    if part.starts_with('-') || part.ends_with('-') {
        return Err(format!("the {label} must not start or end with `-`"));
    }
    Ok(())
}

impl FromStr for ExtensionId {
    type Err = ManifestError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse_reason(text).map_err(|reason| ManifestError::InvalidValue {
            path: "id".to_owned(),
            reason,
            location: None,
        })
    }
}

impl fmt::Display for ExtensionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for ExtensionId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for ExtensionId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse_reason(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_ids() {
        for text in [
            "acme.cleaner",
            "a.b",
            "acme-corp.csv-2-json",
            &format!("{0}.{0}", "a".repeat(64)),
        ] {
            let id = ExtensionId::parse_reason(text).expect(text);
            assert_eq!(id.as_str(), text);
            assert_eq!(format!("{}.{}", id.publisher(), id.name()), text);
        }
    }

    #[test]
    fn explains_invalid_ids() {
        for (text, reason) in [
            ("cleaner", "expected `publisher.name`"),
            (".cleaner", "the publisher is empty"),
            ("acme.", "the name is empty"),
            ("Acme.cleaner", "the publisher contains 'A'"),
            ("acme.csv_cleaner", "the name contains '_'"),
            ("acme.a.b", "the name contains '.'"),
            ("-acme.x", "must not start or end with `-`"),
            ("acme.é", "the name contains 'é'"),
        ] {
            let error = ExtensionId::parse_reason(text).expect_err(text);
            assert!(error.contains(reason), "{text}: {error}");
        }
        let long = format!("acme.{}", "a".repeat(65));
        assert!(ExtensionId::parse_reason(&long).is_err_and(|e| e.contains("at most 64")));
    }
}
