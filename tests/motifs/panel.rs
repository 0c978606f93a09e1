//! The counter panel through the host: render, events → patches and effects, state,
//! and refused messages.

use serde_json::{Value, json};
use symphony_core::protocol::ErrorCode;
use symphony_motifs::diff::{DomNode, Patch};

use super::{call_error, click, counter_panel};

fn event(host: &symphony_core::host::Host, message: &str) -> Value {
    host.call(
        "motif/event",
        &json!({ "component": "counter", "message": message }),
    )
    .expect("motif/event")
}

fn patches(reply: &Value) -> Vec<Patch> {
    serde_json::from_value(reply["patches"].clone()).expect("patches parse")
}

#[test]
fn lists_renders_and_patches_the_counter() {
    let host = counter_panel();
    let list: Value = host.call("motif/list", &()).unwrap();
    assert_eq!(list, json!([{ "id": "counter", "placement": "panel" }]));

    let render: Value = host
        .call("motif/render", &json!({ "component": "counter" }))
        .unwrap();
    let html = render["html"].as_str().unwrap();
    assert!(html.contains(r#"<output id="count">0</output>"#), "{html}");
    // The page's DOM, as a host-side renderer builds it from the JSON view.
    let mut dom = view_to_dom(&render["view"]).expect("the view JSON is a node");

    // The `+` button is child 2 of the section.
    let reply = event(&host, &click(&[2]));
    let patches = patches(&reply);
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
    let rendered: Value = host
        .call("motif/render", &json!({ "component": "counter" }))
        .unwrap();
    assert_eq!(Some(dom), view_to_dom(&rendered["view"]));
    host.shutdown().unwrap();
}

/// The DOM a host-side renderer builds from `motif/render`'s JSON view, by asking the
/// SDK for the same conversion the bridge uses.
fn view_to_dom(view: &Value) -> Option<DomNode> {
    let node: symphony_motifs::view::Node = serde_json::from_value(view.clone()).ok()?;
    Some(DomNode::from(&node))
}

#[test]
fn effects_reach_the_host_and_state_round_trips() {
    let host = counter_panel();
    for _ in 0..9 {
        let reply = event(&host, &click(&[2]));
        assert_eq!(reply["messages"], json!([]));
    }
    let reply = event(&host, &click(&[2]));
    assert_eq!(reply["messages"], json!([{ "reached": 10 }]));

    let saved: Value = host
        .call("motif/state", &json!({ "component": "counter" }))
        .unwrap();
    assert_eq!(saved["count"], 10);

    let reply = event(&host, &click(&[3]));
    assert_eq!(
        reply["requests"],
        json!([{ "extension": "symphony.log", "method": "log/append", "params": { "reset_from": 10 } }])
    );
    let restored: Value = host
        .call(
            "motif/restore",
            &json!({ "component": "counter", "state": saved }),
        )
        .unwrap();
    assert!(
        patches(&restored).contains(&Patch::Text {
            path: vec![0, 1, 0],
            text: "10".into()
        }),
        "{restored}"
    );
    let message = call_error(
        &host,
        "motif/restore",
        &json!({ "component": "counter", "state": { "count": "ten" } }),
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
    let rename = json!({ "type": "event", "event": "change", "path": [4], "value": "Clicks" });
    let reply = event(&host, &rename.to_string());
    assert!(patches(&reply).contains(&Patch::Text {
        path: vec![0, 0],
        text: "Clicks: ".into()
    }));
    // History (newest first): renamed, increment → 2, increment → 1. Forget the middle one.
    let reply = event(&host, &click(&[5, 1, 1]));
    assert_eq!(patches(&reply), [Patch::Remove { path: vec![5, 1] }]);
    host.shutdown().unwrap();
}

#[test]
fn bad_bridge_messages_are_refused_and_the_panel_keeps_working() {
    let host = counter_panel();
    let cases = [
        ("{not json".to_owned(), "malformed bridge message"),
        (
            json!({ "type": "event", "event": "click" }).to_string(),
            "missing field `path`",
        ),
        (
            json!({ "type": "eval", "code": "1" }).to_string(),
            "unknown variant",
        ),
        (
            json!({ "type": "event", "event": "mouseover", "path": [2] }).to_string(),
            "not bridged",
        ),
        (click(&[99, 3]), "no `click` binding at view node [99, 3]"),
        // The output element exists but binds nothing.
        (click(&[0, 1]), "no `click` binding"),
        (
            json!({ "type": "event", "event": "input", "path": [4], "value": "x".repeat(70_000) })
                .to_string(),
            "exceeds the limit of 65536 bytes",
        ),
    ];
    for (message, needle) in cases {
        let error = call_error(
            &host,
            "motif/event",
            &json!({ "component": "counter", "message": message }),
            ErrorCode::InvalidInput,
        );
        assert!(error.contains(needle), "{needle:?} not in {error:?}");
    }
    let error = call_error(
        &host,
        "motif/event",
        &json!({ "component": "nope", "message": click(&[2]) }),
        ErrorCode::InvalidParams,
    );
    assert!(error.contains("no motif component `nope`"), "{error}");
    let reply = event(&host, &click(&[2]));
    assert!(patches(&reply).contains(&Patch::Text {
        path: vec![0, 1, 0],
        text: "1".into()
    }));
    host.shutdown().unwrap();
}
