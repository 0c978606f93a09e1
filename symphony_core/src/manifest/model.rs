//! [`Manifest`]: a parsed and validated `symphony.toml`.

use std::fs;
use std::path::Path;

use semver::{Version, VersionReq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::activation::ActivationEvent;
use super::error::{Location, ManifestError, ManifestErrors, SourceFormat};
use super::id::ExtensionId;
use super::instrument::InstrumentSection;
use super::kind::ExtensionKind;
use super::locate::Locator;
use super::motif::MotifSection;
use super::operator::OperatorSection;
use super::parse;
use crate::config::ConfigSchema;
use crate::document::Node;
use crate::permission::Permissions;

/// An extension's manifest, validated: every accessor returns a well-formed value.
///
/// ```
/// # use symphony_core::manifest::{ExtensionKind, Manifest};
///
/// let manifest = Manifest::from_toml_str(r#"
///     id = "acme.csv-cleaner"
///     name = "CSV Cleaner"
///     version = "1.2.0"
///     kind = "operator"
///     engine = "^1.0"
///
///     [permissions]
///     filesystem = [{ path = "data/**/*.csv", access = ["read"] }]
///
///     [operator]
///     category = "filter"
///     inputs = [{ name = "rows", type = "records" }]
///     outputs = [{ name = "kept", type = "records" }]
/// "#)?;
/// assert_eq!(manifest.id().publisher(), "acme");
/// assert_eq!(manifest.kind(), ExtensionKind::Operator);
/// assert_eq!(manifest.permissions().filesystem[0].path, "data/**/*.csv");
///
/// let errors = Manifest::from_toml_str("id = \"acme.x\"\nnmae = \"X\"\n").unwrap_err();
/// assert!(errors.to_string().contains("nmae: unknown field (did you mean `name`?) (line 2, column 1)"));
/// # Ok::<(), symphony_core::manifest::ManifestErrors>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    pub(crate) id: ExtensionId,
    pub(crate) name: String,
    pub(crate) version: Version,
    pub(crate) description: Option<String>,
    pub(crate) authors: Vec<String>,
    pub(crate) license: Option<String>,
    pub(crate) engine: VersionReq,
    pub(crate) permissions: Permissions,
    pub(crate) activation: Vec<ActivationEvent>,
    pub(crate) config: ConfigSchema,
    pub(crate) section: KindSection,
}

/// The kind-specific section of a manifest; its variant is the manifest's kind.
#[derive(Debug, Clone, PartialEq)]
pub enum KindSection {
    /// `[instrument]`.
    Instrument(InstrumentSection),
    /// `[operator]`.
    Operator(OperatorSection),
    /// `[motif]`.
    Motif(MotifSection),
}

impl KindSection {
    /// The kind this section belongs to.
    pub fn kind(&self) -> ExtensionKind {
        match self {
            Self::Instrument(_) => ExtensionKind::Instrument,
            Self::Operator(_) => ExtensionKind::Operator,
            Self::Motif(_) => ExtensionKind::Motif,
        }
    }
}

/// The largest manifest text read, in bytes (1 MiB). A real manifest is a few kilobytes; a
/// larger text is refused at once rather than parsed, so a host never spends its handshake
/// time on one.
pub const MAX_MANIFEST_BYTES: usize = 1 << 20;

/// The error for a text over [`MAX_MANIFEST_BYTES`], if `source` is one.
fn too_large(source: &str) -> Result<(), ManifestErrors> {
    if source.len() > MAX_MANIFEST_BYTES {
        return Err(ManifestErrors::new(vec![ManifestError::TooLarge {
            bytes: source.len(),
            limit: MAX_MANIFEST_BYTES,
        }]));
    }
    Ok(())
}

