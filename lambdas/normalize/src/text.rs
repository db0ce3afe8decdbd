//! Text folding for comparisons: lower case, no diacritics, punctuation as spaces.

use unicode_normalization::UnicodeNormalization;

/// Folds one character into zero or more lower-case characters without diacritics.
/// Letters, digits and `_` are kept (folded); everything else becomes a space.
pub(crate) fn fold_char(c: char, out: &mut Vec<char>) {
    match c {
        'ß' => out.extend(['s', 's']),
        'æ' | 'Æ' => out.extend(['a', 'e']),
        'œ' | 'Œ' => out.extend(['o', 'e']),
        'ø' | 'Ø' => out.push('o'),
        'ł' | 'Ł' => out.push('l'),
        'đ' | 'Đ' => out.push('d'),
        c if c.is_ascii() => {
            if c.is_ascii_alphanumeric() || c == '_' {
                out.push(c.to_ascii_lowercase())
            } else {
                out.push(' ')
            }
        }
        c => {
            let mut any = false;
            for d in c.nfd() {
                if unicode_normalization::char::is_combining_mark(d) {
                    continue;
                }
                if d.is_alphanumeric() {
                    out.extend(d.to_lowercase());
                    any = true;
                }
            }
            if !any {
                out.push(' ');
            }
        }
    }
}

/// Lower case, diacritics removed, every run of punctuation and white space as one space,
/// trimmed: `"Numéro de facture:"` becomes `"numero de facture"`.
pub fn fold(text: &str) -> String {
    let mut chars = Vec::with_capacity(text.len());
    for c in text.chars() {
        fold_char(c, &mut chars);
    }
    let mut out = String::with_capacity(chars.len());
    for c in chars {
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(c);
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_diacritics_and_punctuation() {
        assert_eq!(fold("Numéro de facture:"), "numero de facture");
        assert_eq!(fold("  Fällig   am "), "fallig am");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("N°"), "n");
        assert_eq!(fold("invoice_number_1"), "invoice_number_1");
        assert_eq!(fold(""), "");
        assert_eq!(fold("€ $"), "");
    }
}
