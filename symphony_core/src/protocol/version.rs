//! Protocol versions and their negotiation.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A protocol version, `MAJOR.MINOR` on the wire (for example `"1.0"`).
///
/// Versions with the same major number are compatible: a minor version only adds optional
/// fields and methods.
///
/// ```
/// # use symphony_core::protocol::{PROTOCOL_VERSION, ProtocolVersion};
/// let host: ProtocolVersion = "1.3".parse().unwrap();
/// assert_eq!(host.negotiate(PROTOCOL_VERSION).unwrap(), PROTOCOL_VERSION);
/// let error = ProtocolVersion::new(2, 0).negotiate(PROTOCOL_VERSION).unwrap_err();
/// assert!(error.to_string().contains("2.0") && error.to_string().contains("1.0"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProtocolVersion {
    /// Incremented for incompatible changes.
    pub major: u32,
    /// Incremented for compatible additions.
    pub minor: u32,
}

/// The protocol version this SDK speaks.
pub const PROTOCOL_VERSION: ProtocolVersion = ProtocolVersion::new(1, 0);

impl ProtocolVersion {
    /// The version `major.minor`.
    pub const fn new(major: u32, minor: u32) -> Self {
        ProtocolVersion { major, minor }
    }

    /// The version both sides use when the host speaks `self` and the extension `extension`:
    /// the lower of the two when the majors match.
    ///
    /// # Errors
    ///
    /// [`IncompatibleVersion`], naming both versions, when the majors differ.
    pub fn negotiate(
        self,
        extension: ProtocolVersion,
    ) -> Result<ProtocolVersion, IncompatibleVersion> {
        if self.major == extension.major {
            Ok(self.min(extension))
        } else {
            Err(IncompatibleVersion {
                host: self,
                extension,
            })
        }
    }
}

impl fmt::Display for ProtocolVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// A string that is not a `MAJOR.MINOR` protocol version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("protocol version {text:?} is not of the form MAJOR.MINOR (for example \"1.0\")")]
pub struct ParseVersionError {
    /// The text that failed to parse.
    pub text: String,
}

impl FromStr for ProtocolVersion {
    type Err = ParseVersionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || ParseVersionError {
            text: text.to_owned(),
        };
        let (major, minor) = text.split_once('.').ok_or_else(error)?;
        let number = |part: &str| {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(error());
            }
            part.parse::<u32>().map_err(|_| error())
        };
        Ok(ProtocolVersion::new(number(major)?, number(minor)?))
    }
}

impl Serialize for ProtocolVersion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ProtocolVersion {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Host and extension speak protocol versions with different major numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "incompatible Orchestra Kit protocol versions: the host speaks {host}, the extension \
     speaks {extension}; both must have the same major version (rebuild the extension \
     against an SDK for protocol {host_major}.x, or update the host)",
    host_major = host.major
)]
pub struct IncompatibleVersion {
    /// The host's version.
    pub host: ProtocolVersion,
    /// The extension's version.
    pub extension: ProtocolVersion,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let v: ProtocolVersion = "12.34".parse().expect("valid");
        assert_eq!(v, ProtocolVersion::new(12, 34));
        assert_eq!(v.to_string(), "12.34");
        assert_eq!(serde_json::to_string(&v).expect("ser"), r#""12.34""#);
        for bad in ["1", "1.", ".1", "1.0.0", "a.b", "-1.0", "+1.0", "1.0 ", ""] {
            let error = bad.parse::<ProtocolVersion>().expect_err(bad);
            assert!(error.to_string().contains("MAJOR.MINOR"));
        }
    }

    #[test]
    fn same_major_negotiates_to_the_lower_minor() {
        let a = ProtocolVersion::new(1, 4);
        let b = ProtocolVersion::new(1, 2);
        assert_eq!(a.negotiate(b), Ok(b));
        assert_eq!(b.negotiate(a), Ok(b));
        let error = a
            .negotiate(ProtocolVersion::new(3, 0))
            .expect_err("majors differ");
        let text = error.to_string();
        assert!(text.contains("host speaks 1.4") && text.contains("extension speaks 3.0"));
    }
}
