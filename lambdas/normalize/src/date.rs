//! Dates in the usual European and US forms, to ISO `YYYY-MM-DD`.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

use crate::text::fold;

/// How to read a numeric date whose first two parts could both be the day or the month
/// (`03/04/2020`).
///
/// The rule: a reading that gives no valid date is never taken (`12/31/2020` is
/// month-first whatever the hint, `31/12/2020` day-first); a date written with dots
/// (`03.04.2020`) is always day-first, as dots are a European form; only a date that is
/// valid both ways follows the hint. The hint is [`DateOrder::DayFirst`] unless the
/// document says otherwise: [`DateOrder::from_currency`] gives `MonthFirst` for USD (US
/// invoices), so a caller that knows the currency of the document passes that.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateOrder {
    #[default]
    DayFirst,
    MonthFirst,
}

impl DateOrder {
    /// `MonthFirst` for US dollars, `DayFirst` for everything else (and for no currency).
    pub fn from_currency(code: Option<&str>) -> DateOrder {
        match code {
            Some("USD") => DateOrder::MonthFirst,
            _ => DateOrder::DayFirst,
        }
    }

    /// The order the slash or dash dates of a text show where they can be read one way only
    /// (`25/04/2021` is day first, `04/25/2021` month first), if they all agree: the
    /// document's own evidence, surer than its currency.
    pub fn shown_in(text: &str) -> Option<DateOrder> {
        let mut shown = None;
        for c in NUMERIC.captures_iter(text) {
            let (Some(sep), Ok(a), Ok(b)) = (c.get(2), c[1].parse::<u32>(), c[3].parse::<u32>()) else { continue };
            if sep.as_str() == "." || sep.as_str() != &c[4] {
                continue;
            }
            let order = match (a, b) {
                (13..=31, 1..=12) => DateOrder::DayFirst,
                (1..=12, 13..=31) => DateOrder::MonthFirst,
                _ => continue,
            };
            if shown.is_some_and(|s| s != order) {
                return None;
            }
            shown = Some(order);
        }
        shown
    }
}

/// A date found inside a longer text, with its byte range in that text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundDate {
    pub start: usize,
    pub end: usize,
    /// `YYYY-MM-DD`.
    pub iso: String,
}

