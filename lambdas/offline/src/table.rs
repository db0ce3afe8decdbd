//! Tables such as invoice line items: the header row is found by the column labels of the
//! table spec, and the rows under it are read by the columns' horizontal ranges until a
//! totals row. A wide vertical gap or the end of the page ends the rows of that page; the
//! table goes on under its header repeated at the top of the next page. Running headers
//! and footers (the same line at the same height on several pages) are never rows.

use std::collections::{HashMap, HashSet};

use docex_core::{Extraction, FieldEvidence, FieldKind, FieldSpec, Spec};
use docex_normalize::{FoundMoney, find_money, find_money_grouped, fold, parse_currency};
use regex::Regex;
use serde_json::{Map, Value, json};

use crate::fields::{Ctx, priced};
use crate::layout::{TLine, TWord, fold_label};

/// A column as located on the header row: one of the table spec's, or (`spec: None`) a
/// column the spec does not ask for, whose cells are passed over rather than run into
/// their neighbour ("Tax" and "Total with tax" beside "Total").
struct Column<'a> {
    spec: Option<&'a FieldSpec>,
    x0: f32,
    x1: f32,
}

impl<'a> Column<'a> {
    fn numeric(&self) -> bool {
        self.spec.is_some_and(|spec| is_numeric(&spec.kind))
    }
}

fn is_numeric(kind: &FieldKind) -> bool {
    matches!(kind, FieldKind::Money | FieldKind::Number | FieldKind::Integer)
}

/// The table spec's money columns: the unit price's (named for a unit) and the line amount's.
fn unit_price_and_amount(columns: &[FieldSpec]) -> (Option<&FieldSpec>, Option<&FieldSpec>) {
    let mut money = columns.iter().filter(|spec| matches!(spec.kind, FieldKind::Money));
    let unit = money.clone().find(|spec| spec.name.contains("unit"));
    (unit, money.find(|spec| !spec.name.contains("unit")))
}

/// Whether line `li` is the header row of a table the spec asks for (its items' titles).
pub(crate) fn heads_a_table(ctx: &Ctx, li: usize) -> bool {
    ctx.fields.iter().any(|field| match &field.kind {
        FieldKind::Table(columns) => find_header(ctx, columns, std::iter::once(li)).is_some(),
        _ => false,
    })
}

