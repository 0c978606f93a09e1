//! Manifests and config values against real fixture files in `fixtures/manifests/`.

use std::path::PathBuf;

use proptest::prelude::*;
use serde_json::{Value, json};
use symphony_core::config::{ConfigError, ConfigSchema, FieldType};
use symphony_core::manifest::{
    ActivationEvent, DataType, Dimension, ExtensionKind, InstrumentPortType, Location, Manifest,
    ManifestError, ManifestErrors, OperatorCategory, Placement, SourceFormat,
};
use symphony_core::permission::{FsAccess, ModelAction};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/manifests")
        .join(name)
}

fn load(name: &str) -> Manifest {
    Manifest::from_path(fixture(name)).unwrap_or_else(|errors| panic!("{errors}"))
}

fn errors_of(name: &str) -> ManifestErrors {
    match Manifest::from_path(fixture(name)) {
        Ok(manifest) => panic!("{name} should be invalid, parsed as {manifest:?}"),
        Err(errors) => errors,
    }
}

/// Each error's message, without the file header.
fn messages(errors: &ManifestErrors) -> Vec<String> {
    errors.iter().map(ToString::to_string).collect()
}

fn values(name: &str) -> Value {
    let text = std::fs::read_to_string(fixture(name)).expect("read values fixture");
    serde_json::from_str(&text).expect("values fixture is JSON")
}

const VALID: [&str; 4] = [
    "instrument.toml",
    "operator.toml",
    "motif.toml",
    "operator.json",
];

#[test]
fn instrument_fixture_exposes_every_part() {
    let manifest = load("instrument.toml");
    assert_eq!(manifest.id().as_str(), "acme.sentence-embedder");
    assert_eq!(manifest.kind(), ExtensionKind::Instrument);
    assert_eq!(manifest.version().to_string(), "0.3.0-beta.1");
    assert_eq!(manifest.engine().to_string(), ">=1.0, <2.0");
    assert_eq!(manifest.license(), Some("Apache-2.0"));
    assert_eq!(manifest.authors(), ["Acme ML"]);
    assert_eq!(manifest.activation_events(), [ActivationEvent::Startup]);
    assert_eq!(
        manifest.permissions().model,
        [ModelAction::Invoke, ModelAction::Configure]
    );
    let instrument = manifest.instrument().expect("instrument section");
    assert!(instrument.batching && !instrument.streaming);
    assert_eq!(instrument.inputs[0].port_type, InstrumentPortType::Text);
    let output = &instrument.outputs[0];
    assert_eq!(output.dtype, Some(DataType::Float32));
    assert_eq!(
        output.shape,
        Some(vec![
            Dimension::Named("batch".into()),
            Dimension::Fixed(384)
        ])
    );
    assert_eq!(
        Value::Object(instrument.model.clone()),
        json!({
            "backend": "onnx",
            "path": "models/minilm.onnx",
            "threads": 2,
            "options": { "graph_optimization": "all" }
        })
    );
    assert!(manifest.operator().is_none() && manifest.motif().is_none());
}

#[test]
fn operator_fixture_exposes_permissions_activation_and_config() {
    let manifest = load("operator.toml");
    assert_eq!(manifest.kind(), ExtensionKind::Operator);
    let permissions = manifest.permissions();
    assert_eq!(permissions.filesystem.len(), 2);
    assert_eq!(permissions.filesystem[1].path, "out/**");
    assert_eq!(
        permissions.filesystem[1].access,
        [FsAccess::Read, FsAccess::Write]
    );
    assert_eq!(permissions.network[0].host, "*.acme.dev");
    assert_eq!(permissions.network[0].ports, [443, 8443]);
    assert_eq!(permissions.env, ["ACME_*"]);
    assert_eq!(
        manifest.activation_events(),
        [
            ActivationEvent::Command("acme.clean".into()),
            ActivationEvent::File("**/*.csv".into())
        ]
    );
    let names: Vec<&str> = manifest.config().fields().map(|(name, _)| name).collect();
    assert_eq!(
        names,
        [
            "threshold",
            "mode",
            "api_key",
            "tags",
            "endpoint",
            "output_dir",
            "retry"
        ]
    );
    let operator = manifest.operator().expect("operator section");
    assert_eq!(operator.category, OperatorCategory::Filter);
    assert_eq!(operator.outputs.len(), 2);
}

