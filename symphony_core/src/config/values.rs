//! [`ConfigValues`]: validated configuration, with defaults applied.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::DeserializeOwned;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use super::error::ConfigError;
use super::schema::ConfigSchema;
use super::secret::Secret;

/// Configuration values that passed [`ConfigSchema::validate`], with defaults applied.
///
/// Secret fields are held as [`Secret`]s, apart from the other values, so `Debug` never shows
/// them. Serialising writes every value, secrets included, as the protocol needs.
///
/// ```
/// # use symphony_core::config::ConfigSchema;
/// use serde_json::json;
///
/// let schema: ConfigSchema = serde_json::from_str(r#"{
///     "mode": {"type": "enum", "values": ["fast", "accurate"], "default": "fast"},
///     "token": {"type": "secret"}
/// }"#)?;
/// let values = schema.validate(&json!({ "token": "abc" }))?;
/// assert_eq!(values.get::<String>("mode")?.as_deref(), Some("fast"));
/// assert!(!format!("{values:?}").contains("abc"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Default, PartialEq)]
pub struct ConfigValues {
    values: Map<String, Value>,
    secrets: BTreeMap<String, Secret>,
}

impl ConfigValues {
    /// Splits checked values into plain values and secrets.
    pub(crate) fn from_checked(schema: &ConfigSchema, mut values: Map<String, Value>) -> Self {
        let mut secrets = BTreeMap::new();
        for (name, field) in schema.fields() {
            if field.is_secret()
                && let Some(Value::String(secret)) = values.remove(name)
            {
                secrets.insert(name.to_owned(), Secret::from(secret));
            }
        }
        Self { values, secrets }
    }

    /// The value of the non-secret field `name`, converted to `T`; `Ok(None)` when the field
    /// has no value (optional and not given, without a default).
    ///
    /// Fails when `T` cannot hold the value, or when `name` is a secret field (read those with
    /// [`secret`](Self::secret), so exposing one is always explicit).
    pub fn get<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, ConfigError> {
        if self.secrets.contains_key(name) {
            return Err(ConfigError::SecretField {
                path: format!("config.{name}"),
            });
        }
        let Some(value) = self.values.get(name) else {
            return Ok(None);
        };
        T::deserialize(value)
            .map(Some)
            .map_err(|error| ConfigError::Unreadable {
                path: format!("config.{name}"),
                target: std::any::type_name::<T>(),
                reason: error.to_string(),
            })
    }

    /// The raw JSON value of the non-secret field `name`.
    pub fn value(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    /// The value of the secret field `name`.
    pub fn secret(&self, name: &str) -> Option<&Secret> {
        self.secrets.get(name)
    }

    /// Whether field `name` has a value (secret or not).
    pub fn contains(&self, name: &str) -> bool {
        self.values.contains_key(name) || self.secrets.contains_key(name)
    }

    /// The names of all fields that have a value, secrets included, in sorted order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        let mut names: Vec<&str> = self
            .values
            .keys()
            .chain(self.secrets.keys())
            .map(String::as_str)
            .collect();
        names.sort_unstable();
        names.into_iter()
    }

    /// The number of fields that have a value.
    pub fn len(&self) -> usize {
        self.values.len() + self.secrets.len()
    }

    /// Whether no field has a value.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty() && self.secrets.is_empty()
    }
}

impl fmt::Debug for ConfigValues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for name in self.names() {
            match self.values.get(name) {
                Some(value) => map.entry(&name, value),
                None => map.entry(&name, &self.secrets.get(name)),
            };
        }
        map.finish()
    }
}

/// Writes one JSON object with every value, secrets in clear (for the protocol).
impl Serialize for ConfigValues {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for name in self.names() {
            match self.values.get(name) {
                Some(value) => map.serialize_entry(name, value)?,
                None => map.serialize_entry(name, &self.secrets.get(name))?,
            }
        }
        map.end()
    }
}
