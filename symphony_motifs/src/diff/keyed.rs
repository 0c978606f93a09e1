//! Children that all carry keys: removed, moved and inserted by key, with as few moves as
//! the page allows, in O(n log n) however many children move.
//!
//! The children left in place are a longest run of survivors whose relative order the new
//! render keeps (a longest increasing subsequence of their new positions); every other
//! survivor is moved once and every new child inserted once.
//!
//! Patches address children by their index at the time they are applied, so each move
//! needs the current index of a child and of its destination. Every child gets a *slot* in
//! one fixed order that matches the page at every step: a child stays in its slot until it
//! is moved or inserted into the slot just before the next kept child (or the end); an
//! [`Occupancy`] tree then counts the occupied slots before any slot in O(log n).

use std::collections::HashMap;

use super::lis::longest_increasing;
use super::occupancy::Occupancy;
use super::{DomNode, Patch, diff_node};
use crate::view::Node;

pub(super) fn diff_keyed_children(
    old: &[Node],
    new: &[Node],
    path: &mut Vec<usize>,
    patches: &mut Vec<Patch>,
) {
    let new_index: HashMap<&str, usize> = new
        .iter()
        .enumerate()
        .filter_map(|(index, child)| child.key().map(|key| (key, index)))
        .collect();
    let position_in_new = |child: &Node| child.key().and_then(|key| new_index.get(key)).copied();

    // From the end, so that each index is still valid when its patch is applied.
    for (index, child) in old.iter().enumerate().rev() {
        if position_in_new(child).is_none() {
            path.push(index);
            patches.push(Patch::Remove { path: path.clone() });
            path.pop();
        }
    }

    // The survivors in page order, each with its index in `new`.
    let survivors: Vec<(&Node, usize)> = old
        .iter()
        .filter_map(|child| position_in_new(child).map(|index| (child, index)))
        .collect();
    let targets: Vec<usize> = survivors.iter().map(|&(_, index)| index).collect();
    let kept = longest_increasing(&targets);
    // Which survivor each new child is (`None`: a new child).
    let mut source = vec![None; new.len()];
    for (survivor, &target) in targets.iter().enumerate() {
        if let Some(slot) = source.get_mut(target) {
            *slot = Some(survivor);
        }
    }
    let is_kept = |survivor: usize| kept.get(survivor).copied().unwrap_or(false);

    let slots = Slots::new(&source, &is_kept, survivors.len());
    let mut occupancy = Occupancy::new(slots.len);
    for survivor in 0..survivors.len() {
        occupancy.fill(slots.survivor(survivor));
    }
    for (index, (new_child, source)) in new.iter().zip(&source).enumerate() {
        let slot = slots.placed(index);
        match *source {
            Some(survivor) if is_kept(survivor) => {}
            Some(survivor) => {
                let from = occupancy.before(slots.survivor(survivor));
                occupancy.clear(slots.survivor(survivor));
                let to = occupancy.before(slot);
                occupancy.fill(slot);
                if from != to {
                    patches.push(Patch::Move {
                        path: path.clone(),
                        from,
                        to,
                    });
                }
            }
            None => {
                patches.push(Patch::Insert {
                    path: path.clone(),
                    index: occupancy.before(slot),
                    node: DomNode::from(new_child),
                });
                occupancy.fill(slot);
            }
        }
    }

    // The children are now in the new order: bring each survivor's content up to date.
    for (index, (new_child, source)) in new.iter().zip(&source).enumerate() {
        if let Some((old_child, _)) = source.and_then(|survivor| survivors.get(survivor)) {
            path.push(index);
            diff_node(old_child, new_child, path, patches);
            path.pop();
        }
    }
}

/// The slot order: each survivor `p` has a slot, in page order; just before a kept
/// survivor's slot (and before the end, `p` = number of survivors) come the slots of the
/// moved and new children that end up right before it, in their new order.
struct Slots {
    /// `base[p]`: the first slot of the group of survivor `p`.
    base: Vec<usize>,
    /// `run[p]`: how many moved or new children end up just before survivor `p`.
    run: Vec<usize>,
    /// The slot of each new child that is moved or inserted.
    placed: Vec<usize>,
    len: usize,
}

impl Slots {
    fn new(source: &[Option<usize>], is_kept: &dyn Fn(usize) -> bool, survivors: usize) -> Self {
        // The kept survivor (or the end) each moved or new child ends up just before.
        let mut anchor = vec![survivors; source.len()];
        let mut next_kept = survivors;
        for (index, source) in source.iter().enumerate().rev() {
            match *source {
                Some(survivor) if is_kept(survivor) => next_kept = survivor,
                _ => {
                    if let Some(slot) = anchor.get_mut(index) {
                        *slot = next_kept;
                    }
                }
            }
        }
        let mut run = vec![0; survivors + 1];
        for (source, &anchor) in source.iter().zip(&anchor) {
            if !source.is_some_and(is_kept)
                && let Some(count) = run.get_mut(anchor)
            {
                *count += 1;
            }
        }
        let mut base = Vec::with_capacity(survivors + 1);
        let mut len = 0;
        for (group, &count) in run.iter().enumerate() {
            base.push(len);
            len += count + usize::from(group < survivors);
        }
        let mut filled = vec![0; survivors + 1];
        let placed = source
            .iter()
            .zip(&anchor)
            .map(|(source, &anchor)| {
                if source.is_some_and(is_kept) {
                    return 0;
                }
                let rank = filled.get_mut(anchor).map_or(0, |filled| {
                    *filled += 1;
                    *filled - 1
                });
                base.get(anchor).copied().unwrap_or(0) + rank
            })
            .collect();
        Slots {
            base,
            run,
            placed,
            len,
        }
    }

    /// The slot survivor `survivor` has until it is moved (a kept one keeps it).
    fn survivor(&self, survivor: usize) -> usize {
        self.base.get(survivor).copied().unwrap_or(0) + self.run.get(survivor).copied().unwrap_or(0)
    }

    /// The slot new child `index` is moved or inserted into.
    fn placed(&self, index: usize) -> usize {
        self.placed.get(index).copied().unwrap_or(0)
    }
}
