//! The motifs Tauri plugin under tauri's mock runtime, and its `motif://` handler called as
//! a function.

use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};
use symphony_motifs::assets::{AssetBundle, AssetServer};
use symphony_motifs::bridge::{EVENT_COMMAND, PLUGIN_NAME};
use symphony_motifs::manifest::Manifest;
use symphony_motifs::motif::{Effects, Event, Motif, Placement};
use symphony_motifs::tauri_plugin::{
    MotifsExt, MotifsPlugin, PATCHES_EVENT, PluginState, PushError, THEME_EVENT, acl, respond,
};
use symphony_motifs::theme::{Theme, ThemeKind};
use symphony_motifs::view::{Node, el};
use tauri::Listener;
use tauri::Manager;
use tauri::WebviewWindow;
use tauri::http::Request;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{
    INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets,
};
use tauri::webview::InvokeRequest;

/// A counter: `+` at path [0]; the count is the text at [1, 0].
struct Counter;

impl Motif for Counter {
    type State = u32;
    fn placement(&self) -> Placement {
        Placement::Panel
    }
    fn initial_state(&self) -> u32 {
        0
    }
    fn render(&self, count: &u32) -> Node {
        el("div")
            .child(el("button").on("click", "increment").child("+"))
            .child(el("output").child(count.to_string()))
            .into()
    }
    fn update(&self, count: &mut u32, event: &Event) -> Effects {
        if event.handler == "increment" {
            *count += 1;
            Effects::changed().message(json!({ "count": *count }))
        } else {
            Effects::none()
        }
    }
}

fn invoke(command: &str, body: Value) -> InvokeRequest {
    InvokeRequest {
        cmd: command.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().expect("a URL"),
        body: InvokeBody::Json(body),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    }
}

/// What an app's capability file grants the window `main` to use motif pages.
const PAGES: &str = r#"{
    "identifier": "motif-pages",
    "windows": ["main"],
    "permissions": ["core:event:allow-listen", "motifs:default"]
}"#;

/// An app (Tauri's mock runtime) hosting the counter, whose window `main` has what
/// `capabilities` grant it, resolved by Tauri's ACL against the plugin's permissions.
fn app_granting(capabilities: &str) -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let mut context = mock_context(noop_assets());
    *context.runtime_authority_mut() =
        acl::runtime_authority(capabilities).expect("the capabilities resolve");
    let plugin = MotifsPlugin::new()
        .motif("counter", Counter)
        .expect("valid view");
    let app = mock_builder()
        .plugin(plugin.build())
        .build(context)
        .expect("the app builds");
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("a mock webview");
    (app, webview)
}

