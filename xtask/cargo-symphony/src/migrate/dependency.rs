//! One SDK dependency entry of a `Cargo.toml`, read into what it says and written back in
//! the canonical shapes the migration produces.

use toml_edit::{DocumentMut, Item, Key, TableLike, Value};

/// How an entry is written, so a rewrite keeps the author's choice where it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `name = "0.1"`.
    Version,
    /// `name.workspace = true`.
    Dotted,
    /// `name = { … }`.
    Inline,
    /// `[dependencies.name]` with its keys below.
    Header,
}

/// What a dependency entry says, for the keys the migration understands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Spec {
    pub(crate) workspace: bool,
    pub(crate) version: Option<String>,
    /// `Some(false)` for `default-features = false`.
    pub(crate) default_features: Option<bool>,
    pub(crate) features: Vec<String>,
    pub(crate) optional: Option<bool>,
    /// `package = "…"`: the package behind a renamed key.
    pub(crate) package: Option<String>,
    /// `path = "…"`: a checkout of the SDK, whose folders are the crates' names.
    pub(crate) path: Option<String>,
    /// `git = "…"`, with at most one of `branch`, `tag` or `rev`.
    pub(crate) git: Option<String>,
    pub(crate) reference: Option<(String, String)>,
    /// `registry = "…"`: a registry other than crates.io.
    pub(crate) registry: Option<String>,
}

/// The folder of each SDK crate in a checkout (for `path` dependencies): the crate's name,
/// except the umbrella, published as `symphony-sdk` from `symphony/`.
pub(crate) fn folder_of(package: &str) -> &str {
    if package == super::kind::UMBRELLA_PACKAGE {
        super::kind::UMBRELLA
    } else {
        package
    }
}

impl Spec {
    /// Reads an entry; `Err` says which key or value cannot be migrated and why.
    pub(crate) fn read(item: &Item) -> Result<(Spec, Shape), String> {
        if let Some(version) = item.as_str() {
            let spec = Spec {
                version: Some(version.to_owned()),
                ..Spec::default()
            };
            return Ok((spec, Shape::Version));
        }
        let shape = match item {
            Item::Table(table) if table.is_dotted() => Shape::Dotted,
            Item::Table(_) => Shape::Header,
            Item::Value(Value::InlineTable(table)) if table.is_dotted() => Shape::Dotted,
            Item::Value(Value::InlineTable(_)) => Shape::Inline,
            _ => return Err("is neither a version string nor a table".to_owned()),
        };
        let table = item
            .as_table_like()
            .ok_or_else(|| "is not a table".to_owned())?;
        Ok((Spec::from_table(table)?, shape))
    }

    fn from_table(table: &dyn TableLike) -> Result<Spec, String> {
        let mut spec = Spec::default();
        for (key, item) in table.iter() {
            let bool_value = || {
                item.as_bool()
                    .ok_or_else(|| format!("has `{key}` that is not true or false"))
            };
            match key {
                "workspace" => spec.workspace = bool_value()?,
                "default-features" | "default_features" => {
                    spec.default_features = Some(bool_value()?);
                }
                "optional" => spec.optional = Some(bool_value()?),
                "version" => {
                    let version = item
                        .as_str()
                        .ok_or_else(|| "has a `version` that is not a string".to_owned())?;
                    spec.version = Some(version.to_owned());
                }
                "features" => {
                    let array = item
                        .as_array()
                        .ok_or_else(|| "has `features` that is not an array".to_owned())?;
                    for feature in array {
                        let feature = feature.as_str().ok_or_else(|| {
                            "has a feature that is not a string in `features`".to_owned()
                        })?;
                        spec.features.push(feature.to_owned());
                    }
                }
                "package" | "path" | "git" | "registry" | "branch" | "tag" | "rev" => {
                    let text = item
                        .as_str()
                        .ok_or_else(|| format!("has a `{key}` that is not a string"))?
                        .to_owned();
                    match key {
                        "package" => spec.package = Some(text),
                        "path" => spec.path = Some(text),
                        "git" => spec.git = Some(text),
                        "registry" => spec.registry = Some(text),
                        _ if spec.reference.is_some() => {
                            return Err("has more than one of `branch`, `tag` and `rev`".to_owned());
                        }
                        _ => spec.reference = Some((key.to_owned(), text)),
                    }
                }
                other => {
                    return Err(format!(
                        "has `{other}`, which the migration does not know how to carry over; \
                         remove it, migrate, then add it back"
                    ));
                }
            }
        }
        if spec.reference.is_some() && spec.git.is_none() {
            return Err("has `branch`, `tag` or `rev` without `git`".to_owned());
        }
        if spec.path.is_some() && spec.git.is_some() {
            return Err("has both `path` and `git`".to_owned());
        }
        if !spec.workspace && spec.version.is_none() && spec.path.is_none() && spec.git.is_none() {
            return Err(
                "has neither `workspace = true` nor a `version`, `path` or `git`".to_owned(),
            );
        }
        Ok(spec)
    }

