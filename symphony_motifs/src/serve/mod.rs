//! Serving motifs and custom editors over the Orchestra Kit protocol, on core's blocking
//! serve loop.
//!
//! | method | params | result |
//! |---|---|---|
//! | `motif/list` | — | `[{id, placement}]` |
//! | `motif/render` | `{component}` | `{html, view}` |
//! | `motif/page` | `{component, transport}` | `{html, csp}`: a whole page with its bridge |
//! | `motif/event` | `{component, message}` (the bridge's JSON, as a string) | `{patches, messages, requests}` |
//! | `motif/state` | `{component}` | the state, for the host to persist |
//! | `motif/restore` | `{component, state}` | `{patches}` |
//! | `editor/open` | `{path, viewType?}` | `{document, viewType, html, status}` |
//! | `editor/restore` | `{backup, viewType}` | as `editor/open` |
//! | `editor/page` | `{document, transport}` | `{html, csp}` |
//! | `editor/event` | `{document, message}` | `{patches, status}` |
//! | `editor/edit` | `{document, edit}` | `{patches, status}` |
//! | `editor/undo`, `editor/redo`, `editor/revert` | `{document}` | `{patches, status}` |
//! | `editor/save` | `{document, overwrite?}` | `status` |
//! | `editor/saveAs` | `{document, path}` | `status` |
//! | `editor/backup` | `{document, dir}` | `{backup}` |
//! | `editor/status`, `editor/close` | `{document}` | `status` / `null` |
//!
//! Files are opened, saved and backed up only where the host granted filesystem access
//! (`PermissionDenied` names the path otherwise). Refused page messages, unknown targets and changed-on-disk saves answer `InvalidInput`;
//! unknown components or documents and malformed params answer `InvalidParams`.

pub(crate) mod erased;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Deserialize;
use serde_json::{Value, json};
use symphony_core::manifest::Manifest;
use symphony_core::permission::FsAccess;
use symphony_core::protocol::{Capabilities, ErrorCode, ErrorObject, RawValue};
use symphony_core::serve::{Call, Handler, reply};

/// Core's blocking serve loop, re-exported so that a motif extension's `main` is
/// `serve(server)` without depending on `symphony_core`.
pub use symphony_core::serve::serve;

use crate::csp::{ContentSecurityPolicy, Nonce};
use crate::editor::{CustomEditor, DocumentError, EditorError, EditorRegistry, PatternError};
use crate::motif::Motif;
use crate::page::{BridgeTransport, Page};
use crate::runtime::{MotifError, MotifInstance};
use crate::view::View;
use erased::{Component, EditorFactory, OpenEditor};

/// The methods a [`MotifServer`] answers.
pub const METHODS: &[&str] = &[
    "motif/list",
    "motif/render",
    "motif/page",
    "motif/event",
    "motif/state",
    "motif/restore",
    "editor/open",
    "editor/restore",
    "editor/page",
    "editor/event",
    "editor/edit",
    "editor/undo",
    "editor/redo",
    "editor/revert",
    "editor/save",
    "editor/saveAs",
    "editor/backup",
    "editor/status",
    "editor/close",
];

/// A motif extension: its components and custom editors, as a [`Handler`] for
/// [`symphony_core::serve::serve`].
///
/// ```
/// # use symphony_motifs::motif::{Effects, Event, Motif, Placement};
/// # use symphony_motifs::view::{Node, el};
/// # struct Counter;
/// # impl Motif for Counter {
/// #     type State = i64;
/// #     fn placement(&self) -> Placement { Placement::Panel }
/// #     fn initial_state(&self) -> i64 { 0 }
/// #     fn render(&self, n: &i64) -> Node { el("p").child(n.to_string()).into() }
/// #     fn update(&self, n: &mut i64, _: &Event) -> Effects { *n += 1; Effects::changed() }
/// # }
/// use symphony_motifs::serve::MotifServer;
///
/// use symphony_core::manifest::Manifest;
///
/// let manifest = Manifest::from_toml_str(
///     r#"
///     id = "acme.counter"
///     name = "Counter"
///     version = "1.0.0"
///     kind = "motif"
///     engine = "^1"
///     [motif]
///     components = [{ id = "counter", title = "Counter", placement = "panel" }]
///     "#,
/// )
/// .unwrap();
/// // An extension binary gets a `&'static Manifest` from `embed_manifest!`.
/// let manifest: &'static Manifest = Box::leak(Box::new(manifest));
/// let server = MotifServer::new(manifest).component("counter", Counter).unwrap();
/// // In the extension binary: `fn main() -> ExitCode { symphony_motifs::serve::serve(server) }`
/// # let _ = server;
/// ```
pub struct MotifServer {
    manifest: &'static Manifest,
    components: Mutex<BTreeMap<String, Box<dyn Component>>>,
    editors: HashMap<String, Arc<dyn EditorFactory>>,
    registry: EditorRegistry,
    documents: Mutex<HashMap<u64, Box<dyn OpenEditor>>>,
    next_document: AtomicU64,
}