#[test]
fn the_plugins_commands_need_a_capability_granting_them() {
    let event_command = format!("plugin:{PLUGIN_NAME}|{EVENT_COMMAND}");
    let click = json!({ "type": "event", "event": "click", "path": [0] }).to_string();
    let event = || {
        invoke(
            &event_command,
            json!({ "motif": "counter", "message": click }),
        )
    };
    let render = || invoke("plugin:motifs|render", json!({ "motif": "counter" }));
    let listen = || {
        invoke(
            "plugin:event|listen",
            json!({ "event": PATCHES_EVENT, "target": { "kind": "Any" }, "handler": 3 }),
        )
    };

    // Granted nothing: every command is refused by Tauri, naming what would allow it.
    let (_app, webview) = app_granting("[]");
    for (request, permission) in [
        (event(), "motifs:allow-event"),
        (render(), "motifs:allow-render"),
        (listen(), "core:event:allow-listen"),
    ] {
        let refused = get_ipc_response(&webview, request).expect_err("not granted");
        let refused = refused.as_str().unwrap_or_default();
        assert!(
            refused.contains("not allowed")
                && refused.contains(permission)
                && refused.contains("motifs:default") == (permission != "core:event:allow-listen"),
            "{refused}"
        );
    }
    // Granted to another window only: refused in this one, saying where it is allowed.
    let (_app, webview) = app_granting(&PAGES.replace(r#"["main"]"#, r#"["other"]"#));
    for request in [event(), render(), listen()] {
        let refused = get_ipc_response(&webview, request).expect_err("not this window");
        let refused = refused.as_str().unwrap_or_default();
        assert!(
            refused.contains(r#"not allowed on window "main""#) && refused.contains("other"),
            "{refused}"
        );
    }

    // Only one command granted: the other stays refused.
    let (_app, webview) = app_granting(&PAGES.replace("motifs:default", "motifs:allow-render"));
    assert!(get_ipc_response(&webview, render()).is_ok());
    assert!(get_ipc_response(&webview, event()).is_err());

    // The capability an app ships: all three work.
    let (_app, webview) = app_granting(PAGES);
    let reply = get_ipc_response(&webview, event())
        .expect("granted")
        .deserialize::<Value>()
        .expect("JSON");
    assert_eq!(
        reply["patches"],
        json!([{ "op": "text", "path": [1, 0], "text": "1" }])
    );
    assert!(get_ipc_response(&webview, render()).is_ok());
    assert!(get_ipc_response(&webview, listen()).is_ok());
}

#[test]
fn plugin_commands_route_bridge_events_and_push_patches() {
    // The command the bridge script invokes, named from the Rust definitions it receives.
    let event_command = format!("plugin:{PLUGIN_NAME}|{EVENT_COMMAND}");
    let (app, webview) = app_granting(PAGES);

    let (effects_tx, effects) = mpsc::channel();
    app.listen_any("motifs://effects", move |event| {
        let _ = effects_tx.send(event.payload().to_owned());
    });
    let click = json!({ "type": "event", "event": "click", "path": [0] }).to_string();
    let reply = get_ipc_response(
        &webview,
        invoke(
            &event_command,
            json!({ "motif": "counter", "message": click }),
        ),
    )
    .expect("the event command succeeds")
    .deserialize::<Value>()
    .expect("JSON");
    assert_eq!(
        reply["patches"],
        json!([{ "op": "text", "path": [1, 0], "text": "1" }])
    );
    let effect: Value = serde_json::from_str(
        &effects
            .recv_timeout(Duration::from_secs(5))
            .expect("effects emitted"),
    )
    .expect("JSON payload");
    assert_eq!(effect["messages"], json!([{ "count": 1 }]));

    let rendered = get_ipc_response(
        &webview,
        invoke("plugin:motifs|render", json!({ "motif": "counter" })),
    )
    .expect("render succeeds")
    .deserialize::<String>()
    .expect("a string");
    assert!(rendered.contains("<output>1</output>"), "{rendered}");

    // Refused input comes back as a command error, not a panic.
    for (message, needle) in [
        ("{".to_owned(), "malformed bridge message"),
        (
            json!({ "type": "event", "event": "click", "path": [7] }).to_string(),
            "no `click` binding",
        ),
    ] {
        let error = get_ipc_response(
            &webview,
            invoke(
                &event_command,
                json!({ "motif": "counter", "message": message }),
            ),
        )
        .expect_err("refused");
        assert!(
            error.as_str().is_some_and(|e| e.contains(needle)),
            "{error}"
        );
    }
    let error = get_ipc_response(
        &webview,
        invoke(&event_command, json!({ "motif": "nope", "message": click })),
    )
    .expect_err("unknown motif");
    assert!(error.to_string().contains("no motif `nope`"), "{error}");

    // Host-initiated update: patches are pushed as an event.
    let (patches_tx, pushed) = mpsc::channel();
    app.listen_any(PATCHES_EVENT, move |event| {
        let _ = patches_tx.send(event.payload().to_owned());
    });
    let update = app
        .dispatch_motif("counter", &Event::new("increment", "click"))
        .expect("dispatch");
    assert_eq!(update.patches.len(), 1);
    let pushed: Value = serde_json::from_str(
        &pushed
            .recv_timeout(Duration::from_secs(5))
            .expect("patches pushed"),
    )
    .expect("JSON payload");
    assert_eq!(
        pushed,
        json!({ "motif": "counter", "patches": [{ "op": "text", "path": [1, 0], "text": "2" }] })
    );

    // A theme change reaches open pages as an event, and pages made after it start with it.
    let (theme_tx, themes) = mpsc::channel();
    app.listen_any(THEME_EVENT, move |event| {
        let _ = theme_tx.send(event.payload().to_owned());
    });
    let refused = app.set_motif_theme(&Theme::new(ThemeKind::Dark).token("color-text", "red;x:y"));
    assert!(matches!(&refused, Err(PushError::Theme(_))), "{refused:?}");
    let style = app
        .set_motif_theme(&Theme::new(ThemeKind::Dark).token("color-accent", "#3d7bd9"))
        .expect("a valid theme");
    let emitted: Value = serde_json::from_str(
        &themes
            .recv_timeout(Duration::from_secs(5))
            .expect("the theme is emitted"),
    )
    .expect("JSON payload");
    assert_eq!(emitted, serde_json::to_value(&style).unwrap());
    assert_eq!(emitted["properties"]["--sym-color-accent"], "#3d7bd9");
    assert!(
        themes.try_recv().is_err(),
        "the refused theme emitted nothing"
    );
    let state = app.state::<PluginState>();
    let page = respond(&state, &get("motif://acme.panel/.page/counter"));
    let html = String::from_utf8_lossy(page.body());
    assert!(html.contains(r#"data-sym-theme="dark""#), "{html}");
    assert!(
        html.contains("#3d7bd9"),
        "the page's config carries the theme"
    );
}

fn get(uri: &str) -> Request<Vec<u8>> {
    Request::builder()
        .uri(uri)
        .body(Vec::new())
        .expect("a request")
}

#[test]
fn the_scheme_handler_serves_pages_and_assets_only_from_bundles() {
    let bundle = AssetBundle::in_memory()
        .with_file("app.css", "p{}")
        .expect("a valid path");
    let manifest = Manifest::from_toml_str(
        r#"
        id = "acme.panel"
        name = "Panel"
        version = "1.0.0"
        kind = "motif"
        engine = "^1"
        [motif]
        components = [{ id = "counter", title = "Click counter", placement = "panel" }]
        "#,
    )
    .expect("a valid manifest");
    let motifs = MotifsPlugin::new()
        .motif("counter", Counter)
        .expect("valid view")
        .manifest(&manifest)
        .assets(AssetServer::new().with_bundle("acme.panel", bundle))
        .state();

    let page = respond(&motifs, &get("motif://acme.panel/.page/counter"));
    assert_eq!(page.status(), 200);
    let html = String::from_utf8(page.body().clone()).expect("UTF-8");
    assert!(
        html.contains(r#""transport":"tauri","motif":"counter""#),
        "{html}"
    );
    assert!(html.contains("<title>Click counter</title>"), "{html}");
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .expect("ASCII");
    assert!(
        csp.contains("connect-src 'self' ipc: http://ipc.localhost"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(page.headers()["access-control-allow-origin"], "*");

    let css = respond(&motifs, &get("motif://acme.panel/app.css"));
    assert_eq!(css.status(), 200);
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert_eq!(css.headers()["access-control-allow-origin"], "*");
    assert_eq!(css.body(), b"p{}");

    assert_eq!(
        respond(&motifs, &get("motif://acme.panel/.page/other")).status(),
        404
    );
    assert_eq!(
        respond(&motifs, &get("motif://acme.panel/%2e%2e/secret")).status(),
        400
    );
    assert_eq!(
        respond(&motifs, &get("motif://acme.panel/missing.js")).status(),
        404
    );
}
