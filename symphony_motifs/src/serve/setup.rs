//! What an extension's setup function registers, and the check of it against the manifest.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use symphony_core::manifest::{Manifest, Placement};

use super::erased::{Component, EditorFactory};
use crate::editor::{Editor, EditorRegistry, PatternError};
use crate::motif::Motif;
use crate::runtime::{MotifError, MotifInstance};

/// The parts of a motif extension: what its setup function registers, by the ids its
/// manifest's `[motif]` section declares them under.
///
/// ```
/// # use symphony_motifs::prelude::*;
/// # struct Counter;
/// # impl Motif for Counter {
/// #     type State = i64;
/// #     fn placement(&self) -> Placement { Placement::Panel }
/// #     fn initial_state(&self) -> i64 { 0 }
/// #     fn render(&self, n: &i64) -> Node { el("p").child(n.to_string()).into() }
/// #     fn update(&self, n: &mut i64, _: &Event) -> Effects { *n += 1; Effects::changed() }
/// # }
/// // [motif]
/// // components = [{ id = "counter", title = "Counter", placement = "panel" }]
/// fn setup(motifs: &mut Motifs) {
///     motifs.component("counter", Counter);
/// }
/// ```
#[derive(Default)]
pub struct Motifs {
    components: Vec<(String, Started)>,
    editors: Vec<(String, Arc<dyn EditorFactory>)>,
}

impl std::fmt::Debug for Motifs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Motifs")
            .field(
                "components",
                &self.components.iter().map(|(id, _)| id).collect::<Vec<_>>(),
            )
            .field(
                "editors",
                &self.editors.iter().map(|(id, _)| id).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Motifs {
    /// Nothing registered.
    pub fn new() -> Self {
        Motifs::default()
    }

    /// Registers `motif` as component `id` (an `id` of the manifest's `[motif] components`),
    /// starting from its initial state. Its first render is checked when the server is
    /// built ([`SetupError::Component`]).
    pub fn component<M: Motif>(&mut self, id: &str, motif: M) -> &mut Self {
        let instance =
            MotifInstance::new(motif).map(|instance| Box::new(instance) as Box<dyn Component>);
        self.components.push((id.to_owned(), instance));
        self
    }

    /// Registers `editor` as custom editor `view_type` (a `view_type` of the manifest's
    /// `[motif] editors`); it opens the files that entry's `file_patterns` match.
    pub fn editor<E: Editor + Clone>(&mut self, view_type: &str, editor: E) -> &mut Self {
        self.editors.push((view_type.to_owned(), Arc::new(editor)));
        self
    }
}

/// A component started from its motif, or why its first render failed (reported, with its
/// id, when the server is built).
type Started = Result<Box<dyn Component>, MotifError>;

/// Why a motif extension's parts cannot be served: each names the part and, where the
/// manifest is involved, the `[motif]` entry.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    /// A component's first render failed.
    #[error("component `{id}`: {source}")]
    Component {
        /// The component.
        id: String,
        /// Why.
        source: MotifError,
    },
    /// A component the manifest does not declare.
    #[error(
        "component `{id}` is registered but the manifest's `[motif] components` does not declare it (it declares: {declared})"
    )]
    UndeclaredComponent {
        /// The component.
        id: String,
        /// The ids the manifest declares.
        declared: String,
    },
    /// A component the manifest declares that setup did not register.
    #[error(
        "the manifest declares component `{id}` in `[motif] components`, but setup registered no motif for it"
    )]
    MissingComponent {
        /// The component.
        id: String,
    },
    /// A component's motif says another placement than its manifest entry.
    #[error(
        "component `{id}`: the motif's placement is `{motif}` but its `[motif] components` entry says `{manifest}`"
    )]
    Placement {
        /// The component.
        id: String,
        /// What `Motif::placement` returns.
        motif: Placement,
        /// What the manifest says.
        manifest: Placement,
    },
    /// An editor the manifest does not declare.
    #[error(
        "editor `{view_type}` is registered but the manifest's `[motif] editors` does not declare it (it declares: {declared})"
    )]
    UndeclaredEditor {
        /// The editor.
        view_type: String,
        /// The view types the manifest declares.
        declared: String,
    },
    /// An editor the manifest declares that setup did not register.
    #[error(
        "the manifest declares editor `{view_type}` in `[motif] editors`, but setup registered no editor for it"
    )]
    MissingEditor {
        /// The editor.
        view_type: String,
    },
    /// A part registered twice under one id.
    #[error("`{id}` is registered twice")]
    Duplicate {
        /// The id.
        id: String,
    },
    /// An editor's file pattern is not a valid glob.
    #[error(transparent)]
    Pattern(#[from] PatternError),
    /// The extension's own setup function failed.
    #[error("{0}")]
    Setup(String),
}

/// The parts, checked against the manifest and ready to serve.
pub(super) struct Checked {
    pub(super) components: BTreeMap<String, Box<dyn Component>>,
    pub(super) editors: HashMap<String, Arc<dyn EditorFactory>>,
    pub(super) registry: EditorRegistry,
}

/// Checks `motifs` against `manifest`'s `[motif]` section, both ways: every part registered
/// is declared (with the same placement), and every part declared is registered.
pub(super) fn check(manifest: &Manifest, motifs: Motifs) -> Result<Checked, SetupError> {
    let (declared_components, declared_editors) = manifest
        .motif()
        .map(|section| (section.components.as_slice(), section.editors.as_slice()))
        .unwrap_or_default();
    let list = |ids: &mut dyn Iterator<Item = &String>| {
        let ids: Vec<&str> = ids.map(String::as_str).collect();
        if ids.is_empty() {
            "nothing".to_owned()
        } else {
            ids.join(", ")
        }
    };

    let mut components = BTreeMap::new();
    for (id, instance) in motifs.components {
        let instance = instance.map_err(|source| SetupError::Component {
            id: id.clone(),
            source,
        })?;
        let declared = declared_components
            .iter()
            .find(|component| component.id == id)
            .ok_or_else(|| SetupError::UndeclaredComponent {
                id: id.clone(),
                declared: list(&mut declared_components.iter().map(|c| &c.id)),
            })?;
        if instance.placement() != declared.placement {
            return Err(SetupError::Placement {
                id,
                motif: instance.placement(),
                manifest: declared.placement,
            });
        }
        if components.insert(id.clone(), instance).is_some() {
            return Err(SetupError::Duplicate { id });
        }
    }
    if let Some(missing) = declared_components
        .iter()
        .find(|component| !components.contains_key(&component.id))
    {
        return Err(SetupError::MissingComponent {
            id: missing.id.clone(),
        });
    }

    let mut editors = HashMap::new();
    let mut registry = EditorRegistry::new();
    for (view_type, editor) in motifs.editors {
        let declared = declared_editors
            .iter()
            .find(|entry| entry.view_type == view_type)
            .ok_or_else(|| SetupError::UndeclaredEditor {
                view_type: view_type.clone(),
                declared: list(&mut declared_editors.iter().map(|e| &e.view_type)),
            })?;
        if editors.insert(view_type.clone(), editor).is_some() {
            return Err(SetupError::Duplicate { id: view_type });
        }
        registry = registry.register(&view_type, &declared.file_patterns)?;
    }
    if let Some(missing) = declared_editors
        .iter()
        .find(|entry| !editors.contains_key(&entry.view_type))
    {
        return Err(SetupError::MissingEditor {
            view_type: missing.view_type.clone(),
        });
    }
    Ok(Checked {
        components,
        editors,
        registry,
    })
}
