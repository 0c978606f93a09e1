//! What every chart shares: the SVG canvas, title, grid, axes, axis titles, legend, and the
//! figures as a hidden table for screen readers.

use super::coordinate;
use super::format_number;
use super::scale::Scale;
use crate::view::{Element, Node, el};

/// The canvas, in SVG user units (the SVG scales to its container).
pub(super) const WIDTH: f64 = 560.0;
pub(super) const HEIGHT: f64 = 320.0;
/// The plotting area inside it: room for the title above, tick labels and the y title to
/// the left, tick labels, the x title and the legend below.
pub(super) const LEFT: f64 = 64.0;
pub(super) const RIGHT: f64 = WIDTH - 16.0;
pub(super) const TOP: f64 = 40.0;
pub(super) const BOTTOM: f64 = HEIGHT - 76.0;

/// Ticks to aim for on each axis.
pub(super) const TICKS: usize = 5;

/// The class of series `index` (0-based): `sym-series-1` … `sym-series-6`, then again.
pub(super) fn series_class(index: usize) -> &'static str {
    const CLASSES: [&str; super::SERIES_COLORS] = [
        "sym-series-1",
        "sym-series-2",
        "sym-series-3",
        "sym-series-4",
        "sym-series-5",
        "sym-series-6",
    ];
    CLASSES[index % CLASSES.len()]
}

/// A chart's labels and data table, around the marks a chart type draws.
pub(super) struct Frame<'a> {
    pub(super) title: &'a str,
    pub(super) x_label: Option<&'a str>,
    pub(super) y_label: Option<&'a str>,
    pub(super) legend: Vec<&'a str>,
    /// Column headers and rows of the hidden table.
    pub(super) table: (Vec<String>, Vec<Vec<String>>),
}

impl Frame<'_> {
    /// The `<figure>`: the SVG (`role="img"`, named by the title) holding the grid and axes
    /// of `y` (and of `x` when numeric; else `x_categories` under their centres), `marks`,
    /// and the legend; then the data table, visually hidden.
    pub(super) fn figure(
        self,
        x: XAxis<'_>,
        y: &Scale,
        marks: impl IntoIterator<Item = Node>,
    ) -> Element {
        let mut grid = el("g")
            .attr("class", "sym-grid")
            .attr("aria-hidden", "true");
        let mut axis = el("g")
            .attr("class", "sym-axis")
            .attr("aria-hidden", "true");
        for tick in y.ticks() {
            let at = coordinate(y.at(tick));
            grid = grid.child(line(LEFT, &at, RIGHT, &at));
            axis =
                axis.child(label(LEFT - 8.0, y.at(tick) + 4.0, "end").child(format_number(tick)));
        }
        match x {
            XAxis::Numeric(x) => {
                for tick in x.ticks() {
                    let at = coordinate(x.at(tick));
                    grid = grid.child(
                        el("line")
                            .attr("x1", at.clone())
                            .attr("y1", coordinate(TOP))
                            .attr("x2", at)
                            .attr("y2", coordinate(BOTTOM)),
                    );
                    axis = axis.child(
                        label(x.at(tick), BOTTOM + 18.0, "middle").child(format_number(tick)),
                    );
                }
            }
            XAxis::Categories(names) => {
                for (name, centre) in names {
                    axis =
                        axis.child(label(centre, BOTTOM + 18.0, "middle").child(name.to_owned()));
                }
            }
        }
        axis = axis
            .child(line(LEFT, &coordinate(BOTTOM), RIGHT, &coordinate(BOTTOM)))
            .child(
                el("line")
                    .attr("x1", coordinate(LEFT))
                    .attr("y1", coordinate(TOP))
                    .attr("x2", coordinate(LEFT))
                    .attr("y2", coordinate(BOTTOM)),
            );
        let mut svg = el("svg")
            .attr("class", "sym-chart")
            .attr("viewBox", format!("0 0 {WIDTH} {HEIGHT}"))
            .attr("width", format_number(WIDTH))
            .attr("height", format_number(HEIGHT))
            .attr("role", "img")
            .attr("aria-label", self.title.to_owned())
            .child(el("title").child(self.title.to_owned()))
            .child(
                el("text")
                    .attr("class", "sym-chart-title")
                    .attr("x", coordinate(LEFT))
                    .attr("y", "22")
                    .child(self.title.to_owned()),
            )
            .child(grid)
            .child(axis)
            .child(el("g").attr("class", "sym-marks").children(marks));
        if let Some(x_label) = self.x_label {
            svg = svg.child(
                label((LEFT + RIGHT) / 2.0, BOTTOM + 38.0, "middle")
                    .attr("class", "sym-axis-label")
                    .child(x_label.to_owned()),
            );
        }
        if let Some(y_label) = self.y_label {
            svg = svg.child(
                el("text")
                    .attr("class", "sym-axis-label")
                    .attr("text-anchor", "middle")
                    .attr("transform", "rotate(-90)")
                    .attr("x", coordinate(-(TOP + BOTTOM) / 2.0))
                    .attr("y", "16")
                    .child(y_label.to_owned()),
            );
        }
        svg = svg.child(legend(&self.legend));
        el("figure")
            .attr("class", "sym-chart-figure")
            .child(svg)
            .child(data_table(self.title, self.table))
    }
}

/// The x axis: numeric (line, scatter) or categories at given centres (bars).
pub(super) enum XAxis<'a> {
    Numeric(&'a Scale),
    Categories(Vec<(&'a str, f64)>),
}

fn line(x1: f64, y1: &str, x2: f64, y2: &str) -> Element {
    el("line")
        .attr("x1", coordinate(x1))
        .attr("y1", y1.to_owned())
        .attr("x2", coordinate(x2))
        .attr("y2", y2.to_owned())
}

fn label(x: f64, y: f64, anchor: &'static str) -> Element {
    el("text")
        .attr("x", coordinate(x))
        .attr("y", coordinate(y))
        .attr("text-anchor", anchor)
}

/// A swatch and a name per series, left to right under the plot.
fn legend(names: &[&str]) -> Element {
    let mut legend = el("g")
        .attr("class", "sym-legend")
        .attr("aria-hidden", "true");
    let mut x = LEFT;
    let y = HEIGHT - 14.0;
    for (index, name) in names.iter().enumerate() {
        legend = legend
            .child(
                el("rect")
                    .attr("class", series_class(index))
                    .attr("x", coordinate(x))
                    .attr("y", coordinate(y - 9.0))
                    .attr("width", "10")
                    .attr("height", "10"),
            )
            .child(
                el("text")
                    .attr("x", coordinate(x + 14.0))
                    .attr("y", coordinate(y))
                    .child((*name).to_owned()),
            );
        // About 7 units per character at the legend's 12px.
        x += 14.0 + 7.0 * name.chars().count() as f64 + 18.0;
    }
    legend
}

fn data_table(title: &str, (headers, rows): (Vec<String>, Vec<Vec<String>>)) -> Element {
    el("table")
        .attr("class", "sym-visually-hidden")
        .child(el("caption").child(title.to_owned()))
        .child(
            el("thead").child(
                el("tr").children(
                    headers
                        .into_iter()
                        .map(|header| el("th").attr("scope", "col").child(header)),
                ),
            ),
        )
        .child(
            el("tbody")
                .children(rows.into_iter().map(|row| {
                    el("tr").children(row.into_iter().map(|cell| el("td").child(cell)))
                })),
        )
}
