//! The report as an SVG bar chart, written by hand: one bar per target, scaled so that the
//! target's limit is the same vertical line for every row.

use std::fmt::Write;

use super::Row;
use crate::build_times::svg::escape;

const WIDTH: f64 = 900.0;
const LABEL: f64 = 360.0;
const ROW: f64 = 26.0;
/// The bar length that stands for a figure at its limit.
const LIMIT_AT: f64 = 300.0;

/// The chart of `rows`, titled with the machine's load.
pub(super) fn svg(rows: &[Row], load: &str) -> String {
    let height = 70.0 + ROW * rows.len() as f64;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(
        out,
        r#"<text x="10" y="20" font-size="14">Benchmarks against DESIGN.md targets (bar: share of the limit; line: the limit). Load: {}</text>"#,
        escape(load)
    );
    let limit_x = LABEL + LIMIT_AT;
    let _ = writeln!(
        out,
        r##"<line x1="{limit_x}" y1="32" x2="{limit_x}" y2="{}" stroke="#333" stroke-dasharray="4 3"/>"##,
        height - 10.0
    );
    for (index, row) in rows.iter().enumerate() {
        let y = 40.0 + ROW * index as f64;
        let _ = writeln!(
            out,
            r#"<text x="10" y="{}">{}</text>"#,
            y + 14.0,
            escape(row.target.what)
        );
        match row.value {
            Some(value) => {
                let share = row.target.limit.load(value);
                let length = (share * LIMIT_AT).clamp(1.0, WIDTH - LABEL - 90.0);
                let colour = if row.target.limit.met(value) {
                    "#3a7d44"
                } else {
                    "#c0392b"
                };
                let _ = writeln!(
                    out,
                    r#"<rect x="{LABEL}" y="{}" width="{length:.1}" height="{}" fill="{colour}"/>"#,
                    y + 2.0,
                    ROW - 8.0
                );
                let _ = writeln!(
                    out,
                    r#"<text x="{:.1}" y="{}">{}</text>"#,
                    LABEL + length + 6.0,
                    y + 14.0,
                    escape(&row.shown())
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    r##"<text x="{LABEL}" y="{}" fill="#888">not measured</text>"##,
                    y + 14.0
                );
            }
        }
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::contract::TARGETS;

    #[test]
    fn bars_are_green_inside_the_limit_and_red_past_it() {
        let csv = TARGETS
            .iter()
            .find(|t| t.what.starts_with("CSV operator"))
            .expect("csv target");
        let rows = [
            Row {
                target: csv,
                value: Some(0.95),
            },
            Row {
                target: csv,
                value: Some(0.5),
            },
            Row {
                target: csv,
                value: None,
            },
        ];
        let svg = svg(&rows, "load <1>");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
        assert_eq!(svg.matches("#3a7d44").count(), 1, "{svg}");
        assert_eq!(svg.matches("#c0392b").count(), 1, "{svg}");
        assert!(svg.contains("not measured"));
        assert!(svg.contains("load &lt;1&gt;"));
    }
}