/// Month names and abbreviations, in lower case as printed, and their numbers. A page may
/// print them with or without their diacritics: both spellings match.
const MONTHS: &[(&str, u32)] = &[
    // English
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
    // German
    ("januar", 1),
    ("jänner", 1),
    ("februar", 2),
    ("märz", 3),
    ("maerz", 3),
    ("mai", 5),
    ("juni", 6),
    ("juli", 7),
    ("oktober", 10),
    ("dezember", 12),
    ("okt", 10),
    ("dez", 12),
    // French
    ("janvier", 1),
    ("février", 2),
    ("mars", 3),
    ("avril", 4),
    ("juin", 6),
    ("juillet", 7),
    ("août", 8),
    ("septembre", 9),
    ("octobre", 10),
    ("novembre", 11),
    ("décembre", 12),
    ("janv", 1),
    ("févr", 2),
    ("fév", 2),
    ("avr", 4),
    ("juil", 7),
    // Dutch
    ("januari", 1),
    ("februari", 2),
    ("maart", 3),
    ("mei", 5),
    ("augustus", 8),
    ("mrt", 3),
    // Spanish
    ("enero", 1),
    ("febrero", 2),
    ("marzo", 3),
    ("abril", 4),
    ("mayo", 5),
    ("junio", 6),
    ("julio", 7),
    ("agosto", 8),
    ("septiembre", 9),
    ("setiembre", 9),
    ("octubre", 10),
    ("noviembre", 11),
    ("diciembre", 12),
    // Italian
    ("gennaio", 1),
    ("febbraio", 2),
    ("aprile", 4),
    ("maggio", 5),
    ("giugno", 6),
    ("luglio", 7),
    ("settembre", 9),
    ("ottobre", 10),
    ("dicembre", 12),
    // Portuguese (and the Spanish abbreviations not already above)
    ("janeiro", 1),
    ("fevereiro", 2),
    ("março", 3),
    ("maio", 5),
    ("junho", 6),
    ("julho", 7),
    ("setembro", 9),
    ("outubro", 10),
    ("novembro", 11),
    ("dezembro", 12),
    ("abr", 4),
    ("ago", 8),
    ("set", 9),
    ("out", 10),
    ("ene", 1),
    ("dic", 12),
    // Danish, Norwegian and Swedish (the rest are spelt as above)
    ("marts", 3),
    ("maj", 5),
    ("augusti", 8),
    ("desember", 12),
    // Polish, as named and in a date ("5 marca 2024")
    ("styczeń", 1),
    ("stycznia", 1),
    ("luty", 2),
    ("lutego", 2),
    ("marzec", 3),
    ("marca", 3),
    ("kwiecień", 4),
    ("kwietnia", 4),
    ("maja", 5),
    ("czerwiec", 6),
    ("czerwca", 6),
    ("lipiec", 7),
    ("lipca", 7),
    ("sierpień", 8),
    ("sierpnia", 8),
    ("wrzesień", 9),
    ("września", 9),
    ("październik", 10),
    ("października", 10),
    ("listopad", 11),
    ("listopada", 11),
    ("grudzień", 12),
    ("grudnia", 12),
    // Czech, as named and in a date ("5. března 2024")
    ("leden", 1),
    ("ledna", 1),
    ("únor", 2),
    ("února", 2),
    ("březen", 3),
    ("března", 3),
    ("duben", 4),
    ("dubna", 4),
    ("květen", 5),
    ("května", 5),
    ("červen", 6),
    ("června", 6),
    ("červenec", 7),
    ("července", 7),
    ("srpen", 8),
    ("srpna", 8),
    ("září", 9),
    ("říjen", 10),
    ("října", 10),
    ("listopadu", 11),
    ("prosinec", 12),
    ("prosince", 12),
    // Finnish, as named and in a date ("5. maaliskuuta 2024")
    ("tammikuu", 1),
    ("tammikuuta", 1),
    ("helmikuu", 2),
    ("helmikuuta", 2),
    ("maaliskuu", 3),
    ("maaliskuuta", 3),
    ("huhtikuu", 4),
    ("huhtikuuta", 4),
    ("toukokuu", 5),
    ("toukokuuta", 5),
    ("kesäkuu", 6),
    ("kesäkuuta", 6),
    ("heinäkuu", 7),
    ("heinäkuuta", 7),
    ("elokuu", 8),
    ("elokuuta", 8),
    ("syyskuu", 9),
    ("syyskuuta", 9),
    ("lokakuu", 10),
    ("lokakuuta", 10),
    ("marraskuu", 11),
    ("marraskuuta", 11),
    ("joulukuu", 12),
    ("joulukuuta", 12),
    // Romanian
    ("ianuarie", 1),
    ("februarie", 2),
    ("martie", 3),
    ("aprilie", 4),
    ("iunie", 6),
    ("iulie", 7),
    ("septembrie", 9),
    ("octombrie", 10),
    ("noiembrie", 11),
    ("decembrie", 12),
    // Turkish
    ("ocak", 1),
    ("şubat", 2),
    ("mart", 3),
    ("nisan", 4),
    ("mayıs", 5),
    ("haziran", 6),
    ("temmuz", 7),
    ("ağustos", 8),
    ("eylül", 9),
    ("ekim", 10),
    ("kasım", 11),
    ("aralık", 12),
    // Estonian ("5. aprill 2022"; "mai", "august", "september" and "november" as above)
    ("jaanuar", 1),
    ("veebruar", 2),
    ("märts", 3),
    ("aprill", 4),
    ("juuni", 6),
    ("juuli", 7),
    ("oktoober", 10),
    ("detsember", 12),
    // Catalan ("21 juliol 2024"; "abril", "octubre" and "novembre" as above)
    ("gener", 1),
    ("febrer", 2),
    ("març", 3),
    ("maig", 5),
    ("juny", 6),
    ("juliol", 7),
    ("agost", 8),
    ("setembre", 9),
    ("desembre", 12),
    // Serbian and Slovenian in Latin script ("16. jun 2022"), and the Nordic and Polish "maj"
    ("maj", 5),
    ("avgust", 8),
    ("septembar", 9),
    ("oktobar", 10),
    ("novembar", 11),
    ("decembar", 12),
    // Hungarian, written year first ("2021. január 5.")
    ("január", 1),
    ("február", 2),
    ("március", 3),
    ("április", 4),
    ("május", 5),
    ("június", 6),
    ("július", 7),
    ("augusztus", 8),
    ("szeptember", 9),
    ("október", 10),
];