/// Finds the header row among the lines `within`: the line where the most columns have a
/// label (at least two, one of them numeric), and no amounts.
fn find_header<'a>(
    ctx: &Ctx,
    columns: &'a [FieldSpec],
    within: impl Iterator<Item = usize>,
) -> Option<(usize, Vec<Column<'a>>)> {
    let mut best: Option<(usize, Vec<Column<'a>>)> = None;
    for li in within {
        let line = &ctx.lines[li];
        if !find_money(&line.text).is_empty() && line.text.chars().filter(|c| c.is_ascii_digit()).count() > 3 {
            continue;
        }
        let stacked = li.checked_sub(1).and_then(|above| line.with_titles_above(&ctx.lines[above]));
        let line = stacked.as_ref().unwrap_or(line);
        let mut found: Vec<(usize, usize, usize, &'a FieldSpec)> = Vec::new();
        for col in columns {
            let mut labels: Vec<Vec<char>> = col.labels.iter().map(|l| fold_label(l)).collect();
            if labels.is_empty() {
                labels.push(fold_label(&col.name.replace('_', " ")));
            }
            labels.sort_by_key(|l| std::cmp::Reverse(l.len()));
            let money = matches!(col.kind, FieldKind::Money);
            for label in &labels {
                // A title with a currency in brackets heads amounts, whatever its words say
                // ("Kogus (Euro)": "quantity (euro)").
                let hit = line.find(label).into_iter().find(|&(_, e)| money || !currency_in_brackets(&line.text[e..]));
                if let Some((s, e)) = hit {
                    found.push((s, e, label.len(), col));
                    break;
                }
            }
        }
        price_beside_unit_price(line, columns, &mut found);
        amounts_titled_in_a_currency(line, columns, &mut found);
        second_amount_title(line, columns, &mut found);
        // A label inside another column's longer label belongs to that one.
        let kept: Vec<&(usize, usize, usize, &FieldSpec)> =
            found.iter().filter(|a| !found.iter().any(|b| b.2 > a.2 && b.0 <= a.0 && a.1 <= b.1)).collect();
        let mut cols: Vec<Column> = kept
            .iter()
            .filter_map(|(s, e, _, spec)| line.bbox_of(*s, *e).map(|b| Column { spec: Some(spec), x0: b.x0, x1: b.x1 }))
            .collect();
        if cols.len() < 2 || !cols.iter().any(Column::numeric) {
            continue;
        }
        if best.as_ref().is_none_or(|(_, b)| cols.len() > b.iter().filter(|c| c.spec.is_some()).count()) {
            span_titles(line, &kept, &mut cols);
            cols.sort_by(|a, b| a.x0.total_cmp(&b.x0));
            best = Some((li, cols));
        }
    }
    best
}

/// Every place on `line` where one of `spec`'s labels stands: byte range and label length.
fn label_hits<'l>(line: &'l TLine, spec: &'l FieldSpec) -> impl Iterator<Item = (usize, usize, usize)> + 'l {
    spec.labels
        .iter()
        .map(|l| fold_label(l))
        .flat_map(move |label| line.find(&label).into_iter().map(move |(s, e)| (s, e, label.len())))
}

/// "Price" beside "Unit price" ("Preis" beside "Stückpreis", "Prix" beside "Prix unitaire"),
/// where no title names the line amount: the plain price is the line's. The unit price
/// column is the spec's money column named for a unit; the amount column its other one.
fn price_beside_unit_price<'a>(
    line: &TLine,
    columns: &'a [FieldSpec],
    found: &mut Vec<(usize, usize, usize, &'a FieldSpec)>,
) {
    let (Some(unit), Some(amount)) = unit_price_and_amount(columns) else { return };
    if found.iter().any(|f| std::ptr::eq(f.3, amount)) {
        return;
    }
    let Some(&(unit_start, unit_end, _, _)) = found.iter().find(|f| std::ptr::eq(f.3, unit)) else { return };
    let plain = label_hits(line, unit).find(|&(s, e, _)| e <= unit_start || s >= unit_end);
    if let Some((s, e, len)) = plain {
        found.push((s, e, len, amount));
    }
}

/// A second title of the line amount's right of the first, where no title names the unit
/// price ("Amount" and "Total"): a column of the same spec, read as the line amount's second
/// reading until the rows show which is which (`unit_prices_beside_line_amounts`).
fn second_amount_title<'a>(
    line: &TLine,
    columns: &'a [FieldSpec],
    found: &mut Vec<(usize, usize, usize, &'a FieldSpec)>,
) {
    let (unit, Some(amount)) = unit_price_and_amount(columns) else { return };
    if unit.is_some_and(|unit| found.iter().any(|f| std::ptr::eq(f.3, unit))) {
        return;
    }
    let Some(&(_, first_end, _, _)) = found.iter().find(|f| std::ptr::eq(f.3, amount)) else { return };
    let second = label_hits(line, amount)
        .filter(|&(s, e, _)| s >= first_end && !found.iter().any(|f| f.0 < e && s < f.1))
        .min_by_key(|&(s, _, len)| (s, std::cmp::Reverse(len)));
    if let Some((s, e, len)) = second {
        found.push((s, e, len, amount));
    }
}

/// Whether `text` starts with a currency in brackets: "(EUR)" after "Amount", "(kr)" after
/// "Belopp".
fn currency_in_brackets(text: &str) -> bool {
    let inside = text.trim_start().strip_prefix('(').and_then(|rest| rest.split_once(')'));
    // "¤", the sign for any currency, is what a font's euro sign may read as.
    inside.is_some_and(|(code, _)| code.trim() == "¤" || parse_currency(code.trim()).is_some())
}

/// A title with a currency in brackets that no label of the spec's names is the line
/// amount's, when no other title is.
fn amounts_titled_in_a_currency<'a>(
    line: &TLine,
    columns: &'a [FieldSpec],
    found: &mut Vec<(usize, usize, usize, &'a FieldSpec)>,
) {
    let (_, Some(amount)) = unit_price_and_amount(columns) else { return };
    if found.iter().any(|f| std::ptr::eq(f.3, amount)) {
        return;
    }
    let untitled = line.segments().into_iter().find(|&(s, e)| {
        let title = &line.text[s..e];
        title.match_indices('(').any(|(at, _)| currency_in_brackets(&title[at..]))
            && !found.iter().any(|f| f.0 < e && s < f.1)
    });
    if let Some((s, e)) = untitled {
        found.push((s, e, e - s, amount));
    }
}

/// Widens each column to its whole title on the header line ("Total price", not just the
/// label "Total") and adds the line's other titles as columns the spec does not name.
/// `labels` are the labels found on the line: byte range, length and column.
fn span_titles<'a>(line: &TLine, labels: &[&(usize, usize, usize, &'a FieldSpec)], cols: &mut Vec<Column<'a>>) {
    for (s, e) in line.segments() {
        let Some(b) = line.bbox_of(s, e) else { continue };
        let inside: Vec<&&(usize, usize, usize, &FieldSpec)> =
            labels.iter().filter(|label| s <= label.0 && label.1 <= e).collect();
        match inside.as_slice() {
            [] => cols.push(Column { spec: None, x0: b.x0, x1: b.x1 }),
            [one] => {
                let name = &one.3.name;
                let within = |c: &Column| c.x0 >= b.x0 - 1.0 && c.x1 <= b.x1 + 1.0;
                if let Some(col) = cols.iter_mut().find(|c| c.spec.is_some_and(|spec| &spec.name == name) && within(c))
                {
                    // A text column keeps its left edge: "Pos Description" is one title whose
                    // position numbers are no part of the description.
                    if col.numeric() {
                        col.x0 = b.x0;
                    }
                    col.x1 = b.x1;
                }
            }
            _ => {}
        }
    }
}

