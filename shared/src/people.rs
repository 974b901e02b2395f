//! The rules for people and accounts: emails, names and passwords. The pages
//! check a field with the same function the server runs before it stores it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Most characters an email address may have (RFC 5321's path limit).
pub const EMAIL_MAX: usize = 254;
/// Most characters a name, title or team may have.
pub const NAME_MAX: usize = 200;
/// Fewest characters a password may have. Length beats composition rules
/// (NIST SP 800-63B), so there are no others.
pub const PASSWORD_MIN: usize = 10;
/// Most characters a password may have: argon2 takes longer inputs, but a
/// limit keeps one request from costing much more than another.
pub const PASSWORD_MAX: usize = 256;

/// An email address, trimmed and lowercased, so the same person is found
/// whichever way their address was typed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Accepts `local@domain.tld`: one `@`, no spaces or control characters,
    /// a dot in the domain. Deliberately loose beyond that: the address is a
    /// key, and mail servers are the judge of the rest.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let email = raw.trim().to_lowercase();
        let bad = || format!("{:?} is not an email address.", raw.trim());
        if email.is_empty() {
            return Err("Enter an email address.".to_owned());
        }
        if email.chars().count() > EMAIL_MAX {
            return Err(format!(
                "An email address has at most {EMAIL_MAX} characters."
            ));
        }
        let Some((local, domain)) = email.split_once('@') else {
            return Err(bad());
        };
        let ok = !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !email.chars().any(|c| {
                c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"')
            });
        if ok { Ok(Self(email)) } else { Err(bad()) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

/// A person's or organisation's name, trimmed: not blank, at most
/// [`NAME_MAX`] characters, no control characters.
pub fn check_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        Err("Enter a name.".to_owned())
    } else {
        check_optional(name)
    }
}

/// A title or team: may be blank, otherwise as [`check_name`].
pub fn check_optional(raw: &str) -> Result<String, String> {
    let text = raw.trim();
    if text.chars().count() > NAME_MAX {
        Err(format!("Keep this under {NAME_MAX} characters."))
    } else if text.chars().any(char::is_control) {
        Err("Remove the line breaks and control characters.".to_owned())
    } else {
        Ok(text.to_owned())
    }
}

/// Whether a new password is acceptable; `None` when it is.
pub fn check_password(password: &str) -> Option<String> {
    let n = password.chars().count();
    if n < PASSWORD_MIN {
        Some(format!("Use at least {PASSWORD_MIN} characters."))
    } else if n > PASSWORD_MAX {
        Some(format!("Use at most {PASSWORD_MAX} characters."))
    } else if password.trim().is_empty() {
        Some("A password of spaces only is too easy to guess.".to_owned())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_is_trimmed_and_lowercased() {
        assert_eq!(
            Email::parse("  Ada@Example.COM ").unwrap().as_str(),
            "ada@example.com"
        );
    }

    #[test]
    fn an_email_without_at_or_with_spaces_or_a_bare_domain_is_refused() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a da@example.com",
            "ada@@example.com",
            "ada@example..com",
            "ada@.example.com",
            "<ada@example.com>",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} passed");
        }
    }

    #[test]
    fn a_name_must_not_be_blank_or_too_long() {
        assert_eq!(check_name("  Ada Lovelace ").unwrap(), "Ada Lovelace");
        assert!(check_name("   ").is_err());
        assert!(check_name(&"x".repeat(NAME_MAX + 1)).is_err());
        assert!(check_name("two\nlines").is_err());
        assert_eq!(check_optional("").unwrap(), "");
    }

    #[test]
    fn a_password_needs_ten_characters_counted_as_characters() {
        assert!(check_password("short").is_some());
        assert!(check_password("          ").is_some());
        assert!(check_password("correct horse").is_none());
        assert!(check_password("ééééééééé").is_some());
        assert!(check_password("éééééééééé").is_none());
        assert!(check_password(&"x".repeat(PASSWORD_MAX + 1)).is_some());
    }
}
