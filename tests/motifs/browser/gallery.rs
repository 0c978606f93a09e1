//! The component gallery in headless Chromium: every component and chart on one page,
//! checked with axe-core in each theme, and a theme change applied without a reload.

use std::path::PathBuf;

use serde_json::{Value, json};
use symphony_motifs::chart::{BarChart, LineChart, ScatterChart};
use symphony_motifs::components::{
    Column, SortOrder, Table, Tabs, Tone, badge, button, checkbox, danger_button, list,
    primary_button, progress, select, text_field, toolbar,
};
use symphony_motifs::csp::{ContentSecurityPolicy, Nonce};
use symphony_motifs::page::{BridgeTransport, Page};
use symphony_motifs::theme::{ThemeKind, ThemeStyle};
use symphony_motifs::view::{Node, View, el};

use super::http::PageServer;
use super::webdriver::Browser;

/// Where `cargo xtask ci` puts axe-core's browser script.
const AXE_CORE_VAR: &str = "SYMPHONY_AXE_CORE";

/// Every component and chart, bound to handlers as a motif would bind them.
fn gallery() -> View {
    let bar: [Node; 3] = [
        button("Undo").on("click", "undo").into(),
        button("Redo").on("click", "redo").into(),
        badge("3 changes", Tone::Warning).into(),
    ];
    let table = Table::new("Scores", [Column::text("Name"), Column::numeric("Score")])
        .rows([["ada", "12"], ["bob", "9"], ["cy", "3"]])
        .sorted(1, SortOrder::Descending)
        .on_sort("sort");
    let tabs = Tabs::new("views", "Views")
        .tab(
            "list",
            "List",
            list("Recent files", ["a.csv", "b.csv", "c.csv"]),
        )
        .tab(
            "about",
            "About",
            el("p").child("Components styled by the theme."),
        )
        .selected("list")
        .on_select("show");
    let bars = BarChart::new("Rows per class")
        .categories(["setosa", "versicolor", "virginica"])
        .series("predicted", [10.0, 12.0, 8.0])
        .series("labelled", [10.0, 11.0, 9.0])
        .y_label("rows");
    let line = LineChart::new("Latency")
        .x_label("request")
        .y_label("ms")
        .series("p50", [(1.0, 12.0), (2.0, 9.5), (3.0, 11.0), (4.0, 8.0)]);
    let scatter = ScatterChart::new("Petals")
        .x_label("petal length (cm)")
        .y_label("petal width (cm)")
        .series("setosa", [(1.4, 0.2), (1.3, 0.3), (1.5, 0.2)])
        .series("virginica", [(6.0, 2.5), (5.1, 1.9)]);
    let root = el("main")
        .attr("class", "sym-stack")
        .child(el("h1").child("Component gallery"))
        .child(toolbar("Editing", bar))
        .child(
            el("div")
                .attr("class", "sym-row")
                .child(primary_button("Save").on("click", "save"))
                .child(danger_button("Delete").on("click", "delete"))
                .child(badge("passed", Tone::Success))
                .child(badge("failed", Tone::Danger))
                .child(badge("draft", Tone::Neutral)),
        )
        .child(
            el("form")
                .attr("class", "sym-row")
                .attr("aria-label", "Settings")
                .child(
                    text_field("title", "Title", "Quarterly report")
                        .hint("Shown above the table")
                        .on_change("rename"),
                )
                .child(checkbox("wrap", "Wrap lines", true).on_change("wrap"))
                .child(
                    select(
                        "delimiter",
                        "Delimiter",
                        [(",", "Comma"), (";", "Semicolon"), ("\t", "Tab")],
                        Some(","),
                    )
                    .on_change("delimiter"),
                ),
        )
        .child(progress("indexing", "Indexing", Some(40.0), 100.0))
        .child(progress("loading", "Loading", None, 100.0))
        .child(table)
        .child(tabs)
        .child(bars)
        .child(line)
        .child(scatter);
    View::new(root).expect("the gallery is a valid view")
}

fn page(kind: ThemeKind) -> String {
    let nonce = Nonce::generate().unwrap();
    let view = gallery();
    Page::new(
        "Component gallery",
        &view,
        BridgeTransport::Http {
            endpoint: "/event".to_owned(),
        },
    )
    .theme(ThemeStyle::of_kind(kind))
    .render(&nonce, &ContentSecurityPolicy::new(&nonce))
}

