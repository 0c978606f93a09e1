//! Rewriting the SDK paths of one Rust source file between the two import styles.
//!
//! The file is parsed with `syn`, so only real paths change (never text in strings or
//! comments); the edits are then applied to the original text by span, so formatting and
//! comments stay exactly as written.

use proc_macro2::{LineColumn, Span, TokenStream, TokenTree};
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{ItemExternCrate, ItemUse, UseTree};

use super::Style;
use super::kind::{Kind, UMBRELLA};
use super::manifest::Usage;

/// Something the migration cannot rewrite, at a 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) message: String,
}

/// The kinds and prelude a unified-style file uses (for choosing the focused dependencies).
pub(crate) fn usage(text: &str) -> Result<Usage, Vec<Problem>> {
    let mut rewriter = Rewriter::new(Style::Split, &[]);
    rewriter.run(text)?;
    Ok(rewriter.usage)
}

/// `text` with its SDK paths in `style`; `kinds` are the kinds the crate depends on, which
/// `symphony::prelude::*` becomes one focused prelude each of.
pub(crate) fn rewrite(text: &str, style: Style, kinds: &[Kind]) -> Result<String, Vec<Problem>> {
    let mut rewriter = Rewriter::new(style, kinds);
    rewriter.run(text)?;
    apply(text, rewriter.edits)
}

/// Replace the text between two positions.
#[derive(Debug)]
struct Edit {
    start: LineColumn,
    end: LineColumn,
    text: String,
}

struct Rewriter<'a> {
    style: Style,
    kinds: &'a [Kind],
    edits: Vec<Edit>,
    problems: Vec<Problem>,
    usage: Usage,
    /// Whether a focused prelude glob already became `symphony::prelude::*` in this file.
    unified_prelude: bool,
    text: &'a str,
}

impl<'a> Rewriter<'a> {
    fn new(style: Style, kinds: &'a [Kind]) -> Self {
        Rewriter {
            style,
            kinds,
            edits: Vec::new(),
            problems: Vec::new(),
            usage: Usage::default(),
            unified_prelude: false,
            text: "",
        }
    }