/// The lines printed on more than one page at the same height with the same words (the
/// digits of a line without amounts aside: "Page 1 of 3"): a running header or footer,
/// never a row of a table.
fn page_furniture(ctx: &Ctx) -> HashSet<usize> {
    let mut seen: HashMap<String, Vec<(usize, u32, f32)>> = HashMap::new();
    for (li, line) in ctx.lines.iter().enumerate() {
        let folded = fold(&line.text);
        let key: String = if find_money(&line.text).is_empty() {
            folded.chars().filter(|c| !c.is_ascii_digit()).collect()
        } else {
            folded
        };
        if key.trim().len() > 2 {
            seen.entry(key).or_default().push((li, line.page, line.bbox.y0));
        }
    }
    let mut furniture = HashSet::new();
    for places in seen.values() {
        for &(li, page, y) in places {
            if places.iter().any(|&(_, other_page, other_y)| other_page != page && (other_y - y).abs() < 2.0) {
                furniture.insert(li);
            }
        }
    }
    furniture
}

/// Which column a word at `x0..x1` belongs to: the one it overlaps most, else the nearest.
fn column_of(columns: &[Column], x0: f32, x1: f32) -> usize {
    let mut best = (0, f32::MAX);
    for (i, c) in columns.iter().enumerate() {
        let overlap = x1.min(c.x1) - x0.max(c.x0);
        let distance = if overlap > 0.0 { -overlap } else { (x0 - c.x1).max(c.x0 - x1) };
        if distance < best.1 {
            best = (i, distance);
        }
    }
    best.0
}

/// A figure printed in groups with spaces between them ("3 952,72 kr") is one word per
/// group, and a right-aligned figure can reach under the column left of its own: each
/// leading group (one to three digits, close before a group of three) goes where the rest
/// of its figure goes.
fn with_leading_groups_joined<'w>(line: &TLine, mut placed: Vec<(&'w TWord, usize)>) -> Vec<(&'w TWord, usize)> {
    for i in (0..placed.len().saturating_sub(1)).rev() {
        let (word, next) = (placed[i].0, placed[i + 1].0);
        let (text, rest) = (&line.text[word.start..word.end], &line.text[next.start..next.end]);
        let leading_group = (1..=3).contains(&text.len()) && text.chars().all(|c| c.is_ascii_digit());
        let group_follows = rest.len() >= 3
            && rest.chars().take(3).all(|c| c.is_ascii_digit())
            && !rest.chars().nth(3).is_some_and(|c| c.is_ascii_digit());
        if leading_group && group_follows && next.bbox.x0 - word.bbox.x1 < 0.6 * line.height() {
            placed[i].1 = placed[i + 1].1;
        }
    }
    placed
}