impl Manifest {
    /// Parses and validates a manifest written in TOML (`symphony.toml`).
    ///
    /// Syntax errors carry the line and column; otherwise every problem is reported, each with
    /// its field path, reason and location.
    pub fn from_toml_str(source: &str) -> Result<Self, ManifestErrors> {
        too_large(source)?;
        let node = Node::from_toml(source).map_err(|error| {
            let location = Locator::new(Some(source))
                .locate(error.span.as_ref())
                .unwrap_or(Location { line: 1, column: 1 });
            ManifestErrors::new(vec![ManifestError::Syntax {
                format: SourceFormat::Toml,
                location,
                message: error.message,
            }])
        })?;
        parse::manifest(&node, Some(source))
    }

    /// Parses and validates a manifest written in JSON (the same shape as the TOML).
    ///
    /// Field errors have no location (paths still name them); syntax errors do.
    pub fn from_json_str(source: &str) -> Result<Self, ManifestErrors> {
        too_large(source)?;
        let node: Node = serde_json::from_str(source).map_err(|error| {
            // serde_json counts columns from 1 but reports column 0 for an error at the very
            // start of a line (an empty or truncated text); a `Location` counts from 1.
            let location = Location {
                line: error.line().max(1),
                column: error.column().max(1),
            };
            let full = error.to_string();
            // serde_json appends the position to its message; it is in `location` already.
            let suffix = format!(" at line {} column {}", error.line(), error.column());
            let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
            ManifestErrors::new(vec![ManifestError::Syntax {
                format: SourceFormat::Json,
                location,
                message,
            }])
        })?;
        parse::manifest(&node, None)
    }

    /// Reads, parses and validates a manifest file: JSON if its name ends in `.json`, TOML
    /// otherwise. The errors name the file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, ManifestErrors> {
        let path = path.as_ref();
        let source = fs::read_to_string(path).map_err(|source| {
            ManifestErrors::new(vec![ManifestError::Io {
                path: path.to_owned(),
                source,
            }])
            .in_file(path)
        })?;
        let is_json = path
            .extension()
            .is_some_and(|extension| extension.eq_ignore_ascii_case("json"));
        let parsed = if is_json {
            Self::from_json_str(&source)
        } else {
            Self::from_toml_str(&source)
        };
        parsed.map_err(|errors| errors.in_file(path))
    }

    /// Writes the manifest back as TOML, in the shape it is read from.
    ///
    /// Fails only for values TOML cannot hold, such as a JSON `null` inside
    /// `[instrument.model]` of a manifest that was read from JSON.
    pub fn to_toml_string(&self) -> Result<String, ManifestError> {
        toml::to_string(self).map_err(|error| ManifestError::NotRepresentable {
            reason: error.to_string(),
        })
    }

    /// The identifier, `publisher.name`.
    pub fn id(&self) -> &ExtensionId {
        &self.id
    }

    /// The display name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The extension's version.
    pub fn version(&self) -> &Version {
        &self.version
    }

    /// The kind, which is also the variant of [`section`](Self::section).
    pub fn kind(&self) -> ExtensionKind {
        self.section.kind()
    }

    /// The description, if given.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The authors, possibly none.
    pub fn authors(&self) -> &[String] {
        &self.authors
    }

    /// The license expression, if given.
    pub fn license(&self) -> Option<&str> {
        self.license.as_deref()
    }

    /// The range of Symphony API versions the extension works with; it accepts
    /// [`api_version`](crate::version::api_version).
    pub fn engine(&self) -> &VersionReq {
        &self.engine
    }

    /// What the extension asks to be allowed (empty lists when `[permissions]` is absent).
    pub fn permissions(&self) -> &Permissions {
        &self.permissions
    }

    /// The events that activate the extension.
    pub fn activation_events(&self) -> &[ActivationEvent] {
        &self.activation
    }

    /// The configuration schema (empty when `[config]` is absent).
    pub fn config(&self) -> &ConfigSchema {
        &self.config
    }

    /// The kind-specific section.
    pub fn section(&self) -> &KindSection {
        &self.section
    }

    /// The `[instrument]` section, if this is an instrument.
    pub fn instrument(&self) -> Option<&InstrumentSection> {
        match &self.section {
            KindSection::Instrument(section) => Some(section),
            _ => None,
        }
    }

    /// The `[operator]` section, if this is an operator.
    pub fn operator(&self) -> Option<&OperatorSection> {
        match &self.section {
            KindSection::Operator(section) => Some(section),
            _ => None,
        }
    }

    /// The `[motif]` section, if this is a motif.
    pub fn motif(&self) -> Option<&MotifSection> {
        match &self.section {
            KindSection::Motif(section) => Some(section),
            _ => None,
        }
    }
}

