//! Line charts: each series' points joined in order.

use super::scatter::{ScatterChart, plot};
use crate::view::{Element, Node};

/// A line chart: each series is `(x, y)` points joined in the order given, with a dot at
/// each. Points that are not finite are left out (the line joins its neighbours).
///
/// ```
/// use symphony_motifs::chart::LineChart;
/// use symphony_motifs::view::View;
///
/// let chart = LineChart::new("Latency")
///     .x_label("request")
///     .y_label("ms")
///     .series("p50", [(1.0, 12.0), (2.0, 9.5), (3.0, 11.0)]);
/// let html = View::new(chart).unwrap().to_html();
/// assert!(html.contains(r#"<path class="sym-line sym-series-1" d="M"#), "{html}");
/// ```
#[derive(Debug, Clone, Default)]
pub struct LineChart(ScatterChart);

impl LineChart {
    /// An empty chart titled `title`.
    pub fn new(title: impl Into<String>) -> LineChart {
        LineChart(ScatterChart::new(title))
    }

    /// A series named `name` of `(x, y)` points, joined in this order.
    #[must_use]
    pub fn series(
        self,
        name: impl Into<String>,
        points: impl IntoIterator<Item = (f64, f64)>,
    ) -> LineChart {
        LineChart(self.0.series(name, points))
    }

    /// The x axis's title.
    #[must_use]
    pub fn x_label(self, label: impl Into<String>) -> LineChart {
        LineChart(self.0.x_label(label))
    }

    /// The y axis's title.
    #[must_use]
    pub fn y_label(self, label: impl Into<String>) -> LineChart {
        LineChart(self.0.y_label(label))
    }
}

impl From<LineChart> for Element {
    fn from(chart: LineChart) -> Element {
        plot(chart.0, true)
    }
}

impl From<LineChart> for Node {
    fn from(chart: LineChart) -> Node {
        Element::from(chart).into()
    }
}
