//! Small text helpers both sides use.

/// The text with its first letter in upper case.
pub fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_first_letter_is_upper_case() {
        assert_eq!(super::capitalised("skip-level"), "Skip-level");
        assert_eq!(super::capitalised("éclair"), "Éclair");
        assert_eq!(super::capitalised(""), "");
    }
}