    /// The entry `name = …` in the canonical shape closest to `preferred`: a plain version
    /// string or `name.workspace = true` when nothing else needs saying, otherwise an inline
    /// table (or a header table, if that is what the author wrote).
    pub(crate) fn write(&self, name: &str, preferred: Shape) -> Result<(Key, Item), String> {
        let mut pairs = Vec::new();
        if self.workspace {
            pairs.push(("workspace", "true".to_owned()));
        }
        if let Some(package) = &self.package {
            pairs.push(("package", quoted(package)));
        }
        if let Some(path) = &self.path {
            pairs.push(("path", quoted(path)));
        }
        if let Some(git) = &self.git {
            pairs.push(("git", quoted(git)));
        }
        if let Some((key, value)) = &self.reference {
            pairs.push((key.as_str(), quoted(value)));
        }
        if let Some(registry) = &self.registry {
            pairs.push(("registry", quoted(registry)));
        }
        if let Some(version) = &self.version {
            pairs.push(("version", quoted(version)));
        }
        if let Some(default_features) = self.default_features {
            pairs.push(("default-features", default_features.to_string()));
        }
        if !self.features.is_empty() {
            let features: Vec<String> = self.features.iter().map(|f| quoted(f)).collect();
            pairs.push(("features", format!("[{}]", features.join(", "))));
        }
        if let Some(optional) = self.optional {
            pairs.push(("optional", optional.to_string()));
        }
        let text = match (preferred, pairs.as_slice()) {
            (Shape::Header, _) => {
                let body: Vec<String> = pairs.iter().map(|(k, v)| format!("{k} = {v}\n")).collect();
                format!("[dependencies.{name}]\n{}", body.concat())
            }
            (_, [("version", version)]) => format!("{name} = {version}\n"),
            (_, [("workspace", _)]) => format!("{name}.workspace = true\n"),
            _ => {
                let body: Vec<String> = pairs.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                format!("{name} = {{ {} }}\n", body.join(", "))
            }
        };
        let mut document: DocumentMut = text
            .parse()
            .map_err(|error| format!("produced invalid TOML `{text}`: {error}"))?;
        let table = match preferred {
            Shape::Header => document
                .get_mut("dependencies")
                .and_then(Item::as_table_mut)
                .ok_or_else(|| format!("produced no table from `{text}`"))?,
            _ => document.as_table_mut(),
        };
        table
            .remove_entry(name)
            .ok_or_else(|| format!("produced no entry from `{text}`"))
    }
}

impl Spec {
    /// This entry's source moved from the SDK crate `from` to the SDK crate `to`: the same
    /// version, git repository or registry; a `path` into an SDK checkout points at `to`'s
    /// folder beside `from`'s. `Err` says why the path cannot be moved.
    pub(crate) fn moved(&self, from: &str, to: &str) -> Result<Spec, String> {
        let mut spec = self.clone();
        spec.package = None;
        if let Some(path) = &self.path {
            let from_folder = folder_of(from);
            let trimmed = path.trim_end_matches(['/', '\\']);
            let parent = trimmed
                .strip_suffix(from_folder)
                .filter(|parent| parent.is_empty() || parent.ends_with(['/', '\\']))
                .ok_or_else(|| {
                    format!(
                        "has `path = \"{path}\"`, which does not end in the folder `{from_folder}` \
                         of an SDK checkout; point it at the SDK's `{from_folder}/` folder"
                    )
                })?;
            spec.path = Some(format!("{parent}{}", folder_of(to)));
        }
        Ok(spec)
    }

