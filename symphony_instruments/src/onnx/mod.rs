//! The ONNX backend: a local `.onnx` model run through `ort`, on the built-in tract engine or
//! on a real ONNX Runtime library loaded at run time.
//!
//! Input and output names, element types and shapes come from the model file; requests are
//! checked against them before anything runs. A model whose inputs and outputs all have a
//! dynamic first dimension batches: the pipeline stacks requests along it and splits the
//! results. Runs happen on tokio's blocking pool, never on the async workers.

mod batch;
mod convert;
mod dylib;
mod runtime;
mod signature;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;
use symphony_core::permission::{FsAccess, ModelAction, Policy, Resource};

pub use runtime::{Engine, ORT_DYLIB_PATH, active_engine};
pub use signature::{ModelSignature, TensorSpec};

use crate::error::InstrumentError;
use crate::grant;
use crate::instrument::{Health, Instrument, Modality, ModelCapabilities, ModelInfo};
use crate::io::{Inference, InferenceInput, InferenceOutput, Usage};
use crate::model::{ModelConfig, ModelSource, OnnxRuntime};
use crate::probe::HealthProbe;
use batch::Tensors;

/// A local ONNX model.
///
/// Loading checks the session's permission policy first: reading the model file (and the ONNX
/// Runtime library, when one is used) needs `filesystem read`, running it `model invoke`.
///
/// ```no_run
/// # async fn run(context: symphony_instruments::Context) -> Result<(), symphony_instruments::InstrumentError> {
/// use symphony_instruments::OnnxRuntime;
/// use symphony_instruments::onnx::OnnxInstrument;
///
/// let model =
///     OnnxInstrument::load("model/iris.onnx", OnnxRuntime::Tract, None, context.policy()).await?;
/// println!("{:?}", model.signature());
/// # Ok(()) }
/// ```
pub struct OnnxInstrument {
    inner: Arc<Inner>,
}

struct Inner {
    info: ModelInfo,
    signature: ModelSignature,
    path: PathBuf,
    // `ort` needs `&mut Session` to run; one run at a time per session is also what a CPU
    // engine does best, and batching recovers the throughput.
    session: Mutex<Session>,
    probe: HealthProbe,
    /// How long the last run took, in microseconds (`u64::MAX` before the first): whether
    /// the next may block in place (see [`OnnxInstrument::run`]).
    last_run_micros: AtomicU64,
}

/// Runs that took less than this last time block in place; longer ones go to the blocking
/// pool. Blocking in place, a run cannot be given up at its caller's deadline, so only a run
/// expected to take about as long as the thread switches it saves does.
const INLINE_RUN: Duration = Duration::from_millis(1);

impl std::fmt::Debug for OnnxInstrument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnnxInstrument")
            .field("path", &self.inner.path)
            .field("signature", &self.inner.signature)
            .finish_non_exhaustive()
    }
}

impl OnnxInstrument {
    /// Loads the model at `path` on `runtime`, with `threads` intra-op threads if given, after
    /// `policy` (the session's permission policy) allowed reading the model file and the ONNX
    /// Runtime library `runtime` names (if any), and invoking a model.
    ///
    /// # Errors
    ///
    /// [`PermissionDenied`](InstrumentError::PermissionDenied) naming the permission and the
    /// file (or `model invoke`) before anything is read; a [`Backend`](InstrumentError::Backend)
    /// error naming the file when it is missing or is not a valid ONNX model, when the engine
    /// cannot be loaded, or when the model has inputs or outputs that are not plain tensors.
    pub async fn load(
        path: impl Into<PathBuf>,
        runtime: OnnxRuntime,
        threads: Option<usize>,
        policy: &Policy,
    ) -> Result<Self, InstrumentError> {
        let path = path.into();
        let id = model_id(&path);
        // Checked before anything is read; the normalised paths are the ones opened.
        let model_file = crate::permission::require_path(policy, &path, FsAccess::Read)?;
        grant::require(policy, &Resource::model(ModelAction::Invoke))?;
        let library = match runtime::wanted(&runtime, policy) {
            Some(library) => Some(
                crate::permission::require_path(policy, &library, FsAccess::Read)?
                    .as_path()
                    .to_path_buf(),
            ),
            None => None,
        };
        let model_file = model_file.as_path().to_path_buf();
        tokio::task::spawn_blocking(move || {
            Self::load_blocking(id, &path, &model_file, library, threads)
        })
        .await
        .map_err(|error| InstrumentError::backend("onnx", format!("loading panicked: {error}")))?
    }

