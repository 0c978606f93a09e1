//! Choosing the ONNX engine of the process: `ort` holds one global API table, so the first
//! model loaded decides between the built-in tract engine and a real ONNX Runtime library.

use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use ort::environment::Environment;
use symphony_core::permission::{Policy, Resource};

use crate::model::OnnxRuntime;

/// The environment variable naming the ONNX Runtime library for [`OnnxRuntime::Auto`].
pub const ORT_DYLIB_PATH: &str = "ORT_DYLIB_PATH";

/// The engine running the process's ONNX models.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Engine {
    /// tract, compiled in.
    Tract,
    /// ONNX Runtime loaded from `library`.
    OnnxRuntime {
        /// The library loaded.
        library: PathBuf,
        /// Its version, as it reports it.
        version: String,
    },
}

impl std::fmt::Display for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Engine::Tract => f.write_str("tract (built in)"),
            Engine::OnnxRuntime { library, version } => {
                write!(f, "ONNX Runtime {version} ({})", library.display())
            }
        }
    }
}

pub(super) struct Active {
    pub(super) engine: Engine,
    pub(super) environment: Environment,
}

static ACTIVE: OnceLock<Active> = OnceLock::new();
// Serialises the first initialisation so that two models loading at once agree on the engine.
static INIT: Mutex<()> = Mutex::new(());

/// The ONNX Runtime library `runtime` asks for (`None`: tract), resolving
/// [`OnnxRuntime::Auto`] through `ORT_DYLIB_PATH` when `policy` lets the extension read that
/// variable (an ungranted variable is one the extension cannot see, so auto means tract).
pub(super) fn wanted(runtime: &OnnxRuntime, policy: &Policy) -> Option<PathBuf> {
    match runtime {
        OnnxRuntime::Tract => None,
        OnnxRuntime::OnnxRuntime { library } => Some(library.clone()),
        OnnxRuntime::Auto => {
            if !policy
                .check(&Resource::env_var(ORT_DYLIB_PATH))
                .is_allowed()
            {
                tracing::debug!("{ORT_DYLIB_PATH} is not granted; auto runs on tract");
                return None;
            }
            std::env::var_os(ORT_DYLIB_PATH)
                .filter(|path| !path.is_empty())
                .map(PathBuf::from)
        }
    }
}

/// The process's engine, initialising it on first use: ONNX Runtime from `wanted` (a library
/// path the caller has checked against the policy), or tract when `None`.
///
/// Fails when the library cannot be loaded, or when an earlier model already chose another
/// engine (one process runs one engine).
pub(super) fn activate(wanted: Option<PathBuf>) -> Result<&'static Active, String> {
    if let Some(active) = ACTIVE.get() {
        return check_same(active, wanted.as_deref());
    }
    let _guard = INIT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(active) = ACTIVE.get() {
        return check_same(active, wanted.as_deref());
    }
    let engine = match wanted {
        None => {
            ort::set_api(ort_tract::api());
            Engine::Tract
        }
        Some(library) => {
            let loaded = super::dylib::load(&library)?;
            ort::set_api(loaded.api);
            Engine::OnnxRuntime {
                library,
                version: loaded.version,
            }
        }
    };
    let environment = ort::init()
        .with_name("symphony")
        .build()
        .map_err(|error| format!("{engine}: cannot create the environment: {error}"))?;
    Ok(ACTIVE.get_or_init(|| Active {
        engine,
        environment,
    }))
}

fn check_same(
    active: &'static Active,
    wanted: Option<&std::path::Path>,
) -> Result<&'static Active, String> {
    let same = match (&active.engine, wanted) {
        (Engine::Tract, None) => true,
        (Engine::OnnxRuntime { library, .. }, Some(path)) => library == path,
        _ => false,
    };
    if same {
        Ok(active)
    } else {
        let wanted = wanted.map_or_else(
            || "tract".to_owned(),
            |path| format!("ONNX Runtime at `{}`", path.display()),
        );
        Err(format!(
            "this process already runs its ONNX models on {}; it cannot also use {wanted} \
             (one engine per process)",
            active.engine
        ))
    }
}

/// The engine of this process, if a model has been loaded.
pub fn active_engine() -> Option<&'static Engine> {
    ACTIVE.get().map(|active| &active.engine)
}
