//! A real headless Chromium (through chromedriver) loading pages served from this test on
//! 127.0.0.1: clicks reach Rust through the bridge and patches update the DOM; hostile
//! data rendered by the SDK executes nothing.

mod attacks;
mod gallery;
mod http;
mod report;
mod webdriver;

use std::sync::Arc;

use serde_json::{Value, json};
use symphony_motifs::csp::{ContentSecurityPolicy, Nonce};
use symphony_motifs::diff::{Patch, diff};
use symphony_motifs::methods::motif;
use symphony_motifs::page::{BridgeTransport, Page};
use symphony_motifs::testing::MotifTestHost;
use symphony_motifs::view::{View, el, text};

use super::counter_panel;
use http::PageServer;
use webdriver::Browser;

/// Serves the counter panel's page; events go to the extension through the host.
fn serve_counter(host: &Arc<MotifTestHost>) -> PageServer {
    let page = host
        .request::<motif::Page>(&motif::PageParams {
            component: "counter".to_owned(),
            transport: BridgeTransport::Http {
                endpoint: "/event".to_owned(),
            },
            stylesheet: None,
        })
        .unwrap();
    let host = Arc::clone(host);
    PageServer::start(page.html, move |body| {
        let params = motif::EventParams {
            component: "counter".to_owned(),
            message: String::from_utf8_lossy(body).into_owned(),
        };
        match host.request::<motif::Event>(&params) {
            Ok(update) => (
                200,
                "application/json",
                serde_json::to_vec(&update).unwrap_or_default(),
            ),
            Err(error) => (400, "text/plain", error.to_string().into_bytes()),
        }
    })
}

const COUNT: &str = "return document.getElementById('count').textContent";
const HISTORY: &str = "return document.querySelectorAll('#history li').length";

#[test]
fn clicks_reach_rust_and_patches_update_the_dom() {
    let host = Arc::new(counter_panel());
    let server = serve_counter(&host);
    let browser = Browser::start();
    browser.open(&server.url());
    browser.wait_for(COUNT, &json!("0"));
    // The manifest's title for the component (its id is `counter`).
    assert_eq!(browser.eval("return document.title"), json!("Counter"));

    browser.click("#inc");
    browser.wait_for(COUNT, &json!("1"));
    browser.click("#inc");
    browser.click("#inc");
    browser.click("#dec");
    browser.wait_for(COUNT, &json!("2"));
    browser.wait_for(HISTORY, &json!(4));

    // Keyed removal: forget the newest entry ("decrement → 2").
    browser.click("#history li:first-child a");
    browser.wait_for(HISTORY, &json!(3));
    browser.wait_for(
        "return document.querySelector('#history li').firstChild.data",
        &json!("increment → 3"),
    );

    browser.type_into("#label", "Clicks");
    browser.eval("document.getElementById('label').blur()");
    browser.wait_for(
        "return document.getElementById('title').firstChild.data",
        &json!("Clicks: "),
    );

    // The patched page is exactly what the extension renders now (the title was the last
    // change, and the bridge applies replies in order).
    let rendered = host
        .request::<motif::Render>(&motif::ComponentParams::new("counter"))
        .unwrap();
    let dom = browser.eval("return document.getElementById('motif-root').innerHTML");
    assert_eq!(dom, json!(rendered.html));

    // The page's CSP refuses scripts without its nonce, even ones added through the DOM.
    let blocked = browser.eval(
        "const s = document.createElement('script'); s.textContent = 'window.__csp = 1'; \
         document.body.appendChild(s); return window.__csp === undefined",
    );
    assert_eq!(blocked, json!(true));
}

/// Each payload sets `window.__xss` if it ever runs.
const CORPUS: &[&str] = &[
    "<script>window.__xss = 1</script>",
    "<img src=x onerror=\"window.__xss = 2\">",
    "\"><img src=x onerror=window.__xss=3>",
    "' onfocus='window.__xss = 4' autofocus x='",
    "javascript:window.__xss = 5",
    " \tJaVaScRiPt:window.__xss = 6",
    "<svg onload=window.__xss=7>",
    "</textarea><script>window.__xss = 8</script>",
    "<iframe srcdoc=\"<script>parent.__xss = 9</script>\"></iframe>",
    "data:text/html,<script>parent.__xss = 10</script>",
    "<!--<script>window.__xss = 11</script>-->",
    "&lt;script&gt;window.__xss = 12&lt;/script&gt;",
];

