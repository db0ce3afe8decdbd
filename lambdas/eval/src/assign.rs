//! Lists compared item to item: the expected and extracted items (line-item rows, parties)
//! are paired by an optimal assignment (Kuhn–Munkres on their similarity), so the order in
//! which the extractor lists them does not matter and one good row cannot be counted twice.

use pathfinding::kuhn_munkres::kuhn_munkres;
use pathfinding::matrix::Matrix;
use serde::Serialize;
use serde_json::Value;

use crate::compare::{Comparison, Tolerances, ValueKind, compare};
use crate::metrics::Counts;

/// Similarities are compared as integers in thousandths.
const SCALE: f64 = 1000.0;

/// One expected item and the extracted item the assignment gave it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemPair {
    pub expected: usize,
    pub predicted: usize,
    /// Mean similarity of the expected cells (of the item itself for a plain list).
    pub score: f64,
    /// Every expected cell matched.
    pub matched: bool,
    /// Every expected cell equal after normalisation.
    pub exact: bool,
}

/// Two lists compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListComparison {
    pub expected_items: usize,
    pub predicted_items: usize,
    /// The assigned pairs with a similarity above zero, by expected index.
    pub pairs: Vec<ItemPair>,
    /// Counts per column of a table (`tp` a cell matched in a paired row), in column order.
    pub columns: Vec<(String, Counts)>,
}

impl ListComparison {
    /// Pairs whose items match.
    pub fn matched_items(&self) -> usize {
        self.pairs.iter().filter(|p| p.matched).count()
    }

    /// Same number of items and every one paired with an equal one.
    pub fn exact(&self) -> bool {
        self.expected_items == self.predicted_items
            && self.pairs.len() == self.expected_items
            && self.pairs.iter().all(|p| p.exact)
    }

    /// Every item matched and nothing extra.
    pub fn matched(&self) -> bool {
        self.expected_items == self.predicted_items && self.matched_items() == self.expected_items
    }
}

/// Compares two lists of items of `kind` (a [`ValueKind::Table`] compares rows column by
/// column; any other kind compares items as scalars).
pub fn compare_lists(kind: &ValueKind, expected: &[Value], got: &[Value], tolerances: &Tolerances) -> ListComparison {
    let columns: &[(String, ValueKind)] = match kind {
        ValueKind::Table(columns) => columns,
        _ => &[],
    };
    let item_kind = match kind {
        ValueKind::List(inner) => inner.as_ref(),
        other => other,
    };
    let compare_items = |e: &Value, g: &Value| -> RowComparison {
        if columns.is_empty() {
            let c = compare(item_kind, e, g, tolerances);
            RowComparison { cells: vec![Some(c)], score: c.score }
        } else {
            compare_rows(columns, e, g, tolerances)
        }
    };
    let n = expected.len().max(got.len());
    let mut comparisons: Vec<Vec<Option<RowComparison>>> = vec![vec![None; got.len()]; expected.len()];
    for (i, e) in expected.iter().enumerate() {
        for (j, g) in got.iter().enumerate() {
            comparisons[i][j] = Some(compare_items(e, g));
        }
    }
    let weight = |i: usize, j: usize| -> i64 {
        comparisons
            .get(i)
            .and_then(|row| row.get(j))
            .and_then(Option::as_ref)
            .map_or(0, |c| (c.score * SCALE).round() as i64)
    };
    let assignment = if n == 0 { Vec::new() } else { kuhn_munkres(&Matrix::from_fn(n, n, |(i, j)| weight(i, j))).1 };

    let mut pairs = Vec::new();
    let mut column_counts: Vec<(String, Counts)> =
        columns.iter().map(|(c, _)| (c.clone(), Counts::default())).collect();
    let mut predicted_paired = vec![false; got.len()];
    for (i, e) in expected.iter().enumerate() {
        let j = assignment[i];
        let paired = (j < got.len() && weight(i, j) > 0).then(|| comparisons[i][j].clone()).flatten();
        if let Some(row) = &paired {
            predicted_paired[j] = true;
            pairs.push(ItemPair {
                expected: i,
                predicted: j,
                score: row.score,
                matched: row.cells.iter().flatten().all(|c| c.matched),
                exact: row.cells.iter().flatten().all(|c| c.exact),
            });
        }
        for (k, (column, _)) in columns.iter().enumerate() {
            if cell(e, column).is_some() {
                let got_cell = paired.as_ref().and_then(|_| cell(&got[j], column));
                column_counts[k].1.add(got_cell.is_some(), paired.as_ref().and_then(|row| row.cells[k]));
            }
        }
    }
    // Cells of rows nobody expected are wrong, in the columns the ground truth labels.
    let labelled: Vec<bool> = columns.iter().map(|(c, _)| expected.iter().any(|e| cell(e, c).is_some())).collect();
    for g in got.iter().enumerate().filter(|(j, _)| !predicted_paired[*j]).map(|(_, g)| g) {
        for (k, (column, _)) in columns.iter().enumerate() {
            if labelled[k] && cell(g, column).is_some() {
                column_counts[k].1.fp += 1;
            }
        }
    }
    ListComparison { expected_items: expected.len(), predicted_items: got.len(), pairs, columns: column_counts }
}

#[derive(Debug, Clone)]
struct RowComparison {
    /// One per column: `None` where the expected row has no value in that column.
    cells: Vec<Option<Comparison>>,
    score: f64,
}