fn month_number(word: &str) -> Option<u32> {
    let folded = fold(word);
    MONTHS.iter().find(|(name, _)| fold(name) == folded).map(|(_, n)| *n)
}

/// Every spelling a month may have on a page: the names as printed and folded.
fn month_alternation() -> String {
    let mut names: Vec<String> = MONTHS.iter().flat_map(|(n, _)| [n.to_string(), fold(n)]).collect();
    // Longest first, so a name wins over the abbreviation it starts with.
    names.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
    names.dedup();
    names.iter().map(|n| regex::escape(n)).collect::<Vec<_>>().join("|")
}

static ISO: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{4})([-./])(\d{1,2})([-./])(\d{1,2})(?:T[\d:.]+Z?)?\b").expect("valid"));
static NUMERIC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{1,2})\s?([-./])\s?(\d{1,2})\s?([-./])\s?(\d{4}|\d{2})\b").expect("valid"));
static DAY_MONTH_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    let months = month_alternation();
    Regex::new(&format!(
        r"(?i)\b(\d{{1,2}})(?:st|nd|rd|th|er|e|\.)?(?:\s+(?:of|de))?[\s\-./]*({months})\b\.?[\s\-,./]*(?:de\s+)?(\d{{4}}|'?\d{{2}})\b"
    ))
    .expect("valid")
});
static MONTH_DAY_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    let months = month_alternation();
    Regex::new(&format!(r"(?i)\b({months})\b\.?[\s\-]*(\d{{1,2}})(?:st|nd|rd|th)?\b\s*,?\s*(\d{{4}})\b"))
        .expect("valid")
});

/// Year first, as Hungarian writes long dates: "2021. január 5.", "2024. március 15.".
static YEAR_MONTH_DAY: LazyLock<Regex> = LazyLock::new(|| {
    let months = month_alternation();
    Regex::new(&format!(r"(?i)\b(\d{{4}})\.\s*({months})\b\.?\s*(\d{{1,2}})\b\.?")).expect("valid")
});

fn full_year(text: &str) -> Option<i32> {
    let digits = text.trim_start_matches('\'');
    let y: i32 = digits.parse().ok()?;
    Some(match digits.len() {
        2 if y < 70 => 2000 + y,
        2 => 1900 + y,
        4 => y,
        _ => return None,
    })
}

fn iso(year: i32, month: u32, day: u32) -> Option<String> {
    if !(1900..=2199).contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month, day).map(|d| d.format("%Y-%m-%d").to_string())
}

