//! Model configuration: where the model lives and the limits the pipeline enforces, read
//! from the manifest's `[instrument.model]` table and the host's config values.
//!
//! ```toml
//! [instrument.model]
//! backend = "onnx"            # or "http"
//! path = "model/iris.onnx"    # onnx: relative to the extension's base directory
//! runtime = "auto"            # onnx: auto | tract | onnxruntime
//! library = "/path/libonnxruntime.so.1.31.1"  # onnx, runtime = onnxruntime
//! threads = 1                 # onnx: intra-op threads
//! endpoint = "https://api.example.com/v1"     # http
//! model = "gpt-4o-mini"       # http: the remote model's name
//! api_key = "api_key"         # http: the name of a `secret` config field holding the key
//! max_concurrency = 2
//! max_batch = 16
//! max_wait_ms = 2
//! timeout_ms = 30000
//! retries = 3
//! queue_capacity = 1024
//! ```
//!
//! A host config value with the same name as a model key (e.g. a `[config.threads]` field)
//! overrides the manifest, so users can tune an installed extension.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Map, Value};
use symphony_core::config::{ConfigValues, Secret};
use symphony_core::manifest::InstrumentSection;
use symphony_core::serve::Context;

/// A model configuration that failed validation, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelConfigError {
    /// A required field is absent.
    #[error("instrument.model.{field}: missing; {hint}")]
    Missing {
        /// The field.
        field: &'static str,
        /// What to write.
        hint: &'static str,
    },
    /// A field has an unusable value.
    #[error("instrument.model.{field}: {reason}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// Why the value is unusable.
        reason: String,
    },
}

/// Which engine runs an ONNX model.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OnnxRuntime {
    /// ONNX Runtime from `ORT_DYLIB_PATH` when that is set and the session's policy lets the
    /// extension read it (`env` permission), otherwise tract.
    Auto,
    /// The pure-Rust tract engine compiled into the binary.
    Tract,
    /// The ONNX Runtime shared library at this path, loaded at run time.
    OnnxRuntime {
        /// `libonnxruntime.so.X.Y.Z` (or `.dylib` / `.dll`).
        library: PathBuf,
    },
}

/// Where the model lives.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ModelSource {
    /// A local ONNX file.
    Onnx {
        /// The model file.
        path: PathBuf,
        /// The engine that runs it.
        runtime: OnnxRuntime,
        /// Intra-op threads (`None`: the engine's default).
        threads: Option<usize>,
    },
    /// A remote OpenAI-compatible endpoint.
    Remote {
        /// The API base URL, e.g. `https://api.openai.com/v1`.
        endpoint: String,
        /// The remote model's name.
        model: String,
        /// The API key, if the endpoint needs one.
        api_key: Option<Secret>,
    },
}

/// The limits the [`Pipeline`](crate::Pipeline) enforces.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Inferences (or batches) running at once.
    pub max_concurrency: usize,
    /// The largest batch formed from queued requests (1 disables batching).
    pub max_batch: usize,
    /// How long a batch waits for more requests once its first one arrived.
    pub max_wait: Duration,
    /// The longest a request may take, queueing included.
    pub timeout: Duration,
    /// How often a retryable failure is retried.
    pub retries: u32,
    /// Requests that may wait in the queue (plus the one the dispatcher holds while it waits
    /// for a free slot); callers beyond it wait for room (backpressure).
    pub queue_capacity: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_concurrency: 1,
            max_batch: 1,
            max_wait: Duration::from_millis(2),
            timeout: Duration::from_secs(30),
            retries: 2,
            queue_capacity: 1024,
        }
    }
}

impl Limits {
    /// These limits with `max_batch` set.
    #[must_use]
    pub fn with_max_batch(mut self, max_batch: usize) -> Self {
        self.max_batch = max_batch.max(1);
        self
    }

    /// These limits with `max_wait` set.
    #[must_use]
    pub fn with_max_wait(mut self, max_wait: Duration) -> Self {
        self.max_wait = max_wait;
        self
    }