/// The serialised shape: the manifest's own keys, snake_case, empty parts left out.
#[derive(Serialize)]
struct Shape<'a> {
    id: &'a ExtensionId,
    name: &'a str,
    version: &'a Version,
    kind: ExtensionKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    authors: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    license: Option<&'a str>,
    engine: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    permissions: Option<&'a Permissions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    activation: Option<Activation<'a>>,
    #[serde(skip_serializing_if = "ConfigSchema::is_empty")]
    config: &'a ConfigSchema,
    #[serde(skip_serializing_if = "Option::is_none")]
    instrument: Option<&'a InstrumentSection>,
    #[serde(skip_serializing_if = "Option::is_none")]
    operator: Option<&'a OperatorSection>,
    #[serde(skip_serializing_if = "Option::is_none")]
    motif: Option<&'a MotifSection>,
}

#[derive(Serialize)]
struct Activation<'a> {
    events: &'a [ActivationEvent],
}

impl Serialize for Manifest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Shape {
            id: &self.id,
            name: &self.name,
            version: &self.version,
            kind: self.kind(),
            description: self.description.as_deref(),
            authors: &self.authors,
            license: self.license.as_deref(),
            engine: self.engine.to_string(),
            permissions: (self.permissions != Permissions::default()).then_some(&self.permissions),
            activation: (!self.activation.is_empty()).then_some(Activation {
                events: &self.activation,
            }),
            config: &self.config,
            instrument: self.instrument(),
            operator: self.operator(),
            motif: self.motif(),
        }
        .serialize(serializer)
    }
}

/// Deserialises from any self-describing format (JSON over the protocol) with the same
/// validation as [`Manifest::from_json_str`]; all problems are joined into the error message.
impl<'de> Deserialize<'de> for Manifest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let node = Node::deserialize(deserializer)?;
        parse::manifest(&node, None).map_err(|errors| {
            let mut messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
            if errors.unlisted() > 0 {
                messages.push(format!("… and {} more not listed", errors.unlisted()));
            }
            serde::de::Error::custom(format_args!("invalid manifest: {}", messages.join("; ")))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_over_the_limit_is_refused_without_being_parsed() {
        // 16 MiB of keys: refused by its size (a parse would take seconds).
        let key_lines = "k = 1\n".repeat(16 << 20 >> 3);
        let source = format!("id = \"a.b\"\n{key_lines}");
        for errors in [
            Manifest::from_toml_str(&source).expect_err("too large"),
            Manifest::from_json_str(&source).expect_err("too large"),
        ] {
            let error = errors.iter().next().expect("one error");
            assert!(
                matches!(error, ManifestError::TooLarge { bytes, limit }
                    if *bytes == source.len() && *limit == MAX_MANIFEST_BYTES),
                "{error}"
            );
            assert!(
                error.to_string().contains("at most 1048576 bytes"),
                "{error}"
            );
        }
    }

    const SAMPLE: &str = include_str!("sample/symphony.toml");

    #[test]
    fn sample_round_trips_through_toml_and_json() {
        let manifest = Manifest::from_toml_str(SAMPLE).expect("valid sample");
        let toml_text = manifest.to_toml_string().expect("toml");
        let again = Manifest::from_toml_str(&toml_text).expect("re-parse");
        assert_eq!(again, manifest);
        let json = serde_json::to_string(&manifest).expect("json");
        assert_eq!(
            Manifest::from_json_str(&json).expect("json parse"),
            manifest
        );
        let via_serde: Manifest = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(via_serde, manifest);
    }
}
