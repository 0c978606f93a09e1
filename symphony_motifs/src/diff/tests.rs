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
