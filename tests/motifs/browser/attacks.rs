//! The shared attack corpus (`symphony_motifs/src/view/attack_corpus.json`, also read by the
//! crate's own tests) in a real headless Chromium, with the page's Content-Security-Policy
//! removed: views must be safe by themselves.
//!
//! Every payload sets `top.__pwned` if it ever runs. Each case is rendered by Rust (when
//! Rust accepts it) and sent raw, as a hostile host would, through the bridge script's
//! patches; then every element is clicked, focused and activated, and the page must still be
//! itself with no sentinel set.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use symphony_motifs::csp::{ContentSecurityPolicy, Nonce};
use symphony_motifs::page::{BridgeTransport, Page};
use symphony_motifs::view::{Node, View, ViewError, el};

use super::http::PageServer;
use super::webdriver::Browser;

const CORPUS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../symphony_motifs/src/view/attack_corpus.json"
));

struct Case {
    name: String,
    refused: bool,
    /// The node as written: attributes exactly as in the file.
    raw: Value,
}

fn corpus() -> Vec<Case> {
    let cases: Vec<Value> = serde_json::from_str(CORPUS).expect("the corpus parses");
    assert!(cases.len() >= 100, "{} cases", cases.len());
    cases
        .into_iter()
        .map(|case| Case {
            name: case["name"].as_str().expect("a name").to_owned(),
            refused: case["expect"] == "refused",
            raw: case["node"].clone(),
        })
        .collect()
}

/// What Rust makes of `node`: a view, or the reason it refuses it.
fn rust_view(node: &Value) -> Result<View, ViewError> {
    let node: Node = serde_json::from_value(node.clone()).expect("a node");
    View::new(node)
}

/// The node in the shape patches carry (`"text"` or `{tag, attrs, children}`), its
/// attributes untouched: what a hostile or broken host could send the bridge.
fn raw_dom_node(node: &Value) -> Value {
    if node["type"] == "text" {
        return node["text"].clone();
    }
    let children: Vec<Value> = node["children"]
        .as_array()
        .map(|children| children.iter().map(raw_dom_node).collect())
        .unwrap_or_default();
    json!({ "tag": node["tag"], "attrs": node["attrs"].as_array().cloned().unwrap_or_default(), "children": children })
}

/// The page as `Page` renders it, minus its CSP.
fn page_without_csp(view: &View) -> String {
    let nonce = Nonce::generate().expect("randomness");
    let html = Page::new(
        "attacks",
        view,
        BridgeTransport::Http {
            endpoint: "/event".into(),
        },
    )
    .render(&nonce, &ContentSecurityPolicy::new(&nonce));
    let start = html
        .find("<meta http-equiv=\"Content-Security-Policy\"")
        .expect("the page has a CSP to remove");
    let end = start + html[start..].find('>').expect("the meta ends") + 1;
    let page = format!("{}{}", &html[..start], &html[end..]);
    assert!(!page.contains("Content-Security-Policy"));
    page
}

/// Clicks (a trusted click where WebDriver can, a dispatched one everywhere), focuses and
/// activates every element under `scope`.
const ACTIVATE: &str = "
    const scope = document.querySelector(SCOPE);
    const all = scope ? Array.from(scope.querySelectorAll('*')) : [];
    for (const e of all) {
      try { e.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, view: window })); } catch (x) {}
      try { if (typeof e.click === 'function') e.click(); } catch (x) {}
      try { if (typeof e.focus === 'function') e.focus(); } catch (x) {}
      try { e.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })); } catch (x) {}
    }
    return all.length;";

/// The page stays itself (no navigation) and no payload ran.
struct Watch<'a> {
    browser: &'a Browser,
    url: String,
    failures: Vec<String>,
}

impl<'a> Watch<'a> {
    fn open(browser: &'a Browser, url: &str) -> Self {
        let watch = Watch {
            browser,
            url: url.to_owned(),
            failures: Vec::new(),
        };
        watch.reload();
        watch
    }

    fn reload(&self) {
        self.browser.open(&self.url);
        self.browser
            .wait_for("return document.readyState", &json!("complete"));
        self.browser.eval("window.__alive = true");
    }

    /// Activates everything under `scope`, then records what happened to the page.
    fn activate(&mut self, case: &str, scope: &str) {
        let script = ACTIVATE.replace("SCOPE", &json!(scope).to_string());
        self.browser.eval(&script);
        std::thread::sleep(Duration::from_millis(150));
        let state = self.browser.eval(
            "const ran = window.__pwned; delete window.__pwned; \
             return [ran === undefined ? null : String(ran), window.__alive === true, location.href]",
        );
        eprintln!("{case}: {state}");
        if state[0] != Value::Null {
            self.failures
                .push(format!("{case}: a payload ran ({})", state[0]));
        }
        if state[1] != json!(true) || state[2] != json!(self.url) {
            let to = state[2].as_str().unwrap_or_default();
            // A relative link (`&#106;avascript:…` is one) may lead to another page of the
            // same origin; nothing may lead anywhere else, or replace this page in place.
            if !to.starts_with(&self.url) || to == self.url {
                self.failures
                    .push(format!("{case}: the page navigated to {to}"));
            }
            self.reload();
        }
    }
}