#[test]
fn an_xss_corpus_rendered_as_data_executes_nothing() {
    // No CSP on this page: escaping alone must hold.
    let items = CORPUS.iter().enumerate().map(|(i, payload)| {
        el("li")
            .attr("id", format!("item-{i}"))
            .attr("title", *payload)
            .attr("data-payload", *payload)
            .child(text(*payload))
            .child(el("a").attr("href", *payload).child("link"))
            .child(el("img").attr("src", *payload).attr("alt", *payload))
            .child(el("input").attr("value", *payload))
            .child(el("textarea").child(text(*payload)))
    });
    let view = View::new(el("ul").children(items)).expect("a valid view");
    let page = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>{}</body></html>",
        view.to_html()
    );
    let server = PageServer::start(page, |_| (404, "text/plain", Vec::new()));
    let browser = Browser::start();
    browser.open(&server.url());
    browser.wait_for("return document.readyState", &json!("complete"));
    // Let failed image loads fire their (absent) error handlers.
    std::thread::sleep(std::time::Duration::from_millis(300));

    assert_eq!(
        browser.eval("return window.__xss === undefined"),
        json!(true)
    );
    let roundtrip = browser.eval(
        "return Array.from(document.querySelectorAll('li')).map(li => [\
            li.firstChild.data, li.title, li.dataset.payload,\
            li.querySelector('input').value, li.querySelector('textarea').value])",
    );
    let expected: Vec<Value> = CORPUS.iter().map(|p| json!([p, p, p, p, p])).collect();
    assert_eq!(
        roundtrip,
        json!(expected),
        "every payload shows as the text it is"
    );
    let elements = browser
        .eval("return document.querySelectorAll('script, iframe, svg, li > img[onerror]').length");
    assert_eq!(elements, json!(0));
    let schemes = browser.eval(
        "return Array.from(document.querySelectorAll('a, img')).map(e => (e.href || e.src).split(':')[0])\
            .filter(s => !['http', 'about'].includes(s))",
    );
    assert_eq!(schemes, json!([]), "no javascript: or data: URL survived");
    for i in 0..CORPUS.len() {
        browser.click(&format!("#item-{i} input"));
    }
    assert_eq!(
        browser.eval("return window.__xss === undefined"),
        json!(true)
    );
}

#[test]
fn hostile_text_typed_into_the_panel_stays_text() {
    let host = Arc::new(counter_panel());
    let server = serve_counter(&host);
    let browser = Browser::start();
    browser.open(&server.url());
    browser.wait_for(COUNT, &json!("0"));
    for payload in CORPUS.iter().take(4) {
        browser.type_into("#label", payload);
        browser.eval("document.getElementById('label').blur()");
        browser.wait_for(
            "return document.getElementById('title').firstChild.data",
            &json!(format!("{payload}: ")),
        );
    }
    // WebDriver's clear fires `change` too: each payload renames twice (to "" and to it).
    browser.wait_for(HISTORY, &json!(8));
    assert_eq!(
        browser.eval("return window.__xss === undefined"),
        json!(true)
    );
    assert_eq!(
        browser
            .eval("return document.querySelectorAll('#motif-root img, #motif-root script').length"),
        json!(0)
    );
}

/// A keyed list; a click anywhere on it asks the page's server for patches.
fn keyed_list(keys: &[usize]) -> View {
    View::new(
        el("ul")
            .on("click", "patch")
            .children(keys.iter().map(|key| {
                el("li")
                    .key(key.to_string())
                    .attr("id", format!("item-{key}"))
                    .child(text(format!("item {key}")))
            })),
    )
    .expect("a valid view")
}

#[test]
fn the_bridge_applies_keyed_moves_in_both_directions() {
    let old: Vec<usize> = (0..300).collect();
    // The first child goes to the end, the last near the front, a block is reversed,
    // every tenth child goes and a few new ones come.
    let mut new = old.clone();
    new.rotate_left(1);
    let last = new.remove(298);
    new.insert(1, last);
    new[100..140].reverse();
    new.retain(|key| key % 10 != 5);
    for (at, key) in [(0, 1_000), (50, 1_001), (200, 1_002)] {
        new.insert(at, key);
    }
    let (old_view, new_view) = (keyed_list(&old), keyed_list(&new));
    let patches = diff(&old_view, &new_view);
    let moves: Vec<(usize, usize)> = patches
        .iter()
        .filter_map(|patch| match patch {
            Patch::Move { from, to, .. } => Some((*from, *to)),
            _ => None,
        })
        .collect();
    assert!(
        moves.iter().any(|(from, to)| to > from) && moves.iter().any(|(from, to)| to < from),
        "the patches move children both ways: {moves:?}"
    );

    let nonce = Nonce::generate().expect("randomness");
    let page = Page::new(
        "keyed",
        &old_view,
        BridgeTransport::Http {
            endpoint: "/event".into(),
        },
    )
    .render(&nonce, &ContentSecurityPolicy::new(&nonce));
    // The patches reach the page the only way the bridge accepts them: as the reply to an
    // event (nothing on `window` applies patches).
    let reply = json!({ "patches": patches }).to_string().into_bytes();
    let server = PageServer::start(page, move |_| (200, "application/json", reply.clone()));
    let browser = Browser::start();
    browser.open(&server.url());
    browser.wait_for("return document.readyState", &json!("complete"));
    browser.click("#item-0");
    browser.wait_for(
        "return document.getElementById('motif-root').getAttribute('data-motif-applied')",
        &json!("1"),
    );
    let dom = browser.eval("return document.getElementById('motif-root').innerHTML");
    assert_eq!(dom, json!(new_view.to_html()));
}
