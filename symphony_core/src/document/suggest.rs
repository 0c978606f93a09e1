//! "Did you mean …?" hints: the closest known name to a misspelt one.

use std::fmt;

/// Names longer than this (in characters) are not typos worth a hint.
pub(crate) const MAX_NAME_CHARS: usize = 64;

/// How many candidates one hint looks at: a hint is a courtesy, and its cost must stay
/// bounded however many keys a document has.
pub(crate) const MAX_CANDIDATES: usize = 256;

/// The candidate closest to `input`, if it is close enough to be a plausible typo.
///
/// Closeness is the edit distance, case-insensitively; a candidate qualifies when the
/// distance is at most a third of the input's length (at least 1), so `descripton` suggests
/// `description` but `foo` suggests nothing from an unrelated list. A candidate that starts
/// with an input of three or more characters also qualifies (`min` → `min_length`).
///
/// The search is bounded, since both the input and the candidates may come from a large
/// document: names longer than [`MAX_NAME_CHARS`] get no hint and are never hints, and only
/// the first [`MAX_CANDIDATES`] candidates are considered.
pub(crate) fn closest<'c>(
    input: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    if input.len() > MAX_NAME_CHARS * 4 || input.chars().count() > MAX_NAME_CHARS {
        return None;
    }
    let input = input.to_lowercase();
    let length = input.chars().count();
    let limit = (length / 3).max(1);
    candidates
        .into_iter()
        .take(MAX_CANDIDATES)
        .filter(|candidate| candidate.len() <= MAX_NAME_CHARS * 4)
        .filter_map(|candidate| {
            let lower = candidate.to_lowercase();
            let distance = edit_distance(&input, &lower);
            let qualifies = distance <= limit || (length >= 3 && lower.starts_with(&input));
            qualifies.then_some((distance, candidate))
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Formats an optional suggestion as ` (did you mean `x`?)`, or nothing.
pub(crate) fn did_you_mean(suggestion: &Option<String>) -> impl fmt::Display + '_ {
    struct Hint<'a>(&'a Option<String>);
    impl fmt::Display for Hint<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self.0 {
                Some(name) => write!(f, " (did you mean `{name}`?)"),
                None => Ok(()),
            }
        }
    }
    Hint(suggestion)
}

/// Edit distance between two strings, by characters: insertions, deletions, substitutions and
/// swaps of two adjacent characters each count as one edit (optimal string alignment), since a
/// swap (`nmae`) is as common a typo as a wrong letter.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows of the dynamic-programming table: row i-2 (for swaps), i-1 and i.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let mut best = (previous[j] + cost)
                .min(previous[j + 1] + 1)
                .min(current[j] + 1);
            let swapped = i > 0 && j > 0 && a.get(i - 1) == Some(cb) && b.get(j - 1) == Some(ca);
            if swapped {
                best = best.min(before[j - 1] + 1);
            }
            current[j + 1] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("descripton", "description"), 1);
        assert_eq!(edit_distance("flaot", "float"), 1);
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(edit_distance("abc", "ca"), 3);
    }

    #[test]
    fn closest_suggests_only_plausible_typos() {
        let fields = ["id", "name", "description", "version"];
        assert_eq!(closest("descripton", fields), Some("description"));
        assert_eq!(closest("Version", fields), Some("version"));
        assert_eq!(closest("nmae", fields), Some("name"));
        assert_eq!(closest("colour", fields), None);
        assert_eq!(closest("x", ["y"]), Some("y"));
        assert_eq!(closest("min", ["max", "min_length"]), Some("min_length"));
        assert_eq!(closest("desc", fields), Some("description"));
        assert_eq!(closest("de", fields), None);
        assert_eq!(closest("x", Vec::<&str>::new()), None);
    }

    #[test]
    fn hint_formats_suggestion() {
        assert_eq!(
            did_you_mean(&Some("name".into())).to_string(),
            " (did you mean `name`?)"
        );
        assert_eq!(did_you_mean(&None).to_string(), "");
    }
}