/// Every date in a text, left to right, as ISO (see [`DateOrder`] for `dd/mm` against
/// `mm/dd`). Invalid dates (`31/13/2020`, `2020-02-30`) are not dates.
pub fn find_dates_with(text: &str, order: DateOrder) -> Vec<FoundDate> {
    let mut found: Vec<FoundDate> = Vec::new();
    let mut push = |start: usize, end: usize, value: Option<String>| {
        if let Some(iso) = value {
            if !found.iter().any(|f| f.start < end && start < f.end) {
                found.push(FoundDate { start, end, iso });
            }
        }
    };
    for c in DAY_MONTH_YEAR.captures_iter(text) {
        let (Some(all), Some(d), Some(m), Some(y)) = (c.get(0), c.get(1), c.get(2), c.get(3)) else { continue };
        let value = (|| iso(full_year(y.as_str())?, month_number(m.as_str())?, d.as_str().parse().ok()?))();
        push(all.start(), all.end(), value);
    }
    for c in MONTH_DAY_YEAR.captures_iter(text) {
        let (Some(all), Some(m), Some(d), Some(y)) = (c.get(0), c.get(1), c.get(2), c.get(3)) else { continue };
        let value = (|| iso(full_year(y.as_str())?, month_number(m.as_str())?, d.as_str().parse().ok()?))();
        push(all.start(), all.end(), value);
    }
    for c in YEAR_MONTH_DAY.captures_iter(text) {
        let (Some(all), Some(y), Some(m), Some(d)) = (c.get(0), c.get(1), c.get(2), c.get(3)) else { continue };
        let value = (|| iso(y.as_str().parse().ok()?, month_number(m.as_str())?, d.as_str().parse().ok()?))();
        push(all.start(), all.end(), value);
    }
    for c in ISO.captures_iter(text) {
        let (Some(all), Some(y), Some(s1), Some(m), Some(s2), Some(d)) =
            (c.get(0), c.get(1), c.get(2), c.get(3), c.get(4), c.get(5))
        else {
            continue;
        };
        if s1.as_str() != s2.as_str() {
            continue;
        }
        let value = (|| iso(y.as_str().parse().ok()?, m.as_str().parse().ok()?, d.as_str().parse().ok()?))();
        push(all.start(), all.end(), value);
    }
    for c in NUMERIC.captures_iter(text) {
        let (Some(all), Some(a), Some(s1), Some(b), Some(s2), Some(y)) =
            (c.get(0), c.get(1), c.get(2), c.get(3), c.get(4), c.get(5))
        else {
            continue;
        };
        if s1.as_str() != s2.as_str() {
            continue;
        }
        // "1.5.14-31.5.14" periods and version numbers: a digit or dot glued on either side.
        let before = text[..all.start()].chars().next_back();
        let after = text[all.end()..].chars().next();
        if before.is_some_and(|c| c == '.' || c == '/')
            || after.is_some_and(|c| {
                c == '/' || c == '.' && text[all.end() + 1..].starts_with(|c: char| c.is_ascii_digit())
            })
        {
            continue;
        }
        let (Some(year), Ok(a), Ok(b)) = (full_year(y.as_str()), a.as_str().parse::<u32>(), b.as_str().parse::<u32>())
        else {
            continue;
        };
        let day_first = iso(year, b, a);
        let month_first = iso(year, a, b);
        let value = match (day_first, month_first) {
            (Some(d), Some(m)) => {
                if s1.as_str() == "." || order == DateOrder::DayFirst {
                    Some(d)
                } else {
                    Some(m)
                }
            }
            (Some(d), None) => Some(d),
            (None, Some(m)) if s1.as_str() != "." => Some(m),
            _ => None,
        };
        push(all.start(), all.end(), value);
    }
    found.sort_by_key(|f| f.start);
    found
}

/// [`find_dates_with`] with the default order (day first when ambiguous).
pub fn find_dates(text: &str) -> Vec<FoundDate> {
    find_dates_with(text, DateOrder::DayFirst)
}

const WEEKDAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "mon",
    "tue",
    "tues",
    "wed",
    "thu",
    "thur",
    "thurs",
    "fri",
    "sat",
    "sun",
    "montag",
    "dienstag",
    "mittwoch",
    "donnerstag",
    "freitag",
    "samstag",
    "sonntag",
    "lundi",
    "mardi",
    "mercredi",
    "jeudi",
    "vendredi",
    "samedi",
    "dimanche",
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
];

