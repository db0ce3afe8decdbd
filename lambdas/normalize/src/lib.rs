//! Parsing and normalisation of the values found in documents: dates to ISO `YYYY-MM-DD`,
//! numbers and money amounts to `f64`, currency symbols and codes to ISO 4217. Pure
//! functions, no I/O.
//!
//! The rules, in short:
//! - **Dates**: ISO `2020-12-31`; numeric `31.12.2020`, `31/12/2020`, `12/31/2020`,
//!   `31-12-20`; with month names in English, German, French, Dutch, Spanish and Italian
//!   (`Dec 31, 2020`, `31 December 2020`, `31. Dezember 2020`, `1er janvier 2021`,
//!   `March 3rd 2014`, `29 maart 2014`). See [`DateOrder`] for how `dd/mm` and `mm/dd` are
//!   told apart. Two-digit years 00–69 are 2000–2069, 70–99 are 1970–1999.
//! - **Numbers**: see [`parse_number`] for thousands separators and decimal commas.
//! - **Money**: a number with a currency symbol or code before or after it, negative in
//!   parentheses or with a minus (see [`parse_money`], [`find_money`]).
//! - **Currencies**: ISO codes and symbols to ISO 4217 (see [`parse_currency`]).

mod currency;
mod date;
mod number;
mod text;

pub use currency::{currency_from_locale_cues, currency_names_in, parse_currency, parse_currency_in_context};
pub use date::{DateOrder, FoundDate, find_dates, find_dates_with, parse_date, parse_date_with};
pub use number::{FoundMoney, Money, find_money, find_money_grouped, parse_money, parse_number, repair_ocr_amounts};
pub use text::fold;
