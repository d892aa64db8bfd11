//! RON in and out: syntax errors become `line:col` errors, and semantic errors are pointed at
//! the key they are about.

use crate::error::Located;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Parses RON text into `T`; a syntax or shape error carries its position. Optional fields
/// may be written bare (`at: "90s"`) as well as `Some("90s")`: files are written by people.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, Located> {
    ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .from_str(text)
        .map_err(|e| {
            let (line, column) = (e.span.start.line.max(1), e.span.start.col.max(1));
            // Which field the error is in, as the file spells it (`battery.charger.float_v_per_cell`);
            // a missing field is reported at the end of its struct, where no field is meant.
            let path = match e.code {
                ron::Error::MissingStructField { .. } => None,
                _ => path_at(text, line, column),
            };
            let message = match path {
                Some(path) => format!("in `{path}`: {}", e.code),
                None => e.code.to_string(),
            };
            Located::at(line, column, message)
        })
}

/// The dotted path of the field at `line:col` (`timeline[2].at`), found by walking the text
/// up to there: keys, nesting and list positions, skipping strings and `//` comments.
/// `None` before the first key.
fn path_at(text: &str, line: usize, column: usize) -> Option<String> {
    #[derive(Debug)]
    struct Level {
        key: Option<String>,
        /// In a list: the position of the item.
        index: Option<usize>,
    }
    let end = offset_of(text, line, column);
    let bytes = &text.as_bytes()[..end.min(text.len())];
    let mut levels = vec![Level { key: None, index: None }];
    let mut word = String::new();
    let mut at = 0;
    while at < bytes.len() {
        let c = bytes[at];
        match c {
            b'/' if bytes.get(at + 1) == Some(&b'/') => {
                while at < bytes.len() && bytes[at] != b'\n' {
                    at += 1;
                }
            }
            b'"' => {
                at += 1;
                while at < bytes.len() && bytes[at] != b'"' {
                    at += if bytes[at] == b'\\' { 2 } else { 1 };
                }
            }
            b'r' if bytes.get(at + 1) == Some(&b'#') && word.is_empty() => {
                let hashes = bytes[at + 1..].iter().take_while(|b| **b == b'#').count();
                let close: Vec<u8> = std::iter::once(b'"').chain(std::iter::repeat_n(b'#', hashes)).collect();
                at += 1 + hashes + 1;
                while at < bytes.len() && !bytes[at..].starts_with(&close) {
                    at += 1;
                }
                at += close.len().saturating_sub(1);
            }
            b'(' | b'{' => levels.push(Level { key: None, index: None }),
            b'[' => levels.push(Level { key: None, index: Some(0) }),
            b')' | b'}' | b']' if levels.len() > 1 => {
                levels.pop();
            }
            b',' => {
                if let Some(level) = levels.last_mut() {
                    level.index = level.index.map(|i| i + 1);
                    if level.index.is_none() {
                        level.key = None;
                    }
                }
            }
            b':' if !word.is_empty() => {
                if let Some(level) = levels.last_mut() {
                    level.key = Some(std::mem::take(&mut word));
                }
            }
            _ => {}
        }
        if c.is_ascii_alphanumeric() || c == b'_' {
            word.push(char::from(c));
        } else if !c.is_ascii_whitespace() {
            word.clear();
        }
        at += 1;
    }
    let mut path = String::new();
    for level in &levels {
        if let Some(index) = level.index {
            path.push_str(&format!("[{index}]"));
        }
        if let Some(key) = &level.key {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(key);
        }
    }
    (!path.is_empty()).then_some(path)
}

/// Byte offset of `line:col` (1-based; a column counts characters).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    let rest = &text[start.min(text.len())..];
    start + rest.char_indices().nth(column.saturating_sub(1)).map_or(rest.len(), |(i, _)| i)
}

/// Pretty RON with the struct names, as the bundled files are written.
pub fn to_pretty<T: Serialize>(value: &T) -> String {
    let config = ron::ser::PrettyConfig::new().struct_names(true).depth_limit(4);
    ron::ser::to_string_pretty(value, config).expect("plain data always serializes")
}

/// Line and column of the key a dotted field path names (`battery.charger.float_v_per_cell`,
/// indices like `efficiency[2]` are located at their list), found by walking the keys in
/// order. When a key is not spelt out (e.g. left to its default), points at the last
/// enclosing key found, or 1:1.
pub fn locate(text: &str, field_path: &str) -> (usize, usize) {
    let mut from = 0;
    for segment in field_path.split('.') {
        let key = segment.split('[').next().unwrap_or(segment);
        // `a..b`, a leading `.` or an index alone leave nothing to look for.
        if key.is_empty() {
            continue;
        }
        match find_key(&text[from..], key) {
            Some(offset) => from += offset,
            None => break,
        }
    }
    let before = &text[..from];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

/// Byte offset of `key` used as a key (`key:`) in `text`, skipping `//` comments.
fn find_key(text: &str, key: &str) -> Option<usize> {
    // An empty key is found everywhere and `search` would never move on.
    if key.is_empty() {
        return None;
    }
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let code = line.split("//").next().unwrap_or(line);
        let mut search = 0;
        while let Some(found) = code[search..].find(key) {
            let start = search + found;
            let end = start + key.len();
            let boundary_before = start == 0
                || !code.as_bytes()[start - 1].is_ascii_alphanumeric() && code.as_bytes()[start - 1] != b'_';
            let followed_by_colon = code[end..].trim_start().starts_with(':');
            if boundary_before && followed_by_colon {
                return Some(offset + start);
            }
            search = end;
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_field_an_error_is_in() {
        let text = "(\n  name: \"a, b: (\",\n  timeline: [\n    (at: \"1s\", do: X),\n    // at: no\n    (at: \"2s\" do: Y),\n  ],\n)";
        assert_eq!(path_at(text, 6, 16).as_deref(), Some("timeline[1].at"));
        assert_eq!(path_at(text, 2, 9).as_deref(), Some("name"));
        assert_eq!(path_at(text, 1, 1), None);
        let error = parse::<serde::de::IgnoredAny>(text).unwrap_err().to_string();
        assert!(
            error.starts_with("6:") && error.contains(": in `timeline[1].at`: Expected comma"),
            "{error}"
        );
    }

    #[test]
    fn locates_nested_key() {
        let text = "(\n  a: (x: 1),\n  b: (\n    // x: 9\n    x: 2,\n  ),\n)";
        assert_eq!(locate(text, "b.x"), (5, 5));
        assert_eq!(locate(text, "a.x"), (2, 7));
    }

    #[test]
    fn empty_segments_are_skipped_not_searched_forever() {
        let text = "(\n  a: (x: 1),\n  b: (x: 2),\n)";
        assert_eq!(locate(text, "b..x"), (3, 7));
        assert_eq!(locate(text, ".b."), (3, 3));
        assert_eq!(locate(text, "[0]"), (1, 1));
        assert_eq!(find_key(text, ""), None);
    }
}
