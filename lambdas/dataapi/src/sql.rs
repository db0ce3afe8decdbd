//! Named parameters: the Data API's `:name` placeholders become PostgreSQL's `$n`.
//!
//! The SQL is scanned the way PostgreSQL's lexer sees it, so a colon inside a string
//! literal (`'a:b'`, `E'\':x'`), a quoted identifier, a dollar-quoted body, a comment, a
//! cast (`::int`) or an assignment (`:=`) is never taken for a parameter.

/// A statement split into literal text and parameter references.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedSql {
    pieces: Vec<Piece>,
    /// Parameter names in order of first use: name `i` becomes `$(i + 1)`.
    pub names: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text(String),
    Param(usize),
}

impl NamedSql {
    /// Scans `sql` for `:name` placeholders.
    pub fn parse(sql: &str) -> NamedSql {
        let chars: Vec<char> = sql.chars().collect();
        let mut pieces = Vec::new();
        let mut names: Vec<String> = Vec::new();
        let mut text = String::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let prev = if i > 0 { Some(chars[i - 1]) } else { None };
            let next = chars.get(i + 1).copied();
            match c {
                '\'' => {
                    let escapes = matches!(prev, Some('e' | 'E')) && !(i >= 2 && is_ident_char(chars[i - 2]));
                    i = copy_quoted(&chars, i, '\'', escapes, &mut text);
                }
                '"' => i = copy_quoted(&chars, i, '"', false, &mut text),
                '-' if next == Some('-') => {
                    while i < chars.len() && chars[i] != '\n' {
                        text.push(chars[i]);
                        i += 1;
                    }
                }
                '/' if next == Some('*') => i = copy_block_comment(&chars, i, &mut text),
                '$' if !prev.is_some_and(is_ident_char) && !next.is_some_and(|n| n.is_ascii_digit()) => {
                    i = copy_dollar_quoted(&chars, i, &mut text);
                }
                ':' if next == Some(':') => {
                    text.push_str("::");
                    i += 2;
                }
                ':' if next.is_some_and(|n| n.is_alphabetic() || n == '_') && prev != Some(':') => {
                    let start = i + 1;
                    let mut end = start;
                    while end < chars.len() && is_ident_char(chars[end]) {
                        end += 1;
                    }
                    let name: String = chars[start..end].iter().collect();
                    let index = match names.iter().position(|n| *n == name) {
                        Some(index) => index,
                        None => {
                            names.push(name);
                            names.len() - 1
                        }
                    };
                    if !text.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut text)));
                    }
                    pieces.push(Piece::Param(index));
                    i = end;
                }
                _ => {
                    text.push(c);
                    i += 1;
                }
            }
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        NamedSql { pieces, names }
    }

    /// The statement with `$n` placeholders; `casts[i]`, when set, is appended to
    /// parameter `i` as `($n::type)`.
    pub fn render(&self, casts: &[Option<&str>]) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Param(index) => match casts.get(*index).copied().flatten() {
                    Some(cast) => out.push_str(&format!("(${}::{cast})", index + 1)),
                    None => out.push_str(&format!("${}", index + 1)),
                },
            }
        }
        out
    }
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// Copies a quoted string or identifier starting at `start` (the opening quote); a doubled
/// quote stays inside, and so does a backslash-escaped one in an `E'...'` string.
fn copy_quoted(chars: &[char], start: usize, quote: char, escapes: bool, out: &mut String) -> usize {
    out.push(quote);
    let mut i = start + 1;
    while i < chars.len() {
        let c = chars[i];
        out.push(c);
        i += 1;
        if escapes && c == '\\' {
            if let Some(&escaped) = chars.get(i) {
                out.push(escaped);
                i += 1;
            }
        } else if c == quote {
            if chars.get(i) == Some(&quote) {
                out.push(quote);
                i += 1;
            } else {
                break;
            }
        }
    }
    i
}

/// Copies a `/* ... */` comment, which nests in PostgreSQL.
fn copy_block_comment(chars: &[char], start: usize, out: &mut String) -> usize {
    let mut depth = 0;
    let mut i = start;
    while i < chars.len() {
        if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
            depth += 1;
            out.push_str("/*");
            i += 2;
        } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
            depth -= 1;
            out.push_str("*/");
            i += 2;
            if depth == 0 {
                break;
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    i
}

/// Copies `$tag$ ... $tag$` when `start` opens a dollar quote, or just the `$` otherwise.
fn copy_dollar_quoted(chars: &[char], start: usize, out: &mut String) -> usize {
    let mut end = start + 1;
    while end < chars.len() && (chars[end].is_alphanumeric() || chars[end] == '_') {
        end += 1;
    }
    if chars.get(end) != Some(&'$') {
        out.push('$');
        return start + 1;
    }
    let tag: Vec<char> = chars[start..=end].to_vec();
    out.extend(&tag);
    let mut i = end + 1;
    while i < chars.len() {
        if chars[i..].starts_with(&tag) {
            out.extend(&tag);
            return i + tag.len();
        }
        out.push(chars[i]);
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn positional(sql: &str) -> (String, Vec<String>) {
        let named = NamedSql::parse(sql);
        (named.render(&[]), named.names)
    }

    #[test]
    fn names_become_numbers_in_order_of_first_use() {
        let (sql, names) = positional("SELECT * FROM t WHERE a = :a AND b = :b OR a > :a");
        assert_eq!(sql, "SELECT * FROM t WHERE a = $1 AND b = $2 OR a > $1");
        assert_eq!(names, vec!["a", "b"]);
    }

    #[test]
    fn casts_assignments_strings_identifiers_and_comments_are_left_alone() {
        let sql = "SELECT :x::int, 'a:b', E'it\\'s :c', \"col:d\", $q$ :e $q$, $1 -- :f\n/* :g /* :h */ */ , :y";
        let (out, names) = positional(sql);
        assert_eq!(names, vec!["x", "y"]);
        assert_eq!(out, sql.replace(":x", "$1").replace(":y", "$2"));
        let (out, names) = positional("DO $$ BEGIN x := 1; END $$; SELECT 'it''s :no' || :yes");
        assert_eq!(names, vec!["yes"]);
        assert!(out.ends_with("'it''s :no' || $1"), "{out}");
    }

    #[test]
    fn hinted_parameters_are_cast() {
        let named = NamedSql::parse("INSERT INTO t VALUES (:d, :n)");
        assert_eq!(named.render(&[Some("date"), None]), "INSERT INTO t VALUES (($1::date), $2)");
    }
}