/// axe-core's script, or `None` (saying so) outside `cargo xtask ci` when nothing names it.
fn axe_core() -> Option<String> {
    let path = match std::env::var_os(AXE_CORE_VAR) {
        Some(path) => PathBuf::from(path),
        None => {
            let installed = symphony_tests::extension::workspace_root()
                .join(".node/node_modules/axe-core/axe.min.js");
            if !installed.is_file() {
                eprintln!(
                    "SKIPPED: {AXE_CORE_VAR} is unset and no .node/ has axe-core \
                     (`cargo xtask ci` installs it from npm)"
                );
                return None;
            }
            installed
        }
    };
    Some(std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "{AXE_CORE_VAR}={}: cannot read axe-core: {error}",
            path.display()
        )
    }))
}

/// The page's background as `rgb(…)`, as the browser computes it.
const BACKGROUND: &str = "return getComputedStyle(document.documentElement).backgroundColor";

#[test]
fn the_gallery_passes_axe_core_in_every_theme() {
    let Some(axe) = axe_core() else { return };
    let browser = Browser::start();
    for kind in ThemeKind::ALL {
        let server = PageServer::start(page(kind), |_| (204, "application/json", b"{}".to_vec()));
        browser.open(&server.url());
        browser.wait_for(
            "return document.documentElement.dataset.symTheme",
            &json!(kind.as_str()),
        );
        // The stylesheet is applied (the root's background is the theme's, not white for
        // the dark ones) before axe looks at colours.
        let expected = ThemeStyle::of_kind(kind).properties["--sym-color-background"].clone();
        browser.wait_for(BACKGROUND, &json!(rgb(&expected)));
        browser.eval(&format!("{axe}\n;return typeof axe.run"));
        let violations = browser.eval_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
               .then((r) => done(r.violations.map((v) => ({
                 id: v.id, impact: v.impact, help: v.help,
                 nodes: v.nodes.map((n) => n.target.join(' ') + ': ' + n.failureSummary),
               }))))
               .catch((e) => done('axe failed: ' + e));",
        );
        assert_eq!(
            violations,
            json!([]),
            "axe-core found violations in the {} theme: {violations:#}",
            kind.as_str()
        );
        let error = browser
            .eval("return document.getElementById('motif-root').getAttribute('data-motif-error')");
        assert_eq!(
            error,
            Value::Null,
            "bridge error in the {} theme",
            kind.as_str()
        );
    }
}

/// `#rrggbb` as the browser's computed `rgb(r, g, b)`.
fn rgb(hex: &str) -> String {
    let channel = |at: usize| u8::from_str_radix(&hex[at..at + 2], 16).expect("a hex colour");
    format!("rgb({}, {}, {})", channel(1), channel(3), channel(5))
}

#[test]
fn a_theme_change_restyles_the_page_without_reloading_it() {
    // The host answers the next event with a new theme (and no patches), as an HTTP host
    // does when the user switches themes; a hostile one after that is refused.
    let replies = std::sync::Mutex::new(vec![
        json!({"patches": [], "theme": {"kind": "light", "colorScheme": "light",
               "properties": {"--sym-color-background": "#ffffff; background: url(https://x)"}}}),
        json!({"patches": [], "theme": ThemeStyle::of_kind(ThemeKind::Dark)}),
    ]);
    let server = PageServer::start(page(ThemeKind::Light), move |_| {
        let reply = replies
            .lock()
            .unwrap()
            .pop()
            .unwrap_or(json!({"patches": []}));
        (200, "application/json", reply.to_string().into_bytes())
    });
    let browser = Browser::start();
    browser.open(&server.url());
    browser.wait_for(BACKGROUND, &json!("rgb(255, 255, 255)"));
    // A page that reloaded would lose this.
    browser.eval("window.__beforeThemeChange = true");

    browser.type_into("#title", "Renamed");
    browser.eval("document.getElementById('title').blur()");
    browser.wait_for(BACKGROUND, &json!(rgb("#1e1e1e")));
    assert_eq!(
        browser.eval("return document.documentElement.dataset.symTheme"),
        json!("dark")
    );
    assert_eq!(
        browser.eval("return window.__beforeThemeChange"),
        json!(true)
    );
    // The chart's bars take the dark theme's first series colour from the stylesheet.
    assert_eq!(
        browser.eval("return getComputedStyle(document.querySelector('rect.sym-bar')).fill"),
        json!(rgb("#4d9bff"))
    );

    // The next reply's theme would end its declaration: the bridge refuses it, whole.
    browser.click("button.sym-button-primary");
    browser.wait_for(
        "return (document.getElementById('motif-root').getAttribute('data-motif-error') || '').includes('refused theme property')",
        &json!(true),
    );
    assert_eq!(browser.eval(BACKGROUND), json!(rgb("#1e1e1e")));
}
