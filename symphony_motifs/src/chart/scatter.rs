//! Scatter plots: points on two numeric axes, a colour per series.

use super::frame::{BOTTOM, Frame, LEFT, RIGHT, TICKS, TOP, XAxis, series_class};
use super::scale::Scale;
use super::{coordinate, format_number};
use crate::view::{Element, Node, el};

/// A scatter plot: each series is a set of `(x, y)` points drawn as dots in its colour.
/// Points that are not finite are left out.
///
/// ```
/// use symphony_motifs::chart::ScatterChart;
/// use symphony_motifs::view::View;
///
/// let chart = ScatterChart::new("Petals")
///     .x_label("petal length (cm)")
///     .y_label("petal width (cm)")
///     .series("setosa", [(1.4, 0.2), (1.3, 0.2)])
///     .series("virginica", [(6.0, 2.5)]);
/// let html = View::new(chart).unwrap().to_html();
/// assert_eq!(html.matches("<circle class=\"sym-point sym-series-1\"").count(), 2);
/// assert_eq!(html.matches("<circle class=\"sym-point sym-series-2\"").count(), 1);
/// ```
#[derive(Debug, Clone, Default)]
pub struct ScatterChart {
    pub(super) title: String,
    pub(super) series: Vec<(String, Vec<(f64, f64)>)>,
    pub(super) x_label: Option<String>,
    pub(super) y_label: Option<String>,
}

impl ScatterChart {
    /// An empty chart titled `title`.
    pub fn new(title: impl Into<String>) -> ScatterChart {
        ScatterChart {
            title: title.into(),
            ..ScatterChart::default()
        }
    }

    /// A series named `name` of `(x, y)` points.
    #[must_use]
    pub fn series(
        mut self,
        name: impl Into<String>,
        points: impl IntoIterator<Item = (f64, f64)>,
    ) -> ScatterChart {
        self.series
            .push((name.into(), points.into_iter().collect()));
        self
    }

    /// The x axis's title.
    #[must_use]
    pub fn x_label(mut self, label: impl Into<String>) -> ScatterChart {
        self.x_label = Some(label.into());
        self
    }

    /// The y axis's title.
    #[must_use]
    pub fn y_label(mut self, label: impl Into<String>) -> ScatterChart {
        self.y_label = Some(label.into());
        self
    }
}

/// The scales, marks and table of point series, drawn as dots and, for a line chart, joined.
pub(super) fn plot(chart: ScatterChart, joined: bool) -> Element {
    let finite = |(x, y): &(f64, f64)| x.is_finite() && y.is_finite();
    let points = || {
        chart
            .series
            .iter()
            .flat_map(|(_, points)| points.iter().filter(|p| finite(p)))
    };
    let x = Scale::covering(points().map(|p| p.0), None, (LEFT, RIGHT), TICKS);
    let y = Scale::covering(points().map(|p| p.1), None, (BOTTOM, TOP), TICKS);
    let mut marks: Vec<Node> = Vec::new();
    let mut rows = Vec::new();
    for (index, (name, series)) in chart.series.iter().enumerate() {
        let class = series_class(index);
        let shown: Vec<&(f64, f64)> = series.iter().filter(|p| finite(p)).collect();
        if joined && shown.len() > 1 {
            let path: Vec<String> = shown
                .iter()
                .enumerate()
                .map(|(i, (px, py))| {
                    let verb = if i == 0 { 'M' } else { 'L' };
                    format!("{verb}{} {}", coordinate(x.at(*px)), coordinate(y.at(*py)))
                })
                .collect();
            marks.push(
                el("path")
                    .attr("class", ["sym-line ", class].concat())
                    .attr("d", path.join(" "))
                    .into(),
            );
        }
        for (px, py) in &shown {
            marks.push(
                el("circle")
                    .attr("class", ["sym-point ", class].concat())
                    .attr("cx", coordinate(x.at(*px)))
                    .attr("cy", coordinate(y.at(*py)))
                    .attr("r", if joined { "3" } else { "4" })
                    .into(),
            );
            rows.push(vec![name.clone(), format_number(*px), format_number(*py)]);
        }
    }
    let headers = vec![
        "series".to_owned(),
        chart.x_label.clone().unwrap_or_else(|| "x".to_owned()),
        chart.y_label.clone().unwrap_or_else(|| "y".to_owned()),
    ];
    Frame {
        title: &chart.title,
        x_label: chart.x_label.as_deref(),
        y_label: chart.y_label.as_deref(),
        legend: chart.series.iter().map(|(name, _)| name.as_str()).collect(),
        table: (headers, rows),
    }
    .figure(XAxis::Numeric(&x), &y, marks)
}

impl From<ScatterChart> for Element {
    fn from(chart: ScatterChart) -> Element {
        plot(chart, false)
    }
}

impl From<ScatterChart> for Node {
    fn from(chart: ScatterChart) -> Node {
        Element::from(chart).into()
    }
}
