use std::collections::HashSet;

use proptest::prelude::*;

use super::*;
use crate::view::{el, text};

fn apply(old: &View, patches: &[Patch]) -> DomNode {
    let mut dom = DomNode::from(old.root());
    dom.apply(patches).expect("the patches fit the old tree");
    dom
}

fn list(keys: &[&str]) -> View {
    View::new(el("ul").children(keys.iter().map(|key| {
        el("li")
            .key(*key)
            .attr("data-id", *key)
            .on("click", "pick")
            .arg(key)
            .child(text(*key))
    })))
    .unwrap()
}

#[test]
fn identical_views_need_no_patches() {
    assert!(diff(&list(&["a", "b"]), &list(&["a", "b"])).is_empty());
}

#[test]
fn keyed_children_are_moved_not_rebuilt() {
    let old = list(&["a", "b", "c", "d"]);
    let new = list(&["d", "a", "c", "e"]);
    let patches = diff(&old, &new);
    assert_eq!(
        patches,
        [
            Patch::Remove { path: vec![1] },
            Patch::Move {
                path: vec![],
                from: 2,
                to: 0
            },
            Patch::Insert {
                path: vec![],
                index: 3,
                node: DomNode::from(new.node_at(&[3]).unwrap()),
            },
        ]
    );
    assert_eq!(apply(&old, &patches), DomNode::from(new.root()));
}

fn keys(range: impl Iterator<Item = usize>) -> Vec<String> {
    range.map(|key| format!("k{key}")).collect()
}

fn keyed_list(keys: &[String]) -> View {
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    list(&keys)
}

fn moves(patches: &[Patch]) -> usize {
    patches
        .iter()
        .filter(|patch| matches!(patch, Patch::Move { .. }))
        .count()
}

/// The fewest moves that reorder the survivors: those outside a longest increasing
/// subsequence of their new positions (plain O(n²) dynamic programming, to check the diff).
fn fewest_moves(old: &[String], new: &[String]) -> usize {
    let targets: Vec<usize> = old
        .iter()
        .filter_map(|key| new.iter().position(|other| other == key))
        .collect();
    let mut longest = vec![1; targets.len()];
    for i in 0..targets.len() {
        for j in 0..i {
            if targets[j] < targets[i] {
                longest[i] = longest[i].max(longest[j] + 1);
            }
        }
    }
    targets.len() - longest.iter().max().copied().unwrap_or(0)
}

#[test]
fn a_rotation_of_ten_thousand_children_is_one_move() {
    let old = keys(0..10_000);
    let mut new = old.clone();
    new.rotate_left(1);
    let (old_view, new_view) = (keyed_list(&old), keyed_list(&new));
    let patches = diff(&old_view, &new_view);
    assert_eq!(
        patches,
        [Patch::Move {
            path: vec![],
            from: 0,
            to: 9_999
        }]
    );
    assert_eq!(apply(&old_view, &patches), DomNode::from(new_view.root()));
}

#[test]
fn a_shuffle_with_removals_and_insertions_takes_the_fewest_moves() {
    // A deterministic shuffle of 2,000 children (most of them move); every seventh is
    // removed and 300 new ones are spread through the list.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |bound: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(state >> 33).unwrap() % bound
    };
    let old = keys(0..2_000);
    let mut new: Vec<String> = old
        .iter()
        .enumerate()
        .filter(|(index, _)| index % 7 != 3)
        .map(|(_, key)| key.clone())
        .collect();
    for index in (1..new.len()).rev() {
        new.swap(index, next(index + 1));
    }
    for key in keys(2_000..2_300) {
        let at = next(new.len() + 1);
        new.insert(at, key);
    }
    let (old_view, new_view) = (keyed_list(&old), keyed_list(&new));
    let patches = diff(&old_view, &new_view);
    assert_eq!(apply(&old_view, &patches), DomNode::from(new_view.root()));
    assert_eq!(moves(&patches), fewest_moves(&old, &new));
    assert!(moves(&patches) > 1_500, "most children moved");
}

