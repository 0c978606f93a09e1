//! The `counter-panel-preview` binary in a real window: a real X server (Xvfb), Tauri 2 and
//! WebKitGTK, the page served from `motif://`.
//!
//! - Clicks and typing come through WebDriver (`tauri-driver` with WebKitGTK's
//!   `WebKitWebDriver`), on elements found by CSS selector, and what the page shows is read
//!   the same way.
//! - Host-initiated updates are typed on the preview's console (its stdin), and screenshots
//!   show that their patches are drawn.
//! - A window granted less than the plugin's permissions has its clicks refused.
//!
//! WebKitGTK needs no special environment under Xvfb here (it falls back to software
//! rendering by itself); the tests set only `DISPLAY`.

mod preview;
mod screen;

use std::path::Path;
use std::time::Duration;

use preview::Preview;
use screen::{Region, Window};
use serde_json::{Value, json};
use symphony_motifs::testing::display::VirtualDisplay;
use symphony_motifs::testing::webdriver::WebDriver;

/// Generous bounds for a shared 2-core machine; every wait polls and ends as soon as it can.
const START: Duration = Duration::from_secs(60);
const ROUND_TRIP: Duration = Duration::from_secs(20);

/// Where the panel draws (window coordinates: the heading, then one row of controls, then
/// the history list). Generous on purpose: only which region changes matters, not exact
/// positions.
const HEADING: Region = Region {
    x: 0,
    y: 0,
    width: 400,
    height: 70,
};
const CONTROLS: Region = Region {
    x: 0,
    y: 75,
    width: 400,
    height: 35,
};

const COUNT: &str = "return document.getElementById('count').textContent";
const HISTORY: &str = "return document.querySelectorAll('#history li').length";
const BRIDGE_ERROR: &str =
    "return document.getElementById('motif-root').getAttribute('data-motif-error')";

fn preview_binary() -> &'static Path {
    // Built by the same cargo invocation as this test (required feature `preview`), so the
    // Tauri it links is the one the rest of the workspace test build uses.
    Path::new(env!("CARGO_BIN_EXE_counter-panel-preview"))
}

/// The preview under WebDriver on `display`, its page loaded.
fn driven(display: &str, args: &[&Path]) -> WebDriver {
    let window = WebDriver::tauri(preview_binary(), args, &[("DISPLAY", display)])
        .unwrap_or_else(|error| panic!("the preview starts under tauri-driver: {error}"));
    window
        .wait_for(COUNT, &json!("0"), START)
        .unwrap_or_else(|error| panic!("the page loads: {error}"));
    window
}

#[test]
fn the_window_is_driven_by_selector_through_webdriver() {
    let xvfb = VirtualDisplay::start().expect("Xvfb starts (`cargo xtask ci` installs it)");
    let window = driven(xvfb.name(), &[]);
    assert_eq!(
        window.url().unwrap(),
        "motif://symphony.preview/.page/counter"
    );
    // The page links the SDK's stylesheet, which the plugin serves under motif://.
    let font = window
        .execute("return getComputedStyle(document.body).fontFamily")
        .unwrap();
    assert!(
        font.as_str()
            .is_some_and(|font| font.starts_with("system-ui")),
        "{font}"
    );

    // Each click goes through the bridge and the plugin's command to `Counter::update`, and
    // its patches come back to the page.
    window.click("#inc").unwrap();
    window.wait_for(COUNT, &json!("1"), ROUND_TRIP).unwrap();
    window.click("#inc").unwrap();
    window.click("#inc").unwrap();
    window.click("#dec").unwrap();
    window.wait_for(COUNT, &json!("2"), ROUND_TRIP).unwrap();
    window.wait_for(HISTORY, &json!(4), ROUND_TRIP).unwrap();
    assert_eq!(window.text("#history li").unwrap(), "decrement → 2×");

    // The newest entry's `×`, an element that exists only in the patched DOM.
    window.click("#history li:first-child a").unwrap();
    window.wait_for(HISTORY, &json!(3), ROUND_TRIP).unwrap();
    assert_eq!(window.text("#history li").unwrap(), "increment → 3×");

    // Typing, then leaving the field: its `change` renames the counter.
    window.type_text("#label", "Clicks").unwrap();
    window
        .execute("document.getElementById('label').blur()")
        .unwrap();
    window
        .wait_for(
            "return document.getElementById('title').firstChild.data",
            &json!("Clicks: "),
            ROUND_TRIP,
        )
        .unwrap();
    assert_eq!(window.execute(BRIDGE_ERROR).unwrap(), Value::Null);
}

