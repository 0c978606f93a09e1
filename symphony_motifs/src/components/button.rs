//! Buttons, and the containers that group them or list things: toolbar, list.

use crate::view::{Element, Node, el};

/// A button (`<button type="button">`); bind it with `.on("click", handler)`.
///
/// ```
/// use symphony_motifs::components::button;
/// use symphony_motifs::view::View;
///
/// let html = View::new(button("Run").on("click", "run")).unwrap().to_html();
/// assert_eq!(
///     html,
///     r#"<button type="button" class="sym-button" data-motif-on-click="run">Run</button>"#
/// );
/// ```
pub fn button(label: impl Into<String>) -> Element {
    el("button")
        .attr("type", "button")
        .attr("class", "sym-button")
        .child(label.into())
}

/// The main action of a view: a [`button`] in the accent colour.
///
/// ```
/// use symphony_motifs::components::primary_button;
/// let button = primary_button("Save");
/// assert_eq!(button.attr_value("class"), Some("sym-button sym-button-primary"));
/// ```
pub fn primary_button(label: impl Into<String>) -> Element {
    button(label).attr("class", "sym-button sym-button-primary")
}

/// A destructive action: a [`button`] in the danger colour.
///
/// ```
/// use symphony_motifs::components::danger_button;
/// let button = danger_button("Delete");
/// assert_eq!(button.attr_value("class"), Some("sym-button sym-button-danger"));
/// ```
pub fn danger_button(label: impl Into<String>) -> Element {
    button(label).attr("class", "sym-button sym-button-danger")
}

/// A toolbar (`role="toolbar"`) named `label` for assistive technology, holding `items`
/// (buttons, mostly).
///
/// ```
/// use symphony_motifs::components::{button, toolbar};
/// let bar = toolbar("Editing", [button("Undo"), button("Redo")]);
/// assert_eq!(bar.attr_value("role"), Some("toolbar"));
/// assert_eq!(bar.child_nodes().len(), 2);
/// ```
pub fn toolbar<I>(label: impl Into<String>, items: I) -> Element
where
    I: IntoIterator,
    I::Item: Into<Node>,
{
    el("div")
        .attr("class", "sym-toolbar")
        .attr("role", "toolbar")
        .attr("aria-label", label.into())
        .children(items)
}

/// A bordered list (`<ul>`) named `label`, one `<li>` per item, in order.
///
/// ```
/// use symphony_motifs::components::list;
/// use symphony_motifs::view::View;
///
/// let html = View::new(list("Recent files", ["a.csv", "b.csv"])).unwrap().to_html();
/// assert_eq!(
///     html,
///     r#"<ul class="sym-list" aria-label="Recent files"><li>a.csv</li><li>b.csv</li></ul>"#
/// );
/// ```
pub fn list<I>(label: impl Into<String>, items: I) -> Element
where
    I: IntoIterator,
    I::Item: Into<Node>,
{
    el("ul")
        .attr("class", "sym-list")
        .attr("aria-label", label.into())
        .children(items.into_iter().map(|item| el("li").child(item)))
}
