//! Form controls with their labels: text field, checkbox, select.
//!
//! Each takes an `id`, which ties its `<label for>` to the control; ids must be unique in
//! the page.

use crate::view::{Element, Node, el};

/// A labelled one-line text input; see [`text_field`].
#[derive(Debug, Clone)]
pub struct TextField {
    id: String,
    label: String,
    value: String,
    hint: Option<String>,
    placeholder: Option<String>,
    events: Vec<(&'static str, String)>,
}

/// A text field `id` labelled `label`, showing `value`.
///
/// ```
/// use symphony_motifs::components::text_field;
/// use symphony_motifs::view::View;
///
/// let field = text_field("name", "Name", "Ada").hint("As shown in reports").on_change("rename");
/// let html = View::new(field).unwrap().to_html();
/// assert!(html.contains(r#"<label for="name">Name</label>"#), "{html}");
/// assert!(html.contains(r#"aria-describedby="name-hint""#), "{html}");
/// assert!(html.contains(r#"value="Ada" aria-describedby="name-hint" data-motif-on-change="rename""#), "{html}");
/// ```
pub fn text_field(
    id: impl Into<String>,
    label: impl Into<String>,
    value: impl Into<String>,
) -> TextField {
    TextField {
        id: id.into(),
        label: label.into(),
        value: value.into(),
        hint: None,
        placeholder: None,
        events: Vec::new(),
    }
}

impl TextField {
    /// A line of help under the field, read with it (`aria-describedby`).
    #[must_use]
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Text shown while the field is empty (never instead of the label).
    #[must_use]
    pub fn placeholder(mut self, placeholder: impl Into<String>) -> Self {
        self.placeholder = Some(placeholder.into());
        self
    }

    /// Calls `handler` with the value when the user commits it (Enter, or leaving the field).
    #[must_use]
    pub fn on_change(mut self, handler: impl Into<String>) -> Self {
        self.events.push(("change", handler.into()));
        self
    }

    /// Calls `handler` with the value on every keystroke.
    #[must_use]
    pub fn on_input(mut self, handler: impl Into<String>) -> Self {
        self.events.push(("input", handler.into()));
        self
    }
}

impl From<TextField> for Element {
    fn from(field: TextField) -> Element {
        let mut input = el("input")
            .attr("type", "text")
            .attr("id", field.id.clone())
            .attr("name", field.id.clone())
            .attr("value", field.value);
        if let Some(placeholder) = field.placeholder {
            input = input.attr("placeholder", placeholder);
        }
        let hint_id = format!("{}-hint", field.id);
        if field.hint.is_some() {
            input = input.attr("aria-describedby", hint_id.clone());
        }
        for (event, handler) in field.events {
            input = input.on(event, handler);
        }
        let mut out = el("div")
            .attr("class", "sym-field")
            .child(el("label").attr("for", field.id).child(field.label))
            .child(input);
        if let Some(hint) = field.hint {
            out = out.child(
                el("span")
                    .attr("id", hint_id)
                    .attr("class", "sym-field-hint")
                    .child(hint),
            );
        }
        out
    }
}

impl From<TextField> for Node {
    fn from(field: TextField) -> Node {
        Element::from(field).into()
    }
}

/// A labelled checkbox; see [`checkbox`].
#[derive(Debug, Clone)]
pub struct Checkbox {
    id: String,
    label: String,
    checked: bool,
    handler: Option<String>,
}

/// A checkbox `id` labelled `label`, ticked when `checked`. Its `change` event carries no
/// state of its own: the motif holds it and flips it.
///
/// ```
/// use symphony_motifs::components::checkbox;
/// use symphony_motifs::view::View;
///
/// let html = View::new(checkbox("wrap", "Wrap lines", true).on_change("toggle-wrap")).unwrap().to_html();
/// assert!(html.contains(r#"<input type="checkbox" id="wrap" name="wrap" checked=""#), "{html}");
/// assert!(html.contains(r#"<label for="wrap">Wrap lines</label>"#), "{html}");
/// ```
pub fn checkbox(id: impl Into<String>, label: impl Into<String>, checked: bool) -> Checkbox {
    Checkbox {
        id: id.into(),
        label: label.into(),
        checked,
        handler: None,
    }
}

impl Checkbox {
    /// Calls `handler` when the user ticks or clears it.
    #[must_use]
    pub fn on_change(mut self, handler: impl Into<String>) -> Self {
        self.handler = Some(handler.into());
        self
    }
}

impl From<Checkbox> for Element {
    fn from(checkbox: Checkbox) -> Element {
        let mut input = el("input")
            .attr("type", "checkbox")
            .attr("id", checkbox.id.clone())
            .attr("name", checkbox.id.clone())
            .flag("checked", checkbox.checked);
        if let Some(handler) = checkbox.handler {
            input = input.on("change", handler);
        }
        el("div")
            .attr("class", "sym-field sym-field-inline")
            .child(input)
            .child(el("label").attr("for", checkbox.id).child(checkbox.label))
    }
}

impl From<Checkbox> for Node {
    fn from(checkbox: Checkbox) -> Node {
        Element::from(checkbox).into()
    }
}

/// A labelled drop-down; see [`select`].
#[derive(Debug, Clone)]
pub struct Select {
    id: String,
    label: String,
    options: Vec<(String, String)>,
    selected: Option<String>,
    handler: Option<String>,
}

/// A drop-down `id` labelled `label`, offering `options` as `(value, text)` pairs, with
/// the option whose value is `selected` chosen.
///
/// ```
/// use symphony_motifs::components::select;
/// use symphony_motifs::view::View;
///
/// let html = View::new(
///     select("delimiter", "Delimiter", [(",", "Comma"), (";", "Semicolon")], Some(";"))
///         .on_change("set-delimiter"),
/// )
/// .unwrap()
/// .to_html();
/// assert!(html.contains(r#"<option value=";" selected="">Semicolon</option>"#), "{html}");
/// ```
pub fn select<I, V, T>(
    id: impl Into<String>,
    label: impl Into<String>,
    options: I,
    selected: Option<&str>,
) -> Select
where
    I: IntoIterator<Item = (V, T)>,
    V: Into<String>,
    T: Into<String>,
{
    Select {
        id: id.into(),
        label: label.into(),
        options: options
            .into_iter()
            .map(|(value, text)| (value.into(), text.into()))
            .collect(),
        selected: selected.map(str::to_owned),
        handler: None,
    }
}

impl Select {
    /// Calls `handler` with the chosen option's value.
    #[must_use]
    pub fn on_change(mut self, handler: impl Into<String>) -> Self {
        self.handler = Some(handler.into());
        self
    }
}

impl From<Select> for Element {
    fn from(select: Select) -> Element {
        let selected = select.selected;
        let options = select.options.into_iter().map(|(value, text)| {
            let chosen = selected.as_deref() == Some(value.as_str());
            el("option")
                .attr("value", value)
                .flag("selected", chosen)
                .child(text)
        });
        let mut control = el("select")
            .attr("id", select.id.clone())
            .attr("name", select.id.clone())
            .children(options);
        if let Some(handler) = select.handler {
            control = control.on("change", handler);
        }
        el("div")
            .attr("class", "sym-field")
            .child(el("label").attr("for", select.id).child(select.label))
            .child(control)
    }
}

impl From<Select> for Node {
    fn from(select: Select) -> Node {
        Element::from(select).into()
    }
}
