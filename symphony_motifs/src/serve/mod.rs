//! Serving motifs and custom editors over the Orchestra Kit protocol, on core's blocking
//! serve loop.
//!
//! An extension registers its parts in a setup function ([`Motifs`]); [`MotifServer`]
//! checks them against the manifest and answers the methods of [`crate::methods`] (each
//! method's params, result and JSON Schema are there). An extension's `main` is
//! [`main!`](crate::main) (or [`run`](crate::run)), which builds and serves the server;
//! `testing` (feature `testing`) hosts it in tests.
//!
//! Files are opened, saved and backed up only where the host granted filesystem access
//! (`PermissionDenied` names the path otherwise). Refused page messages, unknown targets and
//! changed-on-disk saves answer `InvalidInput`; unknown components or documents and malformed
//! params answer `InvalidParams`.

pub(crate) mod erased;
mod setup;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::json;
use symphony_core::manifest::Manifest;
use symphony_core::permission::FsAccess;
use symphony_core::protocol::method::Method;
use symphony_core::protocol::{Capabilities, ErrorCode, ErrorObject, RawValue};
use symphony_core::serve::{Call, Handler, reply};

pub use setup::{Motifs, SetupError};

use crate::csp::{ContentSecurityPolicy, Nonce};
use crate::diff::Patch;
use crate::editor::{DocumentError, EditorError, EditorRegistry};
use crate::methods::{ALL, PageResult, editor, motif};
use crate::page::{BridgeTransport, Page};
use crate::runtime::MotifError;
use crate::theme::{STYLESHEET_PATH, ThemeStyle, stylesheet};
use crate::view::View;
use erased::{Component, EditorFactory, OpenEditor};

/// A motif extension: its components and custom editors, checked against its manifest, as
/// the protocol handler core's serve loop runs.
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
/// use symphony_motifs::manifest::Manifest;
/// use symphony_motifs::serve::{MotifServer, Motifs, SetupError};
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
///
/// let mut motifs = Motifs::new();
/// motifs.component("counter", Counter);
/// let server = MotifServer::new(manifest, motifs).unwrap();
///
/// // A part the manifest does not declare is refused, by name.
/// let mut motifs = Motifs::new();
/// motifs.component("counter", Counter).component("clock", Counter);
/// let error = MotifServer::new(manifest, motifs).err().unwrap();
/// assert!(matches!(error, SetupError::UndeclaredComponent { .. }), "{error}");
/// # drop(server);
/// ```
pub struct MotifServer {
    manifest: &'static Manifest,
    components: Mutex<BTreeMap<String, Box<dyn Component>>>,
    editors: HashMap<String, Arc<dyn EditorFactory>>,
    registry: EditorRegistry,
    documents: Mutex<HashMap<u64, Box<dyn OpenEditor>>>,
    next_document: AtomicU64,
    /// The theme of the last `motif/theme`; until one arrives, `initialize`'s.
    theme: Mutex<Option<ThemeStyle>>,
}

impl MotifServer {
    /// The server for the parts `motifs` registers, announcing `manifest` (typically from
    /// [`embed_manifest!`](crate::embed_manifest)) in the handshake.
    ///
    /// # Errors
    ///
    /// A [`SetupError`] if a component's first render is invalid, or the parts and the
    /// manifest's `[motif]` section disagree (a part it does not declare, a declared part
    /// nobody registered, another placement).
    pub fn new(manifest: &'static Manifest, motifs: Motifs) -> Result<Self, SetupError> {
        let checked = setup::check(manifest, motifs)?;
        Ok(MotifServer {
            manifest,
            components: Mutex::new(checked.components),
            editors: checked.editors,
            registry: checked.registry,
            documents: Mutex::new(HashMap::new()),
            next_document: AtomicU64::new(1),
            theme: Mutex::new(None),
        })
    }

    /// The theme pages are made with: the last `motif/theme`'s, else `initialize`'s (checked
    /// in the handshake), else none (the stylesheet's light defaults).
    fn theme(&self, call: &Call<'_>) -> Option<ThemeStyle> {
        let mut stored = lock(&self.theme);
        if stored.is_none() {
            // Resolved once, on the first page, not again for every page after it.
            *stored = (call.context().params().theme.as_ref())
                .and_then(|theme| ThemeStyle::new(theme).ok());
        }
        stored.clone()
    }

