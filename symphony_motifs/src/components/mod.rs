//! Accessible controls styled by the default stylesheet ([`crate::theme`]): button, text
//! field, checkbox, select, table with sortable headers, list, tabs, badge, progress bar and
//! toolbar.
//!
//! Each builds ordinary view nodes ([`Element`](crate::view::Element)s), so a motif binds
//! their events and diffs them like any other. They use the native element for the job
//! (`<button>`, `<input>`, `<select>`, `<progress>`), so keyboard use comes with them; every
//! control has a label tied to it, and composite widgets carry their ARIA roles and states
//! (`tablist`/`tab`/`tabpanel` with `aria-selected`, `aria-sort` on the sorted column,
//! `toolbar`). The gallery test renders them all in each theme and runs axe-core over the
//! page in headless Chromium.
//!
//! ```
//! use symphony_motifs::components::{Tone, badge, button, text_field, toolbar};
//! use symphony_motifs::view::{Node, View, el};
//!
//! let bar: [Node; 2] = [button("Save").on("click", "save").into(), badge("3 changes", Tone::Warning).into()];
//! let form = el("div")
//!     .child(toolbar("File", bar))
//!     .child(text_field("title", "Title", "Quarterly report").on_change("rename"));
//! let html = View::new(form).unwrap().to_html();
//! assert!(html.contains(r#"<div class="sym-toolbar" role="toolbar" aria-label="File">"#));
//! assert!(html.contains(r#"<label for="title">Title</label>"#));
//! ```

mod button;
mod field;
mod status;
mod table;
mod tabs;

pub use button::{button, danger_button, list, primary_button, toolbar};
pub use field::{Checkbox, Select, TextField, checkbox, select, text_field};
pub use status::{Tone, badge, progress};
pub use table::{Column, SortOrder, Table, sort_rows};
pub use tabs::Tabs;
