//! The counter panel through the host: render, events → patches and effects, state,
//! and refused messages.

use serde_json::json;
use symphony_motifs::bridge::BridgeEvent;
use symphony_motifs::diff::{DomNode, Patch};
use symphony_motifs::methods::motif::{
    ComponentInfo, ComponentParams, Event, EventParams, List, Page, PageParams, Render, Restore,
    RestoreParams, State,
};
use symphony_motifs::motif::Placement;
use symphony_motifs::page::BridgeTransport;
use symphony_motifs::runtime::Update;
use symphony_motifs::testing::{ErrorCode, MotifTestHost};

use super::{call_error, click, counter_panel};

fn event(host: &MotifTestHost, event: &BridgeEvent) -> Update {
    host.request::<Event>(&EventParams::new("counter", event))
        .unwrap()
}

fn render(host: &MotifTestHost) -> DomNode {
    let rendered = host
        .request::<Render>(&ComponentParams::new("counter"))
        .unwrap();
    // The page's DOM, as a host-side renderer builds it from the view tree.
    DomNode::from(&rendered.view)
}

#[test]
fn lists_renders_and_patches_the_counter() {
    let host = counter_panel();
    let list = host.request::<List>(&()).unwrap();
    assert_eq!(list.len(), 1);
    let ComponentInfo { id, placement, .. } = &list[0];
    assert_eq!((id.as_str(), *placement), ("counter", Placement::Panel));

    let rendered = host
        .request::<Render>(&ComponentParams::new("counter"))
        .unwrap();
    assert!(
        rendered.html.contains(r#"<output id="count">0</output>"#),
        "{}",
        rendered.html
    );
    let mut dom = render(&host);

    // The `+` button is child 2 of the section.
    let patches = event(&host, &click(&[2])).patches;
    assert!(
        patches.contains(&Patch::Text {
            path: vec![0, 1, 0],
            text: "1".into()
        }),
        "{patches:?}"
    );
    assert!(
        patches
            .iter()
            .any(|p| matches!(p, Patch::Insert { path, index: 0, .. } if path == &[5]))
    );
    dom.apply(&patches).expect("patches fit the rendered view");
    assert_eq!(dom, render(&host));
    host.shutdown().unwrap();
}

#[test]
fn the_page_is_titled_by_the_manifest_not_the_component_id() {
    let host = counter_panel();
    let page = host
        .request::<Page>(&PageParams {
            component: "counter".to_owned(),
            transport: BridgeTransport::Http {
                endpoint: "/event".to_owned(),
            },
            stylesheet: None,
        })
        .unwrap();
    // symphony.toml: components = [{ id = "counter", title = "Counter", … }]
    assert!(
        page.html.contains("<title>Counter</title>"),
        "{}",
        page.html
    );
    assert!(page.csp.contains("script-src 'nonce-"), "{}", page.csp);
    host.shutdown().unwrap();
}

#[test]
fn effects_reach_the_host_and_state_round_trips() {
    let host = counter_panel();
    for _ in 0..9 {
        assert_eq!(
            event(&host, &click(&[2])).messages,
            Vec::<serde_json::Value>::new()
        );
    }
    let update = event(&host, &click(&[2]));
    assert_eq!(update.messages, [json!({ "reached": 10 })]);

    let saved = host
        .request::<State>(&ComponentParams::new("counter"))
        .unwrap();
    assert_eq!(saved["count"], 10);

    let update = event(&host, &click(&[3]));
    assert_eq!(
        serde_json::to_value(&update.requests).unwrap(),
        json!([{ "extension": "symphony.log", "method": "log/append", "params": { "reset_from": 10 } }])
    );
    let restored = host
        .request::<Restore>(&RestoreParams {
            component: "counter".to_owned(),
            state: saved,
        })
        .unwrap();
    assert!(
        restored.patches.contains(&Patch::Text {
            path: vec![0, 1, 0],
            text: "10".into()
        }),
        "{restored:?}"
    );
    let message = call_error::<Restore>(
        &host,
        &RestoreParams {
            component: "counter".to_owned(),
            state: json!({ "count": "ten" }),
        },
        ErrorCode::InvalidInput,
    );
    assert!(message.contains("cannot restore"), "{message}");
    host.shutdown().unwrap();
}

#[test]
fn input_values_and_keyed_removal() {
    let host = counter_panel();
    event(&host, &click(&[2]));
    event(&host, &click(&[2]));
    let update = event(&host, &BridgeEvent::new("change", [4]).value("Clicks"));
    assert!(update.patches.contains(&Patch::Text {
        path: vec![0, 0],
        text: "Clicks: ".into()
    }));
    // History (newest first): renamed, increment → 2, increment → 1. Forget the middle one.
    let update = event(&host, &click(&[5, 1, 1]));
    assert_eq!(update.patches, [Patch::Remove { path: vec![5, 1] }]);
    host.shutdown().unwrap();
}

#[test]
fn bad_bridge_messages_are_refused_and_the_panel_keeps_working() {
    let host = counter_panel();
    let raw = |message: serde_json::Value| message.to_string();
    let cases = [
        ("{not json".to_owned(), "malformed bridge message"),
        (
            raw(json!({ "type": "event", "event": "click" })),
            "missing field `path`",
        ),
        (
            raw(json!({ "type": "eval", "code": "1" })),
            "unknown variant",
        ),
        (
            BridgeEvent::new("mouseover", [2]).to_message(),
            "not bridged",
        ),
        (
            click(&[99, 3]).to_message(),
            "no `click` binding at view node [99, 3]",
        ),
        // The output element exists but binds nothing.
        (click(&[0, 1]).to_message(), "no `click` binding"),
        (
            BridgeEvent::new("input", [4])
                .value("x".repeat(70_000))
                .to_message(),
            "exceeds the limit of 65536 bytes",
        ),
    ];
    for (message, needle) in cases {
        let error = call_error::<Event>(
            &host,
            &EventParams {
                component: "counter".to_owned(),
                message,
            },
            ErrorCode::InvalidInput,
        );
        assert!(error.contains(needle), "{needle:?} not in {error:?}");
    }
    let error = call_error::<Event>(
        &host,
        &EventParams::new("nope", &click(&[2])),
        ErrorCode::InvalidParams,
    );
    assert!(error.contains("no motif component `nope`"), "{error}");
    let update = event(&host, &click(&[2]));
    assert!(update.patches.contains(&Patch::Text {
        path: vec![0, 1, 0],
        text: "1".into()
    }));
    host.shutdown().unwrap();
}

#[test]
fn the_theme_from_initialize_and_motif_theme_style_the_pages_of_a_real_child() {
    use symphony_motifs::methods::motif::{SetTheme, Stylesheet, ThemeParams};
    use symphony_motifs::theme::{Theme, ThemeKind, stylesheet};

    let page_of = |host: &MotifTestHost| {
        host.request::<Page>(&PageParams::new(
            "counter",
            BridgeTransport::Http {
                endpoint: "/event".to_owned(),
            },
        ))
        .unwrap()
        .html
    };
    let host = super::builder()
        .theme(Theme::new(ThemeKind::HighContrast).token("color-accent", "#ffea00"))
        .spawn(symphony_tests::extension::example_binary("counter-panel"))
        .expect("counter-panel starts with a theme");
    let html = page_of(&host);
    assert!(html.contains(r#"data-sym-theme="high-contrast""#), "{html}");
    assert!(
        html.contains(r##""--sym-color-accent":"#ffea00""##),
        "{html}"
    );
    assert!(html.contains(r#"<link rel="stylesheet" href="/.symphony/motifs.css">"#));

    // A refused token is named, and changes nothing.
    let error = host
        .request_error::<SetTheme>(&ThemeParams {
            theme: Theme::new(ThemeKind::Dark).token("color-text", "url(https://x)"),
        })
        .unwrap();
    assert_eq!(error.kind(), Some(ErrorCode::InvalidParams));
    assert!(error.message.contains("`color-text`"), "{}", error.message);
    assert!(page_of(&host).contains(r#"data-sym-theme="high-contrast""#));

    let style = host
        .request::<SetTheme>(&ThemeParams {
            theme: Theme::new(ThemeKind::Dark),
        })
        .unwrap();
    assert_eq!(style.properties["--sym-color-background"], "#1e1e1e");
    assert!(page_of(&host).contains(r#"data-sym-theme="dark""#));

    let sheet = host.request::<Stylesheet>(&()).unwrap();
    assert_eq!(sheet.path, ".symphony/motifs.css");
    assert_eq!(sheet.css, stylesheet());

    // A theme the handshake refuses: the extension does not start.
    let refused = super::builder()
        .theme(Theme::new(ThemeKind::Light).token("Bad Name", "red"))
        .spawn(symphony_tests::extension::example_binary("counter-panel"));
    let Err(error) = refused else {
        panic!("the handshake should fail");
    };
    let error = error.to_string();
    assert!(error.contains("Bad Name"), "{error}");
}