#[test]
fn motif_fixture_exposes_components_and_editors() {
    let manifest = load("motif.toml");
    let motif = manifest.motif().expect("motif section");
    assert_eq!(motif.components[1].placement, Placement::StatusBar);
    assert_eq!(motif.editors[0].file_patterns, ["*.csv", "*.tsv"]);
    assert!(
        manifest
            .engine()
            .matches(&symphony_core::version::api_version())
    );
}

#[test]
fn json_fixture_parses_like_toml() {
    let manifest = load("operator.json");
    assert_eq!(manifest.id().as_str(), "acme.json-lines");
    assert_eq!(
        manifest.operator().map(|operator| operator.category),
        Some(OperatorCategory::Parse)
    );
    assert_eq!(
        manifest
            .config()
            .get("strict")
            .map(|field| field.type_name()),
        Some("boolean")
    );
}

#[test]
fn every_valid_fixture_round_trips_through_toml_and_json() {
    for name in VALID {
        let manifest = load(name);
        let toml_text = manifest.to_toml_string().expect("writes TOML");
        let reparsed = Manifest::from_toml_str(&toml_text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reparsed, manifest, "{name}");
        let json_text = serde_json::to_string(&manifest).expect("writes JSON");
        assert!(
            !json_text.contains("Name\""),
            "keys stay snake_case: {json_text}"
        );
        let reparsed = Manifest::from_json_str(&json_text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reparsed, manifest, "{name}");
        let deserialized: Manifest = serde_json::from_str(&json_text).expect("Deserialize");
        assert_eq!(deserialized, manifest, "{name}");
    }
}

#[test]
fn malformed_toml_reports_line_and_column() {
    let errors = errors_of("malformed.toml");
    match errors.errors() {
        [
            ManifestError::Syntax {
                format,
                location,
                message,
            },
        ] => {
            assert_eq!(*format, SourceFormat::Toml);
            assert_eq!(*location, Location { line: 4, column: 8 });
            assert!(!message.is_empty());
        }
        other => panic!("expected one syntax error, got {other:?}"),
    }
    let text = errors.to_string();
    assert!(text.contains("malformed.toml"), "names the file: {text}");
    assert!(
        text.contains("TOML syntax error at line 4, column 8"),
        "{text}"
    );
}

#[test]
fn malformed_json_reports_line_and_column() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("symphony.json");
    std::fs::write(&path, "{\n  \"id\": \"acme.x\",\n  \"name\" \"X\"\n}\n").expect("write");
    let errors = Manifest::from_path(&path).expect_err("invalid JSON");
    match errors.errors() {
        [
            ManifestError::Syntax {
                format: SourceFormat::Json,
                location,
                message,
            },
        ] => {
            assert_eq!(location.line, 3);
            assert!(message.contains("expected `:`"), "{message}");
        }
        other => panic!("expected one syntax error, got {other:?}"),
    }
    let error = serde_json::from_str::<Manifest>(r#"{"id": "x"}"#).expect_err("invalid");
    assert!(
        error
            .to_string()
            .contains("`x` is not a valid extension id"),
        "{error}"
    );
}

#[test]
fn wrong_types_are_reported_with_paths_and_lines() {
    let errors = errors_of("wrong_types.toml");
    assert_eq!(
        messages(&errors),
        [
            "name: expected a string, found an integer (line 2, column 8)",
            "authors: expected an array, found a string (line 5, column 11)",
            "operator.inputs: expected an array, found a table (line 10, column 10)",
            "operator.outputs[0].type: unknown value `tabel` (did you mean `table`?); expected \
             one of `table`, `records`, `text`, `json`, `bytes` or `file` (line 11, column 36)",
        ]
    );
    assert!(matches!(
        &errors.errors()[0],
        ManifestError::WrongType { path, expected: "a string", found: "an integer", .. } if path == "name"
    ));
}