#[test]
fn the_preview_console_pushes_host_updates_to_the_window() {
    let shots = tempfile::Builder::new()
        .prefix("motif-preview-")
        .tempdir()
        .expect("a screenshot directory");
    let xvfb = VirtualDisplay::start().expect("Xvfb starts (`cargo xtask ci` installs it)");
    let mut preview = Preview::spawn(preview_binary(), &[], xvfb.name());

    // Rendered: the page loaded from motif:// and its text shows in the mapped window.
    preview.wait_for("the page loading", START, |line| {
        line == "motif preview: page loaded: motif://symphony.preview/.page/counter"
    });
    let window = Window::wait_for(xvfb.name(), "Motif preview: counter", START);
    let before = poll(START, "the panel to be drawn", || {
        let shot = window.screenshot(shots.path(), "before");
        let drawn = shot.dark_pixels(HEADING) > 0 && shot.dark_pixels(CONTROLS) > 0;
        drawn.then_some(shot)
    });

    // An update the host starts (typed on the preview's console): its patches reach the
    // page as the plugin's event, which the bridge listens to.
    preview.send("increment");
    let pushed = preview.wait_for("the pushed update", ROUND_TRIP, |line| {
        line.starts_with("motif preview: dispatch increment -> ")
    });
    assert!(
        pushed.contains(r#"{"op":"text","path":[0,1,0],"text":"1"}"#)
            && pushed.contains(r#"{"op":"insert","path":[5],"index":0"#),
        "the count becomes 1 and a history entry is inserted: {pushed}"
    );
    poll(ROUND_TRIP, "the pushed patches to be drawn", || {
        let shot = window.screenshot(shots.path(), "pushed");
        (shot.pixels(HEADING) != before.pixels(HEADING)).then_some(())
    });

    // A line that is not `<handler> [JSON]` is answered on the console, and changes nothing.
    preview.send("increment {not json");
    let refused = preview.wait_for("the refused command", ROUND_TRIP, |line| {
        line.starts_with("motif preview: dispatch increment {not json -> error:")
    });
    assert!(refused.contains("is not JSON"), "{refused}");

    // Patched in place: the page never reloaded.
    let reloads: Vec<String> = preview
        .pending()
        .into_iter()
        .filter(|line| line.starts_with("motif preview: page loaded"))
        .collect();
    assert!(reloads.is_empty(), "the page reloaded: {reloads:?}");
    if std::env::var_os("SYMPHONY_KEEP_SCREENSHOTS").is_some() {
        eprintln!("screenshots kept in {}", shots.keep().display());
    }
}

#[test]
fn the_window_can_use_only_what_its_capability_grants() {
    // A capability without the motifs plugin's permissions: the page may still listen for
    // pushed patches, but Tauri refuses its bridge events before they reach the plugin.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let capability = dir.path().join("listen-only.json");
    std::fs::write(
        &capability,
        r#"{"identifier": "listen-only", "windows": ["preview"],
            "permissions": ["core:event:allow-listen"]}"#,
    )
    .expect("the capability is written");
    let xvfb = VirtualDisplay::start().expect("Xvfb starts (`cargo xtask ci` installs it)");

    // Clicked by selector: refused by Tauri (the bridge marks the page), never counted.
    {
        let window = driven(xvfb.name(), &[&capability]);
        window.click("#inc").unwrap();
        let deadline = std::time::Instant::now() + ROUND_TRIP;
        let error = loop {
            let error = window.execute(BRIDGE_ERROR).unwrap();
            if !error.is_null() || std::time::Instant::now() > deadline {
                break error;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let error = error.as_str().unwrap_or_default().to_owned();
        assert!(
            error.contains("not allowed"),
            "the click is refused by the capability: {error:?}"
        );
        assert_eq!(window.execute(COUNT).unwrap(), json!("0"));
    }

    // A host update, pushed as an event the page is allowed to listen to: the page is alive
    // and patched under the same capability.
    let mut preview = Preview::spawn(preview_binary(), &[&capability], xvfb.name());
    preview.wait_for("the page loading", START, |line| {
        line.starts_with("motif preview: page loaded: ")
    });
    let window = Window::wait_for(xvfb.name(), "Motif preview: counter", START);
    let before = poll(START, "the panel to be drawn", || {
        let shot = window.screenshot(dir.path(), "before");
        (shot.dark_pixels(HEADING) > 0 && shot.dark_pixels(CONTROLS) > 0).then_some(shot)
    });
    preview.send("increment");
    let pushed = preview.wait_for("the pushed update", ROUND_TRIP, |line| {
        line.starts_with("motif preview: dispatch increment -> ")
    });
    assert!(
        pushed.contains(r#"{"op":"text","path":[0,1,0],"text":"1"}"#),
        "{pushed}"
    );
    poll(ROUND_TRIP, "the pushed patches to be drawn", || {
        let shot = window.screenshot(dir.path(), "pushed");
        (shot.pixels(HEADING) != before.pixels(HEADING)).then_some(())
    });
}

/// Calls `attempt` until it returns something, at most for `timeout`.
fn poll<T>(timeout: Duration, what: &str, mut attempt: impl FnMut() -> Option<T>) -> T {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        if let Some(done) = attempt() {
            return done;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