fn cell<'a>(row: &'a Value, column: &str) -> Option<&'a Value> {
    row.get(column).filter(|v| !v.is_null())
}

/// Compares the cells the expected row has; the row's score is their mean similarity.
fn compare_rows(
    columns: &[(String, ValueKind)],
    expected: &Value,
    got: &Value,
    tolerances: &Tolerances,
) -> RowComparison {
    let cells: Vec<Option<Comparison>> = columns
        .iter()
        .map(|(column, kind)| {
            cell(expected, column).map(|e| match cell(got, column) {
                Some(g) => compare(kind, e, g, tolerances),
                None => Comparison { score: 0.0, exact: false, matched: false },
            })
        })
        .collect();
    let present: Vec<f64> = cells.iter().flatten().map(|c| c.score).collect();
    let score = if present.is_empty() { 0.0 } else { present.iter().sum::<f64>() / present.len() as f64 };
    RowComparison { cells, score }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn items() -> ValueKind {
        ValueKind::Table(vec![("description".into(), ValueKind::Text), ("amount".into(), ValueKind::Number)])
    }

    #[test]
    fn rows_are_paired_by_content_not_by_order() {
        let expected = [json!({"description": "Apple", "amount": 1.0}), json!({"description": "Pear", "amount": 2.0})];
        let got = [json!({"description": "Pear", "amount": 2.0}), json!({"description": "Apple", "amount": 1.0})];
        let result = compare_lists(&items(), &expected, &got, &Tolerances::default());
        let pairs: Vec<(usize, usize)> = result.pairs.iter().map(|p| (p.expected, p.predicted)).collect();
        assert_eq!(pairs, vec![(0, 1), (1, 0)]);
        assert!(result.exact() && result.matched());
        assert_eq!(result.columns[1].1, Counts { tp: 2, fp: 0, fn_: 0, exact: 2, labelled: 2 });
    }

    #[test]
    fn the_assignment_maximises_the_total_similarity() {
        // Greedy pairing in order would give expected 0 its best row (predicted 0, 1.0)
        // and leave expected 1 with predicted 1 (0.0); the optimum pairs 0–1 (0.5) and
        // 1–0 (1.0). Each expected row is scored on the cells it has.
        let kind = ValueKind::Table(vec![
            ("a".into(), ValueKind::Number),
            ("b".into(), ValueKind::Number),
            ("c".into(), ValueKind::Number),
        ]);
        let expected = [json!({"a": 1, "b": 2}), json!({"b": 2, "c": 3})];
        let got = [json!({"a": 1, "b": 2, "c": 3}), json!({"a": 1, "b": 7, "c": 8})];
        let result = compare_lists(&kind, &expected, &got, &Tolerances::default());
        let pairs: Vec<(usize, usize, f64)> = result.pairs.iter().map(|p| (p.expected, p.predicted, p.score)).collect();
        assert_eq!(pairs, vec![(0, 1, 0.5), (1, 0, 1.0)]);
        assert_eq!(result.matched_items(), 1);
        let kind = ValueKind::Table(vec![("a".into(), ValueKind::Number), ("b".into(), ValueKind::Number)]);
        let expected = [json!({"a": 1, "b": 2}), json!({"a": 9, "b": 3})];
        let got = [json!({"a": 1, "b": 3}), json!({"a": 1, "b": 2}), json!({"a": 9, "b": 3})];
        let result = compare_lists(&kind, &expected, &got, &Tolerances::default());
        let pairs: Vec<(usize, usize)> = result.pairs.iter().map(|p| (p.expected, p.predicted)).collect();
        assert_eq!(pairs, vec![(0, 1), (1, 2)]);
        assert!(!result.matched(), "an extra row is not a match of the list");
    }

    #[test]
    fn missing_and_extra_rows_count_against_recall_and_precision_per_column() {
        let expected = [json!({"description": "Apple", "amount": 1.0}), json!({"description": "Pear", "amount": 2.0})];
        let got = [
            json!({"description": "Apple", "amount": 1.5}),
            json!({"description": "Plum", "amount": 7.0}),
            json!({"description": "Kiwi", "amount": 8.0}),
        ];
        let result = compare_lists(&items(), &expected, &got, &Tolerances::default());
        assert_eq!((result.expected_items, result.predicted_items), (2, 3));
        assert_eq!(result.matched_items(), 0, "the apple row has the wrong amount");
        let description = result.columns[0].1;
        // Apple matched; Pear paired with a wrong row or unpaired; two other predictions wrong.
        assert_eq!((description.tp, description.fn_, description.fp), (1, 1, 2));
        let amount = result.columns[1].1;
        assert_eq!((amount.tp, amount.fn_, amount.fp), (0, 2, 3));
    }

    #[test]
    fn plain_lists_are_matched_item_to_item() {
        let kind = ValueKind::List(Box::new(ValueKind::Text));
        let result = compare_lists(
            &kind,
            &[json!("Kite Pharma Inc."), json!("Gilead")],
            &[json!("gilead"), json!("Kite Pharma, Inc.")],
            &Tolerances::default(),
        );
        assert_eq!(result.matched_items(), 2);
        assert!(!result.exact(), "Kite Pharma differs by a comma");
        let empty = compare_lists(&kind, &[], &[], &Tolerances::default());
        assert!(empty.exact() && empty.matched());
    }
}