#[test]
fn missing_required_fields_are_all_reported() {
    let errors = errors_of("missing_required.toml");
    let missing: Vec<&str> = errors
        .iter()
        .filter_map(|error| match error {
            ManifestError::MissingField { path, .. } => Some(path.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        missing,
        [
            "id",
            "version",
            "engine",
            "operator.category",
            "operator.inputs[0].name"
        ]
    );
    assert_eq!(errors.len(), 5);
    assert_eq!(
        errors.errors()[3].location(),
        Some(Location { line: 4, column: 1 }),
        "points at the [operator] table"
    );
}

#[test]
fn invalid_semver_is_reported_for_version_and_engine() {
    let errors = errors_of("bad_semver.toml");
    let text = messages(&errors);
    assert_eq!(text.len(), 2, "{text:?}");
    assert!(
        text[0].starts_with("version: `1.0` is not a semantic version"),
        "{}",
        text[0]
    );
    assert!(
        text[1].starts_with("engine: `not a range` is not a semver range"),
        "{}",
        text[1]
    );
}

#[test]
fn unknown_fields_and_permission_kinds_get_hints() {
    let errors = errors_of("unknown_fields.toml");
    let unknown: Vec<(&str, Option<&str>)> = errors
        .iter()
        .filter_map(|error| match error {
            ManifestError::UnknownField {
                path, suggestion, ..
            } => Some((path.as_str(), suggestion.as_deref())),
            _ => None,
        })
        .collect();
    assert_eq!(
        unknown,
        [
            ("descripton", Some("description")),
            ("permissions.filesystem[1].acess", Some("access")),
            ("permissions.netwrok", Some("network")),
            ("permissions.clipboard", None),
        ]
    );
    let text = errors.to_string();
    assert!(
        text.contains("descripton: unknown field (did you mean `description`?) (line 5, column 1)"),
        "{text}"
    );
    assert!(
        text.contains("operator.category: unknown value `filtr` (did you mean `filter`?)"),
        "{text}"
    );
    assert!(
        text.contains("permissions.filesystem[1].access: missing required field"),
        "{text}"
    );
}

#[test]
fn absurd_globs_and_malformed_permissions_are_rejected() {
    let errors = errors_of("absurd_globs.toml");
    let paths: Vec<Option<&str>> = errors.iter().map(ManifestError::path).collect();
    assert_eq!(
        paths,
        [
            Some("permissions.filesystem[0].path"),
            Some("permissions.filesystem[1].path"),
            Some("permissions.filesystem[2].path"),
            Some("permissions.filesystem[3].access"),
            Some("permissions.network[0].host"),
            Some("permissions.network[0].ports[0]"),
            Some("permissions.env[0]"),
            Some("activation.events[0]"),
            Some("activation.events[1]"),
        ]
    );
    let text = messages(&errors);
    assert!(text[0].contains("invalid glob `data/[a-`"), "{}", text[0]);
    assert!(text[1].contains("contains `..`"), "{}", text[1]);
    assert!(text[4].contains("not a host name"), "{}", text[4]);
    assert!(text[8].contains("did you mean `onCommand`?"), "{}", text[8]);
}

#[test]
fn engine_range_must_accept_the_api_version() {
    let errors = errors_of("engine_mismatch.toml");
    match errors.errors() {
        [
            ManifestError::EngineMismatch {
                range,
                api_version,
                location,
            },
        ] => {
            assert_eq!(range, "^2.0");
            assert_eq!(*api_version, symphony_core::version::api_version());
            assert_eq!(
                *location,
                Some(Location {
                    line: 5,
                    column: 10
                })
            );
        }
        other => panic!("expected an engine mismatch, got {other:?}"),
    }
    let text = errors.to_string();
    assert!(
        text.contains("`^2.0`") && text.contains("1.0.0"),
        "names both: {text}"
    );
}

#[test]
fn kind_section_must_match_kind() {
    let errors = errors_of("kind_mismatch.toml");
    assert!(matches!(
        errors.errors(),
        [
            ManifestError::MissingSection {
                kind: ExtensionKind::Instrument,
                ..
            },
            ManifestError::KindMismatch {
                kind: ExtensionKind::Instrument,
                section: ExtensionKind::Operator,
                ..
            }
        ]
    ));
    let text = errors.to_string();
    assert!(
        text.contains(
            "section [operator] does not belong in a manifest with kind = \"instrument\""
        ),
        "{text}"
    );
}

#[test]
fn config_defaults_must_satisfy_their_own_schema() {
    let errors = errors_of("bad_config_defaults.toml");
    let paths: Vec<Option<&str>> = errors.iter().map(ManifestError::path).collect();
    assert_eq!(
        paths,
        [
            Some("config.threshold.default"),
            Some("config.mode.default"),
            Some("config.tags.default[1]"),
            Some("config.token.default"),
        ]
    );
    let text = errors.to_string();
    assert!(
        text.contains("1.5 is above the maximum 1.0 (line 9, column 11)"),
        "{text}"
    );
    assert!(text.contains("a secret cannot have a default"), "{text}");
    assert!(
        !text.contains("sk-committed-to-git"),
        "secret default leaked: {text}"
    );
    assert!(!format!("{errors:?}").contains("sk-committed-to-git"));
}

#[test]
fn host_values_out_of_range_give_one_error_per_field() {
    let manifest = load("operator.toml");
    let errors = manifest
        .config()
        .validate(&values("operator_values_bad.json"))
        .expect_err("values are out of range");
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "config.treshold: unknown configuration key (did you mean `threshold`?)",
            "config.threshold: 1.5 is above the maximum 1.0",
            "config.mode: `acurate` is not one of the allowed values (fast, accurate) (did you mean `accurate`?)",
            "config.api_key: secret value rejected: too short (minimum 16 characters)",
            "config.tags[1]: `Beta` does not match the pattern `^[a-z]+$`",
            "config.endpoint: URL scheme `ftp` is not allowed (allowed: https, http)",
            "config.output_dir: invalid path: must not be empty",
            "config.retry.attempts: 11 is above the maximum 10",
        ]
    );
    assert!(!errors.to_string().contains("sk-too-short"));
}

