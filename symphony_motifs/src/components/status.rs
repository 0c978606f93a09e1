//! Showing state: badges and progress bars.

use crate::view::{Element, el};

/// A badge's colour, by meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Tone {
    /// Plain text colour.
    Neutral,
    /// Done, passing.
    Success,
    /// Needs attention.
    Warning,
    /// Failed, refused.
    Danger,
}

/// A short label in a pill (`3 changes`, `failed`), coloured by `tone`. The colour adds to
/// the text; it never carries the meaning alone.
///
/// ```
/// use symphony_motifs::components::{Tone, badge};
/// use symphony_motifs::view::View;
///
/// let html = View::new(badge("passed", Tone::Success)).unwrap().to_html();
/// assert_eq!(html, r#"<span class="sym-badge sym-badge-success">passed</span>"#);
/// ```
pub fn badge(text: impl Into<String>, tone: Tone) -> Element {
    let class = match tone {
        Tone::Success => "sym-badge sym-badge-success",
        Tone::Warning => "sym-badge sym-badge-warning",
        Tone::Danger => "sym-badge sym-badge-danger",
        Tone::Neutral => "sym-badge",
    };
    el("span").attr("class", class).child(text.into())
}

/// A labelled progress bar `id`: `value` out of `max`, or indeterminate (still working, no
/// figure) when `value` is `None`. Values are clamped to `0..=max`.
///
/// ```
/// use symphony_motifs::components::progress;
/// use symphony_motifs::view::View;
///
/// let html = View::new(progress("indexing", "Indexing", Some(30.0), 120.0)).unwrap().to_html();
/// assert!(html.contains(r#"<label for="indexing">Indexing</label>"#), "{html}");
/// assert!(html.contains(r#"<progress id="indexing" max="120" value="30">25%</progress>"#), "{html}");
/// ```
pub fn progress(
    id: impl Into<String>,
    label: impl Into<String>,
    value: Option<f64>,
    max: f64,
) -> Element {
    let id = id.into();
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let mut bar = el("progress")
        .attr("id", id.clone())
        .attr("max", crate::chart::format_number(max));
    let text = match value.filter(|v| v.is_finite()) {
        Some(value) => {
            let value = value.clamp(0.0, max);
            bar = bar.attr("value", crate::chart::format_number(value));
            format!("{:.0}%", value / max * 100.0)
        }
        None => "working…".to_owned(),
    };
    el("div")
        .attr("class", "sym-progress")
        .child(el("label").attr("for", id).child(label.into()))
        .child(bar.child(text))
}