    /// Whether two entries come from the same place (workspace, version, path, git,
    /// registry), once moved to the same crate.
    pub(crate) fn same_source(&self, other: &Spec) -> bool {
        (
            self.workspace,
            &self.version,
            &self.path,
            &self.git,
            &self.reference,
            &self.registry,
        ) == (
            other.workspace,
            &other.version,
            &other.path,
            &other.git,
            &other.reference,
            &other.registry,
        )
    }
}

fn quoted(text: &str) -> String {
    Value::from(text).to_string().trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(toml: &str) -> Item {
        let mut document: DocumentMut = toml.parse().unwrap();
        document.as_table_mut().remove("dep").unwrap()
    }

    #[test]
    fn reads_every_shape() {
        let (spec, shape) = Spec::read(&entry("dep.workspace = true")).unwrap();
        assert_eq!((spec.workspace, shape), (true, Shape::Dotted));

        let (spec, shape) = Spec::read(&entry(
            r#"dep = { version = "0.1", default-features = false, features = ["onnx"] }"#,
        ))
        .unwrap();
        assert_eq!(shape, Shape::Inline);
        assert_eq!(spec.version.as_deref(), Some("0.1"));
        assert_eq!(spec.default_features, Some(false));
        assert_eq!(spec.features, ["onnx"]);

        let (spec, shape) = Spec::read(&entry("dep = \"0.1\"")).unwrap();
        assert_eq!(
            (spec.version.as_deref(), shape),
            (Some("0.1"), Shape::Version)
        );
    }

    #[test]
    fn reads_sources_and_refuses_what_it_cannot_carry() {
        let (spec, _) = Spec::read(&entry(r#"dep = { git = "https://x", tag = "v1" }"#)).unwrap();
        assert_eq!(spec.git.as_deref(), Some("https://x"));
        assert_eq!(spec.reference, Some(("tag".to_owned(), "v1".to_owned())));
        let error = Spec::read(&entry(r#"dep = { path = "../dep", lib = true }"#)).unwrap_err();
        assert!(error.contains("`lib`"), "{error}");
        let error = Spec::read(&entry(r#"dep = { git = "u", tag = "a", rev = "b" }"#)).unwrap_err();
        assert!(error.contains("more than one"), "{error}");
        let error = Spec::read(&entry(r#"dep = { features = ["a"] }"#)).unwrap_err();
        assert!(error.contains("neither"), "{error}");
    }

    #[test]
    fn a_path_moves_to_the_sibling_folder_of_the_other_crate() {
        let (spec, _) = Spec::read(&entry(r#"dep = { path = "../sdk/symphony" }"#)).unwrap();
        let moved = spec.moved("symphony-sdk", "symphony_operators").unwrap();
        assert_eq!(moved.path.as_deref(), Some("../sdk/symphony_operators"));
        let back = moved.moved("symphony_operators", "symphony-sdk").unwrap();
        assert_eq!(back.path.as_deref(), Some("../sdk/symphony"));
        let error = spec
            .moved("symphony_operators", "symphony-sdk")
            .unwrap_err();
        assert!(
            error.contains("does not end in the folder `symphony_operators`"),
            "{error}"
        );
        let (spec, _) = Spec::read(&entry(r#"dep = { path = "../not_symphony" }"#)).unwrap();
        assert!(spec.moved("symphony-sdk", "symphony_operators").is_err());
    }

    #[test]
    fn writes_the_smallest_canonical_shape() {
        let write = |spec: Spec, shape| {
            let (key, item) = spec.write("dep", shape).unwrap();
            let mut document = DocumentMut::new();
            document.as_table_mut().insert_formatted(&key, item);
            document.to_string()
        };
        let workspace = Spec {
            workspace: true,
            ..Spec::default()
        };
        assert_eq!(
            write(workspace.clone(), Shape::Inline),
            "dep.workspace = true\n"
        );
        let features = Spec {
            features: vec!["operators".to_owned()],
            ..workspace
        };
        assert_eq!(
            write(features, Shape::Dotted),
            "dep = { workspace = true, features = [\"operators\"] }\n"
        );
        let version = Spec {
            version: Some("0.1".to_owned()),
            ..Spec::default()
        };
        assert_eq!(write(version, Shape::Inline), "dep = \"0.1\"\n");
    }
}