#[test]
fn valid_host_values_get_defaults_applied() {
    let manifest = load("operator.toml");
    let config = manifest
        .config()
        .validate(&values("operator_values_good.json"))
        .unwrap_or_else(|errors| panic!("{errors}"));
    assert_eq!(config.get::<f64>("threshold"), Ok(Some(0.5)));
    assert_eq!(config.get::<String>("mode"), Ok(Some("fast".into())));
    assert_eq!(config.value("retry"), Some(&json!({ "attempts": 3 })));
    assert_eq!(
        config.get::<String>("output_dir"),
        Ok(Some("out/clean".into()))
    );
    assert_eq!(
        config.secret("api_key").map(|secret| secret.expose()),
        Some("sk-live-0123456789abcdef")
    );
    assert!(matches!(
        config.get::<String>("api_key"),
        Err(ConfigError::SecretField { .. })
    ));
    let debug = format!("{config:?}");
    assert!(
        !debug.contains("sk-live") && debug.contains("Secret(***)"),
        "{debug}"
    );
    // Serialising is for the protocol: the extension needs the secret itself.
    let wire = serde_json::to_value(&config).expect("serialise");
    assert_eq!(wire["api_key"], "sk-live-0123456789abcdef");
    assert_eq!(wire["retry"], json!({ "attempts": 3 }));
}

#[test]
fn config_schema_exports_json_schema() {
    let manifest = load("operator.toml");
    let schema = manifest.config().to_json_schema();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(schema["required"], json!(["api_key"]));
    assert_eq!(schema["properties"]["api_key"]["writeOnly"], true);
    assert_eq!(schema["properties"]["endpoint"]["format"], "uri");
    assert_eq!(schema["properties"]["threshold"]["maximum"], 1.0);
    assert_eq!(
        schema["properties"]["retry"]["properties"]["attempts"]["default"],
        3
    );
    assert!(matches!(
        manifest
            .config()
            .get("tags")
            .map(|field| field.field_type()),
        Some(FieldType::Array {
            max_items: Some(8),
            ..
        })
    ));
}

#[test]
fn from_path_errors_name_the_file() {
    let missing = fixture("does-not-exist.toml");
    let errors = Manifest::from_path(&missing).expect_err("no such file");
    assert!(matches!(errors.errors(), [ManifestError::Io { .. }]));
    assert_eq!(errors.file(), Some(missing.as_path()));
    assert!(errors.to_string().contains("does-not-exist.toml"));
}

#[test]
fn embedded_manifest_is_parsed_once() {
    static EMBEDDED: &symphony_core::manifest::EmbeddedManifest =
        symphony_core::manifest::embed_manifest!("fixtures/manifests/motif.toml");
    let manifest = EMBEDDED.get().expect("valid fixture");
    assert_eq!(manifest.id().as_str(), "acme.csv-studio");
    assert!(std::ptr::eq(manifest, EMBEDDED.get().expect("still valid")));
    assert_eq!(EMBEDDED.file(), "fixtures/manifests/motif.toml");

    let broken = symphony_core::embed_manifest!("fixtures/manifests/engine_mismatch.toml");
    let errors = broken.get().expect_err("broken fixture");
    assert_eq!(
        errors
            .file()
            .map(|file| file.to_string_lossy().into_owned())
            .as_deref(),
        Some("fixtures/manifests/engine_mismatch.toml")
    );
}

