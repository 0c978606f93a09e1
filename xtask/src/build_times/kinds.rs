//! The extension kinds measured, each with the example extension that stands for it, and the
//! three ways of depending on the SDK that are compared.

use std::fmt;

/// One kind of extension and its example.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Kind {
    /// The kind's name: the umbrella's feature and module, e.g. `operators`.
    pub(crate) name: &'static str,
    /// The focused crate, e.g. `symphony_operators`.
    pub(crate) focused: &'static str,
    /// The example under `examples/` built for this kind.
    pub(crate) example: &'static str,
}

/// Every kind, with its example. `http-chat` stands for instruments rather than
/// `onnx-classifier`: both pull in one backend, and the HTTP one is what most instruments
/// that call a hosted model use.
pub(crate) const KINDS: &[Kind] = &[
    Kind {
        name: "operators",
        focused: "symphony_operators",
        example: "csv-cleaner",
    },
    Kind {
        name: "motifs",
        focused: "symphony_motifs",
        example: "counter-panel",
    },
    Kind {
        name: "instruments",
        focused: "symphony_instruments",
        example: "http-chat",
    },
];

/// How the example depends on the SDK; the source is the same in all three.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Config {
    /// On the focused crate, as the example's own Cargo.toml has it.
    Direct,
    /// On the umbrella with `default-features = false` and only the kind's feature (plus the
    /// backend features the example asks of the focused crate, forwarded by the umbrella).
    OneFeature,
    /// On the umbrella with `full`.
    Full,
}

impl Config {
    /// All three, in the order they are built and shown.
    pub(crate) const ALL: [Config; 3] = [Config::Direct, Config::OneFeature, Config::Full];

    /// Looks up the configurations named in a `--configs` list (comma separated); they are
    /// built in [`Config::ALL`] order whatever the order given.
    pub(crate) fn select(list: &str) -> Result<Vec<Config>, String> {
        let mut selected = Vec::new();
        for name in list
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
        {
            let config = Config::ALL
                .into_iter()
                .find(|config| config.slug() == name)
                .ok_or_else(|| {
                    format!(
                        "unknown configuration {name:?} in --configs; the configurations are \
                         direct, one-feature, full"
                    )
                })?;
            selected.push(config);
        }
        selected.sort();
        selected.dedup();
        if selected.is_empty() {
            return Err("--configs needs at least one of direct, one-feature, full".to_owned());
        }
        Ok(selected)
    }

    /// A short name for paths: `direct`, `one-feature`, `full`.
    pub(crate) fn slug(self) -> &'static str {
        match self {
            Config::Direct => "direct",
            Config::OneFeature => "one-feature",
            Config::Full => "full",
        }
    }
}

impl fmt::Display for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

/// Looks up the kinds named in a `--kinds` list (comma separated).
pub(crate) fn select(list: &str) -> Result<Vec<Kind>, String> {
    let mut selected = Vec::new();
    for name in list
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
    {
        let kind = KINDS.iter().find(|kind| kind.name == name).ok_or_else(|| {
            let known: Vec<&str> = KINDS.iter().map(|kind| kind.name).collect();
            format!(
                "unknown kind {name:?} in --kinds; the kinds are {}",
                known.join(", ")
            )
        })?;
        if !selected.contains(kind) {
            selected.push(*kind);
        }
    }
    if selected.is_empty() {
        return Err("--kinds needs at least one kind, e.g. --kinds operators".to_owned());
    }
    Ok(selected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_keeps_the_given_order_and_drops_repeats() {
        let kinds = select("motifs, operators,motifs").expect("known kinds");
        let names: Vec<&str> = kinds.iter().map(|kind| kind.name).collect();
        assert_eq!(names, ["motifs", "operators"]);
    }

    #[test]
    fn configs_are_selected_by_name_in_build_order() {
        assert_eq!(
            Config::select("one-feature,direct,one-feature").expect("known"),
            [Config::Direct, Config::OneFeature]
        );
        assert!(
            Config::select("umbrella")
                .expect_err("unknown")
                .contains("\"umbrella\"")
        );
        assert!(Config::select("").is_err());
    }

    #[test]
    fn select_names_an_unknown_kind_and_the_known_ones() {
        assert_eq!(
            select("operators,widgets").expect_err("unknown"),
            "unknown kind \"widgets\" in --kinds; the kinds are operators, motifs, instruments"
        );
        assert!(select(" , ").is_err());
    }

    #[test]
    fn every_example_exists_and_depends_on_its_focused_crate() {
        let root = crate::workspace::root();
        for kind in KINDS {
            let manifest = root.join("examples").join(kind.example).join("Cargo.toml");
            let text = std::fs::read_to_string(&manifest)
                .unwrap_or_else(|error| panic!("{}: {error}", manifest.display()));
            assert!(
                text.contains(kind.focused),
                "{} does not depend on {}",
                manifest.display(),
                kind.focused
            );
        }
    }
}
