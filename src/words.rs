//! Splitting ASCII text by byte: search terms are cut from every docs page,
//! and most of them are ASCII, where no character needs decoding.

/// Calls `visit` with each maximal run of `text`'s bytes for which `in_run` holds, in order.
/// `text` must be ASCII, so that every byte is a character and every run a `&str`.
pub fn for_each_ascii_run<'a>(
    text: &'a str,
    in_run: impl Fn(u8) -> bool,
    mut visit: impl FnMut(&'a str),
) {
    debug_assert!(text.is_ascii());
    let mut start = None;
    for (i, b) in text.bytes().enumerate() {
        match (in_run(b), start) {
            (true, None) => start = Some(i),
            (false, Some(from)) => {
                visit(&text[from..i]);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(from) = start {
        visit(&text[from..]);
    }
}

/// Whether `char::is_whitespace` holds for the ASCII byte `b`.
pub fn is_ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t'..=b'\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every ASCII character between and around words.
    fn every_ascii() -> String {
        (0u8..128)
            .map(|b| format!("w{b}{}x", b as char))
            .chain(["  a\t\tb ".to_string(), String::new()])
            .collect()
    }

    #[test]
    fn runs_split_as_the_char_predicates_split() {
        let text = every_ascii();
        let mut words = Vec::new();
        for_each_ascii_run(&text, |b| !is_ascii_space(b), |w| words.push(w));
        assert_eq!(words, text.split_whitespace().collect::<Vec<_>>());
        let mut terms = Vec::new();
        for_each_ascii_run(&text, |b| b.is_ascii_alphanumeric(), |t| terms.push(t));
        let by_char: Vec<&str> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|t| !t.is_empty())
            .collect();
        assert_eq!(terms, by_char);
        for_each_ascii_run("", |_| true, |_| panic!("no run in an empty text"));
    }
}