/// Parses a text that is one date and nothing else (a leading weekday and surrounding
/// punctuation are allowed), to `YYYY-MM-DD`.
pub fn parse_date_with(text: &str, order: DateOrder) -> Option<String> {
    let t = text.trim().trim_matches(|c: char| c == ':' || c == ',' || c == '(' || c == ')' || c.is_whitespace());
    let found = find_dates_with(t, order);
    let [one] = found.as_slice() else { return None };
    let rest = format!("{} {}", &t[..one.start], &t[one.end..]);
    let leftover: Vec<String> = fold(&rest).split(' ').filter(|w| !w.is_empty()).map(String::from).collect();
    let ok = leftover.iter().all(|w| WEEKDAYS.contains(&w.as_str()) || w == "le" || w == "den" || w == "the");
    ok.then(|| one.iso.clone())
}

/// [`parse_date_with`] with the default order (day first when ambiguous).
pub fn parse_date(text: &str) -> Option<String> {
    parse_date_with(text, DateOrder::DayFirst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_that_reads_one_way_only_shows_the_documents_order() {
        assert_eq!(DateOrder::shown_in("Date: 05/04/2021 Due: 25/04/2021"), Some(DateOrder::DayFirst));
        assert_eq!(DateOrder::shown_in("Date: 04/25/2021"), Some(DateOrder::MonthFirst));
        assert_eq!(DateOrder::shown_in("Date: 05/04/2021"), None);
        // Dots are day first anyway and say nothing; dates that disagree say nothing.
        assert_eq!(DateOrder::shown_in("31.12.2020"), None);
        assert_eq!(DateOrder::shown_in("25/04/2021 and 04/25/2021"), None);
    }

    #[test]
    fn the_usual_forms() {
        for (text, expected) in [
            ("31.12.2020", "2020-12-31"),
            ("31/12/2020", "2020-12-31"),
            ("12/31/2020", "2020-12-31"),
            ("2020-12-31", "2020-12-31"),
            ("2020/12/31", "2020-12-31"),
            ("31-12-20", "2020-12-31"),
            ("8-9-2022", "2022-09-08"),
            ("Dec 31, 2020", "2020-12-31"),
            ("Dec. 31, 2020", "2020-12-31"),
            ("December 31st, 2020", "2020-12-31"),
            ("31 December 2020", "2020-12-31"),
            ("31st of December 2020", "2020-12-31"),
            ("31-Dec-2020", "2020-12-31"),
            ("31 Dec 20", "2020-12-31"),
            ("31. Dezember 2020", "2020-12-31"),
            ("7. Mai 2014", "2014-05-07"),
            ("3. März 2021", "2021-03-03"),
            ("31 décembre 2020", "2020-12-31"),
            ("1er janvier 2021", "2021-01-01"),
            ("02 Juillet 2015", "2015-07-02"),
            ("15 août 2019", "2019-08-15"),
            ("March 3rd 2014", "2014-03-03"),
            ("August 3 , 2014", "2014-08-03"),
            ("29 maart 2014", "2014-03-29"),
            ("19 april 2014", "2014-04-19"),
            ("3 mei 2015", "2015-05-03"),
            ("12 de marzo de 2020", "2020-03-12"),
            ("5 de out. de 2023", "2023-10-05"),
            ("15 de março de 2024", "2024-03-15"),
            ("3 de dez. de 2021", "2021-12-03"),
            ("5 marca 2024", "2024-03-05"),
            ("30 wrzesnia 2023", "2023-09-30"),
            ("5. března 2024", "2024-03-05"),
            ("1. joulukuuta 2022", "2022-12-01"),
            ("12 augusti 2021", "2021-08-12"),
            ("7 marts 2020", "2020-03-07"),
            ("14 octombrie 2019", "2019-10-14"),
            ("3 Ağustos 2022", "2022-08-03"),
            ("29. 7. 2025", "2025-07-29"),
            ("Monday, 3 March 2014", "2014-03-03"),
            ("le 05 Juillet 2015", "2015-07-05"),
            ("Date: 28/11/2022", ""),
            ("2020-11-21T00:00:00Z", "2020-11-21"),
        ] {
            let got = parse_date(text);
            if expected.is_empty() {
                assert_eq!(got, None, "{text}");
            } else {
                assert_eq!(got.as_deref(), Some(expected), "{text}");
            }
        }
    }

    #[test]
    fn invalid_dates_and_garbage_do_not_parse() {
        for text in [
            "",
            "garbage",
            "31/13/2020",
            "2020-02-30",
            "2021-02-29",
            "32.01.2020",
            "13.12.2020 13.12.2020",
            "00/00/0000",
            "Dec 32, 2020",
            "31 Foo 2020",
            "12/31",
            "2020",
            "12-31-2020-5",
            "1.234,56",
            "31.12.2020 total",
        ] {
            assert_eq!(parse_date(text), None, "{text}");
        }
    }

    #[test]
    fn ambiguous_numeric_dates_follow_the_rule() {
        assert_eq!(parse_date("03/04/2020").as_deref(), Some("2020-04-03"));
        assert_eq!(parse_date_with("03/04/2020", DateOrder::MonthFirst).as_deref(), Some("2020-03-04"));
        // Dots are European whatever the hint.
        assert_eq!(parse_date_with("03.04.2020", DateOrder::MonthFirst).as_deref(), Some("2020-04-03"));
        // A valid reading wins over the hint.
        assert_eq!(parse_date_with("20/03/2023", DateOrder::MonthFirst).as_deref(), Some("2023-03-20"));
        assert_eq!(parse_date_with("03/20/2023", DateOrder::DayFirst).as_deref(), Some("2023-03-20"));
        assert_eq!(DateOrder::from_currency(Some("USD")), DateOrder::MonthFirst);
        assert_eq!(DateOrder::from_currency(Some("EUR")), DateOrder::DayFirst);
        assert_eq!(DateOrder::from_currency(None), DateOrder::DayFirst);
    }

    #[test]
    fn two_digit_years() {
        assert_eq!(parse_date("01.02.69").as_deref(), Some("2069-02-01"));
        assert_eq!(parse_date("01.02.70").as_deref(), Some("1970-02-01"));
    }

    #[test]
    fn dates_are_found_inside_text() {
        let text = "Facture n°562044387 du 02 Juillet 2015, payable le 05/07/2015";
        let found = find_dates(text);
        let isos: Vec<&str> = found.iter().map(|f| f.iso.as_str()).collect();
        assert_eq!(isos, vec!["2015-07-02", "2015-07-05"]);
        assert_eq!(&text[found[0].start..found[0].end], "02 Juillet 2015");
        assert!(find_dates("01.05.14-31.05.14 Version 1.2.3").len() <= 2);
        assert!(find_dates("Total 1.234,56 € 15%").is_empty());
    }

    #[test]
    fn hungarian_dates_are_written_year_first() {
        assert_eq!(parse_date("2021. január 5.").as_deref(), Some("2021-01-05"));
        assert_eq!(parse_date("2024. március 15.").as_deref(), Some("2024-03-15"));
        let text = "Kelt: 2023. szeptember 30. Fizetési határidő: 2023. október 14.";
        let isos: Vec<String> = find_dates(text).into_iter().map(|f| f.iso).collect();
        assert_eq!(isos, ["2023-09-30", "2023-10-14"]);
        assert_eq!(parse_date("2021. február 30."), None);
    }

    #[test]
    fn estonian_month_names() {
        assert_eq!(parse_date("5. aprill 2022").as_deref(), Some("2022-04-05"));
        assert_eq!(parse_date("13. jaanuar 2025").as_deref(), Some("2025-01-13"));
        assert_eq!(parse_date("26. detsember 2025").as_deref(), Some("2025-12-26"));
    }

    #[test]
    fn catalan_and_serbian_month_names() {
        assert_eq!(parse_date("21 juliol 2024").as_deref(), Some("2024-07-21"));
        assert_eq!(parse_date("3 març 2023").as_deref(), Some("2023-03-03"));
        assert_eq!(parse_date("7. Novembar 2021").as_deref(), Some("2021-11-07"));
        assert_eq!(parse_date("11. Decembar 2021").as_deref(), Some("2021-12-11"));
        assert_eq!(parse_date("16. Maj 2022").as_deref(), Some("2022-05-16"));
    }
}
