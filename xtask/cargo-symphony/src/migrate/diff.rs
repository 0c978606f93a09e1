//! The `--dry-run` report: each changed line as `-` old and `+` new, with line numbers.

use std::path::Path;

/// Larger files fall back to one block from the first to the last differing line, which is
/// still exact, only less minimal; the table of common subsequences would grow too large.
const MAX_CELLS: usize = 4_000_000;

/// What changes between `old` and `new` in `path`, in a unified-diff-like form.
pub(crate) fn lines(path: &Path, old: &str, new: &str) -> String {
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = new.lines().collect();
    let mut text = format!("--- {0}\n+++ {0} (migrated)\n", path.display());
    for step in steps(&old, &new) {
        match step {
            Step::Same => {}
            Step::Removed(line, content) => text.push_str(&format!("-{line:>5} {content}\n")),
            Step::Added(line, content) => text.push_str(&format!("+{line:>5} {content}\n")),
        }
    }
    text
}

#[derive(Debug, PartialEq, Eq)]
enum Step<'a> {
    Same,
    /// A line of the old text (1-based number) that is gone.
    Removed(usize, &'a str),
    /// A line of the new text (1-based number) that is new.
    Added(usize, &'a str),
}

fn steps<'a>(old: &[&'a str], new: &[&'a str]) -> Vec<Step<'a>> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let old_mid = &old[prefix..old.len() - suffix];
    let new_mid = &new[prefix..new.len() - suffix];
    let mut steps: Vec<Step<'a>> = (0..prefix).map(|_| Step::Same).collect();
    if old_mid.len().saturating_mul(new_mid.len()) > MAX_CELLS {
        steps.extend(
            old_mid
                .iter()
                .enumerate()
                .map(|(i, l)| Step::Removed(prefix + i + 1, l)),
        );
        steps.extend(
            new_mid
                .iter()
                .enumerate()
                .map(|(i, l)| Step::Added(prefix + i + 1, l)),
        );
        return steps;
    }
    // longest[i][j]: the longest common subsequence of old_mid[i..] and new_mid[j..].
    let width = new_mid.len() + 1;
    let mut longest = vec![0usize; (old_mid.len() + 1) * width];
    for i in (0..old_mid.len()).rev() {
        for j in (0..new_mid.len()).rev() {
            longest[i * width + j] = if old_mid[i] == new_mid[j] {
                longest[(i + 1) * width + j + 1] + 1
            } else {
                longest[(i + 1) * width + j].max(longest[i * width + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < old_mid.len() || j < new_mid.len() {
        if i < old_mid.len() && j < new_mid.len() && old_mid[i] == new_mid[j] {
            steps.push(Step::Same);
            i += 1;
            j += 1;
        } else if j < new_mid.len()
            && (i == old_mid.len() || longest[i * width + j + 1] > longest[(i + 1) * width + j])
        {
            steps.push(Step::Added(prefix + j + 1, new_mid[j]));
            j += 1;
        } else {
            steps.push(Step::Removed(prefix + i + 1, old_mid[i]));
            i += 1;
        }
    }
    steps.extend((0..suffix).map(|_| Step::Same));
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_only_the_changed_lines_with_their_numbers() {
        let old = "a\nuse symphony_operators::X;\nb\nsymphony_operators::f();\nc\n";
        let new = "a\nuse symphony::operators::X;\nb\nsymphony::operators::f();\nc\n";
        assert_eq!(
            lines(Path::new("src/main.rs"), old, new),
            "--- src/main.rs\n+++ src/main.rs (migrated)\n\
             -    2 use symphony_operators::X;\n\
             +    2 use symphony::operators::X;\n\
             -    4 symphony_operators::f();\n\
             +    4 symphony::operators::f();\n"
        );
    }

    #[test]
    fn inserted_lines_are_only_added() {
        let steps = steps(&["a", "c"], &["a", "b", "c"]);
        assert_eq!(steps, [Step::Same, Step::Added(2, "b"), Step::Same]);
    }
}
