//! The example extensions the soak drives, one per kind, and how each request is checked:
//! every answer must be the one to *that* request, so a lost, duplicated or crossed answer
//! fails.

use std::path::Path;

use serde_json::{Value, json};
use symphony_core::host::{Extension, ExtensionOptions};
use symphony_core::manifest::Manifest;

/// An example extension binary of the workspace, as the soak uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `echo` (built on symphony_core alone): returns its params.
    Echo,
    /// `csv-cleaner`, an operator: filters inline records by a regex.
    Operator,
    /// `counter-panel`, a motif: each click increments its counter.
    Motif,
    /// `onnx-classifier`, an instrument, on tract: classifies one iris row.
    Instrument,
}

impl Kind {
    /// Every kind, in the order processes are assigned to them.
    pub(crate) const ALL: [Kind; 4] = [Kind::Echo, Kind::Operator, Kind::Motif, Kind::Instrument];

    /// The example's package (and binary) name.
    pub(crate) fn package(self) -> &'static str {
        match self {
            Kind::Echo => "echo",
            Kind::Operator => "csv-cleaner",
            Kind::Motif => "counter-panel",
            Kind::Instrument => "onnx-classifier",
        }
    }

    /// The host options this example needs on top of `base`.
    pub(crate) fn options(self, base: ExtensionOptions, root: &Path) -> ExtensionOptions {
        match self {
            // The classifier's engine is chosen by config, never by the environment; it is
            // granted what its manifest asks for, in its own directory (its model file).
            Kind::Instrument => {
                let dir = root.join("examples/onnx-classifier");
                let base = base.with_config("runtime", json!("tract"));
                let base = match Manifest::from_path(dir.join("symphony.toml")) {
                    Ok(manifest) => base.with_grants(manifest.permissions().clone()),
                    // The spawn then fails, saying which grant is missing.
                    Err(_) => base,
                };
                base.with_workspace_root(dir)
            }
            _ => base,
        }
    }
}

/// The expected answers that do not depend on the request's sequence number alone.
pub(crate) struct Expectations {
    /// Iris rows and the label the model gives each (`reference.json` of the example).
    rows: Vec<(Value, Value)>,
}

impl Expectations {
    /// Reads the classifier's reference answers.
    pub(crate) fn load(root: &Path) -> Result<Expectations, String> {
        let path = root.join("examples/onnx-classifier/model/reference.json");
        let text = std::fs::read_to_string(&path)
            .map_err(|error| format!("{}: {error}", path.display()))?;
        let reference: Value =
            serde_json::from_str(&text).map_err(|error| format!("{}: {error}", path.display()))?;
        let inputs = reference["inputs"].as_array().cloned().unwrap_or_default();
        let labels = reference["label"].as_array().cloned().unwrap_or_default();
        if inputs.is_empty() || inputs.len() != labels.len() {
            return Err(format!(
                "{}: expected as many `inputs` as `label`s",
                path.display()
            ));
        }
        Ok(Expectations {
            rows: inputs.into_iter().zip(labels).collect(),
        })
    }

    /// Request `seq` of process `process`: its method and params.
    pub(crate) fn request(&self, kind: Kind, process: usize, seq: usize) -> (&'static str, Value) {
        let token = format!("p{process}-s{seq}");
        match kind {
            Kind::Echo => (
                "echo",
                json!({ "token": token, "seq": seq, "pad": "x".repeat(seq % 97) }),
            ),
            Kind::Operator => (
                "operator/run",
                json!({
                    "operator": "regex.filter",
                    "params": { "pattern": format!("^{token}$"), "column": "token" },
                    "inputs": { "records": [
                        { "token": token, "n": seq.to_string() },
                        { "token": format!("{token}-other"), "n": (seq + 1).to_string() },
                    ]},
                }),
            ),
            Kind::Motif => (
                "motif/event",
                // The `+` button of the counter is child 2 of its section.
                json!({ "component": "counter", "message": json!({ "type": "event", "event": "click", "path": [2] }).to_string() }),
            ),
            Kind::Instrument => {
                let (row, _) = &self.rows[seq % self.rows.len()];
                (
                    "instrument/infer",
                    json!({"input": {"type": "tensors", "value": {
                        "X": {"shape": [1, 4], "dtype": "float32", "values": row}
                    }}}),
                )
            }
        }
    }

    /// Whether `answer` is the answer to request `seq` of process `process`.
    pub(crate) fn check(
        &self,
        kind: Kind,
        process: usize,
        seq: usize,
        answer: &Value,
    ) -> Result<(), String> {
        let token = format!("p{process}-s{seq}");
        let ok = match kind {
            Kind::Echo => answer["token"] == token.as_str() && answer["seq"] == seq,
            Kind::Operator =>
            // CSV fields are text: the operator answers `n` as a string.
            {
                answer["outputs"]["records"] == json!([{ "token": token, "n": seq.to_string() }])
            }
            // Counted at the end: the counter must equal the clicks answered.
            Kind::Motif => answer.get("patches").is_some(),
            Kind::Instrument => {
                let (_, label) = &self.rows[seq % self.rows.len()];
                answer["output"]["value"]["label"]["values"] == json!([label])
            }
        };
        if ok {
            Ok(())
        } else {
            Err(format!("request {token}: wrong answer {answer}"))
        }
    }
}

/// After `answered` successful requests: what the extension's own state says about them
/// (the motif's counter must equal the clicks answered: none lost, none applied twice).
pub(crate) fn check_final(kind: Kind, host: &Extension, answered: usize) -> Result<(), String> {
    if kind != Kind::Motif {
        return Ok(());
    }
    let state: Value = host
        .call("motif/state", &json!({ "component": "counter" }))
        .map_err(|error| format!("motif/state: {error}"))?;
    if state["count"] == answered {
        Ok(())
    } else {
        Err(format!(
            "the counter is at {} after {answered} answered clicks",
            state["count"]
        ))
    }
}