/// Whether a line begins by saying that what follows is included in the line above
/// ("Incl. deposit", "inkl. Pfand", "dont éco-participation").
fn states_an_included_part(text: &str) -> bool {
    let first = text.split_whitespace().next().map(fold).unwrap_or_default();
    ["incl", "incl.", "including", "inclusief", "inkl", "inkl.", "inklusive", "dont", "davon"].contains(&first.as_str())
}

/// A number, an amount, a rate or a measure ("2", "443,81EUR", "7%", "1KG"): digits with
/// at most a currency's or a unit's letters.
fn figure(word: &str) -> bool {
    word.chars().any(|c| c.is_ascii_digit()) && word.chars().filter(|c| c.is_alphabetic()).count() <= 3
}

/// Reads a cell of `kind`; `after` is the rest of its line.
fn parse_cell(kind: &FieldKind, text: &str, after: &str) -> Option<Value> {
    match kind {
        FieldKind::Money | FieldKind::Number => {
            // A cell holds one amount: "5 155,00" is 5155 even without a currency. A rate
            // ("0 %", a VAT column set close beside the price, its sign maybe under the next
            // column) is none.
            let text = &without_per_unit(text);
            let found: Vec<_> = find_money_grouped(text)
                .into_iter()
                .filter(|m| {
                    let rest = &text[m.end..];
                    let rest = if rest.trim().is_empty() { after } else { rest };
                    !rest.trim_start().starts_with('%')
                })
                .collect();
            let marked: Vec<_> = found.iter().filter(|m| m.money.currency.is_some()).collect();
            let rate_between = |(first, last): (&FoundMoney, &FoundMoney)| {
                text.get(first.end..last.start).is_some_and(|between| between.contains('%'))
            };
            let m = match (kind, &marked[..]) {
                // A rate between two amounts under one title ("$12.010,26 21% $14.532,41",
                // titles set close: "Subtotal Alíc. IVA Subtotal c/IVA") parts the line's
                // amount before tax, the first, from the one with it.
                (FieldKind::Money, _) if found.first().zip(found.last()).is_some_and(rate_between) => found.first(),
                // Of a price marked with its currency and a bare figure beside it under the
                // same title ("$35.618,69 0,00" under "Precio Unit. % Bonif."), the price.
                (FieldKind::Money, [only]) => Some(*only),
                (FieldKind::Money, _) => found.last(),
                _ => found.first(),
            }?;
            Some(json!(m.money.amount))
        }
        FieldKind::Integer => {
            let m = find_money(text).into_iter().next()?;
            (m.money.amount.fract() == 0.0).then(|| json!(m.money.amount as i64))
        }
        _ => {
            let t = text.trim();
            (!t.is_empty()).then(|| json!(t))
        }
    }
}

/// A price per unit without its unit: "14.12 £/month", "1038,47/Std." read as "14.12 £",
/// "1038,47". The unit follows a slash right after the figure or its currency.
fn without_per_unit(text: &str) -> std::borrow::Cow<'_, str> {
    static PER_UNIT: std::sync::LazyLock<Regex> =
        std::sync::LazyLock::new(|| Regex::new(r"([0-9\p{Sc}A-Z])/\p{L}[\p{L}.]*").expect("a valid pattern"));
    PER_UNIT.replace_all(text, "$1")
}

