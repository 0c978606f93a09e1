//! `docs/protocol/methods.md`: every kind method's name and the JSON Schema of its params and
//! result, generated from the typed definitions the extensions dispatch on. The test fails
//! when the document is stale or when a crate serves a method the document does not list;
//! `SYMPHONY_BLESS=1 cargo test -p symphony_tests -- protocol::schema` rewrites it.

use std::fmt::Write as _;
use std::path::Path;

use symphony_core::protocol::method::Method;
use symphony_instruments::methods as instrument;
use symphony_motifs::methods::{self as motifs, editor, motif};
use symphony_operators::methods as operator;

/// One method's section of the document.
struct Entry {
    name: &'static str,
    params: serde_json::Value,
    result: serde_json::Value,
}

fn entry<M: Method>() -> Entry {
    Entry {
        name: M::NAME,
        params: M::params_schema(),
        result: M::result_schema(),
    }
}

/// Every kind method, grouped by kind, in the order each crate announces them.
fn kinds() -> Vec<(&'static str, &'static [&'static str], Vec<Entry>)> {
    vec![
        (
            "Instruments (`symphony_instruments::methods`)",
            instrument::ALL,
            vec![
                entry::<instrument::Info>(),
                entry::<instrument::Infer>(),
                entry::<instrument::Stream>(),
                entry::<instrument::Health>(),
                entry::<instrument::WarmUp>(),
                entry::<instrument::Metrics>(),
            ],
        ),
        (
            "Operators (`symphony_operators::methods`)",
            &operator::ALL,
            vec![
                entry::<operator::List>(),
                entry::<operator::Run>(),
                entry::<operator::RunWorkflow>(),
            ],
        ),
        (
            "Motifs and editors (`symphony_motifs::methods`)",
            motifs::ALL,
            vec![
                entry::<motif::List>(),
                entry::<motif::Render>(),
                entry::<motif::Page>(),
                entry::<motif::Event>(),
                entry::<motif::State>(),
                entry::<motif::Restore>(),
                entry::<motif::SetTheme>(),
                entry::<motif::Stylesheet>(),
                entry::<editor::Open>(),
                entry::<editor::Restore>(),
                entry::<editor::Page>(),
                entry::<editor::Event>(),
                entry::<editor::Edit>(),
                entry::<editor::Undo>(),
                entry::<editor::Redo>(),
                entry::<editor::Revert>(),
                entry::<editor::Save>(),
                entry::<editor::SaveAs>(),
                entry::<editor::Backup>(),
                entry::<editor::Status>(),
                entry::<editor::Close>(),
            ],
        ),
    ]
}

fn render() -> String {
    let mut out = String::from(
        "# Kind methods and their JSON Schema\n\n\
         Generated from the typed method definitions (`Method` in each kind crate's `methods` \
         module) by `tests/protocol/schema.rs`; do not edit by hand. A host in any language \
         can validate what it sends and receives against these schemas.\n",
    );
    for (title, _, entries) in kinds() {
        let _ = write!(out, "\n## {title}\n");
        for entry in entries {
            let pretty = |value: &serde_json::Value| {
                serde_json::to_string_pretty(value).expect("a schema serialises")
            };
            let _ = write!(
                out,
                "\n### `{}`\n\nParams:\n\n```json\n{}\n```\n\nResult:\n\n```json\n{}\n```\n",
                entry.name,
                pretty(&entry.params),
                pretty(&entry.result)
            );
        }
    }
    out
}

#[test]
fn every_served_method_is_in_the_document() {
    for (title, served, entries) in kinds() {
        let listed: Vec<&str> = entries.iter().map(|entry| entry.name).collect();
        assert_eq!(
            listed, served,
            "{title}: the document's list differs from what the crate serves"
        );
    }
}

#[test]
fn the_document_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/protocol/methods.md");
    let fresh = render();
    if std::env::var_os("SYMPHONY_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("create docs/protocol");
        std::fs::write(&path, &fresh).expect("write the document");
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == fresh,
        "{} is stale: regenerate it with `SYMPHONY_BLESS=1 cargo test -p symphony_tests -- protocol::schema`",
        path.display()
    );
}
