//! Identity patterns (`{group}-{n:03}`): what makes every device of a group distinct.

/// What a placeholder stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Site,
    Group,
    /// The device's number in its group, from 1.
    InGroup,
    /// The device's number in the fleet, from 1.
    InFleet,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Field { field: Field, width: usize },
}

/// A parsed pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern(Vec<Part>);

/// Where a device stands, for its pattern.
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    pub site: &'a str,
    pub group: &'a str,
    /// From 1.
    pub in_group: usize,
    /// From 1.
    pub in_fleet: usize,
}

const EXPECTED: &str = "placeholders {site}, {group}, {n}, {i}, or {n:03} / {i:06} for zero-padded numbers";

impl Pattern {
    pub fn parse(text: &str) -> Result<Pattern, String> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_string()));
            }
            let close =
                rest[open..].find('}').ok_or_else(|| format!("`{text}`: an unclosed `{{`; {EXPECTED}"))?;
            let inner = &rest[open + 1..open + close];
            let (name, width) = match inner.split_once(':') {
                Some((name, format)) => {
                    let digits = format.strip_prefix('0').filter(|d| !d.is_empty());
                    let width = digits.and_then(|d| d.parse::<usize>().ok()).filter(|w| (1..=12).contains(w));
                    (name, width.ok_or_else(|| format!("`{text}`: `{{{inner}}}`: {EXPECTED}"))?)
                }
                None => (inner, 0),
            };
            let field = match name {
                "site" if width == 0 => Field::Site,
                "group" if width == 0 => Field::Group,
                "n" => Field::InGroup,
                "i" => Field::InFleet,
                _ => return Err(format!("`{text}`: `{{{inner}}}`: {EXPECTED}")),
            };
            parts.push(Part::Field { field, width });
            rest = &rest[open + close + 1..];
        }
        if rest.contains('}') {
            return Err(format!("`{text}`: a `}}` without its `{{`; {EXPECTED}"));
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        Ok(Pattern(parts))
    }

    /// Whether two devices of a group get different texts: it numbers them.
    pub fn numbers_devices(&self) -> bool {
        self.0.iter().any(|p| matches!(p, Part::Field { field: Field::InGroup | Field::InFleet, .. }))
    }

    pub fn expand(&self, place: Place) -> String {
        let mut text = String::new();
        for part in &self.0 {
            match part {
                Part::Text(t) => text.push_str(t),
                Part::Field { field, width } => {
                    let number = |n: usize| format!("{n:0width$}", width = *width);
                    match field {
                        Field::Site => text.push_str(place.site),
                        Field::Group => text.push_str(place.group),
                        Field::InGroup => text.push_str(&number(place.in_group)),
                        Field::InFleet => text.push_str(&number(place.in_fleet)),
                    }
                }
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLACE: Place = Place { site: "hq", group: "servers", in_group: 7, in_fleet: 1234 };

    #[test]
    fn placeholders_expand_with_their_padding() {
        let expand = |text: &str| Pattern::parse(text).unwrap().expand(PLACE);
        assert_eq!(expand("{group}-{n:03}"), "servers-007");
        assert_eq!(expand("{site}/{n}"), "hq/7");
        assert_eq!(expand("SN{i:08}"), "SN00001234");
        assert_eq!(expand("plain"), "plain");
        assert!(Pattern::parse("{site}").is_ok_and(|p| !p.numbers_devices()));
        assert!(Pattern::parse("x{i}").is_ok_and(|p| p.numbers_devices()));
    }

    #[test]
    fn a_bad_placeholder_says_what_is_expected() {
        for bad in ["{name}", "{n:3}", "{n:0}", "{site:02}", "open {n", "close }", "{n:0x}"] {
            let error = Pattern::parse(bad).unwrap_err();
            assert!(error.contains(EXPECTED), "{bad}: {error}");
        }
    }
}
