//! Reading what the benches measured: criterion's estimates and the benches' printed lines.

use std::collections::BTreeMap;
use std::path::Path;

/// Median time in ns of every criterion benchmark under `criterion_dir`, by id
/// (`group/function[/parameter]`), read from each `new/estimates.json`.
pub(super) fn medians(criterion_dir: &Path) -> BTreeMap<String, f64> {
    let mut found = BTreeMap::new();
    collect(criterion_dir, criterion_dir, &mut found);
    found
}

fn collect(root: &Path, dir: &Path, found: &mut BTreeMap<String, f64>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if !path.is_dir() || entry.file_name() == "report" {
            continue;
        }
        let estimates = path.join("new").join("estimates.json");
        if let Some(median) = median_of(&estimates) {
            if let Ok(id) = path.strip_prefix(root) {
                found.insert(id.to_string_lossy().replace('\\', "/"), median);
            }
        } else {
            collect(root, &path, found);
        }
    }
}

fn median_of(estimates: &Path) -> Option<f64> {
    let text = std::fs::read_to_string(estimates).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json.get("median")?.get("point_estimate")?.as_f64()
}

/// On the first line of `output` that holds `line_with`, the first number after the last
/// `after`.
pub(super) fn printed(output: &str, line_with: &str, after: &str) -> Option<f64> {
    let line = output.lines().find(|line| line.contains(line_with))?;
    let (_, rest) = line.rsplit_once(after)?;
    rest.split_whitespace().find_map(|word| {
        // A leading `-` is the number's sign (an overhead can be negative); `+` is dropped.
        word.trim_matches(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
            .parse()
            .ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_takes_the_number_after_the_marker() {
        let output = "x\nbatching (iris, 64 clients)  max_batch 1:   100 req/s   max_batch 16:   540 req/s   5.40×\n";
        assert_eq!(printed(output, "batching (iris", "req/s"), Some(5.4));
        let ratio = "csv_filter: SDK / raw over 15 rounds: median 0.89 (min 0.67, max 1.34)\n";
        assert_eq!(printed(ratio, "SDK / raw", "median"), Some(0.89));
        assert_eq!(printed("peak ratio: 1.02\n", "peak ratio", ":"), Some(1.02));
        assert_eq!(printed("nothing here\n", "peak ratio", ":"), None);
        let inference =
            "iris (1 row)  raw 4.5 µs   pipeline 4.3 µs   overhead  -0.2 µs (-4.44 %)\n";
        assert_eq!(printed(inference, "iris (1 row)", "overhead"), Some(-0.2));
        assert_eq!(printed(inference, "iris (1 row)", "("), Some(-4.44));
        let positive = "minilm int8  raw 29.3 µs  pipeline 29.4 µs  overhead +0.1 µs (+0.34 %)\n";
        assert_eq!(printed(positive, "minilm int8", "("), Some(0.34));
    }

    #[test]
    fn medians_are_found_at_any_depth() {
        let dir = tempfile::tempdir().expect("tempdir");
        let bench = dir.path().join("group/function/16/new");
        std::fs::create_dir_all(&bench).expect("mkdir");
        std::fs::write(
            bench.join("estimates.json"),
            r#"{"median":{"point_estimate":1234.5}}"#,
        )
        .expect("write");
        std::fs::create_dir_all(dir.path().join("report")).expect("mkdir");
        assert_eq!(
            medians(dir.path()).get("group/function/16").copied(),
            Some(1234.5)
        );
    }
}
