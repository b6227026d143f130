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
pub fn spans(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start: Option<usize> = None;
    let mut chars = text.char_indices().chain(std::iter::once((text.len(), ' ')));
    std::iter::from_fn(move || {
        for (i, c) in chars.by_ref() {
            // Combining marks belong to the word they follow (decomposed text).
            let word_char = c.is_alphanumeric() || (start.is_some() && is_combining_mark(c));
            match (word_char, start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    start = None;
                    return Some((s, &text[s..i]));
                }
                _ => {}
            }
        }
        None
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
    }
}