    fn run(&mut self, text: &'a str) -> Result<(), Vec<Problem>> {
        self.text = text;
        let file = syn::parse_file(text).map_err(|error| {
            let start = error.span().start();
            vec![Problem {
                line: start.line,
                column: start.column + 1,
                message: format!("cannot parse Rust: {error}"),
            }]
        })?;
        self.visit_file(&file);
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(std::mem::take(&mut self.problems))
        }
    }

    fn edit(&mut self, from: Span, to: Span, text: impl Into<String>) {
        self.edits.push(Edit {
            start: from.start(),
            end: to.end(),
            text: text.into(),
        });
    }

    fn problem(&mut self, at: Span, message: impl Into<String>) {
        let start = at.start();
        self.problems.push(Problem {
            line: start.line,
            column: start.column + 1,
            message: message.into(),
        });
    }

    fn note_kind(&mut self, kind: Kind) {
        if !self.usage.kinds.contains(&kind) {
            self.usage.kinds.push(kind);
        }
    }

    /// The root of a `use` tree (or an element of a root group, `use {a::b, c::d};`).
    fn use_root(&mut self, item: &ItemUse, tree: &UseTree) {
        match (self.style, tree) {
            (_, UseTree::Group(group)) => {
                for tree in &group.items {
                    self.use_root(item, tree);
                }
            }
            (Style::Split, UseTree::Path(path)) if path.ident == UMBRELLA => {
                self.use_umbrella(item, path);
            }
            (Style::Split, UseTree::Name(name)) if name.ident == UMBRELLA => {
                self.problem(name.span(), self.whole_umbrella());
            }
            (Style::Split, UseTree::Rename(rename)) if rename.ident == UMBRELLA => {
                self.problem(rename.span(), self.whole_umbrella());
            }
            (Style::Unified, _) => self.use_focused(item, tree),
            _ => {}
        }
    }

    fn whole_umbrella(&self) -> String {
        format!(
            "imports the `{UMBRELLA}` crate itself; import its kinds instead \
             (`use {UMBRELLA}::operators;`)"
        )
    }

    /// `use symphony::…` → `use symphony_<kind>::…`.
    fn use_umbrella(&mut self, item: &ItemUse, path: &syn::UsePath) {
        let root = path.ident.span();
        match &*path.tree {
            UseTree::Path(next) if next.ident == "prelude" => match &*next.tree {
                UseTree::Glob(glob) => {
                    self.usage.prelude = true;
                    self.split_prelude(item, root, glob.star_token.span);
                }
                other => self.problem(
                    other.span(),
                    format!(
                        "imports names from `{UMBRELLA}::prelude`; import them through their \
                         kind (`{UMBRELLA}::operators::prelude::Operator`) or glob the prelude"
                    ),
                ),
            },
            UseTree::Path(next) => match Kind::from_module(&next.ident.to_string()) {
                Some(kind) => {
                    self.note_kind(kind);
                    self.edit(root, next.ident.span(), kind.crate_name());
                }
                None => self.unknown_module(next.ident.span(), &next.ident),
            },
            UseTree::Name(name) => match Kind::from_module(&name.ident.to_string()) {
                Some(kind) => {
                    // The module's name stays in scope under the same name.
                    self.note_kind(kind);
                    let text = format!("{} as {}", kind.crate_name(), kind.module());
                    self.edit(root, name.ident.span(), text);
                }
                None => self.unknown_module(name.ident.span(), &name.ident),
            },
            UseTree::Rename(rename) => match Kind::from_module(&rename.ident.to_string()) {
                Some(kind) => {
                    self.note_kind(kind);
                    self.edit(root, rename.ident.span(), kind.crate_name());
                }
                None => self.unknown_module(rename.ident.span(), &rename.ident),
            },
            UseTree::Group(group) => self.problem(
                group.span(),
                format!(
                    "imports several kinds in one `use {UMBRELLA}::{{…}}`; write one `use` per \
                     kind, then migrate"
                ),
            ),
            UseTree::Glob(glob) => self.problem(
                glob.span(),
                format!("globs `{UMBRELLA}::*`; import its kinds by name instead"),
            ),
        }
    }

    fn unknown_module(&mut self, at: Span, name: &syn::Ident) {
        self.problem(
            at,
            format!(
                "`{UMBRELLA}::{name}` is not a kind of extension (instruments, operators, motifs)"
            ),
        );
    }

    /// `use symphony::prelude::*;` → one focused prelude glob per kind the crate depends on,
    /// each a `use` of its own with the same visibility.
    fn split_prelude(&mut self, item: &ItemUse, root: Span, star: Span) {
        let mut globs = self
            .kinds
            .iter()
            .map(|kind| format!("{}::prelude::*", kind.crate_name()));
        let Some(first) = globs.next() else {
            // Only reading usage: nothing to rewrite.
            return;
        };
        self.edit(root, star, first);
        let head = text_between(self.text, item.use_token.span.start(), root.start());
        let vis_start = match &item.vis {
            syn::Visibility::Inherited => item.use_token.span.start(),
            vis => vis.span().start(),
        };
        let vis = text_between(self.text, vis_start, item.use_token.span.start());
        let indent = " ".repeat(vis_start.column);
        let more: String = globs
            .map(|glob| format!("\n{indent}{vis}{head}{glob};"))
            .collect();
        if !more.is_empty() {
            let end = item.semi_token.span.end();
            self.edits.push(Edit {
                start: end,
                end,
                text: more,
            });
        }
    }

    /// `use symphony_<kind>::…` → `use symphony::<kind>::…`, and a focused prelude glob →
    /// the combined prelude (once per file).
    fn use_focused(&mut self, item: &ItemUse, tree: &UseTree) {
        match tree {
            UseTree::Path(path) => {
                let Some(kind) = Kind::from_crate_name(&path.ident.to_string()) else {
                    return;
                };
                let is_prelude_glob = matches!(&*path.tree,
                    UseTree::Path(next) if next.ident == "prelude"
                        && matches!(&*next.tree, UseTree::Glob(_)));
                let only_tree = matches!(&item.tree, UseTree::Path(_));
                if is_prelude_glob && only_tree {
                    if self.unified_prelude {
                        self.remove_item(item);
                    } else {
                        self.unified_prelude = true;
                        let end = item.semi_token.span;
                        self.edits.push(Edit {
                            start: path.ident.span().start(),
                            end: end.start(),
                            text: format!("{UMBRELLA}::prelude::*"),
                        });
                    }
                } else {
                    let text = format!("{UMBRELLA}::{}", kind.module());
                    self.edit(path.ident.span(), path.ident.span(), text);
                }
            }
            UseTree::Rename(rename) => {
                let Some(kind) = Kind::from_crate_name(&rename.ident.to_string()) else {
                    return;
                };
                // `use symphony_operators as operators;` is just `use symphony::operators;`.
                let end = if rename.rename == kind.module() {
                    rename.rename.span()
                } else {
                    rename.ident.span()
                };
                let text = format!("{UMBRELLA}::{}", kind.module());
                self.edit(rename.ident.span(), end, text);
            }
            UseTree::Name(name) => {
                if let Some(kind) = Kind::from_crate_name(&name.ident.to_string()) {
                    let text = format!("{UMBRELLA}::{} as {}", kind.module(), kind.crate_name());
                    self.edit(name.ident.span(), name.ident.span(), text);
                }
            }
            UseTree::Glob(_) | UseTree::Group(_) => {}
        }
    }

    /// Removes a whole `use` item with its line, when it is alone on that line.
    fn remove_item(&mut self, item: &ItemUse) {
        let start = item.span().start();
        let end = item.semi_token.span.end();
        let alone = line_of(self.text, start.line)
            .is_some_and(|line| line.trim() == text_between(self.text, start, end).trim());
        if alone {
            self.edits.push(Edit {
                start: LineColumn {
                    line: start.line,
                    column: 0,
                },
                end: LineColumn {
                    line: end.line + 1,
                    column: 0,
                },
                text: String::new(),
            });
        } else {
            self.problem(
                item.span(),
                "a second prelude glob shares its line with other code; put it on its own line",
            );
        }
    }

    /// `symphony::operators::X` in an expression, type or macro path.
    fn path(&mut self, path: &syn::Path) {
        let mut segments = path.segments.iter();
        let (Some(first), Some(second)) = (segments.next(), segments.next()) else {
            return;
        };
        match self.style {
            Style::Split if first.ident == UMBRELLA && second.ident == "prelude" => self.problem(
                second.ident.span(),
                format!(
                    "names an item through `{UMBRELLA}::prelude`; name it through its kind \
                     (`{UMBRELLA}::operators::Operator`)"
                ),
            ),
            Style::Split if first.ident == UMBRELLA => {
                match Kind::from_module(&second.ident.to_string()) {
                    Some(kind) => {
                        self.note_kind(kind);
                        self.edit(first.ident.span(), second.ident.span(), kind.crate_name());
                    }
                    None => self.unknown_module(second.ident.span(), &second.ident),
                }
            }
            Style::Unified => {
                if let Some(kind) = Kind::from_crate_name(&first.ident.to_string()) {
                    let text = format!("{UMBRELLA}::{}", kind.module());
                    self.edit(first.ident.span(), first.ident.span(), text);
                }
            }
            Style::Split => {}
        }
    }

    /// Paths inside a macro's tokens, which syn does not parse: `symphony :: operators`
    /// (or `symphony_operators ::`) as tokens, never inside a literal.
    fn macro_tokens(&mut self, tokens: TokenStream) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        for (index, tree) in trees.iter().enumerate() {
            match tree {
                TokenTree::Group(group) => self.macro_tokens(group.stream()),
                TokenTree::Ident(ident) => {
                    let after_colon = index
                        .checked_sub(1)
                        .and_then(|previous| trees.get(previous))
                        .is_some_and(is_colon);
                    let path_follows = trees.get(index + 1).is_some_and(is_colon)
                        && trees.get(index + 2).is_some_and(is_colon);
                    if after_colon || !path_follows {
                        continue;
                    }
                    match self.style {
                        Style::Split if ident == UMBRELLA => {
                            if let Some(TokenTree::Ident(next)) = trees.get(index + 3)
                                && let Some(kind) = Kind::from_module(&next.to_string())
                            {
                                self.note_kind(kind);
                                self.edit(ident.span(), next.span(), kind.crate_name());
                            }
                        }
                        Style::Unified => {
                            if let Some(kind) = Kind::from_crate_name(&ident.to_string()) {
                                let text = format!("{UMBRELLA}::{}", kind.module());
                                self.edit(ident.span(), ident.span(), text);
                            }
                        }
                        Style::Split => {}
                    }
                }
                TokenTree::Punct(_) | TokenTree::Literal(_) => {}
            }
        }
    }
}