impl MotifServer {
    /// A server announcing `manifest` (typically from
    /// [`embed_manifest!`](symphony_core::embed_manifest)) in the handshake.
    pub fn new(manifest: &'static Manifest) -> Self {
        MotifServer {
            manifest,
            components: Mutex::new(BTreeMap::new()),
            editors: HashMap::new(),
            registry: EditorRegistry::new(),
            documents: Mutex::new(HashMap::new()),
            next_document: AtomicU64::new(1),
        }
    }

    /// Adds component `id` running `motif` from its initial state.
    ///
    /// # Errors
    ///
    /// [`MotifError::View`] if its first render is invalid.
    pub fn component<M: Motif>(self, id: &str, motif: M) -> Result<Self, MotifError> {
        let instance = MotifInstance::new(motif)?;
        lock(&self.components).insert(id.to_owned(), Box::new(instance));
        Ok(self)
    }

    /// Adds custom editor `view_type` for files matching `patterns`.
    ///
    /// # Errors
    ///
    /// A [`PatternError`] for an invalid pattern.
    pub fn editor<E, I, S>(
        mut self,
        view_type: &str,
        patterns: I,
        editor: E,
    ) -> Result<Self, PatternError>
    where
        E: CustomEditor + Clone,
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.registry = self.registry.register(view_type, patterns)?;
        self.editors.insert(view_type.to_owned(), Arc::new(editor));
        Ok(self)
    }

    fn component_call<R>(
        &self,
        id: &str,
        f: impl FnOnce(&mut dyn Component) -> Result<R, ErrorObject>,
    ) -> Result<R, ErrorObject> {
        let mut components = lock(&self.components);
        let component = components.get_mut(id).ok_or_else(|| {
            ErrorObject::invalid_params(format!("no motif component `{id}` (see motif/list)"))
        })?;
        f(component.as_mut())
    }

    fn document_call<R>(
        &self,
        id: u64,
        f: impl FnOnce(&mut dyn OpenEditor) -> Result<R, ErrorObject>,
    ) -> Result<R, ErrorObject> {
        let mut documents = lock(&self.documents);
        let document = documents.get_mut(&id).ok_or_else(|| {
            ErrorObject::invalid_params(format!(
                "no open document {id} (it was closed, or never opened)"
            ))
        })?;
        f(document.as_mut())
    }

    fn factory(&self, view_type: &str) -> Result<&Arc<dyn EditorFactory>, ErrorObject> {
        self.editors
            .get(view_type)
            .ok_or_else(|| ErrorObject::invalid_params(format!("no custom editor `{view_type}`")))
    }

    fn opened(
        &self,
        view_type: String,
        editor: Box<dyn OpenEditor>,
    ) -> Result<Box<RawValue>, ErrorObject> {
        let status = editor.status().map_err(editor_error)?;
        let html = editor.view().to_html();
        let id = self.next_document.fetch_add(1, Ordering::Relaxed);
        lock(&self.documents).insert(id, editor);
        reply(&json!({ "document": id, "viewType": view_type, "html": html, "status": status }))
    }

    fn handle_motif(&self, call: &Call<'_>) -> Result<Box<RawValue>, ErrorObject> {
        match call.method() {
            "motif/list" => {
                let list: Vec<Value> = lock(&self.components)
                    .iter()
                    .map(|(id, c)| json!({ "id": id, "placement": c.placement() }))
                    .collect();
                reply(&list)
            }
            "motif/render" => {
                let p: ComponentParams = call.params()?;
                self.component_call(&p.component, |c| {
                    reply(&json!({ "html": c.view().to_html(), "view": c.view().to_json() }))
                })
            }
            "motif/page" => {
                let p: PageParams = call.params()?;
                let id = p.component.unwrap_or_default();
                self.component_call(&id, |c| page(&id, c.view(), p.transport))
            }
            "motif/event" => {
                let p: MessageParams = call.params()?;
                self.component_call(&p.component.unwrap_or_default(), |c| {
                    reply(
                        &c.handle_message(p.message.as_bytes())
                            .map_err(motif_error)?,
                    )
                })
            }
            "motif/state" => {
                let p: ComponentParams = call.params()?;
                self.component_call(&p.component, |c| {
                    reply(&c.save_state().map_err(motif_error)?)
                })
            }
            "motif/restore" => {
                let p: RestoreParams = call.params()?;
                self.component_call(&p.component, |c| {
                    let patches = c.restore_state(p.state).map_err(motif_error)?;
                    reply(&json!({ "patches": patches }))
                })
            }
            other => Err(ErrorObject::method_not_found(other)),
        }
    }

    fn handle_editor(&self, call: &Call<'_>) -> Result<Box<RawValue>, ErrorObject> {
        match call.method() {
            "editor/open" => {
                let p: OpenParams = call.params()?;
                let view_type = match p.view_type {
                    Some(view_type) => view_type,
                    None => self
                        .registry
                        .editor_for(&p.path)
                        .ok_or_else(|| {
                            ErrorObject::new(
                                ErrorCode::InvalidInput,
                                format!("no custom editor is registered for {}", p.path.display()),
                            )
                        })?
                        .to_owned(),
                };
                let path = call.policy().require_path(&p.path, FsAccess::Read)?;
                let editor = self
                    .factory(&view_type)?
                    .open(path.as_path())
                    .map_err(editor_error)?;
                self.opened(view_type, editor)
            }
            "editor/restore" => {
                let p: RestoreBackupParams = call.params()?;
                let backup = call.policy().require_path(&p.backup, FsAccess::Read)?;
                let editor = self
                    .factory(&p.view_type)?
                    .restore(backup.as_path())
                    .map_err(editor_error)?;
                // The restored document saves to its original file: it must be readable.
                call.policy()
                    .require_path(editor.status().map_err(editor_error)?.path, FsAccess::Read)?;
                self.opened(p.view_type, editor)
            }
            "editor/close" => {
                let p: DocumentParams = call.params()?;
                lock(&self.documents).remove(&p.document);
                reply(&())
            }
            "editor/page" => {
                let p: PageParams = call.params()?;
                let id = p.document.unwrap_or_default();
                self.document_call(id, |d| page(&id.to_string(), d.view(), p.transport))
            }
            "editor/event" => {
                let p: MessageParams = call.params()?;
                self.document_call(p.document.unwrap_or_default(), |d| {
                    let patches = d
                        .handle_message(p.message.as_bytes())
                        .map_err(editor_error)?;
                    patches_and_status(d, patches)
                })
            }
            "editor/edit" => {
                let p: EditParams = call.params()?;
                self.document_call(p.document, |d| {
                    let patches = d.edit(p.edit).map_err(|error| match error {
                        Ok(error) => editor_error(error),
                        Err(detail) => ErrorObject::invalid_params(format!(
                            "`edit` is not an edit of this document type: {detail}"
                        )),
                    })?;
                    patches_and_status(d, patches)
                })
            }
            method @ ("editor/undo" | "editor/redo" | "editor/revert") => {
                let p: DocumentParams = call.params()?;
                self.document_call(p.document, |d| {
                    let patches = match method {
                        "editor/undo" => d.undo(),
                        "editor/redo" => d.redo(),
                        _ => d.revert(),
                    }
                    .map_err(editor_error)?;
                    patches_and_status(d, patches)
                })
            }
            "editor/save" => {
                let p: SaveParams = call.params()?;
                self.document_call(p.document, |d| {
                    let path = d.status().map_err(editor_error)?.path;
                    call.policy().require_path(path, FsAccess::Write)?;
                    d.save(p.overwrite).map_err(editor_error)?;
                    reply(&d.status().map_err(editor_error)?)
                })
            }
            "editor/saveAs" => {
                let p: SaveAsParams = call.params()?;
                let path = call.policy().require_path(&p.path, FsAccess::Write)?;
                self.document_call(p.document, |d| {
                    d.save_as(path.as_path().to_path_buf())
                        .map_err(editor_error)?;
                    reply(&d.status().map_err(editor_error)?)
                })
            }
            "editor/backup" => {
                let p: BackupParams = call.params()?;
                let dir = call.policy().require_path(&p.dir, FsAccess::Write)?;
                self.document_call(p.document, |d| {
                    let backup = d.backup(dir.as_path()).map_err(editor_error)?;
                    reply(&json!({ "backup": backup }))
                })
            }
            "editor/status" => {
                let p: DocumentParams = call.params()?;
                self.document_call(p.document, |d| reply(&d.status().map_err(editor_error)?))
            }
            other => Err(ErrorObject::method_not_found(other)),
        }
    }
}

