//! Which slots of a sequence are occupied, and how many occupied slots come before a
//! given one: a Fenwick tree, O(log n) per question or change.

/// Occupied slots among `0..len`.
pub(super) struct Occupancy {
    /// Fenwick tree, 1-based: `tree[i]` counts the occupied slots in `(i - lowbit(i), i]`.
    tree: Vec<usize>,
    occupied: Vec<bool>,
}

impl Occupancy {
    /// `len` empty slots.
    pub(super) fn new(len: usize) -> Self {
        Occupancy {
            tree: vec![0; len + 1],
            occupied: vec![false; len],
        }
    }

    /// Occupies `slot` (no change if it is occupied or out of range).
    pub(super) fn fill(&mut self, slot: usize) {
        if self.occupied.get(slot).is_some_and(|&occupied| !occupied) {
            self.set(slot, true);
        }
    }

    /// Frees `slot` (no change if it is free or out of range).
    pub(super) fn clear(&mut self, slot: usize) {
        if self.occupied.get(slot).is_some_and(|&occupied| occupied) {
            self.set(slot, false);
        }
    }

    fn set(&mut self, slot: usize, occupied: bool) {
        if let Some(flag) = self.occupied.get_mut(slot) {
            *flag = occupied;
        }
        let mut at = slot + 1;
        while let Some(count) = self.tree.get_mut(at) {
            // A cleared slot was counted in every node on this path, so this cannot wrap.
            *count = if occupied { *count + 1 } else { *count - 1 };
            at += at & at.wrapping_neg();
        }
    }

    /// How many occupied slots come before `slot`.
    pub(super) fn before(&self, slot: usize) -> usize {
        let mut at = slot.min(self.occupied.len());
        let mut count = 0;
        while at > 0 {
            count += self.tree.get(at).copied().unwrap_or(0);
            at &= at - 1;
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::Occupancy;

    #[test]
    fn counts_the_occupied_slots_before_each_slot() {
        let mut slots = Occupancy::new(10);
        for slot in [1, 3, 4, 9] {
            slots.fill(slot);
        }
        slots.fill(3);
        assert_eq!(
            (0..=10).map(|slot| slots.before(slot)).collect::<Vec<_>>(),
            [0, 0, 1, 1, 2, 3, 3, 3, 3, 3, 4]
        );
        slots.clear(3);
        slots.clear(3);
        slots.clear(0);
        assert_eq!(slots.before(5), 2);
        assert_eq!(slots.before(100), 3);
    }
}