    fn page(
        &self,
        call: &Call<'_>,
        title: &str,
        view: &View,
        transport: BridgeTransport,
        stylesheet: Option<&str>,
    ) -> Result<PageResult, ErrorObject> {
        let nonce = Nonce::generate()
            .map_err(|error| ErrorObject::new(ErrorCode::ExtensionFailed, error.to_string()))?;
        let policy = ContentSecurityPolicy::new(&nonce);
        let mut page = Page::new(title, view, transport);
        if let Some(href) = stylesheet {
            page = page.default_stylesheet(Some(href));
        }
        if let Some(theme) = self.theme(call) {
            page = page.theme(theme);
        }
        Ok(PageResult {
            html: page.render(&nonce, &policy),
            csp: policy.to_string(),
        })
    }

    fn component_call<R>(
        &self,
        id: &str,
        f: impl FnOnce(&mut dyn Component) -> Result<R, ErrorObject>,
    ) -> Result<R, ErrorObject> {
        let mut components = lock(&self.components);
        let component = components.get_mut(id).ok_or_else(|| {
            ErrorObject::invalid_params(format!(
                "no motif component `{id}` (see {})",
                motif::List::NAME
            ))
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

    /// The page title of component `id`: its title in the manifest.
    fn component_title(&self, id: &str) -> &str {
        self.manifest
            .motif()
            .and_then(|section| section.components.iter().find(|c| c.id == id))
            .map_or(self.manifest.name(), |component| component.title.as_str())
    }

    fn opened(
        &self,
        view_type: String,
        editor: Box<dyn OpenEditor>,
    ) -> Result<editor::Opened, ErrorObject> {
        let status = editor.status().map_err(editor_error)?;
        let html = editor.view().to_html();
        let document = self.next_document.fetch_add(1, Ordering::Relaxed);
        lock(&self.documents).insert(document, editor);
        Ok(editor::Opened {
            document,
            view_type,
            html,
            status,
        })
    }

    fn list(&self) -> Vec<motif::ComponentInfo> {
        lock(&self.components)
            .iter()
            .map(|(id, component)| motif::ComponentInfo {
                id: id.clone(),
                placement: component.placement(),
            })
            .collect()
    }

    fn open(&self, call: &Call<'_>, p: editor::OpenParams) -> Result<editor::Opened, ErrorObject> {
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

    fn restore_backup(
        &self,
        call: &Call<'_>,
        p: editor::RestoreParams,
    ) -> Result<editor::Opened, ErrorObject> {
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

    /// Runs `change` on document `document` and answers its patches and status.
    fn change(
        &self,
        document: u64,
        change: impl FnOnce(&mut dyn OpenEditor) -> Result<Vec<Patch>, ErrorObject>,
    ) -> Result<editor::Edited, ErrorObject> {
        self.document_call(document, |d| {
            let patches = change(d)?;
            let status = d.status().map_err(editor_error)?;
            Ok(editor::Edited { patches, status })
        })
    }

    fn handle_motif(&self, call: &Call<'_>) -> Result<Box<RawValue>, ErrorObject> {
        match call.method() {
            // No params to read: a client may send none, `{}` or `[]`.
            <motif::List as Method>::NAME => reply(&self.list()),
            <motif::Render as Method>::NAME => answer::<motif::Render>(call, |p| {
                self.component_call(&p.component, |c| {
                    Ok(motif::Rendered {
                        html: c.view().to_html(),
                        view: c.view().root().clone(),
                    })
                })
            }),
            <motif::Page as Method>::NAME => answer::<motif::Page>(call, |p| {
                let title = self.component_title(&p.component);
                let stylesheet = p.stylesheet.as_deref();
                self.component_call(&p.component, |c| {
                    self.page(call, title, c.view(), p.transport, stylesheet)
                })
            }),
            <motif::SetTheme as Method>::NAME => answer::<motif::SetTheme>(call, |p| {
                let style = ThemeStyle::new(&p.theme)
                    .map_err(|error| ErrorObject::invalid_params(format!("`theme`: {error}")))?;
                *lock(&self.theme) = Some(style.clone());
                Ok(style)
            }),
            <motif::Stylesheet as Method>::NAME => reply(&motif::StylesheetResult {
                path: STYLESHEET_PATH.to_owned(),
                css: stylesheet().to_owned(),
            }),
            <motif::Event as Method>::NAME => answer::<motif::Event>(call, |p| {
                self.component_call(&p.component, |c| {
                    c.handle_message(p.message.as_bytes()).map_err(motif_error)
                })
            }),
            <motif::State as Method>::NAME => answer::<motif::State>(call, |p| {
                self.component_call(&p.component, |c| c.save_state().map_err(motif_error))
            }),
            <motif::Restore as Method>::NAME => answer::<motif::Restore>(call, |p| {
                self.component_call(&p.component, |c| {
                    let patches = c.restore_state(p.state).map_err(motif_error)?;
                    Ok(motif::Patches { patches })
                })
            }),
            other => Err(ErrorObject::method_not_found(other)),
        }
    }

    fn handle_editor(&self, call: &Call<'_>) -> Result<Box<RawValue>, ErrorObject> {
        match call.method() {
            <editor::Open as Method>::NAME => answer::<editor::Open>(call, |p| self.open(call, p)),
            <editor::Restore as Method>::NAME => {
                answer::<editor::Restore>(call, |p| self.restore_backup(call, p))
            }
            <editor::Close as Method>::NAME => answer::<editor::Close>(call, |p| {
                lock(&self.documents).remove(&p.document);
                Ok(())
            }),
            <editor::Page as Method>::NAME => answer::<editor::Page>(call, |p| {
                let stylesheet = p.stylesheet.as_deref();
                self.document_call(p.document, |d| {
                    self.page(
                        call,
                        self.manifest.name(),
                        d.view(),
                        p.transport,
                        stylesheet,
                    )
                })
            }),
            <editor::Event as Method>::NAME => answer::<editor::Event>(call, |p| {
                self.change(p.document, |d| {
                    d.handle_message(p.message.as_bytes()).map_err(editor_error)
                })
            }),
            <editor::Edit as Method>::NAME => answer::<editor::Edit>(call, |p| {
                self.change(p.document, |d| {
                    d.edit(p.edit).map_err(|error| match error {
                        Ok(error) => editor_error(error),
                        Err(detail) => ErrorObject::invalid_params(format!(
                            "`edit` is not an edit of this document type: {detail}"
                        )),
                    })
                })
            }),
            <editor::Undo as Method>::NAME => answer::<editor::Undo>(call, |p| {
                self.change(p.document, |d| d.undo().map_err(editor_error))
            }),
            <editor::Redo as Method>::NAME => answer::<editor::Redo>(call, |p| {
                self.change(p.document, |d| d.redo().map_err(editor_error))
            }),
            <editor::Revert as Method>::NAME => answer::<editor::Revert>(call, |p| {
                self.change(p.document, |d| d.revert().map_err(editor_error))
            }),
            <editor::Save as Method>::NAME => answer::<editor::Save>(call, |p| {
                self.document_call(p.document, |d| {
                    let path = d.status().map_err(editor_error)?.path;
                    call.policy().require_path(path, FsAccess::Write)?;
                    d.save(p.overwrite).map_err(editor_error)?;
                    d.status().map_err(editor_error)
                })
            }),
            <editor::SaveAs as Method>::NAME => answer::<editor::SaveAs>(call, |p| {
                let path = call.policy().require_path(&p.path, FsAccess::Write)?;
                self.document_call(p.document, |d| {
                    d.save_as(path.as_path().to_path_buf())
                        .map_err(editor_error)?;
                    d.status().map_err(editor_error)
                })
            }),
            <editor::Backup as Method>::NAME => answer::<editor::Backup>(call, |p| {
                let dir = call.policy().require_path(&p.dir, FsAccess::Write)?;
                self.document_call(p.document, |d| {
                    let backup = d.backup(dir.as_path()).map_err(editor_error)?;
                    Ok(editor::BackupResult { backup })
                })
            }),
            <editor::Status as Method>::NAME => answer::<editor::Status>(call, |p| {
                self.document_call(p.document, |d| d.status().map_err(editor_error))
            }),
            other => Err(ErrorObject::method_not_found(other)),
        }
    }
}

impl Handler for MotifServer {
    fn manifest(&self) -> &Manifest {
        self.manifest
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::new(ALL.iter().copied())
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

/// Decodes `M`'s params, runs `f`, and encodes its result: the one place a method's types
/// meet the wire.
fn answer<M: Method>(
    call: &Call<'_>,
    f: impl FnOnce(M::Params) -> Result<M::Result, ErrorObject>,
) -> Result<Box<RawValue>, ErrorObject> {
    reply(&f(call.params::<M::Params>()?)?)
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
/// serve loop, or by the Tauri command); the data behind it is still the last consistent
/// state we wrote.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