/// Fills every table field of the spec that is not filled yet.
pub(crate) fn extract_tables(ctx: &Ctx, spec: &Spec, extraction: &mut Extraction) {
    for field in &spec.fields {
        let FieldKind::Table(columns) = &field.kind else { continue };
        if columns.is_empty() || extraction.data.contains_key(&field.name) {
            continue;
        }
        let Some((header, mut cols)) = find_header(ctx, columns, 0..ctx.lines.len()) else { continue };
        let total_fields: Vec<usize> =
            ctx.fields.iter().enumerate().filter(|(_, f)| matches!(f.kind, FieldKind::Money)).map(|(i, _)| i).collect();
        let mut rows: Vec<Row> = Vec::new();
        let furniture = page_furniture(ctx);
        let mut page = ctx.lines[header].page;
        let mut previous_y1 = ctx.lines[header].bbox.y1;
        // Past the rows of this page (a wide gap): the rest of the page is skipped.
        let mut page_done = false;
        let mut li = header + 1;
        // Whether a text-only line right under the last line read goes on with the last row.
        let mut row_open = false;
        while li < ctx.lines.len() {
            let line = &ctx.lines[li];
            if line.page != page {
                // The next page goes on with the table only under its header, repeated.
                let next_page = (li..ctx.lines.len()).take_while(|&j| ctx.lines[j].page == line.page);
                match find_header(ctx, columns, next_page).filter(|_| line.page == page + 1) {
                    Some((repeated, columns_there)) => {
                        cols = columns_there;
                        page = line.page;
                        previous_y1 = ctx.lines[repeated].bbox.y1;
                        page_done = false;
                        li = repeated + 1;
                        continue;
                    }
                    None => break,
                }
            }
            let current = li;
            li += 1;
            if page_done || furniture.contains(&current) {
                continue;
            }
            if line.bbox.y0 - previous_y1 > 4.0 * line.height() {
                page_done = true;
                continue;
            }
            let totals_at =
                |li: usize| ctx.hits.iter().any(|h| h.line == li && h.field.is_some_and(|f| total_fields.contains(&f)));
            let totals_row = totals_at(current);
            // An item's own discount right under its row ("10.0% discount  –50.82 €"), a rate
            // and its amount, is neither a row nor the end of the table: more items may follow.
            let discounts_the_item = || {
                row_open
                    && line.text.contains('%')
                    && ctx
                        .hits
                        .iter()
                        .filter(|h| h.line == current)
                        .all(|h| h.field.is_none_or(|f| ctx.fields[f].name.contains("discount")))
            };
            if totals_row && discounts_the_item() {
                previous_y1 = line.bbox.y1;
                continue;
            }
            if totals_row {
                break;
            }
            let gap_above = line.bbox.y0 - previous_y1;
            previous_y1 = line.bbox.y1;
            let mut cells: Vec<(usize, usize)> = vec![(usize::MAX, 0); cols.len()];
            let table_x0 = cols.iter().find(|c| c.spec.is_some()).map_or(f32::MIN, |c| c.x0);
            let placed: Vec<(&TWord, usize)> = line
                .words
                .iter()
                .filter(|w| {
                    // A position number in a column of its own, left of the table's first
                    // column ("1", "2." under "Pos"), is no part of a cell.
                    let word = &line.text[w.start..w.end];
                    !(w.bbox.x1 < table_x0 - 2.0 && word.trim_end_matches('.').chars().all(|c| c.is_ascii_digit()))
                })
                .map(|w| (w, column_of(&cols, w.bbox.x0, w.bbox.x1)))
                .collect();
            let placed = with_leading_groups_joined(line, placed);
            let segments = line.segments();
            for &(w, column) in &placed {
                // The words of one phrase that are not figures stay together in the first
                // text column the phrase reaches, though the phrase starts under another
                // title or runs on under the next ("Network switch 24-port" under "Title |
                // Description", "Cloud server" starting under "Amount"); figures keep their
                // own columns, but for one that closes a bracket of the phrase ("12)" of "Drill
                // bits (set of 12)" reaching under "Country of origin").
                let word = &line.text[w.start..w.end];
                let segment = segments.iter().find(|(s, e)| *s <= w.start && w.end <= *e);
                let text_column = segment.and_then(|(s, e)| {
                    placed
                        .iter()
                        .find(|(other, c)| *s <= other.start && other.end <= *e && !cols[*c].numeric())
                        .map(|p| p.1)
                });
                let c = match text_column {
                    Some(text) if !figure(word) || (word.ends_with(')') && !word.contains('(')) => text,
                    _ => column,
                };
                cells[c].0 = cells[c].0.min(w.start);
                cells[c].1 = cells[c].1.max(w.end);
            }
            let texts: Vec<Option<(usize, usize)>> =
                cells.iter().map(|(s, e)| (*s != usize::MAX).then_some((*s, *e))).collect();
            let mut item = Map::new();
            let mut sources = Vec::new();
            for (c, col) in cols.iter().enumerate() {
                let (Some((s, e)), Some(spec)) = (texts[c], col.spec) else { continue };
                let text = &line.text[s..e];
                if let Some(v) = parse_cell(&spec.kind, text, &line.text[e..]) {
                    // A second column of the same spec is a second reading, kept as a source.
                    item.entry(spec.name.clone()).or_insert(v);
                    sources.push((spec.name.clone(), text.to_string(), current, s, e));
                }
            }
            // The spec's text column (the description).
            let text_col = cols.iter().filter_map(|c| c.spec).find(|spec| !is_numeric(&spec.kind));
            // An empty description column beside a text column the spec does not name
            // ("Name | Description | Units"): the item is named in that one.
            let first_numeric = cols.iter().position(Column::numeric).unwrap_or(cols.len());
            if let Some(spec) = text_col {
                let unnamed = (0..first_numeric).find_map(|c| cols[c].spec.is_none().then_some(texts[c]).flatten());
                if let (false, Some((s, e))) = (item.contains_key(&spec.name), unnamed) {
                    if let Some(v) = parse_cell(&spec.kind, &line.text[s..e], "") {
                        item.insert(spec.name.clone(), v);
                        sources.push((spec.name.clone(), line.text[s..e].to_string(), current, s, e));
                    }
                }
            }
            let has_number =
                cols.iter().any(|c| c.numeric() && c.spec.is_some_and(|spec| item.contains_key(&spec.name)));
            if !rows.is_empty() && states_an_included_part(&line.text) {
                // "Incl. Thuiskopieheffing € 4,24" under an item: a part of its price, already
                // in it, not a row to add up.
                continue;
            }
            // A line of the totals block under the table ("Discount 5 %  -50.00") has its
            // label where the figures are and no description: not an item.
            let labelled_figure = text_col.is_some_and(|spec| !item.contains_key(&spec.name))
                && placed.iter().any(|(w, c)| {
                    cols[*c].numeric() && line.text[w.start..w.end].chars().filter(|c| c.is_alphabetic()).count() >= 3
                });
            if has_number && labelled_figure {
                continue;
            }
            // A figure with no description right over a line of the totals is that line's,
            // wrapped in its narrow cell ("14452,05" over "Summe (netto)   CHF"): the table has ended.
            let over_totals = ctx.lines.get(current + 1).is_some_and(|next| {
                next.page == line.page && next.bbox.y0 - line.bbox.y1 < line.height() && totals_at(current + 1)
            });
            if has_number && over_totals && text_col.is_some_and(|spec| !item.contains_key(&spec.name)) {
                break;
            }
            if has_number {
                rows.push((item, sources));
                row_open = true;
            } else if gap_above > line.height() {
                // A text-only line further down, after a blank, is a heading of what follows:
                // the lines under it go on with no row above it.
                row_open = false;
            } else if let Some((last, last_sources)) = rows.last_mut().filter(|_| row_open) {
                // A text-only line right under a row continues its description, if it is
                // under the description ("Republic" under "Country of origin" is not).
                if let (Some(spec), Some(Value::String(extra))) =
                    (text_col, text_col.and_then(|spec| item.get(&spec.name)))
                {
                    let column_at = |(_, _, li, s, e): &Source| {
                        ctx.lines[*li].bbox_of(*s, *e).map(|b| column_of(&cols, b.x0, b.x0 + 1.0))
                    };
                    let described =
                        |sources: &[Source]| sources.iter().find(|source| source.0 == spec.name).and_then(column_at);
                    let same_column = described(&sources) == described(last_sources);
                    // Details in small print under an item ("Travel expenses included" in a
                    // smaller size, bulleted) are its notes, not its description.
                    let row_height =
                        last_sources.iter().find(|source| source.0 == spec.name).map(|s| ctx.lines[s.2].height());
                    let fine_print = row_height.is_some_and(|h| line.height() < 0.85 * h);
                    if fold(extra).len() > 1 && last_sources.len() < 12 && same_column && !fine_print {
                        let joined = match last.get(&spec.name).and_then(Value::as_str) {
                            Some(before) => continued(before, extra),
                            None => extra.clone(),
                        };
                        last.insert(spec.name.clone(), json!(joined));
                    }
                }
            }
        }
        if rows.is_empty() {
            continue;
        }
        counts_that_are_prices(&cols, columns, &mut rows);
        unit_prices_beside_line_amounts(columns, &mut rows);
        let mut items = Vec::new();
        for (i, (item, sources)) in rows.into_iter().enumerate() {
            for (name, text, li, s, e) in sources {
                let line = &ctx.lines[li];
                extraction.fields.insert(
                    format!("/{}/{i}/{}", docex_core::result::escape_pointer_token(&field.name), name),
                    FieldEvidence { confidence: 0.7, page: Some(line.page), text, bbox: line.bbox_of(s, e) },
                );
            }
            items.push(Value::Object(item));
        }
        extraction.data.insert(field.name.clone(), Value::Array(items));
    }
}

