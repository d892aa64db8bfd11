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
        .map_err(|e| Located::at(e.span.start.line.max(1), e.span.start.col.max(1), e.code.to_string()))
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
    fn locates_nested_key() {
        let text = "(\n  a: (x: 1),\n  b: (\n    // x: 9\n    x: 2,\n  ),\n)";
        assert_eq!(locate(text, "b.x"), (5, 5));
        assert_eq!(locate(text, "a.x"), (2, 7));
    }
}