#[test]
fn build_check_fails_the_build_for_a_broken_manifest() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("symphony.toml");
    std::fs::copy(fixture("kind_mismatch.toml"), &path).expect("copy fixture");
    let mut out = Vec::new();
    assert!(symphony_core::manifest::build::check_manifest_at(&path, &mut out).is_none());
    let out = String::from_utf8(out).expect("utf-8");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        format!("cargo::rerun-if-changed={}", path.display())
    );
    assert_eq!(lines.len(), 4, "{out}");
    assert!(
        lines[1..]
            .iter()
            .all(|line| line.starts_with("cargo::error=")),
        "{out}"
    );

    std::fs::copy(fixture("operator.toml"), &path).expect("copy fixture");
    let mut out = Vec::new();
    let manifest = symphony_core::manifest::build::check_manifest_at(&path, &mut out);
    assert_eq!(
        manifest.map(|m| m.id().to_string()).as_deref(),
        Some("acme.csv-cleaner")
    );
    assert!(!String::from_utf8_lossy(&out).contains("cargo::error"));
}

/// Applies one random edit to `text`, on character boundaries.
fn mutate(text: &str, kind: u8, at: usize, len: usize, insert: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let at = at % (chars.len() + 1);
    let end = (at + len).min(chars.len());
    match kind % 4 {
        0 => {
            chars.drain(at..end);
        }
        1 => {
            chars.splice(at..at, insert.chars());
        }
        2 => {
            chars.splice(at..end, insert.chars());
        }
        _ => {
            // Duplicate a slice, which often repeats keys or tables.
            let copy: Vec<char> = chars.get(at..end).unwrap_or_default().to_vec();
            chars.splice(at..at, copy);
        }
    }
    chars.into_iter().collect()
}

fn assert_clean(result: Result<Manifest, ManifestErrors>) {
    if let Err(errors) = result {
        assert!(!errors.is_empty());
        for error in &errors {
            assert!(!error.to_string().is_empty());
        }
    }
}

/// Arbitrary JSON values, nested a few levels.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[a-z]{0,6}".prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("threshold".to_owned()),
                    Just("tags".to_owned()),
                    Just("retry".to_owned()),
                    Just("attempts".to_owned()),
                    Just("type".to_owned()),
                    Just("default".to_owned()),
                    "[a-z_]{1,8}"
                ],
                inner,
                0..6
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn manifest_parser_never_panics_on_random_text(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let text = String::from_utf8_lossy(&bytes);
        assert_clean(Manifest::from_toml_str(&text));
        assert_clean(Manifest::from_json_str(&text));
    }

    #[test]
    fn manifest_parser_never_panics_on_mutated_manifests(
        fixture_index in 0..3usize,
        edits in prop::collection::vec((any::<u8>(), any::<usize>(), 0..40usize, "[\\[\\]{}=\",.a-z0-9 \\n#*-]{0,8}"), 1..4),
    ) {
        let name = VALID[fixture_index];
        let mut text = std::fs::read_to_string(fixture(name)).expect("fixture");
        for (kind, at, len, insert) in &edits {
            text = mutate(&text, *kind, *at, *len, insert);
        }
        assert_clean(Manifest::from_toml_str(&text));
    }

    #[test]
    fn config_validator_never_panics_on_random_values(values in json_value()) {
        let manifest = load("operator.toml");
        if let Err(errors) = manifest.config().validate(&values) {
            prop_assert!(!errors.is_empty());
            for error in &errors {
                prop_assert!(error.path().starts_with("config"), "{}", error);
            }
        }
    }

    #[test]
    fn config_schema_loader_never_panics_on_random_json(schema in json_value()) {
        if let Ok(schema) = serde_json::from_value::<ConfigSchema>(schema) {
            // Whatever loaded must validate its own defaults-only values without panicking.
            let _ = schema.validate(&json!({}));
            let _ = schema.to_json_schema();
        }
    }

    #[test]
    fn secret_values_never_appear_in_errors_or_debug(secret in "[A-Za-z0-9]{1,15}|[A-Za-z0-9]{17,40}") {
        let marker = format!("ZZSECRET{secret}");
        let manifest = load("operator.toml");
        // Short markers break `min_length`, long ones do not; the threshold is always wrong.
        let values = json!({ "api_key": marker, "threshold": 2 });
        match manifest.config().validate(&values) {
            Err(errors) => {
                let shown = format!("{errors} {errors:?}");
                prop_assert!(!shown.contains(&marker), "{}", shown);
            }
            Ok(config) => {
                prop_assert!(false, "threshold 2 is out of range, got {config:?}");
            }
        }
        let valid = manifest.config().validate(&json!({ "api_key": marker.repeat(2) })).expect("valid");
        let shown = format!("{valid:?}");
        prop_assert!(!shown.contains(&marker), "{}", shown);
    }
}
