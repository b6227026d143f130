//! Words as search sees them: runs of letters and digits, lower-cased, with
//! diacritics removed (`Larivière` → `lariviere`). Documents and queries go
//! through the same folding on both databases, so SQLite's FTS5 and
//! Postgres' `simple` configuration index and look up the same words.
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// One word folded: NFKD, combining marks dropped, lower case.
pub fn fold(word: &str) -> String {
    word.nfkd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect()
}

/// The words of a text with their byte ranges in it (for highlighting).
/// ASCII is read a byte at a time, without decoding it as characters
/// (every word of every excerpt of a search page passes here).
pub fn spans(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        let mut start: Option<usize> = None;
        while at < bytes.len() {
            let (word_char, len) = match bytes[at] {
                b if b.is_ascii() => (b.is_ascii_alphanumeric(), 1),
                _ => {
                    let c = text[at..].chars().next()?;
                    // Combining marks belong to the word they follow
                    // (decomposed text).
                    (c.is_alphanumeric() || (start.is_some() && is_combining_mark(c)), c.len_utf8())
                }
            };
            match (word_char, start) {
                (true, None) => start = Some(at),
                (false, Some(s)) => return Some((s, &text[s..at])),
                _ => {}
            }
            at += len;
        }
        start.map(|s| (s, &text[s..]))
    })
}

/// The folded words of a text.
pub fn words(text: &str) -> Vec<String> {
    spans(text).map(|(_, w)| fold(w)).filter(|w| !w.is_empty()).collect()
}

/// A text as the index stores it: its folded words, space-separated.
pub fn indexed(text: &str) -> String {
    words(text).join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_and_diacritics_and_splits_on_punctuation() {
        assert_eq!(
            words("State-Space NTK: Larivière, Bal\u{e1}zs (2024)"),
            ["state", "space", "ntk", "lariviere", "balazs", "2024"]
        );
        assert_eq!(words("Lari\u{300}viere"), ["lariviere"], "decomposed input");
        assert!(words(" -- ").is_empty());
    }

    #[test]
    fn spans_point_into_the_original_text() {
        let text = "Near Bifurcations.";
        let got: Vec<(usize, &str)> = spans(text).collect();
        assert_eq!(got, [(0, "Near"), (5, "Bifurcations")]);
        let text = "Lari\u{300}viere, Bal\u{e1}zs\u{301}: 3\u{2d9}x";
        let got: Vec<&str> = spans(text).map(|(_, w)| w).collect();
        assert_eq!(got, ["Lari\u{300}viere", "Bal\u{e1}zs\u{301}", "3", "x"]);
        assert_eq!(spans("end").collect::<Vec<_>>(), [(0, "end")]);
    }
}
