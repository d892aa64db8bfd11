//! Flag expressions of the rules files: `A01 | A47`, `S04 & !S07`, `!(S02 | S03)`. A code
//! is a status or alarm bit of the map; `&` binds tighter than `|`; `!` negates.

use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Bit(String),
    Not(Box<Expr>),
    All(Vec<Expr>),
    Any(Vec<Expr>),
}

impl Expr {
    /// Whether the expression holds when exactly the bits in `on` are set.
    pub fn holds(&self, on: &BTreeSet<&str>) -> bool {
        match self {
            Expr::Bit(code) => on.contains(code.as_str()),
            Expr::Not(inner) => !inner.holds(on),
            Expr::All(terms) => terms.iter().all(|t| t.holds(on)),
            Expr::Any(terms) => terms.iter().any(|t| t.holds(on)),
        }
    }

    /// The codes that must be set for the expression to hold (not under a `!`).
    pub fn positive_codes(&self) -> Vec<&str> {
        match self {
            Expr::Bit(code) => vec![code.as_str()],
            Expr::Not(_) => vec![],
            Expr::All(terms) | Expr::Any(terms) => terms.iter().flat_map(Expr::positive_codes).collect(),
        }
    }

    /// Every code the expression reads.
    pub fn codes(&self) -> Vec<&str> {
        match self {
            Expr::Bit(code) => vec![code.as_str()],
            Expr::Not(inner) => inner.codes(),
            Expr::All(terms) | Expr::Any(terms) => terms.iter().flat_map(Expr::codes).collect(),
        }
    }
}

/// Parses an expression; the error says at which character and what was expected.
pub fn parse(text: &str) -> Result<Expr, String> {
    let mut parser = Parser { chars: text.char_indices().peekable(), text };
    let expr = parser.any()?;
    match parser.next_token() {
        None => Ok(expr),
        Some((at, c)) => Err(format!("unexpected '{c}' at character {}", at + 1)),
    }
}

struct Parser<'a> {
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    text: &'a str,
}

impl Parser<'_> {
    fn skip_space(&mut self) {
        while self.chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_space();
        self.chars.peek().map(|(_, c)| *c)
    }

    fn next_token(&mut self) -> Option<(usize, char)> {
        self.skip_space();
        self.chars.next()
    }

    fn any(&mut self) -> Result<Expr, String> {
        let mut terms = vec![self.all()?];
        while self.peek() == Some('|') {
            self.chars.next();
            terms.push(self.all()?);
        }
        Ok(if terms.len() == 1 { terms.remove(0) } else { Expr::Any(terms) })
    }

    fn all(&mut self) -> Result<Expr, String> {
        let mut terms = vec![self.not()?];
        while self.peek() == Some('&') {
            self.chars.next();
            terms.push(self.not()?);
        }
        Ok(if terms.len() == 1 { terms.remove(0) } else { Expr::All(terms) })
    }

    fn not(&mut self) -> Result<Expr, String> {
        match self.next_token() {
            Some((_, '!')) => Ok(Expr::Not(Box::new(self.not()?))),
            Some((_, '(')) => {
                let inner = self.any()?;
                match self.next_token() {
                    Some((_, ')')) => Ok(inner),
                    Some((at, c)) => Err(format!("expected ')' at character {}, found '{c}'", at + 1)),
                    None => Err("expected ')' at the end".to_string()),
                }
            }
            Some((start, c)) if c.is_ascii_alphanumeric() => {
                let mut end = start + c.len_utf8();
                while let Some((at, c)) = self.chars.next_if(|(_, c)| c.is_ascii_alphanumeric()) {
                    end = at + c.len_utf8();
                }
                Ok(Expr::Bit(self.text[start..end].to_string()))
            }
            Some((at, c)) => {
                Err(format!("expected a bit code, '!' or '(' at character {}, found '{c}'", at + 1))
            }
            None => Err("expected a bit code at the end".to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holds(text: &str, on: &[&str]) -> bool {
        parse(text).unwrap().holds(&on.iter().copied().collect())
    }

    #[test]
    fn and_binds_tighter_than_or_and_not_negates() {
        assert!(holds("S04 & !S07", &["S04"]));
        assert!(!holds("S04 & !S07", &["S04", "S07"]));
        assert!(holds("A01 | A47 & S00", &["A01"]));
        assert!(!holds("(A01 | A47) & S00", &["A01"]));
        assert!(holds("!S02 & !S03 & !S04", &[]));
        assert_eq!(parse("A01 | (S02)").unwrap().codes(), ["A01", "S02"]);
    }

    #[test]
    fn bad_expressions_say_where() {
        assert_eq!(parse("A01 |").unwrap_err(), "expected a bit code at the end");
        assert_eq!(parse("A01 A02").unwrap_err(), "unexpected 'A' at character 5");
        assert_eq!(parse("(A01").unwrap_err(), "expected ')' at the end");
        assert_eq!(
            parse("A01 & +").unwrap_err(),
            "expected a bit code, '!' or '(' at character 7, found '+'"
        );
    }
}