#[test]
fn attack_views_rendered_without_csp_run_nothing_when_activated() {
    let cases = corpus();
    // Everything Rust accepts is rendered, whatever the corpus expects, so that a view Rust
    // wrongly accepts shows what it does in the browser.
    let mut accepted = Vec::new();
    let mut wrong = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        match rust_view(&case.raw) {
            Ok(view) => {
                if case.refused {
                    wrong.push(format!("{}: Rust accepts it", case.name));
                }
                accepted.push((index, view));
            }
            Err(error) if !case.refused => {
                wrong.push(format!("{}: Rust refuses it: {error}", case.name));
            }
            Err(_) => {}
        }
    }
    let page = View::new(el("div").children(accepted.iter().map(|(index, view)| {
        el("div")
            .attr("id", format!("case-{index}"))
            .child(view.root().clone())
    })))
    .expect("the accepted cases make a view");
    let server = PageServer::start(page_without_csp(&page), |_| {
        (200, "application/json", br#"{"patches":[]}"#.to_vec())
    });
    let browser = Browser::start();
    let mut watch = Watch::open(&browser, &server.url());
    for (index, _) in &accepted {
        watch.activate(&cases[*index].name, &format!("#case-{index}"));
    }
    assert_eq!((watch.failures, wrong), (Vec::new(), Vec::new()));
}

