//! A longest increasing subsequence: the children a keyed diff can leave where they are.

/// Marks the members of one longest strictly increasing subsequence of `values`.
///
/// Patience sorting with back links: O(n log n).
pub(super) fn longest_increasing(values: &[usize]) -> Vec<bool> {
    // `tails[k]`: the index of the smallest last value of an increasing subsequence of
    // length k + 1 seen so far; `previous[i]`: the element before `i` in its subsequence.
    let mut tails: Vec<usize> = Vec::new();
    let mut previous: Vec<Option<usize>> = vec![None; values.len()];
    for (index, &value) in values.iter().enumerate() {
        let length = tails.partition_point(|&tail| values.get(tail).is_some_and(|&t| t < value));
        if let Some(slot) = previous.get_mut(index) {
            *slot = length
                .checked_sub(1)
                .and_then(|before| tails.get(before))
                .copied();
        }
        match tails.get_mut(length) {
            Some(tail) => *tail = index,
            None => tails.push(index),
        }
    }
    let mut members = vec![false; values.len()];
    let mut at = tails.last().copied();
    while let Some(index) = at {
        if let Some(member) = members.get_mut(index) {
            *member = true;
        }
        at = previous.get(index).copied().flatten();
    }
    members
}

#[cfg(test)]
mod tests {
    use super::longest_increasing;

    fn members(values: &[usize]) -> Vec<usize> {
        let marked = longest_increasing(values);
        values
            .iter()
            .zip(marked)
            .filter_map(|(value, member)| member.then_some(*value))
            .collect()
    }

    #[test]
    fn finds_a_longest_increasing_subsequence() {
        assert_eq!(members(&[]), Vec::<usize>::new());
        assert_eq!(members(&[3, 0, 1, 2]), [0, 1, 2]);
        assert_eq!(members(&[3, 2, 1, 0]).len(), 1);
        assert_eq!(members(&[1, 2, 0, 3]), [1, 2, 3]);
        assert_eq!(
            members(&[2, 5, 3, 7, 11, 8, 10, 13, 6]),
            [2, 3, 7, 8, 10, 13]
        );
    }
}
