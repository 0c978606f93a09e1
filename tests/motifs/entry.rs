//! The entry shape in-process: a setup function's parts are checked against the manifest
//! both ways, and the test host serves them through the real codec and serve loop.

use symphony_motifs::bridge::BridgeEvent;
use symphony_motifs::editor::{Editor, ModelError, TextDocument, TextEdit};
use symphony_motifs::manifest::EmbeddedManifest;
use symphony_motifs::methods::Method;
use symphony_motifs::methods::motif::{ComponentParams, Event, EventParams, List, Render};
use symphony_motifs::motif::{self, Effects, Motif, Placement};
use symphony_motifs::testing::{MotifTestHost, RawSession, StartError};
use symphony_motifs::view::{Node, el};
use symphony_motifs::{Motifs, SetupError};

static MANIFEST: &EmbeddedManifest = symphony_motifs::embed_manifest!("motifs/entry.toml");

struct Clicks(Placement);

impl Motif for Clicks {
    type State = u32;
    fn placement(&self) -> Placement {
        self.0
    }
    fn initial_state(&self) -> u32 {
        0
    }
    fn render(&self, n: &u32) -> Node {
        el("button").on("click", "add").child(n.to_string()).into()
    }
    fn update(&self, n: &mut u32, _: &motif::Event) -> Effects {
        *n += 1;
        Effects::changed()
    }
}

/// Renders a tag the allow-list refuses.
struct Broken;

impl Motif for Broken {
    type State = ();
    fn placement(&self) -> Placement {
        Placement::Panel
    }
    fn initial_state(&self) {}
    fn render(&self, _: &()) -> Node {
        el("script").into()
    }
    fn update(&self, _: &mut (), _: &motif::Event) -> Effects {
        Effects::none()
    }
}

#[derive(Clone)]
struct Text;

impl Editor for Text {
    type Model = TextDocument;
    fn render(&self, _: &TextDocument) -> Node {
        el("textarea").into()
    }
    fn edit_for(&self, _: &TextDocument, _: &motif::Event) -> Result<Option<TextEdit>, ModelError> {
        Ok(None)
    }
}

fn setup(motifs: &mut Motifs) {
    motifs
        .component("clicks", Clicks(Placement::Panel))
        .editor("tests.text", Text);
}

fn setup_error(setup: impl FnOnce(&mut Motifs)) -> String {
    match MotifTestHost::start(MANIFEST, setup) {
        Err(StartError::Setup(error)) => error.to_string(),
        other => panic!("expected a setup error, got {other:?}"),
    }
}

#[test]
fn the_setup_function_is_served_through_the_real_protocol() {
    let host = MotifTestHost::start(MANIFEST, setup).unwrap();
    assert_eq!(host.request::<List>(&()).unwrap().len(), 1);
    let update = host
        .request::<Event>(&EventParams::new("clicks", &BridgeEvent::click([])))
        .unwrap();
    assert_eq!(update.patches.len(), 1);
    let rendered = host
        .request::<Render>(&ComponentParams::new("clicks"))
        .unwrap();
    assert_eq!(
        rendered.html,
        r#"<button data-motif-on-click="add">1</button>"#
    );
    let capabilities = &host.host().initialize_result().capabilities;
    assert!(
        format!("{capabilities:?}")
            .contains(<symphony_motifs::methods::editor::Open as Method>::NAME),
        "{capabilities:?}"
    );
    host.shutdown().unwrap();
}

#[test]
fn parts_and_manifest_must_agree_both_ways() {
    let undeclared = setup_error(|motifs| {
        setup(motifs);
        motifs.component("extra", Clicks(Placement::Panel));
    });
    assert!(
        undeclared.contains("component `extra` is registered")
            && undeclared.contains("declares: clicks"),
        "{undeclared}"
    );
    let missing = setup_error(|motifs| {
        motifs.editor("tests.text", Text);
    });
    assert!(missing.contains("declares component `clicks`"), "{missing}");
    let missing_editor = setup_error(|motifs| {
        motifs.component("clicks", Clicks(Placement::Panel));
    });
    assert!(
        missing_editor.contains("declares editor `tests.text`"),
        "{missing_editor}"
    );
    let placement = setup_error(|motifs| {
        motifs
            .component("clicks", Clicks(Placement::Modal))
            .editor("tests.text", Text);
    });
    assert!(
        placement.contains("placement is `modal`") && placement.contains("says `panel`"),
        "{placement}"
    );
    let twice = setup_error(|motifs| {
        setup(motifs);
        motifs.editor("tests.text", Text);
    });
    assert!(
        twice.contains("`tests.text` is registered twice"),
        "{twice}"
    );
    let broken = setup_error(|motifs| {
        motifs
            .component("clicks", Broken)
            .editor("tests.text", Text);
    });
    assert!(
        broken.starts_with("component `clicks`: the motif rendered an invalid view"),
        "{broken}"
    );
}

#[test]
fn a_failing_setup_function_reports_its_own_error() {
    let failing = |_: &mut Motifs| -> Result<(), String> { Err("no theme file".to_owned()) };
    match MotifTestHost::start(MANIFEST, failing) {
        Err(StartError::Setup(SetupError::Setup(message))) => {
            assert_eq!(message, "no theme file");
        }
        other => panic!("expected the setup's error, got {other:?}"),
    }
}

#[test]
fn a_raw_client_reaches_the_typed_methods() {
    let manifest = MANIFEST.get().unwrap();
    let mut motifs = Motifs::new();
    setup(&mut motifs);
    let server = symphony_motifs::serve::MotifServer::new(manifest, motifs).unwrap();
    let mut session = RawSession::start(server);
    session.initialize().unwrap();
    // A foreign client may send `{}` for a method without params.
    session
        .send(&format!(
            r#"{{"jsonrpc":"2.0","id":7,"method":"{}","params":{{}}}}"#,
            List::NAME
        ))
        .unwrap();
    let answer = session.recv().unwrap();
    assert_eq!(answer["id"], 7);
    assert_eq!(answer["result"][0]["id"], "clicks", "{answer}");
    assert_eq!(answer["result"][0]["placement"], "panel", "{answer}");
    // Unknown fields in params are refused, not ignored.
    session
        .send(&format!(
            r#"{{"jsonrpc":"2.0","id":8,"method":"{}","params":{{"component":"clicks","extra":1}}}}"#,
            Render::NAME
        ))
        .unwrap();
    let answer = session.recv().unwrap();
    assert_eq!(answer["error"]["code"], -32602, "{answer}");
}