    /// Loads the model a [`ModelConfig`] with an ONNX source describes, as `policy` allows.
    ///
    /// # Errors
    ///
    /// As [`load`](Self::load); [`InstrumentError::Config`] when the source is not ONNX.
    pub async fn from_config(
        config: &ModelConfig,
        policy: &Policy,
    ) -> Result<Self, InstrumentError> {
        match &config.source {
            ModelSource::Onnx {
                path,
                runtime,
                threads,
            } => Self::load(path.clone(), runtime.clone(), *threads, policy).await,
            ModelSource::Remote { .. } => Err(crate::model::ModelConfigError::Invalid {
                field: "backend",
                reason: "the ONNX backend needs `backend = \"onnx\"`".into(),
            }
            .into()),
        }
    }

    /// Loads the checked `model_file` (`path` as configured, for messages) on ONNX Runtime
    /// from the checked `library`, or on tract when `None`.
    fn load_blocking(
        id: String,
        path: &Path,
        model_file: &Path,
        library: Option<PathBuf>,
        threads: Option<usize>,
    ) -> Result<Self, InstrumentError> {
        let fail = |message: String| InstrumentError::backend(id.clone(), message);
        let bytes = std::fs::read(model_file).map_err(|error| {
            fail(format!(
                "cannot read the model file `{}`: {error}",
                path.display()
            ))
        })?;
        let active = runtime::activate(library).map_err(&fail)?;
        // Every optimization, ONNX Runtime's own default, said explicitly: ort's tract backend
        // optimizes the graph only when a level is set, and an unoptimized transformer graph
        // (MiniLM's shape-computing slices) does not run on tract at all.
        let mut builder = Session::builder(&active.environment)
            .map_err(|error| fail(format!("{}: {error}", active.engine)))?
            .with_optimization_level(GraphOptimizationLevel::All)
            .map_err(|error| fail(format!("{}: cannot optimize: {error}", active.engine)))?;
        if let Some(threads) = threads {
            builder = builder
                .with_intra_threads(threads)
                .map_err(|error| fail(format!("cannot use {threads} threads: {error}")))?;
        }
        let session = builder.commit_from_memory(&bytes).map_err(|error| {
            fail(format!(
                "`{}` is not a model {} can load: {error}",
                path.display(),
                active.engine
            ))
        })?;
        let signature = ModelSignature::read(&session)
            .map_err(|reason| fail(format!("`{}`: {reason}", path.display())))?;
        let batchable = signature.is_batchable();
        tracing::info!(model = %id, engine = %active.engine, batchable, "loaded ONNX model");
        let info = ModelInfo {
            id,
            inputs: vec![Modality::Tensor],
            outputs: vec![Modality::Tensor],
            capabilities: ModelCapabilities {
                streaming: false,
                batching: batchable,
                max_batch: if batchable { usize::MAX } else { 1 },
            },
        };
        Ok(OnnxInstrument {
            inner: Arc::new(Inner {
                info,
                signature,
                path: path.to_owned(),
                session: Mutex::new(session),
                probe: HealthProbe::default(),
                last_run_micros: AtomicU64::new(u64::MAX),
            }),
        })
    }

    /// The model's declared inputs and outputs.
    pub fn signature(&self) -> &ModelSignature {
        &self.inner.signature
    }

