//! The total of a till receipt checked against the payment printed under it: the cash
//! tendered less the change given back is what was due. On a recognised receipt that is a
//! second, independent reading of the total, which settles a garbled or misread total line.

use docex_normalize::{find_money, repair_ocr_amounts};

use crate::layout::{TLine, fold_label};

/// Labels of the amount handed over, in the languages of the label dictionaries.
const TENDERED: &[&str] = &[
    "cash",
    "cash received",
    "cash tendered",
    "tendered",
    "amount tendered",
    "amount paid",
    "paid",
    "tunai",
    "bar",
    "gegeben",
    "especes",
    "contant",
];

/// Labels of the change given back.
const CHANGE: &[&str] =
    &["change", "change due", "baki", "ruckgeld", "wechselgeld", "rendu", "monnaie rendue", "wisselgeld"];

/// An amount read right of a label that starts its line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LabelledAmount {
    pub line: usize,
    pub amount: f64,
    /// The label and the amount as printed.
    pub text: String,
}

/// The total as cash tendered less change: the two amounts, and the total.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TenderedLessChange {
    pub tendered: LabelledAmount,
    pub change: LabelledAmount,
    pub total: f64,
}

/// The last amount on a line whose first words are one of `labels`.
fn amount_after_label(line: &TLine, index: usize, labels: &[&str]) -> Option<LabelledAmount> {
    let label_end = labels
        .iter()
        .filter_map(|l| line.find(&fold_label(l)).into_iter().find(|(s, _)| line.text[..*s].trim().is_empty()))
        .map(|(_, e)| e)
        .max()?;
    let rest = &line.text[label_end..];
    let repaired;
    let rest = if line.ocr {
        repaired = repair_ocr_amounts(rest);
        repaired.as_str()
    } else {
        rest
    };
    let found = find_money(rest);
    let last = found.last()?;
    let amount = last.money.amount;
    (amount >= 0.0).then(|| LabelledAmount {
        line: index,
        amount,
        text: format!("{}{}", &line.text[..label_end], &line.text[label_end..label_end + last.end]),
    })
}

/// The first tendered amount followed, on a later line of the same page, by a change amount
/// smaller than it.
pub(crate) fn tendered_less_change(lines: &[TLine]) -> Option<TenderedLessChange> {
    for (i, line) in lines.iter().enumerate() {
        let Some(tendered) = amount_after_label(line, i, TENDERED) else { continue };
        let change = lines
            .iter()
            .enumerate()
            .skip(i + 1)
            .take(4)
            .take_while(|(_, l)| l.page == line.page)
            .find_map(|(j, l)| amount_after_label(l, j, CHANGE));
        if let Some(change) = change {
            let total = ((tendered.amount - change.amount) * 100.0).round() / 100.0;
            if total > 0.0 {
                return Some(TenderedLessChange { tendered, change, total });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::document_lines;
    use docex_core::{BBox, Document, Page, Word};

    fn receipt(rows: &[&str], ocr: bool) -> Vec<TLine> {
        let mut words = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            let mut x = 10.0;
            for w in row.split_whitespace() {
                let x1 = x + 6.0 * w.chars().count() as f32;
                let y0 = 20.0 + 14.0 * r as f32;
                words.push(Word { text: w.into(), bbox: BBox { x0: x, y0, x1, y1: y0 + 10.0 } });
                x = x1 + 5.0;
            }
        }
        let document =
            Document { pages: vec![Page { number: 1, width: 300.0, height: 800.0, words, ocr }], ..Default::default() };
        document_lines(&document)
    }

    #[test]
    fn cash_less_change_is_the_total() {
        let lines = receipt(&["TotalAmount: garbled", "Cash Received: 101.00", "Change : 70.00"], true);
        let found = tendered_less_change(&lines).expect("cash and change");
        assert_eq!(found.total, 31.0);
        assert_eq!(found.tendered.text, "Cash Received: 101.00");
        assert_eq!(found.change.line, 2);
    }

    #[test]
    fn recognised_amounts_split_by_a_space_are_repaired() {
        let lines = receipt(&["Cash 50. 00", "Change 20.00"], true);
        assert_eq!(tendered_less_change(&lines).map(|f| f.total), Some(30.0));
    }

    #[test]
    fn no_total_without_both_amounts_or_with_more_change_than_cash() {
        assert!(tendered_less_change(&receipt(&["Cash 50.00", "Thank you"], false)).is_none());
        assert!(tendered_less_change(&receipt(&["Change 20.00"], false)).is_none());
        assert!(tendered_less_change(&receipt(&["Cash 10.00", "Change 20.00"], false)).is_none());
        // A label inside a sentence is not a label.
        assert!(tendered_less_change(&receipt(&["Paid by cash 50.00", "Prices may change 20.00"], false)).is_none());
    }
}