impl Handler for MotifServer {
    fn manifest(&self) -> &Manifest {
        self.manifest
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::new(METHODS.iter().copied())
    }

    fn handle(&self, call: &Call<'_>) -> Result<Box<RawValue>, ErrorObject> {
        if call.method().starts_with("editor/") {
            self.handle_editor(call)
        } else {
            self.handle_motif(call)
        }
    }

    fn concurrency(&self) -> usize {
        // Components and documents are behind locks; a few at once keeps a slow save from
        // blocking a panel.
        4
    }
}

fn page(
    title: &str,
    view: &View,
    transport: BridgeTransport,
) -> Result<Box<RawValue>, ErrorObject> {
    let nonce = Nonce::generate()
        .map_err(|error| ErrorObject::new(ErrorCode::ExtensionFailed, error.to_string()))?;
    let policy = ContentSecurityPolicy::new(&nonce);
    let html = Page::new(title, view, transport).render(&nonce, &policy);
    reply(&json!({ "html": html, "csp": policy.to_string() }))
}

fn patches_and_status(
    document: &dyn OpenEditor,
    patches: Vec<crate::diff::Patch>,
) -> Result<Box<RawValue>, ErrorObject> {
    let status = document.status().map_err(editor_error)?;
    reply(&json!({ "patches": patches, "status": status }))
}

