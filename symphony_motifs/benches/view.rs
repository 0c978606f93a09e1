//! Render and diff of a 1,000-node view; patch size against a full re-render.
//!
//! The view is a keyed table-like list: 200 rows of `li > (span, span > text)`, about
//! 1,000 nodes. The "one field" change edits one cell's text; "reversed" reverses the rows
//! (199 moves, the keyed diff's worst case).

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use symphony_motifs::diff::diff;
use symphony_motifs::view::{Node, View, el, text};

const ROWS: usize = 200;

fn tree(changed_row: Option<usize>) -> Node {
    rows(changed_row, (0..ROWS).collect())
}

fn rows(changed_row: Option<usize>, order: Vec<usize>) -> Node {
    el("ul")
        .attr("class", "rows")
        .children(order.into_iter().map(|row| {
            let value = if Some(row) == changed_row {
                "changed".to_owned()
            } else {
                format!("value {row}")
            };
            el("li")
                .key(row.to_string())
                .attr("class", "row")
                .child(
                    el("span")
                        .attr("class", "name")
                        .child(text(format!("row {row}"))),
                )
                .child(el("span").on("click", "select").arg(row).child(text(value)))
        }))
        .into()
}

fn bench(c: &mut Criterion) {
    let old = View::new(tree(None)).expect("valid view");
    let new = View::new(tree(Some(ROWS / 2))).expect("valid view");
    let patches = diff(&old, &new);
    let patch_bytes = serde_json::to_string(&patches).map_or(0, |json| json.len());
    let html_bytes = new.to_html().len();
    eprintln!(
        "view: {} nodes; one-field change: {} patch(es), {patch_bytes} bytes of JSON vs {html_bytes} bytes of re-rendered HTML ({:.2}%)",
        new.root().count(),
        patches.len(),
        100.0 * patch_bytes as f64 / html_bytes as f64
    );

    let mut group = c.benchmark_group("view_1000_nodes");
    group.bench_function("build_and_validate", |b| {
        b.iter(|| View::new(tree(black_box(None))))
    });
    group.bench_function("to_html", |b| b.iter(|| black_box(&old).to_html()));
    group.bench_function("diff_one_field", |b| {
        b.iter(|| diff(black_box(&old), black_box(&new)))
    });
    let reversed = View::new(rows(None, (0..ROWS).rev().collect())).expect("valid view");
    group.bench_function("diff_reversed", |b| {
        b.iter(|| diff(black_box(&old), black_box(&reversed)))
    });
    group.bench_function("render_and_diff_one_field", |b| {
        b.iter(|| {
            let view = View::new(tree(black_box(Some(ROWS / 2)))).expect("valid view");
            let patches = diff(&old, &view);
            (view.to_html().len(), patches)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
