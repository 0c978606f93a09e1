//! Tabs: a `tablist` of `tab` buttons, each controlling its `tabpanel`.

use crate::view::{Element, Node, el};

/// Tabs named `label`, each a button (`role="tab"`) with its panel (`role="tabpanel"`);
/// panels of unselected tabs are `hidden`. Clicking a tab (or Enter / Space on it) calls the
/// handler with the tab's id; the motif keeps which is selected.
///
/// ```
/// use symphony_motifs::components::Tabs;
/// use symphony_motifs::view::{View, el};
///
/// let tabs = Tabs::new("view", "Views")
///     .tab("table", "Table", el("p").child("rows…"))
///     .tab("chart", "Chart", el("p").child("bars…"))
///     .selected("chart")
///     .on_select("show");
/// let html = View::new(tabs).unwrap().to_html();
/// assert!(html.contains(r#"role="tab" id="view-tab-chart" aria-selected="true" aria-controls="view-panel-chart""#), "{html}");
/// assert!(html.contains(r#"<div role="tabpanel" id="view-panel-table" aria-labelledby="view-tab-table" class="sym-tabpanel" hidden="">"#), "{html}");
/// ```
#[derive(Debug, Clone)]
pub struct Tabs {
    id: String,
    label: String,
    tabs: Vec<(String, String, Node)>,
    selected: Option<String>,
    handler: Option<String>,
}

impl Tabs {
    /// Tabs with ids prefixed `id` (unique in the page), named `label`.
    pub fn new(id: impl Into<String>, label: impl Into<String>) -> Tabs {
        Tabs {
            id: id.into(),
            label: label.into(),
            tabs: Vec::new(),
            selected: None,
            handler: None,
        }
    }

    /// Adds tab `id` titled `title`, showing `content` when selected.
    #[must_use]
    pub fn tab(
        mut self,
        id: impl Into<String>,
        title: impl Into<String>,
        content: impl Into<Node>,
    ) -> Tabs {
        self.tabs.push((id.into(), title.into(), content.into()));
        self
    }

    /// Selects tab `id` (the first tab when none is, or the id is unknown).
    #[must_use]
    pub fn selected(mut self, id: impl Into<String>) -> Tabs {
        self.selected = Some(id.into());
        self
    }

    /// Calls `handler` with a tab's id when the user picks it.
    #[must_use]
    pub fn on_select(mut self, handler: impl Into<String>) -> Tabs {
        self.handler = Some(handler.into());
        self
    }
}

impl From<Tabs> for Element {
    fn from(tabs: Tabs) -> Element {
        let selected = tabs
            .selected
            .filter(|id| tabs.tabs.iter().any(|(tab, _, _)| tab == id))
            .or_else(|| tabs.tabs.first().map(|(id, _, _)| id.clone()));
        let prefix = tabs.id;
        let mut list = el("div")
            .attr("role", "tablist")
            .attr("aria-label", tabs.label)
            .attr("class", "sym-tablist");
        let mut panels = Vec::with_capacity(tabs.tabs.len());
        for (id, title, content) in tabs.tabs {
            let is_selected = selected.as_deref() == Some(id.as_str());
            let tab_id = format!("{prefix}-tab-{id}");
            let panel_id = format!("{prefix}-panel-{id}");
            let mut tab = el("button")
                .key(tab_id.clone())
                .attr("type", "button")
                .attr("class", "sym-tab")
                .attr("role", "tab")
                .attr("id", tab_id.clone())
                .attr("aria-selected", if is_selected { "true" } else { "false" })
                .attr("aria-controls", panel_id.clone());
            if let Some(handler) = &tabs.handler {
                tab = tab.on("click", handler.clone()).arg(&id);
            }
            list = list.child(tab.child(title));
            panels.push(
                el("div")
                    .key(panel_id.clone())
                    .attr("role", "tabpanel")
                    .attr("id", panel_id)
                    .attr("aria-labelledby", tab_id)
                    .attr("class", "sym-tabpanel")
                    .flag("hidden", !is_selected)
                    .child(content),
            );
        }
        el("div")
            .attr("class", "sym-tabs")
            .child(list)
            .children(panels)
    }
}

impl From<Tabs> for Node {
    fn from(tabs: Tabs) -> Node {
        Element::from(tabs).into()
    }
}
