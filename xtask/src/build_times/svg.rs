//! The bar chart of the measurements as a standalone SVG: one group per kind, one bar per
//! configuration, bar length proportional to wall time, each labelled with its time and
//! crate count. Written by hand: a few rects and texts need no plotting library.

use std::fmt::Write as _;

use super::kinds::Config;
use super::report::{KindResult, describe, format_secs};

const WIDTH: f64 = 760.0;
const LABEL_WIDTH: f64 = 210.0;
const VALUE_WIDTH: f64 = 150.0;
const BAR_HEIGHT: f64 = 22.0;
const BAR_GAP: f64 = 6.0;
const GROUP_GAP: f64 = 26.0;
const TOP: f64 = 56.0;

fn colour(config: Config) -> &'static str {
    match config {
        Config::Direct => "#2a7ab0",
        Config::OneFeature => "#57b06f",
        Config::Full => "#d0743c",
    }
}

/// The chart for `results` as SVG text.
pub(crate) fn chart(results: &[KindResult]) -> String {
    let longest = results
        .iter()
        .flat_map(|result| &result.builds)
        .map(|(_, measured)| measured.wall.as_secs_f64())
        .fold(0.0, f64::max);
    let scale = if longest > 0.0 {
        (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / longest
    } else {
        0.0
    };
    let bars: usize = results.iter().map(|result| result.builds.len()).sum();
    let height =
        TOP + bars as f64 * (BAR_HEIGHT + BAR_GAP) + results.len() as f64 * GROUP_GAP + 40.0;

    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" \
         viewBox=\"0 0 {WIDTH} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"12\" y=\"24\" font-size=\"15\" font-weight=\"bold\">Clean debug build of one \
         example extension per kind: wall time</text>\n"
    );
    legend(&mut svg);
    let mut y = TOP;
    for result in results {
        let _ = writeln!(
            svg,
            "<text x=\"12\" y=\"{:.1}\" font-weight=\"bold\">{} ({})</text>",
            y + 12.0,
            escape(result.kind.name),
            escape(result.kind.example)
        );
        y += 18.0;
        for (config, measured) in &result.builds {
            let length = measured.wall.as_secs_f64() * scale;
            let _ = writeln!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\n\
                 <rect x=\"{LABEL_WIDTH}\" y=\"{y:.1}\" width=\"{length:.1}\" height=\"{BAR_HEIGHT}\" fill=\"{}\"/>\n\
                 <text x=\"{:.1}\" y=\"{:.1}\">{} · {} crates</text>",
                LABEL_WIDTH - 8.0,
                y + 15.0,
                escape(&describe(result.kind, *config)),
                colour(*config),
                LABEL_WIDTH + length + 6.0,
                y + 15.0,
                escape(&format_secs(measured.wall)),
                measured.crates
            );
            y += BAR_HEIGHT + BAR_GAP;
        }
        y += GROUP_GAP - 18.0;
    }
    svg.push_str("</svg>\n");
    svg
}

fn legend(svg: &mut String) {
    let mut x = 12.0;
    for (config, label) in [
        (Config::Direct, "focused crate"),
        (Config::OneFeature, "umbrella, one feature"),
        (Config::Full, "umbrella, full"),
    ] {
        let _ = writeln!(
            svg,
            "<rect x=\"{x:.1}\" y=\"34\" width=\"12\" height=\"12\" fill=\"{}\"/>\
             <text x=\"{:.1}\" y=\"44\">{label}</text>",
            colour(config),
            x + 16.0
        );
        x += 180.0;
    }
}

/// Escapes text for an SVG text node (the bench report's chart uses it too).
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::build_times::kinds::KINDS;
    use crate::build_times::measure::Measurement;

    #[test]
    fn bars_are_proportional_to_wall_time_and_labelled() {
        let measurement = |secs: u64| Measurement {
            wall: Duration::from_secs(secs),
            cpu: None,
            crates: 7,
            target_bytes: 1,
        };
        let results = [KindResult {
            kind: KINDS[0],
            builds: vec![
                (Config::Direct, measurement(100)),
                (Config::Full, measurement(400)),
            ],
        }];
        let svg = chart(&results);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.ends_with("</svg>\n"));
        let full_width = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
        assert!(svg.contains(&format!(
            "width=\"{:.1}\" height=\"{BAR_HEIGHT}\" fill=\"#d0743c\"",
            full_width
        )));
        assert!(svg.contains(&format!(
            "width=\"{:.1}\" height=\"{BAR_HEIGHT}\" fill=\"#2a7ab0\"",
            full_width / 4.0
        )));
        assert!(svg.contains(">100.0 s · 7 crates<"));
        assert!(svg.contains(">symphony [full]<"));
        assert_eq!(
            svg.matches("<rect").count(),
            1 + 3 + 2,
            "background, legend, bars"
        );
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a<b & c>"), "a&lt;b &amp; c&gt;");
    }
}
