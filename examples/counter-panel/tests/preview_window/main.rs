//! The `counter-panel-preview` binary in a real window: a real X server (Xvfb), Tauri 2 and
//! WebKitGTK, the page served from `motif://`, real key events typed with xdotool, and
//! screenshots of what the window shows; host-initiated updates typed on the preview's
//! console.
//!
//! Input comes both ways a user gives it: keys (Tab to the `+` button, whatever the fonts
//! make of the layout, and Space, which makes the WebView fire a DOM `click`) and a mouse
//! click on a link found by its colour in the screenshot.
//!
//! WebKitGTK needs no special environment under Xvfb here (it falls back to software
//! rendering by itself); the test sets only `DISPLAY`.

mod preview;
mod screen;
mod xvfb;

use std::path::Path;
use std::time::Duration;

use preview::Preview;
use screen::{Region, Window};
use xvfb::Xvfb;

/// Generous bounds for a shared 2-core machine; every wait polls and ends as soon as it can.
const START: Duration = Duration::from_secs(60);
const ROUND_TRIP: Duration = Duration::from_secs(20);

/// Where the panel draws (window coordinates; the default stylesheet's 8 px body margin,
/// a 2em heading, one row of controls, then the history list). Generous on purpose: only
/// which region changes matters, not exact positions.
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
const HISTORY: Region = Region {
    x: 0,
    y: 110,
    width: 400,
    height: 100,
};

#[test]
fn the_preview_window_shows_the_motif_and_round_trips_events() {
    // Built by the same cargo invocation as this test (required feature `preview`), so the
    // Tauri it links is the one the rest of the workspace test build uses.
    let binary = Path::new(env!("CARGO_BIN_EXE_counter-panel-preview"));
    let shots = tempfile::Builder::new()
        .prefix("motif-preview-")
        .tempdir()
        .expect("a screenshot directory");
    let xvfb = Xvfb::start();
    let mut preview = Preview::spawn(binary, &[], xvfb.display());

    // Rendered: the page loaded from motif:// and its text shows in the mapped window.
    preview.wait_for("the page loading", START, |line| {
        line == "motif preview: page loaded: motif://symphony.preview/.page/counter"
    });
    let window = Window::wait_for(xvfb.display(), "Motif preview: counter", START);
    let before = poll(START, "the panel to be drawn", || {
        let shot = window.screenshot(shots.path(), "before");
        let drawn = shot.dark_pixels(HEADING) > 0 && shot.dark_pixels(CONTROLS) > 0;
        drawn.then_some(shot)
    });
    assert_eq!(
        before.dark_pixels(HISTORY),
        0,
        "the history starts empty: {}",
        before.png.display()
    );

    // Tab, Tab: the `+` button (after `−`); Space clicks it. The click reaches
    // `Counter::update` through the bridge and the plugin's `event` command…
    window.press(&["Tab", "Tab", "space"]);
    let update = preview.wait_for("the `+` click", ROUND_TRIP, |line| {
        line.starts_with(r#"motif preview: counter: {"type":"event","event":"click","path":[2]"#)
    });
    assert!(
        update.contains(r#"{"op":"text","path":[0,1,0],"text":"1"}"#)
            && update.contains(r#"{"op":"insert","path":[5],"index":0"#),
        "the count becomes 1 and a history entry is inserted: {update}"
    );
    // …and its patches change what the window shows: the count and a new history entry.
    let after = poll(ROUND_TRIP, "the patched panel to be drawn", || {
        let shot = window.screenshot(shots.path(), "after");
        let patched =
            shot.pixels(HEADING) != before.pixels(HEADING) && shot.dark_pixels(HISTORY) > 0;
        patched.then_some(shot)
    });

    // The mouse, on what the screen shows: the inserted entry's `×` link is the only
    // link-blue text. That link exists only in the patched DOM, and the click's path names
    // it there.
    let (x, y) = after
        .centre_of(HISTORY, |[r, g, b]| r < 64 && g < 64 && b > 192)
        .unwrap_or_else(|| panic!("no link-blue `×` in {}", after.png.display()));
    window.click(x, y);
    let forget = preview.wait_for("the `×` click", ROUND_TRIP, |line| {
        line.starts_with(
            r#"motif preview: counter: {"type":"event","event":"click","path":[5,0,1]}"#,
        )
    });
    assert!(
        forget.ends_with(r#"-> [{"op":"remove","path":[5,0]}]"#),
        "forgetting removes the entry: {forget}"
    );
    let forgotten = poll(ROUND_TRIP, "the entry to disappear", || {
        let shot = window.screenshot(shots.path(), "forgotten");
        (shot.dark_pixels(HISTORY) == 0).then_some(shot)
    });

    // An update the host starts (typed on the preview's console): its patches reach the
    // page as the plugin's event, which the bridge listens to.
    preview.send("increment");
    let pushed = preview.wait_for("the pushed update", ROUND_TRIP, |line| {
        line.starts_with("motif preview: dispatch increment -> ")
    });
    assert!(
        pushed.contains(r#"{"op":"text","path":[0,1,0],"text":"2"}"#),
        "the count becomes 2: {pushed}"
    );
    poll(ROUND_TRIP, "the pushed patches to be drawn", || {
        let shot = window.screenshot(shots.path(), "pushed");
        let patched =
            shot.pixels(HEADING) != forgotten.pixels(HEADING) && shot.dark_pixels(HISTORY) > 0;
        patched.then_some(())
    });

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
    let binary = Path::new(env!("CARGO_BIN_EXE_counter-panel-preview"));
    let dir = tempfile::tempdir().expect("a temporary directory");
    let capability = dir.path().join("listen-only.json");
    std::fs::write(
        &capability,
        r#"{"identifier": "listen-only", "windows": ["preview"],
            "permissions": ["core:event:allow-listen"]}"#,
    )
    .expect("the capability is written");
    let xvfb = Xvfb::start();
    let mut preview = Preview::spawn(binary, &[&capability], xvfb.display());
    preview.wait_for("the page loading", START, |line| {
        line.starts_with("motif preview: page loaded: ")
    });
    let window = Window::wait_for(xvfb.display(), "Motif preview: counter", START);
    let before = poll(START, "the panel to be drawn", || {
        let shot = window.screenshot(dir.path(), "before");
        (shot.dark_pixels(HEADING) > 0 && shot.dark_pixels(CONTROLS) > 0).then_some(shot)
    });

    // The `+` click (as in the test above) is refused: the motif never sees it.
    window.press(&["Tab", "Tab", "space"]);
    std::thread::sleep(Duration::from_secs(3));
    // A host update, pushed as an event the page is allowed to listen to: the page is alive
    // and patched, so the click was stopped by the capability, not lost on the way.
    preview.send("increment");
    let pushed = preview.wait_for("the pushed update", ROUND_TRIP, |line| {
        line.starts_with("motif preview: dispatch increment -> ")
    });
    assert!(
        pushed.contains(r#"{"op":"text","path":[0,1,0],"text":"1"}"#),
        "the refused click did not count, so the host's increment makes 1: {pushed}"
    );
    let clicks: Vec<&String> = preview
        .printed()
        .iter()
        .filter(|line| line.starts_with("motif preview: counter: "))
        .collect();
    assert!(clicks.is_empty(), "a bridge event got through: {clicks:?}");
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
