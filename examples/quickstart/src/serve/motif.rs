//! The motif extension: a results table. The host hands it the scored rows as the state of its
//! `results` component (`methods::motif::Restore`) and asks for the whole page (`Page`); the page
//! comes back with its Content-Security-Policy, and the host decides where it goes.

use std::process::ExitCode;

use symphony_motifs::Motifs;
use symphony_motifs::motif::{Effects, Event, Motif, Placement};
use symphony_motifs::view::{Node, el};

use crate::report::Report;

/// The component's id, as in `extensions/motif.toml`.
pub(crate) const COMPONENT: &str = "results";

/// Shows a [`Report`]: a line about where the rows came from, the class counts, every row.
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
            .child(el("h1").child("Iris classification"))
            .child(el("p").attr("id", "source").child(format!(
                "{} rows from {}, scored by the iris classifier on {}.",
                report.rows.len(),
                report.source,
                report.engine
            )))
            .child(counts(report))
            .child(rows(report))
            .into()
    }

    fn update(&self, _: &mut Report, _: &Event) -> Effects {
        // A static report: nothing on the page sends events.
        Effects::none()
    }
}

fn counts(report: &Report) -> Node {
    el("table")
        .attr("id", "counts")
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