fn motif_error(error: MotifError) -> ErrorObject {
    let code = match error {
        MotifError::Bridge(_) | MotifError::UnknownTarget { .. } | MotifError::State(_) => {
            ErrorCode::InvalidInput
        }
        _ => ErrorCode::ExtensionFailed,
    };
    ErrorObject::new(code, error.to_string())
}

fn editor_error(error: EditorError) -> ErrorObject {
    match error {
        EditorError::Motif(error) => motif_error(error),
        EditorError::Document(error) => {
            let code = match error {
                DocumentError::Io { .. } => ErrorCode::ExtensionFailed,
                _ => ErrorCode::InvalidInput,
            };
            let reason = match error {
                DocumentError::ChangedOnDisk { .. } => "changedOnDisk",
                DocumentError::Io { .. } => "io",
                DocumentError::Load { .. } => "load",
                DocumentError::Edit(_) => "edit",
                _ => "other",
            };
            ErrorObject::new(code, error.to_string()).with_data(json!({ "reason": reason }))
        }
    }
}

/// A poisoned lock only means a handler panicked mid-call (answered as an error by the
/// serve loop); the data behind it is still the last consistent state we wrote.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ComponentParams {
    component: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RestoreParams {
    component: String,
    state: Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PageParams {
    component: Option<String>,
    document: Option<u64>,
    transport: BridgeTransport,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageParams {
    component: Option<String>,
    document: Option<u64>,
    message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct OpenParams {
    path: PathBuf,
    view_type: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RestoreBackupParams {
    backup: PathBuf,
    view_type: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentParams {
    document: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EditParams {
    document: u64,
    edit: Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SaveParams {
    document: u64,
    #[serde(default)]
    overwrite: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SaveAsParams {
    document: u64,
    path: PathBuf,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BackupParams {
    document: u64,
    dir: PathBuf,
}
