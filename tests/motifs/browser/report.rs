//! The quickstart's report, opened from disk in headless Chromium as a user opens it: styled
//! by the stylesheet written beside it, with its two charts drawn in the theme's colours.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};
use symphony_motifs::theme::{ThemeKind, ThemeStyle};
use symphony_tests::extension::example_binary;

use super::webdriver::Browser;

/// The colour of the `size`×`size` pixels at (`x`, `y`) of the PNG at `path`, averaged, as
/// `#rrggbb` (ImageMagick, which `cargo xtask ci` installs).
fn colour_at(path: &Path, x: i64, y: i64, size: i64) -> String {
    let output = Command::new("convert")
        .arg(path)
        .args([
            "-crop",
            &format!("{size}x{size}+{}+{}", x - size / 2, y - size / 2),
        ])
        .args([
            "+repage",
            "-scale",
            "1x1!",
            "-format",
            "%[hex:u.p{0,0}]",
            "info:",
        ])
        .output()
        .expect("ImageMagick's convert runs (apt-get install imagemagick)");
    assert!(output.status.success(), "convert failed: {output:?}");
    format!(
        "#{}",
        String::from_utf8_lossy(&output.stdout)
            .trim()
            .to_ascii_lowercase()
    )
}

/// The centre of the first element matching `css`, in viewport pixels.
fn centre(browser: &Browser, css: &str) -> (i64, i64) {
    let at = browser.eval(&format!(
        "const r = document.querySelector({}).getBoundingClientRect();
         return [Math.round(r.x + r.width / 2), Math.round(r.y + r.height / 2)]",
        json!(css)
    ));
    let coordinate = |i: usize| at[i].as_i64().unwrap_or_else(|| panic!("no {css}: {at}"));
    (coordinate(0), coordinate(1))
}

#[test]
fn the_quickstart_report_draws_its_charts_in_the_theme_colours() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.html");
    let run = Command::new(example_binary("quickstart"))
        .arg("--quiet")
        .arg("--out")
        .arg(&report)
        .env_remove("SYMPHONY_ORT_LIBRARY")
        .output()
        .expect("the quickstart runs");
    assert!(run.status.success(), "{run:?}");
    assert!(
        dir.path().join("motifs.css").is_file(),
        "the stylesheet is beside the report"
    );

    let browser = Browser::start();
    browser.resize(1280, 1000);
    browser.open(&format!("file://{}", report.display()));
    browser.wait_for(
        "return document.querySelectorAll('#class-chart rect.sym-bar').length",
        &json!(3),
    );
    // Styled from the file beside it: the page font is the theme's, not the browser's serif.
    let font = browser.eval("return getComputedStyle(document.body).fontFamily");
    assert!(
        font.as_str()
            .is_some_and(|font| font.starts_with("system-ui")),
        "{font}"
    );
    assert_eq!(
        browser.eval("return document.querySelectorAll('#petal-chart circle.sym-point').length"),
        json!(30),
        "one dot per scored row"
    );

    let shot = dir.path().join("report.png");
    browser.screenshot(&shot);
    if let Some(keep) = std::env::var_os("SYMPHONY_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).expect("the screenshot is kept");
    }
    let light = ThemeStyle::of_kind(ThemeKind::Light).properties;
    let (x, y) = centre(&browser, "#class-chart rect.sym-bar");
    assert_eq!(
        colour_at(&shot, x, y, 4),
        light["--sym-chart-1"],
        "the first bar is drawn in series colour 1 at ({x}, {y})"
    );
    // Each predicted class has its colour in the scatter plot.
    for series in 1..=3 {
        let css = format!("#petal-chart circle.sym-series-{series}");
        let (x, y) = centre(&browser, &css);
        assert_eq!(
            colour_at(&shot, x, y, 2),
            light[&format!("--sym-chart-{series}")],
            "{css} at ({x}, {y})"
        );
    }
    let (x, y) = (5, 5);
    assert_eq!(colour_at(&shot, x, y, 2), light["--sym-color-background"]);
    let error = browser
        .eval("return document.getElementById('motif-root').getAttribute('data-motif-error')");
    assert_eq!(error, Value::Null);
}
