//! The results the motif shows: what the host sends it as the component's state.

use serde::{Deserialize, Serialize};

/// Every scored row, with where it came from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Report {
    /// The CSV file, as the user named it.
    pub(crate) source: String,
    /// The ONNX engine that scored the rows.
    pub(crate) engine: String,
    /// Class names, by the model's label index.
    pub(crate) classes: Vec<String>,
    /// The rows, in file order.
    pub(crate) rows: Vec<ScoredRow>,
}

/// One row of the CSV and the model's answer for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ScoredRow {
    /// The row's `name`, or `row N` when the file has no such column.
    pub(crate) name: String,
    /// Sepal length, sepal width, petal length, petal width (cm).
    pub(crate) features: [f32; 4],
    /// The predicted class index.
    pub(crate) class: usize,
    /// The model's probability for that class.
    pub(crate) probability: f32,
}

impl Report {
    /// The name of class `index` (the index itself if the model knows more classes).
    pub(crate) fn class_name(&self, index: usize) -> String {
        self.classes
            .get(index)
            .cloned()
            .unwrap_or_else(|| format!("class {index}"))
    }

    /// How many rows were predicted as each class, by class index.
    pub(crate) fn class_counts(&self) -> Vec<(usize, usize)> {
        let mut counts = vec![0; self.classes.len()];
        for row in &self.rows {
            if counts.len() <= row.class {
                counts.resize(row.class + 1, 0);
            }
            if let Some(count) = counts.get_mut(row.class) {
                *count += 1;
            }
        }
        counts.into_iter().enumerate().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_every_class_even_unknown_ones() {
        let row = |class| ScoredRow {
            name: String::new(),
            features: [0.0; 4],
            class,
            probability: 1.0,
        };
        let report = Report {
            classes: vec!["a".into(), "b".into()],
            rows: vec![row(0), row(0), row(3)],
            ..Report::default()
        };
        assert_eq!(report.class_counts(), [(0, 2), (1, 0), (2, 0), (3, 1)]);
        assert_eq!(report.class_name(3), "class 3");
    }
}