    /// These limits with `max_concurrency` set.
    #[must_use]
    pub fn with_max_concurrency(mut self, max_concurrency: usize) -> Self {
        self.max_concurrency = max_concurrency.max(1);
        self
    }

    /// These limits with `timeout` set.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// These limits with `retries` set.
    #[must_use]
    pub fn with_retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    /// These limits with `queue_capacity` set.
    #[must_use]
    pub fn with_queue_capacity(mut self, queue_capacity: usize) -> Self {
        self.queue_capacity = queue_capacity.max(1);
        self
    }
}

/// A validated model configuration.
///
/// ```
/// use symphony_instruments::config::ConfigValues;
/// use symphony_instruments::manifest::Manifest;
/// use symphony_instruments::{ModelConfig, ModelSource};
///
/// let manifest = Manifest::from_toml_str(r#"
/// id = "acme.iris"
/// name = "Iris"
/// version = "1.0.0"
/// kind = "instrument"
/// engine = ">=0.1"
/// [instrument.model]
/// backend = "onnx"
/// path = "model/iris.onnx"
/// max_batch = 16
/// "#).unwrap();
/// let section = manifest.instrument().unwrap();
/// let config = ModelConfig::from_section(section, &ConfigValues::default(), "/opt/iris".as_ref())?;
/// assert!(matches!(&config.source, ModelSource::Onnx { path, .. } if path.ends_with("model/iris.onnx")));
/// assert_eq!(config.limits.max_batch, 16);
///
/// let mut bad = section.clone();
/// bad.model.insert("max_batch".into(), 0.into());
/// let error = ModelConfig::from_section(&bad, &ConfigValues::default(), "/".as_ref()).unwrap_err();
/// assert_eq!(error.to_string(), "instrument.model.max_batch: must be at least 1, got 0");
/// # Ok::<(), symphony_instruments::ModelConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ModelConfig {
    /// Where the model lives.
    pub source: ModelSource,
    /// What the pipeline enforces.
    pub limits: Limits,
}

impl ModelConfig {
    /// A configuration for `source` with default limits.
    pub fn new(source: ModelSource) -> Self {
        ModelConfig {
            source,
            limits: Limits::default(),
        }
    }

    /// This configuration with `limits`.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The model configuration of a session: the manifest's `[instrument.model]` table with
    /// the host's config values overriding keys of the same name; relative paths resolve
    /// against `base_dir` (typically the directory of the extension's `symphony.toml`).
    ///
    /// # Errors
    ///
    /// [`ModelConfigError`] naming the field (the manifest has no `[instrument]` section, or
    /// a field is missing or invalid).
    pub fn from_context(
        context: &Context,
        base_dir: impl AsRef<Path>,
    ) -> Result<Self, ModelConfigError> {
        let section = context
            .manifest()
            .instrument()
            .ok_or(ModelConfigError::Missing {
                field: "backend",
                hint: "the manifest has no [instrument] section",
            })?;
        ModelConfig::from_section(section, context.config(), base_dir.as_ref())
    }