/// The cells of a row and where each was read.
type Row = (Map<String, Value>, Vec<Source>);

/// Where a cell was read: column name, text, line, byte range.
type Source = (String, String, usize, usize, usize);

/// A description wrapped onto the next line: joined by a space; where a word was broken by
/// hyphenation ("hand-" over "ling"), into the word; after a hyphen of its own ("24-" over
/// "port"), with the hyphen.
fn continued(before: &str, extra: &str) -> String {
    match before.strip_suffix('-') {
        Some(head) if head.ends_with(char::is_alphabetic) && extra.starts_with(char::is_lowercase) => {
            format!("{head}{extra}")
        }
        Some(head) if head.ends_with(|c: char| c.is_ascii_digit()) => format!("{before}{extra}"),
        _ => format!("{before} {extra}"),
    }
}

/// Two columns read as the line amount ("Amount" and "Total", no unit price titled): where in
/// every row the count times the first makes the second, the first is the unit price and the
/// second the line's amount; else the first stays the amount and the second is dropped.
fn unit_prices_beside_line_amounts(columns: &[FieldSpec], rows: &mut [Row]) {
    let (Some(unit), Some(amount)) = unit_price_and_amount(columns) else { return };
    let Some(count) = columns.iter().find(|spec| matches!(spec.kind, FieldKind::Number | FieldKind::Integer)) else {
        return;
    };
    let readings = |sources: &[Source]| -> Vec<f64> {
        sources
            .iter()
            .filter(|source| source.0 == amount.name)
            .filter_map(|source| parse_cell(&amount.kind, &source.1, "")?.as_f64())
            .collect()
    };
    if !rows.iter().any(|(_, sources)| readings(sources).len() == 2) {
        return;
    }
    let products = rows.iter().all(|(item, sources)| {
        let count = item.get(&count.name).and_then(Value::as_f64);
        match (readings(sources).as_slice(), count) {
            ([price, line], Some(count)) => !item.contains_key(&unit.name) && (count * price - line).abs() < 0.011,
            _ => false,
        }
    });
    for (item, sources) in rows.iter_mut() {
        let values = readings(sources);
        let mut seen = 0;
        if products {
            item.insert(unit.name.clone(), json!(values[0]));
            item.insert(amount.name.clone(), json!(values[1]));
        }
        sources.retain_mut(|source| {
            if source.0 != amount.name {
                return true;
            }
            seen += 1;
            if products && seen == 1 {
                source.0 = unit.name.clone();
            }
            products || seen == 1
        });
    }
}

