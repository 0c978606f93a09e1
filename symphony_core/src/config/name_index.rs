//! Finding a name in a list that keeps its declared order, in O(log n).

/// Positions in a list of names, sorted by name.
///
/// The list itself stays in declaration order (fields are shown and checked in that order);
/// the index answers "where is this name" by binary search, so that checking n keys against
/// a schema of m fields costs O(n log m) rather than O(n·m).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct NameIndex(Vec<usize>);

impl NameIndex {
    /// The index of `names`.
    pub(crate) fn new(names: &[&str]) -> Self {
        let mut order: Vec<usize> = (0..names.len()).collect();
        order.sort_unstable_by(|&a, &b| names.get(a).cmp(&names.get(b)));
        Self(order)
    }

    /// The position of `name` in the list that `name_at` reads (the one the index was made
    /// of), if it is there.
    pub(crate) fn find<'n>(&self, name_at: impl Fn(usize) -> &'n str, name: &str) -> Option<usize> {
        self.0
            .binary_search_by(|&position| name_at(position).cmp(name))
            .ok()
            .and_then(|found| self.0.get(found).copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_name_and_nothing_else() {
        let names = ["zeta", "alpha", "mid", "", "alp"];
        let index = NameIndex::new(&names);
        let at = |position: usize| names[position];
        for (position, name) in names.iter().enumerate() {
            assert_eq!(index.find(at, name), Some(position));
        }
        assert_eq!(index.find(at, "alph"), None);
        assert_eq!(index.find(at, "zz"), None);
        assert_eq!(NameIndex::default().find(at, "zeta"), None);
    }
}