    /// Reads and validates the `[instrument.model]` table, with host `values` overriding keys
    /// of the same name; relative model paths are resolved against `base_dir`.
    ///
    /// # Errors
    ///
    /// The first invalid or missing field, by name.
    pub fn from_section(
        section: &InstrumentSection,
        values: &ConfigValues,
        base_dir: &Path,
    ) -> Result<Self, ModelConfigError> {
        let fields = Fields {
            table: &section.model,
            values,
        };
        let backend = fields.string("backend")?.ok_or(ModelConfigError::Missing {
            field: "backend",
            hint: "write `backend = \"onnx\"` or `backend = \"http\"`",
        })?;
        let source = match backend.as_str() {
            "onnx" => onnx_source(&fields, base_dir)?,
            "http" => remote_source(&fields)?,
            other => {
                return Err(ModelConfigError::Invalid {
                    field: "backend",
                    reason: format!("unknown backend `{other}`; expected `onnx` or `http`"),
                });
            }
        };
        let defaults = Limits::default();
        let limits = Limits {
            max_concurrency: fields
                .count("max_concurrency")?
                .unwrap_or(defaults.max_concurrency),
            max_batch: fields.count("max_batch")?.unwrap_or(defaults.max_batch),
            max_wait: fields.millis("max_wait_ms")?.unwrap_or(defaults.max_wait),
            timeout: fields.millis("timeout_ms")?.unwrap_or(defaults.timeout),
            retries: match fields.integer("retries")? {
                Some(n) => u32::try_from(n).map_err(|_| ModelConfigError::Invalid {
                    field: "retries",
                    reason: format!("must be between 0 and {}, got {n}", u32::MAX),
                })?,
                None => defaults.retries,
            },
            queue_capacity: fields
                .count("queue_capacity")?
                .unwrap_or(defaults.queue_capacity),
        };
        if section.batching && !section.model.contains_key("max_batch") && limits.max_batch == 1 {
            tracing::debug!("`batching = true` without `max_batch`: batches of 1");
        }
        Ok(ModelConfig { source, limits })
    }
}

fn onnx_source(fields: &Fields<'_>, base_dir: &Path) -> Result<ModelSource, ModelConfigError> {
    let path = fields.string("path")?.ok_or(ModelConfigError::Missing {
        field: "path",
        hint: "write the ONNX file's path, relative to the extension",
    })?;
    let runtime = match fields.string("runtime")?.as_deref() {
        None | Some("auto") => OnnxRuntime::Auto,
        Some("tract") => OnnxRuntime::Tract,
        Some("onnxruntime") => OnnxRuntime::OnnxRuntime {
            library: fields.string("library")?.map(PathBuf::from).ok_or(
                ModelConfigError::Missing {
                    field: "library",
                    hint: "`runtime = \"onnxruntime\"` needs the path of libonnxruntime",
                },
            )?,
        },
        Some(other) => {
            return Err(ModelConfigError::Invalid {
                field: "runtime",
                reason: format!("unknown runtime `{other}`; expected auto, tract or onnxruntime"),
            });
        }
    };
    Ok(ModelSource::Onnx {
        path: base_dir.join(path),
        runtime,
        threads: fields.count("threads")?,
    })
}

fn remote_source(fields: &Fields<'_>) -> Result<ModelSource, ModelConfigError> {
    let endpoint = fields
        .string("endpoint")?
        .ok_or(ModelConfigError::Missing {
            field: "endpoint",
            hint: "write the API base URL, e.g. `https://api.openai.com/v1`",
        })?;
    if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
        return Err(ModelConfigError::Invalid {
            field: "endpoint",
            reason: format!("`{endpoint}` is not an http:// or https:// URL"),
        });
    }
    let model = fields.string("model")?.ok_or(ModelConfigError::Missing {
        field: "model",
        hint: "write the remote model's name",
    })?;
    // `api_key` names a `secret` config field; a field the user left empty means no key
    // (local servers need none; a server that does answers 401, which the error quotes).
    let api_key = match fields.string("api_key")? {
        None => None,
        Some(secret_field) => {
            if fields.values.value(&secret_field).is_some() {
                return Err(ModelConfigError::Invalid {
                    field: "api_key",
                    reason: format!(
                        "names the config field `{secret_field}`, which is not of type secret"
                    ),
                });
            }
            fields.values.secret(&secret_field).cloned()
        }
    };
    Ok(ModelSource::Remote {
        endpoint: endpoint.trim_end_matches('/').to_owned(),
        model,
        api_key,
    })
}

/// The model table with host values layered on top.
struct Fields<'a> {
    table: &'a Map<String, Value>,
    values: &'a ConfigValues,
}

