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
                other => {
                    return Err(format!(
                        "has `{other}`, which names a source or a rename that has no counterpart \
                         in the other style; use `workspace = true` or a `version`"
                    ));
                }
            }
        }
        if !spec.workspace && spec.version.is_none() {
            return Err("has neither `workspace = true` nor a `version`".to_owned());
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
    fn refuses_sources_and_renames_naming_the_key() {
        let error = Spec::read(&entry(r#"dep = { path = "../dep" }"#)).unwrap_err();
        assert!(error.contains("`path`"), "{error}");
        let error = Spec::read(&entry(r#"dep = { package = "x", version = "1" }"#)).unwrap_err();
        assert!(error.contains("`package`"), "{error}");
        let error = Spec::read(&entry(r#"dep = { features = ["a"] }"#)).unwrap_err();
        assert!(error.contains("neither"), "{error}");
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