/// A page whose view has a `#go` button (each click fetches the next queued reply) and an
/// empty `#stage` at path `[1]`; with `look_alikes`, also markup that tries to shadow what
/// the bridge uses (its configuration, `document.currentScript`, `document.createTextNode`).
fn bridge_page(look_alikes: bool) -> View {
    let page = el("div")
        .child(el("button").attr("id", "go").on("click", "go").child("go"))
        .child(el("div").attr("id", "stage"));
    if !look_alikes {
        return View::new(page).expect("a valid view");
    }
    View::new(
        page.child(
            el("p")
                .attr("id", "motif-config")
                .attr("hidden", "")
                .child(r#"{"transport":"http","endpoint":"/elsewhere"}"#),
        )
        .child(el("form").attr("name", "currentScript"))
        .child(el("img").attr("name", "createTextNode").attr("alt", "")),
    )
    .expect("a valid view")
}

/// Sends `patches` through the bridge (as the reply to a click on `#go`); returns the
/// bridge's error, if it refused them.
fn through_bridge(
    browser: &Browser,
    replies: &Mutex<VecDeque<Value>>,
    patches: Value,
) -> Option<String> {
    replies
        .lock()
        .expect("the reply queue")
        .push_back(json!({ "patches": patches }));
    let before = browser.eval(
        "const root = document.getElementById('motif-root'); \
         root.removeAttribute('data-motif-error'); \
         return Number(root.getAttribute('data-motif-applied') || 0)",
    );
    browser.click("#go");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let state = browser.eval(
            "const root = document.getElementById('motif-root'); \
             return [Number(root.getAttribute('data-motif-applied') || 0), \
                     root.getAttribute('data-motif-error')]",
        );
        if let Some(error) = state[1].as_str() {
            return Some(error.to_owned());
        }
        if state[0] != before {
            return None;
        }
        assert!(
            Instant::now() < deadline,
            "the bridge neither applied nor refused {patches}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Why the stage differs from what Rust renders for `view`, if it does.
fn same_as_rust(browser: &Browser, label: &str, view: &View) -> Option<String> {
    let (stage, expected) = stage_and_expected(browser, &view.to_html());
    (stage != expected).then(|| format!("{label}: bridge built {stage}, Rust renders {expected}"))
}

/// The stage's DOM beside the DOM the browser parses from Rust's HTML: namespaces, names
/// and attributes (with their namespaces) of every element, and the serialisation.
fn stage_and_expected(browser: &Browser, expected_html: &str) -> (Value, Value) {
    let script = format!(
        "const shape = (r) => [r.innerHTML, Array.from(r.querySelectorAll('*')).map(e => \
             [e.namespaceURI, e.localName, Array.from(e.attributes).map(a => [a.namespaceURI, a.name, a.value])])]; \
         const t = document.createElement('template'); t.innerHTML = {}; \
         const holder = document.createElement('div'); holder.append(t.content.cloneNode(true)); \
         return [shape(document.getElementById('stage')), shape(holder)]",
        json!(expected_html)
    );
    let both = browser.eval(&script);
    (both[0].clone(), both[1].clone())
}

fn clear_stage(browser: &Browser) {
    browser.eval("document.getElementById('stage').replaceChildren()");
}

fn bridge_refusal(error: &str) -> bool {
    error.contains("not allowed") || error.contains("holds only text")
}

/// Serves `view`; each event on the view's first child (`#go`) is answered with the next
/// queued reply, every other event with no patches.
fn serve_queued(view: &View) -> (PageServer, Arc<Mutex<VecDeque<Value>>>) {
    let replies = Arc::new(Mutex::new(VecDeque::<Value>::new()));
    let queue = Arc::clone(&replies);
    let server = PageServer::start(page_without_csp(view), move |body| {
        let event: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let reply = if event["path"] == json!([0]) {
            queue.lock().expect("the reply queue").pop_front()
        } else {
            None
        };
        let reply = reply.unwrap_or_else(|| json!({ "patches": [] }));
        (200, "application/json", reply.to_string().into_bytes())
    });
    (server, replies)
}

#[test]
fn the_bridge_is_unreachable_from_the_page_and_ignores_look_alikes() {
    let (server, replies) = serve_queued(&bridge_page(true));
    let browser = Browser::start();
    browser.open(&server.url());
    browser.wait_for("return document.readyState", &json!("complete"));
    let exposed = browser.eval(
        "return Object.getOwnPropertyNames(window).filter(k => { \
           try { const v = window[k]; return k.startsWith('__symphony') || \
             /applyPatch|motif-root/.test(typeof v === 'function' ? String(v) : JSON.stringify(v) || '') } \
           catch (e) { return false } })",
    );
    assert_eq!(exposed, json!([]), "the bridge puts nothing on window");
    // The bridge found its own configuration, not the view's look-alike, despite the
    // shadowing names: a patch round-trips through /event and applies.
    let patch = json!([{ "op": "insert", "path": [1], "index": 0, "node": "applied" }]);
    assert_eq!(through_bridge(&browser, &replies, patch), None);
    assert_eq!(
        browser.eval("return document.getElementById('stage').textContent"),
        json!("applied")
    );
}

#[test]
fn attack_patches_through_the_bridge_are_refused_or_cleaned_as_rust_does() {
    let (server, replies) = serve_queued(&bridge_page(false));
    let browser = Browser::start();
    let mut watch = Watch::open(&browser, &server.url());

    let mut mismatches = Vec::new();
    for case in corpus() {
        let rust = rust_view(&case.raw);
        let raw = raw_dom_node(&case.raw);

        // 1. The whole node inserted in one patch.
        let insert = json!([{ "op": "insert", "path": [1], "index": 0, "node": raw }]);
        let error = through_bridge(&browser, &replies, insert);
        match (&rust, error) {
            (Err(_), Some(error)) if bridge_refusal(&error) => {
                let left =
                    browser.eval("return document.getElementById('stage').childNodes.length");
                if left != json!(0) {
                    mismatches.push(format!("{}: refused but {left} nodes inserted", case.name));
                }
            }
            (Ok(view), None) => {
                mismatches.extend(same_as_rust(&browser, &case.name, view));
            }
            (rust, bridge) => mismatches.push(format!(
                "{}: Rust {}, bridge {bridge:?}",
                case.name,
                if rust.is_ok() { "accepts" } else { "refuses" }
            )),
        }
        watch.activate(&format!("{} (insert)", case.name), "#stage");
        clear_stage(&browser);

        // 2. The bare element inserted, then its attributes set one patch at a time.
        let Some(attrs) = case.raw["attrs"].as_array().filter(|a| !a.is_empty()) else {
            continue;
        };
        let mut bare = case.raw.clone();
        bare["attrs"] = json!([]);
        if rust_view(&bare).is_err() {
            continue;
        }
        let mut patches =
            vec![json!({ "op": "insert", "path": [1], "index": 0, "node": raw_dom_node(&bare) })];
        patches.extend(attrs.iter().map(
            |pair| json!({ "op": "setAttr", "path": [1, 0], "name": pair[0], "value": pair[1] }),
        ));
        let error = through_bridge(&browser, &replies, Value::Array(patches));
        match (&rust, error) {
            (Err(ViewError::ForbiddenAttribute { .. }), Some(error)) if bridge_refusal(&error) => {}
            (Ok(view), None) => {
                let label = format!("{} (setAttr)", case.name);
                mismatches.extend(same_as_rust(&browser, &label, view));
            }
            (rust, bridge) => mismatches.push(format!(
                "{} (setAttr): Rust {rust:?}, bridge {bridge:?}",
                case.name
            )),
        }
        watch.activate(&format!("{} (setAttr)", case.name), "#stage");
        clear_stage(&browser);
    }
    assert_eq!((watch.failures, mismatches), (Vec::new(), Vec::new()));
}