impl Fields<'_> {
    fn get(&self, field: &str) -> Option<&Value> {
        self.values.value(field).or_else(|| self.table.get(field))
    }

    fn string(&self, field: &'static str) -> Result<Option<String>, ModelConfigError> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(other) => Err(ModelConfigError::Invalid {
                field,
                reason: format!("must be a string, got {other}"),
            }),
        }
    }

    fn integer(&self, field: &'static str) -> Result<Option<u64>, ModelConfigError> {
        match self.get(field) {
            None => Ok(None),
            Some(value) => value
                .as_u64()
                .map(Some)
                .ok_or_else(|| ModelConfigError::Invalid {
                    field,
                    reason: format!("must be a non-negative integer, got {value}"),
                }),
        }
    }

    fn count(&self, field: &'static str) -> Result<Option<usize>, ModelConfigError> {
        match self.integer(field)? {
            None => Ok(None),
            Some(0) => Err(ModelConfigError::Invalid {
                field,
                reason: "must be at least 1, got 0".into(),
            }),
            Some(n) => usize::try_from(n)
                .map(Some)
                .map_err(|_| ModelConfigError::Invalid {
                    field,
                    reason: format!("{n} is too large"),
                }),
        }
    }

    fn millis(&self, field: &'static str) -> Result<Option<Duration>, ModelConfigError> {
        Ok(self.integer(field)?.map(Duration::from_millis))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use symphony_core::manifest::Manifest;

    fn section(model: &str) -> InstrumentSection {
        let text = format!(
            "id = \"acme.m\"\nname = \"M\"\nversion = \"1.0.0\"\nkind = \"instrument\"\nengine = \">=0.1\"\n\
             [config.api_key]\ntype = \"secret\"\n[config.threads]\ntype = \"integer\"\n\
             [instrument.model]\n{model}"
        );
        Manifest::from_toml_str(&text)
            .unwrap()
            .instrument()
            .unwrap()
            .clone()
    }

    #[test]
    fn errors_name_the_field() {
        let none = ConfigValues::default();
        let cases = [
            ("path = \"m.onnx\"", "instrument.model.backend: missing"),
            (
                "backend = \"gpu\"",
                "instrument.model.backend: unknown backend `gpu`",
            ),
            ("backend = \"onnx\"", "instrument.model.path: missing"),
            (
                "backend = \"onnx\"\npath = \"m\"\nruntime = \"onnxruntime\"",
                "instrument.model.library: missing",
            ),
            (
                "backend = \"onnx\"\npath = 3",
                "instrument.model.path: must be a string, got 3",
            ),
            (
                "backend = \"http\"\nendpoint = \"ftp://x\"\nmodel = \"m\"",
                "instrument.model.endpoint: `ftp://x` is not an http",
            ),
            (
                "backend = \"onnx\"\npath = \"m\"\ntimeout_ms = -1",
                "instrument.model.timeout_ms: must be a non-negative integer, got -1",
            ),
        ];
        for (model, expected) in cases {
            let error = ModelConfig::from_section(&section(model), &none, Path::new("/b"))
                .unwrap_err()
                .to_string();
            assert!(error.starts_with(expected), "{model}: {error}");
        }
    }

    #[test]
    fn host_values_override_the_manifest() {
        let section = section("backend = \"onnx\"\npath = \"m.onnx\"\nthreads = 4");
        let schema = Manifest::from_toml_str(
            "id = \"acme.m\"\nname = \"M\"\nversion = \"1.0.0\"\nkind = \"instrument\"\nengine = \">=0.1\"\n\
             [config.threads]\ntype = \"integer\"\n[instrument.model]\n",
        )
        .unwrap()
        .config()
        .clone();
        let values = schema.validate(&serde_json::json!({"threads": 1})).unwrap();
        let config = ModelConfig::from_section(&section, &values, Path::new("/b")).unwrap();
        assert_eq!(
            config.source,
            ModelSource::Onnx {
                path: PathBuf::from("/b/m.onnx"),
                runtime: OnnxRuntime::Auto,
                threads: Some(1),
            }
        );
    }
}
