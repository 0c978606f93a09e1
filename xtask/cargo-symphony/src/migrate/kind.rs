//! The three kinds of extension and how each is named in either import style.

/// A kind of extension: a focused crate, and a module and feature of the umbrella.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    Instruments,
    Operators,
    Motifs,
}

/// The umbrella's library name, the first segment of every unified path (and its folder in
/// an SDK checkout).
pub(crate) const UMBRELLA: &str = "symphony";

/// The umbrella's package name on crates.io (`symphony` is taken there): the dependency key
/// the migration writes, so that no `package =` rename is needed.
pub(crate) const UMBRELLA_PACKAGE: &str = "symphony-sdk";

/// The umbrella feature that enables every kind and every backend.
const FULL: &str = "full";

/// Features every focused crate has, which the umbrella forwards to each kind it enables
/// (`testing`, for `[dev-dependencies]`): unlike a backend, such a feature enables no kind.
const SHARED: &[&str] = &["testing"];

impl Kind {
    pub(crate) const ALL: [Kind; 3] = [Kind::Instruments, Kind::Operators, Kind::Motifs];

    /// The umbrella's module and feature: `operators`.
    pub(crate) fn module(self) -> &'static str {
        match self {
            Kind::Instruments => "instruments",
            Kind::Operators => "operators",
            Kind::Motifs => "motifs",
        }
    }

    /// The focused crate: `symphony_operators`.
    pub(crate) fn crate_name(self) -> &'static str {
        match self {
            Kind::Instruments => "symphony_instruments",
            Kind::Operators => "symphony_operators",
            Kind::Motifs => "symphony_motifs",
        }
    }

    /// The heavy backends, each a feature of the same name on both the focused crate and
    /// the umbrella (where it also enables the kind).
    pub(crate) fn backends(self) -> &'static [&'static str] {
        match self {
            Kind::Instruments => &["onnx", "http"],
            Kind::Operators => &[],
            Kind::Motifs => &["tauri"],
        }
    }

    /// Whether the umbrella forwards `feature` to this kind's crate: a backend of the kind, or
    /// a feature every kind shares.
    pub(crate) fn forwards(self, feature: &str) -> bool {
        self.backends().contains(&feature) || SHARED.contains(&feature)
    }

    /// The kind whose umbrella module is `module`.
    pub(crate) fn from_module(module: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.module() == module)
    }

    /// The kind whose focused crate is `name`.
    pub(crate) fn from_crate_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.crate_name() == name)
    }

    /// The kind a backend feature belongs to.
    pub(crate) fn of_backend(feature: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|kind| kind.backends().contains(&feature))
    }
}

/// What an umbrella feature list turns on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Enabled {
    /// Kinds, in the order the features first name them.
    pub(crate) kinds: Vec<Kind>,
    /// Backends, in the order the features name them.
    pub(crate) backends: Vec<String>,
}

impl Enabled {
    /// Reads umbrella features; `Err` carries the first feature the umbrella does not have.
    pub(crate) fn from_umbrella_features<'a>(
        features: impl IntoIterator<Item = &'a str>,
    ) -> Result<Enabled, String> {
        let mut enabled = Enabled::default();
        for feature in features {
            if feature == FULL {
                Kind::ALL
                    .into_iter()
                    .for_each(|kind| enabled.add_kind(kind));
                for kind in Kind::ALL {
                    kind.backends()
                        .iter()
                        .for_each(|backend| enabled.add_backend(backend));
                }
            } else if feature == "default" {
                Kind::ALL
                    .into_iter()
                    .for_each(|kind| enabled.add_kind(kind));
            } else if let Some(kind) = Kind::from_module(feature) {
                enabled.add_kind(kind);
            } else if let Some(kind) = Kind::of_backend(feature) {
                enabled.add_kind(kind);
                enabled.add_backend(feature);
            } else if SHARED.contains(&feature) {
                enabled.add_backend(feature);
            } else {
                return Err(feature.to_owned());
            }
        }
        Ok(enabled)
    }

    pub(crate) fn add_kind(&mut self, kind: Kind) {
        if !self.kinds.contains(&kind) {
            self.kinds.push(kind);
        }
    }

    pub(crate) fn add_backend(&mut self, backend: &str) {
        if !self.backends.iter().any(|known| known == backend) {
            self.backends.push(backend.to_owned());
        }
    }

    /// The backends of `kind` that are enabled, in order.
    pub(crate) fn backends_of(&self, kind: Kind) -> Vec<String> {
        self.backends
            .iter()
            .filter(|backend| {
                Kind::of_backend(backend) == Some(kind) || SHARED.contains(&backend.as_str())
            })
            .cloned()
            .collect()
    }

    /// The umbrella feature list that turns on exactly this: kinds first, then backends.
    pub(crate) fn umbrella_features(&self) -> Vec<String> {
        let kinds = self.kinds.iter().map(|kind| kind.module().to_owned());
        kinds.chain(self.backends.iter().cloned()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backend_enables_its_kind_and_full_enables_everything() {
        let enabled = Enabled::from_umbrella_features(["operators", "onnx"]).unwrap();
        assert_eq!(enabled.kinds, [Kind::Operators, Kind::Instruments]);
        assert_eq!(enabled.backends_of(Kind::Instruments), ["onnx"]);
        assert!(enabled.backends_of(Kind::Operators).is_empty());

        let full = Enabled::from_umbrella_features(["full"]).unwrap();
        assert_eq!(full.kinds, Kind::ALL);
        assert_eq!(full.backends, ["onnx", "http", "tauri"]);
    }

    #[test]
    fn an_unknown_feature_is_named() {
        assert_eq!(
            Enabled::from_umbrella_features(["operators", "gpu"]),
            Err("gpu".to_owned())
        );
    }

    #[test]
    fn testing_is_forwarded_to_each_kind_and_enables_none() {
        let enabled = Enabled::from_umbrella_features(["operators", "testing"]).unwrap();
        assert_eq!(enabled.kinds, [Kind::Operators]);
        assert_eq!(enabled.backends_of(Kind::Operators), ["testing"]);
        assert_eq!(enabled.umbrella_features(), ["operators", "testing"]);
        assert!(Kind::Motifs.forwards("testing") && !Kind::Motifs.forwards("onnx"));
    }

    #[test]
    fn umbrella_features_list_kinds_then_backends() {
        let enabled = Enabled::from_umbrella_features(["tauri", "instruments"]).unwrap();
        assert_eq!(
            enabled.umbrella_features(),
            ["motifs", "instruments", "tauri"]
        );
    }
}