fn is_colon(tree: &TokenTree) -> bool {
    matches!(tree, TokenTree::Punct(punct) if punct.as_char() == ':')
}

impl<'ast> Visit<'ast> for Rewriter<'_> {
    fn visit_item_use(&mut self, item: &'ast ItemUse) {
        self.use_root(item, &item.tree);
    }

    fn visit_item_extern_crate(&mut self, item: &'ast ItemExternCrate) {
        let name = item.ident.to_string();
        if name == UMBRELLA || Kind::from_crate_name(&name).is_some() {
            self.problem(
                item.span(),
                format!("`extern crate {name}` is not needed since edition 2018; remove it"),
            );
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.path(path);
        visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        visit::visit_macro(self, mac);
        self.macro_tokens(mac.tokens.clone());
    }
}

/// The text of 1-based `line`, without its line break.
fn line_of(text: &str, line: usize) -> Option<&str> {
    text.split('\n').nth(line.checked_sub(1)?)
}

/// The byte offset of a position (1-based line, 0-based column in characters); the end of
/// the text for a line past the last.
fn offset(text: &str, at: LineColumn) -> Option<usize> {
    let mut line_start = 0;
    for _ in 1..at.line {
        match text.get(line_start..)?.find('\n') {
            Some(newline) => line_start += newline + 1,
            None => return (at.column == 0).then_some(text.len()),
        }
    }
    let line = text.get(line_start..)?;
    let column = line
        .char_indices()
        .map(|(index, _)| index)
        .chain(std::iter::once(line.len()))
        .nth(at.column)?;
    Some(line_start + column)
}

