//! Charts as SVG view nodes: [`BarChart`], [`LineChart`] and [`ScatterChart`], with axes,
//! tick labels, axis titles and a legend.
//!
//! A chart is built from data into ordinary view nodes (`<svg>`, `<rect>`, `<circle>`,
//! `<path>`, `<text>`), so it goes through the same allow-list, escaping and URL rules as
//! every view: labels are text nodes, never markup. Colours come from the theme's
//! `chart-1` … `chart-6` tokens through `sym-series-N` classes (the default stylesheet), so a
//! theme change recolours a chart without re-rendering it. Each chart is an image to
//! assistive technology (`role="img"`, named by its title) and carries its figures as a
//! visually hidden table.
//!
//! ```
//! use symphony_motifs::chart::BarChart;
//! use symphony_motifs::view::View;
//!
//! let chart = BarChart::new("Predicted classes")
//!     .categories(["setosa", "versicolor", "virginica"])
//!     .series("rows", [3.0, 5.0, 2.0])
//!     .y_label("rows");
//! let html = View::new(chart).unwrap().to_html();
//! assert!(html.starts_with(r#"<figure class="sym-chart-figure"><svg"#), "{html}");
//! assert_eq!(html.matches(r#"<rect class="sym-bar sym-series-1""#).count(), 3);
//! ```

mod bar;
mod frame;
mod line;
mod scale;
mod scatter;

pub use bar::BarChart;
pub use line::LineChart;
pub use scatter::ScatterChart;

/// How many series colours the theme defines (`chart-1` … `chart-6`); series beyond cycle.
pub const SERIES_COLORS: usize = 6;

/// A number as a chart labels it: at most 3 decimals, no trailing zeros, no `-0`.
pub(crate) fn format_number(value: f64) -> String {
    if !value.is_finite() {
        return String::new();
    }
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// A coordinate in the SVG: one decimal is plenty at any size.
fn coordinate(value: f64) -> String {
    format_number((value * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short() {
        assert_eq!(format_number(2.0), "2");
        assert_eq!(format_number(0.1 + 0.2), "0.3");
        assert_eq!(format_number(-0.0001), "0");
        assert_eq!(format_number(1234.5), "1234.5");
        assert_eq!(format_number(f64::NAN), "");
    }
}
