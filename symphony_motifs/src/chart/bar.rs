//! Bar charts: categories along x, one bar per series in each category.

use super::frame::{BOTTOM, Frame, LEFT, RIGHT, TICKS, TOP, XAxis, series_class};
use super::scale::Scale;
use super::{coordinate, format_number};
use crate::view::{Element, Node, el};

/// A bar chart: `categories` along the x axis, and for each series a bar per category
/// (grouped side by side when there are several series). The y axis starts at zero.
///
/// ```
/// use symphony_motifs::chart::BarChart;
/// use symphony_motifs::view::View;
///
/// let chart = BarChart::new("Rows per file")
///     .categories(["a.csv", "b.csv"])
///     .series("kept", [120.0, 80.0])
///     .series("dropped", [4.0, 11.0])
///     .y_label("rows");
/// let html = View::new(chart).unwrap().to_html();
/// assert_eq!(html.matches("<rect class=\"sym-bar ").count(), 4);
/// assert!(html.contains(">dropped</text>"), "the legend names each series");
/// ```
#[derive(Debug, Clone, Default)]
pub struct BarChart {
    title: String,
    categories: Vec<String>,
    series: Vec<(String, Vec<f64>)>,
    x_label: Option<String>,
    y_label: Option<String>,
}

impl BarChart {
    /// An empty chart titled `title`.
    pub fn new(title: impl Into<String>) -> BarChart {
        BarChart {
            title: title.into(),
            ..BarChart::default()
        }
    }

    /// The categories, in order along the x axis.
    #[must_use]
    pub fn categories<I>(mut self, categories: I) -> BarChart
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.categories = categories.into_iter().map(Into::into).collect();
        self
    }

    /// A series named `name`: one value per category, in order (missing ones draw no bar;
    /// values that are not finite draw none either).
    #[must_use]
    pub fn series(
        mut self,
        name: impl Into<String>,
        values: impl IntoIterator<Item = f64>,
    ) -> BarChart {
        self.series
            .push((name.into(), values.into_iter().collect()));
        self
    }

    /// The x axis's title.
    #[must_use]
    pub fn x_label(mut self, label: impl Into<String>) -> BarChart {
        self.x_label = Some(label.into());
        self
    }

    /// The y axis's title.
    #[must_use]
    pub fn y_label(mut self, label: impl Into<String>) -> BarChart {
        self.y_label = Some(label.into());
        self
    }
}

impl From<BarChart> for Element {
    fn from(chart: BarChart) -> Element {
        let values = chart
            .series
            .iter()
            .flat_map(|(_, values)| values.iter().copied());
        let y = Scale::covering(values, Some(0.0), (BOTTOM, TOP), TICKS);
        let band = (RIGHT - LEFT) / chart.categories.len().max(1) as f64;
        let groups = chart.series.len().max(1) as f64;
        let bar_width = band * 0.7 / groups;
        let mut marks: Vec<Node> = Vec::new();
        for (index, (name, values)) in chart.series.iter().enumerate() {
            for (slot, (category, value)) in chart.categories.iter().zip(values).enumerate() {
                if !value.is_finite() {
                    continue;
                }
                let x = LEFT + band * slot as f64 + band * 0.15 + bar_width * index as f64;
                let (top, bottom) = (y.at(value.max(0.0)), y.at(value.min(0.0)));
                marks.push(
                    el("rect")
                        .attr("class", ["sym-bar ", series_class(index)].concat())
                        .attr("x", coordinate(x))
                        .attr("y", coordinate(top))
                        .attr("width", coordinate(bar_width))
                        .attr("height", coordinate((bottom - top).max(0.0)))
                        .child(
                            el("title")
                                .child(format!("{name}, {category}: {}", format_number(*value))),
                        )
                        .into(),
                );
            }
        }
        let centres = chart
            .categories
            .iter()
            .enumerate()
            .map(|(slot, name)| (name.as_str(), LEFT + band * (slot as f64 + 0.5)))
            .collect();
        let headers = std::iter::once(
            chart
                .x_label
                .clone()
                .unwrap_or_else(|| "category".to_owned()),
        )
        .chain(chart.series.iter().map(|(name, _)| name.clone()))
        .collect();
        let rows = chart
            .categories
            .iter()
            .enumerate()
            .map(|(slot, category)| {
                std::iter::once(category.clone())
                    .chain(chart.series.iter().map(|(_, values)| {
                        values
                            .get(slot)
                            .map(|v| format_number(*v))
                            .unwrap_or_default()
                    }))
                    .collect()
            })
            .collect();
        Frame {
            title: &chart.title,
            x_label: chart.x_label.as_deref(),
            y_label: chart.y_label.as_deref(),
            legend: chart.series.iter().map(|(name, _)| name.as_str()).collect(),
            table: (headers, rows),
        }
        .figure(XAxis::Categories(centres), &y, marks)
    }
}

impl From<BarChart> for Node {
    fn from(chart: BarChart) -> Node {
        Element::from(chart).into()
    }
}
