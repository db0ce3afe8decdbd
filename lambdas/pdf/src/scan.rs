//! Cheap defensive passes over raw PDF syntax, run before the parsers see it: the nesting
//! depth of dictionaries and arrays (deep nesting makes recursive parsers overflow the
//! stack, which no `catch_unwind` can stop).

/// The deepest nesting of `<<`/`[` found in `bytes`, stopping early once `limit` is
/// exceeded. Strings, comments and stream data are skipped.
pub fn max_nesting_depth(bytes: &[u8], limit: usize) -> usize {
    let mut depth: usize = 0;
    let mut deepest: usize = 0;
    let mut i = 0;
    let n = bytes.len();
    while i < n {
        match bytes[i] {
            b'%' => {
                while i < n && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'(' => i = skip_literal_string(bytes, i),
            b'<' if i + 1 < n && bytes[i + 1] == b'<' => {
                depth += 1;
                i += 1;
            }
            b'<' => {
                while i < n && bytes[i] != b'>' {
                    i += 1;
                }
            }
            b'>' if i + 1 < n && bytes[i + 1] == b'>' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b's' if bytes[i..].starts_with(b"stream") && is_token_start(bytes, i) => {
                let after = i + b"stream".len();
                if after < n && (bytes[after] == b'\r' || bytes[after] == b'\n') {
                    // Stream data is opaque; resume after `endstream`.
                    i = match find_from(bytes, after, b"endstream") {
                        Some(end) => end + b"endstream".len(),
                        None => n,
                    };
                    depth = 0;
                    continue;
                }
            }
            b'e' if bytes[i..].starts_with(b"endobj") => depth = 0,
            _ => {}
        }
        if depth > deepest {
            deepest = depth;
            if deepest > limit {
                return deepest;
            }
        }
        i += 1;
    }
    deepest
}

fn is_token_start(bytes: &[u8], i: usize) -> bool {
    i == 0 || matches!(bytes[i - 1], b' ' | b'\n' | b'\r' | b'\t' | b'>' | b'\x0c' | b'\0')
}

/// Returns the index of the closing parenthesis (or the end of input).
fn skip_literal_string(bytes: &[u8], start: usize) -> usize {
    let mut level = 0usize;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'(' => level += 1,
            b')' => {
                level -= 1;
                if level == 0 {
                    return i;
                }
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

fn find_from(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    crate::sniff::find(&haystack[from.min(haystack.len())..], needle).map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_nesting_and_skips_strings_and_streams() {
        assert_eq!(max_nesting_depth(b"1 0 obj << /A [ [ 1 ] ] >> endobj", 100), 3);
        assert_eq!(max_nesting_depth(b"<< /A (( [[[[ )) >>", 100), 1);
        assert_eq!(max_nesting_depth(b"<< /L 4 >>\nstream\n[[[[[[\nendstream", 100), 1);
        assert_eq!(max_nesting_depth(b"<< /A <41424344> >>", 100), 1);
    }
}