/// A table whose one column of figures is titled as a count, with a price in every row (two
/// decimals: "Määrä", amount or quantity, over "610.95"): the figures are what each line
/// costs, the spec's line amount.
fn counts_that_are_prices(cols: &[Column], columns: &[FieldSpec], rows: &mut [Row]) {
    let numeric: Vec<&FieldSpec> = cols.iter().filter(|c| c.numeric()).filter_map(|c| c.spec).collect();
    let [count] = numeric.as_slice() else { return };
    let (_, line_amount) = unit_price_and_amount(columns);
    let Some(amount) = line_amount.filter(|_| !matches!(count.kind, FieldKind::Money)) else { return };
    let every_row_priced =
        rows.iter().all(|(_, sources)| sources.iter().any(|(name, text, ..)| name == &count.name && priced(text)));
    if !every_row_priced {
        return;
    }
    for (item, sources) in rows.iter_mut() {
        if let Some(v) = item.remove(&count.name) {
            item.insert(amount.name.clone(), v);
        }
        for source in sources.iter_mut().filter(|s| s.0 == count.name) {
            source.0 = amount.name.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn space_grouped_thousands_in_table_cells_are_read_whole() {
        assert_eq!(parse_cell(&FieldKind::Money, "5 155,00", ""), Some(json!(5155.0)));
        assert_eq!(parse_cell(&FieldKind::Money, "2 109,50 EUR", ""), Some(json!(2109.5)));
        assert_eq!(parse_cell(&FieldKind::Number, "11,5", ""), Some(json!(11.5)));
    }
}
