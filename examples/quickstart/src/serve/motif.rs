//! The motif extension: a results report. The host hands it the scored rows as the state of its
//! `results` component (`methods::motif::Restore`) and asks for the whole page (`Page`); the page
//! comes back with its Content-Security-Policy, and the host decides where it goes. The report
//! is drawn with the SDK's components and charts and styled by its default stylesheet.

use std::process::ExitCode;

use symphony_motifs::Motifs;
use symphony_motifs::chart::{BarChart, ScatterChart};
use symphony_motifs::motif::{Effects, Event, Motif, Placement};
use symphony_motifs::view::{Node, el};

use crate::report::Report;

/// The component's id, as in `extensions/motif.toml`.
pub(crate) const COMPONENT: &str = "results";

/// Shows a [`Report`]: a line about where the rows came from, a bar chart of the predicted
/// classes, a scatter plot of the petals coloured by predicted class, the class counts and
/// every row.
struct ResultsTable;

impl Motif for ResultsTable {
    type State = Report;

    fn placement(&self) -> Placement {
        Placement::Editor
    }

    fn initial_state(&self) -> Report {
        Report::default()
    }

    fn render(&self, report: &Report) -> Node {
        el("main")
            .attr("class", "sym-stack")
            .child(el("h1").child("Iris classification"))
            .child(el("p").attr("id", "source").child(format!(
                "{} rows from {}, scored by the iris classifier on {}.",
                report.rows.len(),
                report.source,
                report.engine
            )))
            .child(
                el("div")
                    .attr("class", "sym-row")
                    .child(class_chart(report))
                    .child(petal_chart(report)),
            )
            .child(counts(report))
            .child(rows(report))
            .into()
    }

    fn update(&self, _: &mut Report, _: &Event) -> Effects {
        // A static report: nothing on the page sends events.
        Effects::none()
    }
}

/// How many rows fell in each class, as bars.
fn class_chart(report: &Report) -> Node {
    let counts = report.class_counts();
    el("div")
        .attr("id", "class-chart")
        .child(
            BarChart::new("Predicted classes")
                .categories(counts.iter().map(|(class, _)| report.class_name(*class)))
                .series("rows", counts.iter().map(|(_, count)| *count as f64))
                .x_label("predicted class")
                .y_label("rows"),
        )
        .into()
}

/// Petal length against petal width, a colour per predicted class.
fn petal_chart(report: &Report) -> Node {
    let mut chart = ScatterChart::new("Petals by predicted class")
        .x_label("petal length (cm)")
        .y_label("petal width (cm)");
    for (class, _) in report.class_counts() {
        let points = report
            .rows
            .iter()
            .filter(|row| row.class == class)
            .map(|row| (f64::from(row.features[2]), f64::from(row.features[3])));
        chart = chart.series(report.class_name(class), points);
    }
    el("div").attr("id", "petal-chart").child(chart).into()
}

fn counts(report: &Report) -> Node {
    el("table")
        .attr("id", "counts")
        .attr("class", "sym-table")
        .child(el("caption").child("Predicted classes"))
        .child(el("thead").child(el("tr").child(header("class")).child(header("rows"))))
        .child(
            el("tbody").children(report.class_counts().into_iter().map(|(class, count)| {
                el("tr")
                    .child(el("td").child(report.class_name(class)))
                    .child(el("td").child(count.to_string()))
            })),
        )
        .into()
}

fn rows(report: &Report) -> Node {
    let columns = [
        "#",
        "name",
        "sepal length",
        "sepal width",
        "petal length",
        "petal width",
        "predicted",
        "probability",
    ];
    el("table")
        .attr("id", "results")
        .attr("class", "sym-table")
        .child(el("caption").child("Every row"))
        .child(el("thead").child(el("tr").children(columns.map(header))))
        .child(
            el("tbody").children(report.rows.iter().enumerate().map(|(index, row)| {
                let number = (index + 1).to_string();
                el("tr")
                    .key(number.clone())
                    .child(el("td").child(number))
                    .child(el("td").child(row.name.clone()))
                    .children(
                        row.features
                            .iter()
                            .map(|value| el("td").child(value.to_string())),
                    )
                    .child(el("td").child(report.class_name(row.class)))
                    .child(el("td").child(format!("{:.1} %", row.probability * 100.0)))
            })),
        )
        .into()
}

fn header(name: &str) -> Node {
    el("th").attr("scope", "col").child(name.to_owned()).into()
}

pub(super) fn serve() -> ExitCode {
    symphony_motifs::run(
        symphony_motifs::embed_manifest!("extensions/motif.toml"),
        |motifs: &mut Motifs| {
            motifs.component(COMPONENT, ResultsTable);
        },
    )
}