fn text_between(text: &str, start: LineColumn, end: LineColumn) -> &str {
    match (offset(text, start), offset(text, end)) {
        (Some(start), Some(end)) => text.get(start..end).unwrap_or(""),
        _ => "",
    }
}

/// Applies non-overlapping edits to `text`.
fn apply(text: &str, mut edits: Vec<Edit>) -> Result<String, Vec<Problem>> {
    edits.sort_by_key(|edit| (edit.start.line, edit.start.column));
    let mut result = String::with_capacity(text.len());
    let mut copied = 0;
    for edit in &edits {
        let bounds = offset(text, edit.start).zip(offset(text, edit.end));
        let Some((start, end)) = bounds.filter(|(start, end)| copied <= *start && start <= end)
        else {
            return Err(vec![Problem {
                line: edit.start.line,
                column: edit.start.column + 1,
                message: "two rewrites overlap here; this is a bug in `xtask migrate`".into(),
            }]);
        };
        result.push_str(text.get(copied..start).unwrap_or(""));
        result.push_str(&edit.text);
        copied = end;
    }
    result.push_str(text.get(copied..).unwrap_or(""));
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPERATORS: &[Kind] = &[Kind::Operators];

    fn split(text: &str, kinds: &[Kind]) -> String {
        rewrite(text, Style::Split, kinds).unwrap()
    }

    fn unified(text: &str) -> String {
        rewrite(text, Style::Unified, &[]).unwrap()
    }

    #[test]
    fn use_paths_move_between_styles_keeping_comments_and_layout() {
        let unified_text = "\
// The SDK, through the umbrella.
use symphony::operators::{Operator,   Task}; // odd spacing kept
use symphony::operators::config::ConfigValues;

fn main() {
    let ops = symphony::operators::ops::all(); // \"symphony::operators\" in a string stays
    let _ = ops;
}
";
        let split_text = "\
// The SDK, through the umbrella.
use symphony_operators::{Operator,   Task}; // odd spacing kept
use symphony_operators::config::ConfigValues;

fn main() {
    let ops = symphony_operators::ops::all(); // \"symphony::operators\" in a string stays
    let _ = ops;
}
";
        assert_eq!(split(unified_text, OPERATORS), split_text);
        assert_eq!(unified(split_text), unified_text);
    }

    #[test]
    fn macro_paths_and_their_tokens_are_rewritten_but_not_literals() {
        let text = "static M: &Manifest = symphony_motifs::embed_manifest!();\n\
                    fn f() { assert!(symphony_motifs::view::text(\"symphony_motifs::x\").is_text()); }\n";
        let expected = "static M: &Manifest = symphony::motifs::embed_manifest!();\n\
                        fn f() { assert!(symphony::motifs::view::text(\"symphony_motifs::x\").is_text()); }\n";
        assert_eq!(unified(text), expected);
        assert_eq!(split(expected, &[Kind::Motifs]), text);
    }

    #[test]
    fn the_combined_prelude_becomes_one_focused_prelude_per_kind_and_back() {
        let text = "    pub use symphony::prelude::*;\n";
        assert_eq!(
            split(text, &[Kind::Instruments, Kind::Motifs]),
            "    pub use symphony_instruments::prelude::*;\n    pub use symphony_motifs::prelude::*;\n"
        );
        let both =
            "use symphony_operators::prelude::*;\nuse symphony_motifs::prelude::*;\nuse std::io;\n";
        assert_eq!(unified(both), "use symphony::prelude::*;\nuse std::io;\n");
    }

    #[test]
    fn module_imports_keep_the_name_in_scope() {
        assert_eq!(
            split(
                "use symphony::operators;\nuse symphony::motifs as m;\n",
                &[]
            ),
            "use symphony_operators as operators;\nuse symphony_motifs as m;\n"
        );
        assert_eq!(
            unified("use symphony_operators as operators;\nuse symphony_motifs as m;\n"),
            "use symphony::operators;\nuse symphony::motifs as m;\n"
        );
    }

    #[test]
    fn usage_lists_the_kinds_named_and_the_prelude() {
        let usage =
            usage("use symphony::prelude::*;\nfn f() -> symphony::motifs::view::Node { todo() }\n")
                .unwrap();
        assert_eq!(usage.kinds, [Kind::Motifs]);
        assert!(usage.prelude);
    }

    #[test]
    fn what_cannot_be_migrated_is_reported_with_its_position() {
        let problems = rewrite(
            "use std::io;\nuse symphony::{operators::Task, motifs::Motif};\nuse symphony::prelude::Operator;\nfn f() { symphony::core::x(); }\nfn g() -> symphony::prelude::Task {}\n",
            Style::Split,
            OPERATORS,
        )
        .unwrap_err();
        let at: Vec<(usize, usize)> = problems.iter().map(|p| (p.line, p.column)).collect();
        assert_eq!(at, [(2, 15), (3, 24), (4, 20), (5, 21)], "{problems:?}");
        assert!(problems[3].message.contains("name it through its kind"));
        assert!(problems[0].message.contains("one `use` per kind"));
        assert!(
            problems[2]
                .message
                .contains("`symphony::core` is not a kind")
        );

        let problems = rewrite("fn f( {", Style::Split, OPERATORS).unwrap_err();
        assert!(
            problems[0].message.starts_with("cannot parse Rust"),
            "{problems:?}"
        );
    }

    #[test]
    fn offsets_count_characters_not_bytes() {
        let text = "é = symphony_operators::X;\n";
        let at = LineColumn { line: 1, column: 4 };
        assert_eq!(offset(text, at), Some(5));
        assert_eq!(
            offset(text, LineColumn { line: 2, column: 0 }),
            Some(text.len())
        );
        assert_eq!(
            offset(
                text,
                LineColumn {
                    line: 1,
                    column: 99
                }
            ),
            None
        );
    }
}
