//! [`Secret`]: a configuration string that is never printed.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A secret configuration value (API key, token, password).
///
/// `Debug` prints `Secret(***)` and `Display` prints `***`, so a secret cannot leak through
/// logs, panics or error messages; reading it takes an explicit [`expose`](Secret::expose).
///
/// Serialising a `Secret` writes the real value: that is how the host hands it to the extension
/// in the protocol's `initialize` request. Never serialise config values into logs.
///
/// ```
/// # use symphony_core::config::Secret;
///
/// let key = Secret::new("sk-live-1234");
/// assert_eq!(format!("{key:?}"), "Secret(***)");
/// assert_eq!(key.to_string(), "***");
/// assert_eq!(key.expose(), "sk-live-1234");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value itself. Use it only to hand the value to whatever needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_formats_the_value() {
        let secret = Secret::from("hunter2".to_owned());
        assert!(
            !format!("{secret:?} {secret} {secret:#?} {:?}", Some(&secret)).contains("hunter2")
        );
    }

    #[test]
    fn serde_round_trips_the_value() {
        let secret = Secret::new("hunter2");
        let json = serde_json::to_string(&secret).expect("serialise");
        assert_eq!(json, "\"hunter2\"");
        let back: Secret = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(back, secret);
    }
}
