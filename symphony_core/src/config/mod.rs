//! Typed configuration: the schema an extension declares, and the values a host provides.
//!
//! A manifest's `[config]` table declares fields of ten types — `string`, `integer`, `float`,
//! `boolean`, `enum`, `array`, `object`, `secret`, `path` and `url` — with constraints and
//! defaults:
//!
//! ```toml
//! [config.threshold]
//! type = "float"
//! description = "Minimum score to keep a row"
//! default = 0.5
//! min = 0.0
//! max = 1.0
//!
//! [config.tags]
//! type = "array"
//! items = { type = "string", pattern = "^[a-z]+$" }
//! max_items = 8
//!
//! [config.api_key]
//! type = "secret"
//! required = true
//! ```
//!
//! | type | constraints |
//! |---|---|
//! | `string`, `secret` | `min_length`, `max_length` (characters), `pattern` (regex, unanchored as in JSON Schema) |
//! | `integer`, `float` | `min`, `max` (inclusive) |
//! | `enum` | `values` (strings) |
//! | `array` | `items` (a field schema without `required`/`default`), `min_items`, `max_items` |
//! | `object` | `properties` (field schemas) |
//! | `url` | `schemes` (allowed schemes; any if absent) |
//! | `boolean`, `path` | — |
//!
//! Every field may have `description`, `required` (default `false`) and `default`. A default
//! must satisfy the field's own constraints, which is checked when the schema is loaded.
//! Secrets never have a default (the manifest is public), may appear only at the top level, and
//! their values never appear in `Debug`, `Display` or error messages.
//!
//! The host sends values as a JSON object; [`ConfigSchema::validate`] checks it, reporting one
//! [`ConfigError`] per offending field, and returns [`ConfigValues`] with defaults applied.
//! [`ConfigSchema::to_json_schema`] exports the schema for settings UIs.

mod error;
mod json_schema;
pub(crate) mod load;
mod name_index;
mod schema;
mod secret;
mod uri;
mod validate;
mod values;

pub use error::{ConfigError, ConfigErrors};
pub use schema::{ConfigSchema, FieldSchema, FieldType, Pattern};
pub use secret::Secret;
pub use values::ConfigValues;