#[test]
fn a_reversal_moves_all_but_one() {
    let old = keys(0..1_000);
    let new: Vec<String> = old.iter().rev().cloned().collect();
    let (old_view, new_view) = (keyed_list(&old), keyed_list(&new));
    let patches = diff(&old_view, &new_view);
    assert_eq!(moves(&patches), 999);
    assert_eq!(apply(&old_view, &patches), DomNode::from(new_view.root()));
}

#[test]
fn a_changed_tag_replaces_the_subtree() {
    let old = View::new(el("div").child(el("span").child("x"))).unwrap();
    let new = View::new(el("div").child(el("b").child("x"))).unwrap();
    let patches = diff(&old, &new);
    assert!(matches!(patches.as_slice(), [Patch::Replace { path, .. }] if path == &[0]));
    assert_eq!(apply(&old, &patches), DomNode::from(new.root()));
}

#[test]
fn changed_event_bindings_become_attribute_patches() {
    let old = View::new(el("button").on("click", "a").arg(1)).unwrap();
    let new = View::new(el("button").on("click", "b")).unwrap();
    assert_eq!(
        diff(&old, &new),
        [
            Patch::SetAttr {
                path: vec![],
                name: "data-motif-on-click".into(),
                value: "b".into()
            },
            Patch::RemoveAttr {
                path: vec![],
                name: "data-motif-arg-click".into()
            },
        ]
    );
}

#[test]
fn patches_that_do_not_fit_are_errors_not_panics() {
    let mut dom = DomNode::Text("x".into());
    let error = dom
        .apply(&[Patch::Remove { path: vec![3, 1] }])
        .unwrap_err();
    assert_eq!(
        error,
        PatchError::NoNode {
            patch: 0,
            path: vec![3]
        }
    );
    let error = dom
        .apply(&[Patch::SetAttr {
            path: vec![],
            name: "a".into(),
            value: "b".into(),
        }])
        .unwrap_err();
    assert!(error.to_string().contains("is not an element"), "{error}");
}

/// A random small tree: keyed or unkeyed lists of elements and text.
fn tree() -> impl Strategy<Value = Node> {
    let leaf = prop_oneof![
        "[a-c]{0,2}".prop_map(text),
        (0..3u8).prop_map(|n| el("i").attr("n", n.to_string()).into()),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            (prop::collection::vec(inner.clone(), 0..5), "[xy]").prop_map(|(children, class)| {
                el("div").attr("class", class).children(children).into()
            }),
            (prop::collection::vec((0..8u8, inner), 0..6)).prop_map(|items| {
                let mut seen = HashSet::new();
                el("ul")
                    .children(
                        items
                            .into_iter()
                            .filter(|(key, _)| seen.insert(*key))
                            .map(|(key, child)| el("li").key(key.to_string()).child(child)),
                    )
                    .into()
            }),
        ]
    })
}

proptest! {
    #[test]
    fn applying_the_diff_to_the_old_render_gives_the_new_one(old in tree(), new in tree()) {
        let (Ok(old), Ok(new)) = (View::new(el("main").child(old)), View::new(el("main").child(new))) else {
            return Ok(());
        };
        let patches = diff(&old, &new);
        prop_assert_eq!(apply(&old, &patches), DomNode::from(new.root()));
    }
}

/// Two keyed lists drawn from the same 40 keys, in any order.
fn two_orders() -> impl Strategy<Value = (Vec<String>, Vec<String>)> {
    let order = prop::collection::vec(0..40usize, 1..40).prop_map(|picks| {
        let mut seen = HashSet::new();
        picks
            .into_iter()
            .filter(|key| seen.insert(*key))
            .map(|key| format!("k{key}"))
            .collect::<Vec<_>>()
    });
    (order.clone(), order)
}

proptest! {
    #[test]
    fn keyed_diffs_rebuild_the_new_order_with_the_fewest_moves((old, new) in two_orders()) {
        let (old_view, new_view) = (keyed_list(&old), keyed_list(&new));
        let patches = diff(&old_view, &new_view);
        prop_assert_eq!(apply(&old_view, &patches), DomNode::from(new_view.root()));
        prop_assert_eq!(moves(&patches), fewest_moves(&old, &new));
    }
}
