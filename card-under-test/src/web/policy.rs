//! The password policy (§11.5): at least 12 characters, with upper-case letters, lower-case
//! letters, digits and the special characters `! % # @ ^ *` — other characters are not
//! allowed.

/// The special characters the card accepts, one of which a password must hold.
pub const SPECIALS: &str = "!%#@^*";

pub const MIN_CHARS: usize = 12;

/// What the policy asks, as the refusal says it.
pub const RULE: &str = "Password policy: minimum of 12 characters including upper case letters (A to Z), \
     lower case letters (a to z), numbers (0 to 9) and a special char (! % # @ ^ *); other characters are not allowed";

/// `Err(RULE)` when `password` breaks the policy.
pub fn check(password: &str) -> Result<(), &'static str> {
    let chars: Vec<char> = password.chars().collect();
    let has = |test: fn(&char) -> bool| chars.iter().any(test);
    let allowed = |c: &char| c.is_ascii_alphanumeric() || SPECIALS.contains(*c);
    let ok = chars.len() >= MIN_CHARS
        && chars.iter().all(allowed)
        && has(char::is_ascii_uppercase)
        && has(char::is_ascii_lowercase)
        && has(char::is_ascii_digit)
        && chars.iter().any(|c| SPECIALS.contains(*c));
    if ok { Ok(()) } else { Err(RULE) }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn twelve_characters_of_four_kinds_pass_and_each_lack_fails() {
        assert!(check("Upstwin#2026").is_ok());
        let weak = [
            "Upstwin#202",
            "upstwin#2026",
            "UPSTWIN#2026",
            "Upstwin#abcd",
            "Upstwin-2026",
            "Upstwin#2026$",
            "",
        ];
        for weak in weak {
            assert!(check(weak).is_err(), "{weak}");
        }
    }
}