    /// The engine running the model.
    pub fn engine(&self) -> Option<&'static Engine> {
        active_engine()
    }

    /// Runs the model on `inputs` directly, on the calling thread, without the checks and
    /// conversions of [`Instrument::infer`]; for benchmarks that compare against the pipeline.
    ///
    /// # Errors
    ///
    /// Whatever the engine reports.
    pub fn run_raw(&self, inputs: Tensors) -> Result<Tensors, InstrumentError> {
        self.inner.run(inputs).map(|(outputs, _)| outputs)
    }

    fn tensors(&self, input: InferenceInput) -> Result<Tensors, InstrumentError> {
        let InferenceInput::Tensors(tensors) = input else {
            return Err(InstrumentError::invalid_input(format!(
                "model `{}` takes tensors, got {}",
                self.inner.info.id,
                input.kind()
            )));
        };
        for spec in &self.inner.signature.inputs {
            let tensor = tensors.get(&spec.name).ok_or_else(|| {
                InstrumentError::invalid_input(format!("missing input `{}`", spec.name))
            })?;
            spec.check(tensor)?;
        }
        if let Some(extra) = tensors.keys().find(|name| {
            !self
                .inner
                .signature
                .inputs
                .iter()
                .any(|spec| &spec.name == *name)
        }) {
            return Err(InstrumentError::invalid_input(format!(
                "model `{}` has no input `{extra}` (inputs: {})",
                self.inner.info.id,
                self.inner
                    .signature
                    .inputs
                    .iter()
                    .map(|spec| spec.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        Ok(tensors)
    }

    /// Runs the model off the async scheduler. A model whose last run took under
    /// [`INLINE_RUN`] blocks in place on a multi-threaded runtime (the worker's other tasks
    /// move to another thread): handing it to the blocking pool and back costs two thread
    /// switches, more than a small model's whole run. Every other run goes to the blocking
    /// pool, so that a caller's time limit ends its wait however long the run takes.
    async fn run(&self, inputs: Tensors) -> Result<(Tensors, Duration), InstrumentError> {
        let panicked = |what: &str| {
            InstrumentError::backend(self.inner.info.id.clone(), format!("run panicked: {what}"))
        };
        let quick = self.inner.last_run_micros.load(Ordering::Relaxed)
            < u64::try_from(INLINE_RUN.as_micros()).unwrap_or(u64::MAX);
        let multi_threaded = tokio::runtime::Handle::try_current().is_ok_and(|handle| {
            handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread
        });
        if quick && multi_threaded {
            let run = std::panic::AssertUnwindSafe(|| self.inner.run(inputs));
            return tokio::task::block_in_place(|| std::panic::catch_unwind(run))
                .unwrap_or_else(|panic| Err(panicked(symphony_core::panic::message(&*panic))));
        }
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || inner.run(inputs))
            .await
            .map_err(|error| panicked(&error.to_string()))?
    }
}

/// A model's id: its file stem.
fn model_id(path: &Path) -> String {
    path.file_stem().map_or_else(
        || "model".to_owned(),
        |stem| stem.to_string_lossy().into_owned(),
    )
}

impl Inner {
    fn run(&self, inputs: Tensors) -> Result<(Tensors, Duration), InstrumentError> {
        let fail = |message: String| InstrumentError::backend(self.info.id.clone(), message);
        let values = inputs
            .into_iter()
            .map(|(name, tensor)| convert::to_value(tensor).map(|value| (name, value)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(&fail)?;
        let mut session = self
            .session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let started = Instant::now();
        let outputs = session
            .run(values)
            .map_err(|error| fail(error.to_string()))?;
        let elapsed = started.elapsed();
        self.last_run_micros.store(
            u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
        let tensors = outputs
            .iter()
            .map(|(name, value)| convert::from_value(name, &value).map(|t| (name.to_owned(), t)))
            .collect::<Result<Tensors, _>>()
            .map_err(&fail)?;
        Ok((tensors, elapsed))
    }
}

impl OnnxInstrument {
    /// Zeros for every input (dynamic dimensions as 1).
    fn zeros(&self) -> Result<Tensors, InstrumentError> {
        self.inner
            .signature
            .inputs
            .iter()
            .map(|spec| {
                let shape: Vec<usize> = spec.shape.iter().map(|dim| dim.unwrap_or(1)).collect();
                let n = crate::tensor::element_count(&shape).unwrap_or(0);
                let data = match spec.dtype {
                    crate::tensor::DataType::Float32 => crate::TensorData::Float32(vec![0.0; n]),
                    crate::tensor::DataType::Float64 => crate::TensorData::Float64(vec![0.0; n]),
                    crate::tensor::DataType::Int64 => crate::TensorData::Int64(vec![0; n]),
                    crate::tensor::DataType::Int32 => crate::TensorData::Int32(vec![0; n]),
                    crate::tensor::DataType::UInt8 => crate::TensorData::Uint8(vec![0; n]),
                    _ => crate::TensorData::Bool(vec![false; n]),
                };
                crate::Tensor::new(shape, data).map(|tensor| (spec.name.clone(), tensor))
            })
            .collect::<Result<Tensors, _>>()
            .map_err(Into::into)
    }

    /// Whether the session runs now.
    async fn probe(&self) -> Health {
        if self.inner.session.is_poisoned() {
            return Health::Unavailable {
                reason: format!(
                    "model `{}`: a run panicked, the session may be inconsistent",
                    self.inner.info.id
                ),
            };
        }
        let ran = match self.zeros() {
            Ok(zeros) => self.run(zeros).await.map(drop),
            Err(error) => Err(error),
        };
        match ran {
            Ok(()) => Health::Ready,
            Err(error) => Health::Unavailable {
                reason: error.to_string(),
            },
        }
    }
}

#[async_trait]
impl Instrument for OnnxInstrument {
    fn info(&self) -> &ModelInfo {
        &self.inner.info
    }

    async fn warm_up(&self) -> Result<(), InstrumentError> {
        // A run on zeros lets the engine plan and allocate.
        self.run(self.zeros()?).await.map(drop)
    }

    /// Ready when the session runs: a run on zeros succeeds (a session whose run panicked,
    /// or that the engine fails to run, is unavailable, with the reason). The answer is
    /// reused for a few seconds.
    async fn health(&self) -> Health {
        self.inner.probe.health(self.probe()).await
    }

    async fn infer(&self, input: InferenceInput) -> Result<Inference, InstrumentError> {
        let tensors = self.tensors(input)?;
        let (outputs, elapsed) = self.run(tensors).await?;
        Ok(Inference::new(
            InferenceOutput::Tensors(outputs),
            Usage {
                compute_time: elapsed,
                ..Usage::default()
            },
        ))
    }

    async fn infer_batch(
        &self,
        inputs: Vec<InferenceInput>,
    ) -> Result<Vec<Result<Inference, InstrumentError>>, InstrumentError> {
        if !self.inner.info.capabilities.batching || inputs.len() == 1 {
            let mut results = Vec::with_capacity(inputs.len());
            for input in inputs {
                results.push(self.infer(input).await);
            }
            return Ok(results);
        }
        // Bad requests fail alone; the good ones still run together.
        let checked: Vec<Result<Tensors, InstrumentError>> = inputs
            .into_iter()
            .map(|input| self.tensors(input))
            .collect();
        let good: Vec<Tensors> = checked
            .iter()
            .filter_map(|r| r.as_ref().ok().cloned())
            .collect();
        let size = good.len();
        let mut pieces = if good.is_empty() {
            Vec::new()
        } else {
            let (stacked, rows) = batch::stack(good)?;
            let (outputs, elapsed) = self.run(stacked).await?;
            let share = elapsed / u32::try_from(size.max(1)).unwrap_or(u32::MAX);
            batch::split(outputs, &rows)
                .map_err(|message| InstrumentError::backend(self.inner.info.id.clone(), message))?
                .into_iter()
                .map(|tensors| {
                    Inference::new(
                        InferenceOutput::Tensors(tensors),
                        Usage {
                            compute_time: share,
                            batch_size: size,
                            ..Usage::default()
                        },
                    )
                })
                .collect()
        }
        .into_iter();
        Ok(checked
            .into_iter()
            .map(|result| {
                result.and_then(|_| {
                    pieces.next().ok_or_else(|| {
                        InstrumentError::backend(self.inner.info.id.clone(), "batch lost a result")
                    })
                })
            })
            .collect())
    }
}
