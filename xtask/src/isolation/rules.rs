//! The isolation rules, as data: what each crate's normal dependency graph must never contain.

/// The crate whose host side an extension's normal build must not compile, and the feature
/// that turns it on: each focused crate's graph (default features) is checked for it.
pub(crate) const CORE: &str = "symphony-sdk-core";
/// See [`CORE`].
pub(crate) const HOST_FEATURE: &str = "host";

/// A focused crate and the crates its normal dependency graph (default features) must never
/// contain.
pub(crate) struct FocusedRule {
    pub(crate) package: &'static str,
    /// Crate names; a trailing `*` matches any name with that prefix (`tract-*`).
    pub(crate) forbidden: &'static [&'static str],
}

/// The rows of the table for the focused crates.
pub(crate) const FOCUSED: &[FocusedRule] = &[
    FocusedRule {
        package: "symphony-sdk-core",
        forbidden: &[
            "tokio",
            "async-trait",
            "reqwest",
            "hyper",
            "ort",
            "tract-*",
            "tauri",
            "wry",
            "csv",
        ],
    },
    FocusedRule {
        package: "symphony_operators",
        forbidden: &[
            "tokio",
            "async-trait",
            "reqwest",
            "hyper",
            "ort",
            "tract-*",
            "tauri",
            "wry",
            "webkit2gtk",
        ],
    },
    FocusedRule {
        package: "symphony_instruments",
        // Backends are opt-in features; these are checked with default features.
        forbidden: &["tauri", "wry", "webkit2gtk", "csv", "ort", "reqwest"],
    },
    FocusedRule {
        package: "symphony_motifs",
        // `tauri` is allowed only behind the `tauri` feature, so never with default features.
        forbidden: &[
            "tokio", "reqwest", "hyper", "ort", "tract-*", "csv", "tauri",
        ],
    },
];

/// The umbrella crate's package (its library is `symphony`).
pub(crate) const UMBRELLA: &str = "symphony-sdk";

/// Each umbrella feature and the focused crate it re-exports: the umbrella with only that
/// feature must pull in nothing the focused crate alone does not.
pub(crate) const UMBRELLA_FEATURES: &[(&str, &str)] = &[
    ("instruments", "symphony_instruments"),
    ("operators", "symphony_operators"),
    ("motifs", "symphony_motifs"),
];

/// Whether `name` matches `pattern` (exact, or prefix with a trailing `*`).
pub(crate) fn matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => name == pattern,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_exact_names_and_prefixes() {
        assert!(matches("tokio", "tokio"));
        assert!(!matches("tokio", "tokio-util"));
        assert!(!matches("csv", "csv-core"));
        assert!(matches("tract-*", "tract-onnx"));
        assert!(matches("tract-*", "tract-core"));
        assert!(!matches("tract-*", "tract"));
        assert!(!matches("tract-*", "attract-core"));
    }

    #[test]
    fn every_umbrella_feature_names_a_checked_focused_crate() {
        for (_, focused) in UMBRELLA_FEATURES {
            assert!(
                FOCUSED.iter().any(|rule| rule.package == *focused),
                "{focused}"
            );
        }
    }
}
