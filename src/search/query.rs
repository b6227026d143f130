//! A user's search text as terms, and those terms as each engine's query
//! language: `"a phrase"`, `prefix*`, and plain words, all required. Words
//! go through the same folding as documents (see `text`).
use super::text::{fold, words};

/// One required term of a query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Term {
    Word(String),
    /// words starting with this
    Prefix(String),
    /// words in this order, next to each other
    Phrase(Vec<String>),
    /// any of these words (a word the index does not hold, replaced by the
    /// words it holds one edit away)
    AnyOf(Vec<String>),
}

/// Longest query accepted, in characters.
pub const MAX_QUERY: usize = 500;
/// Most terms in a query.
pub const MAX_TERMS: usize = 32;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum QueryError {
    #[error("the query has no words to search for")]
    Empty,
    #[error("the query is longer than {MAX_QUERY} characters")]
    TooLong,
    #[error("the query has more than {MAX_TERMS} terms")]
    TooManyTerms,
}

/// Parses search text: quoted phrases, words with a trailing `*` as
/// prefixes, other words as they are. Punctuation splits words, so
/// `state-space` is the phrase "state space".
pub fn parse(input: &str) -> Result<Vec<Term>, QueryError> {
    if input.chars().count() > MAX_QUERY {
        return Err(QueryError::TooLong);
    }
    let mut terms = Vec::new();
    for (i, part) in input.split('"').enumerate() {
        // Odd parts were between quotes (an unclosed quote runs to the end).
        if i % 2 == 1 {
            terms.extend(phrase(words(part)));
            continue;
        }
        for token in part.split_whitespace() {
            let (body, prefix) = match token.strip_suffix('*') {
                Some(body) => (body, true),
                None => (token, false),
            };
            let mut ws = words(body);
            match (prefix, ws.pop()) {
                (true, Some(last)) => {
                    terms.extend(phrase(ws));
                    terms.push(Term::Prefix(last));
                }
                (false, Some(last)) => {
                    ws.push(last);
                    terms.extend(phrase(ws));
                }
                (_, None) => {}
            }
        }
    }
    terms.dedup();
    match terms.len() {
        0 => Err(QueryError::Empty),
        n if n > MAX_TERMS => Err(QueryError::TooManyTerms),
        _ => Ok(terms),
    }
}

fn phrase(mut words: Vec<String>) -> Option<Term> {
    match words.len() {
        0 => None,
        1 => words.pop().map(Term::Word),
        _ => Some(Term::Phrase(words)),
    }
}

/// Autocomplete text: its last word a prefix, the others whole words.
pub fn parse_prefix(input: &str) -> Result<Vec<Term>, QueryError> {
    if input.chars().count() > MAX_QUERY {
        return Err(QueryError::TooLong);
    }
    let mut ws = words(input);
    let last = ws.pop().ok_or(QueryError::Empty)?;
    // "Lajoie " (a space typed after the word) asks for the whole word.
    let whole = input.ends_with(|c: char| !c.is_alphanumeric());
    let mut terms: Vec<Term> = ws.into_iter().map(Term::Word).collect();
    terms.push(if whole { Term::Word(last) } else { Term::Prefix(last) });
    terms.truncate(MAX_TERMS);
    Ok(terms)
}

/// Words of five letters or more may carry a typo.
pub const TYPO_MIN_LEN: usize = 5;

/// Every string one edit (deletion, transposition, substitution, insertion)
/// away from `word`; substitutions and insertions use ASCII letters and
/// digits and the word's own letters.
pub fn edits1(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    let mut alphabet: Vec<char> = ('a'..='z').chain('0'..='9').chain(chars.iter().copied()).collect();
    alphabet.sort_unstable();
    alphabet.dedup();
    let at = |v: Vec<char>| v.into_iter().collect::<String>();
    let mut out = Vec::with_capacity(chars.len() * (2 * alphabet.len() + 2));
    for i in 0..chars.len() {
        let mut v = chars.clone();
        v.remove(i);
        out.push(at(v));
        if i + 1 < chars.len() {
            let mut v = chars.clone();
            v.swap(i, i + 1);
            out.push(at(v));
        }
        for &c in &alphabet {
            if c != chars[i] {
                let mut v = chars.clone();
                v[i] = c;
                out.push(at(v));
            }
        }
    }
    for i in 0..=chars.len() {
        for &c in &alphabet {
            let mut v = chars.clone();
            v.insert(i, c);
            out.push(at(v));
        }
    }
    out.sort_unstable();
    out.dedup();
    out.retain(|w| w != word);
    out
}

/// Quotes a folded word for FTS5 (`"` doubled, though folded words hold none).
fn fts_word(w: &str) -> String {
    format!("\"{}\"", w.replace('"', "\"\""))
}

/// The terms as an FTS5 query, optionally restricted to one column.
pub fn fts5(terms: &[Term], column: Option<&str>) -> String {
    let scope = column.map_or(String::new(), |c| format!("{c} : "));
    terms
        .iter()
        .map(|t| match t {
            Term::Word(w) => format!("{scope}{}", fts_word(w)),
            Term::Prefix(w) => format!("{scope}{}*", fts_word(w)),
            Term::Phrase(ws) => format!("{scope}{}", fts_word(&ws.join(" "))),
            Term::AnyOf(ws) => {
                format!("{scope}({})", ws.iter().map(|w| fts_word(w)).collect::<Vec<_>>().join(" OR "))
            }
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// Quotes a folded word as a tsquery lexeme.
fn ts_word(w: &str) -> String {
    format!("'{}'", w.replace('\\', "\\\\").replace('\'', "''"))
}

/// The terms as a Postgres tsquery (for `to_tsquery('simple', …)`);
/// `weight` restricts matches to words indexed with that weight (`A`: names).
pub fn tsquery(terms: &[Term], weight: Option<char>) -> String {
    let w = weight.map_or(String::new(), |c| format!(":{c}"));
    let word = |x: &str| format!("{}{w}", ts_word(x));
    terms
        .iter()
        .map(|t| match t {
            Term::Word(x) => word(x),
            Term::Prefix(x) => format!("{}:*{}", ts_word(x), weight.map_or(String::new(), String::from)),
            Term::Phrase(ws) => format!("({})", ws.iter().map(|x| word(x)).collect::<Vec<_>>().join(" <-> ")),
            Term::AnyOf(ws) => format!("({})", ws.iter().map(|x| word(x)).collect::<Vec<_>>().join(" | ")),
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

/// What a highlighter marks: folded words, and whether each is a prefix.
pub fn matchers(terms: &[Term]) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for t in terms {
        match t {
            Term::Word(w) => out.push((w.clone(), false)),
            Term::Prefix(w) => out.push((w.clone(), true)),
            Term::Phrase(ws) | Term::AnyOf(ws) => out.extend(ws.iter().map(|w| (w.clone(), false))),
        }
    }
    out
}

/// Whether a word of a text matches one of the matchers.
pub fn matches(word: &str, matchers: &[(String, bool)]) -> bool {
    if word.is_ascii() {
        // An ASCII word folds to its lower case alone: compared in place
        // instead of folded into a new string (every word of every excerpt
        // of a search page passes here).
        let word = word.as_bytes();
        return matchers.iter().any(|(m, prefix)| {
            let m = m.as_bytes();
            match prefix {
                true => word.get(..m.len()).is_some_and(|start| start.eq_ignore_ascii_case(m)),
                false => word.eq_ignore_ascii_case(m),
            }
        });
    }
    let folded = fold(word);
    matchers.iter().any(|(m, prefix)| if *prefix { folded.starts_with(m.as_str()) } else { folded == *m })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Term {
        Term::Word(s.into())
    }

    #[test]
    fn parses_phrases_prefixes_and_words() {
        assert_eq!(
            parse(r#"NTK "neural Tangent kernel" bifurc* State-Space"#).unwrap(),
            [
                w("ntk"),
                Term::Phrase(vec!["neural".into(), "tangent".into(), "kernel".into()]),
                Term::Prefix("bifurc".into()),
                Term::Phrase(vec!["state".into(), "space".into()]),
            ]
        );
        assert_eq!(parse(r#""lariviere"#).unwrap(), [w("lariviere")], "an unclosed quote");
        assert_eq!(parse("  \"\" * -- "), Err(QueryError::Empty));
        assert_eq!(parse(&"a".repeat(MAX_QUERY + 1)), Err(QueryError::TooLong));
        assert_eq!(parse(&"ab ".repeat(40)).unwrap().len(), 1, "repeated words count once");
    }

    #[test]
    fn autocomplete_text_ends_in_a_prefix() {
        assert_eq!(parse_prefix("Guillaume La").unwrap(), [w("guillaume"), Term::Prefix("la".into())]);
        assert_eq!(parse_prefix("Lajoie ").unwrap(), [w("lajoie")]);
        assert_eq!(parse_prefix(" ,"), Err(QueryError::Empty));
    }

    #[test]
    fn renders_both_engines() {
        let terms = vec![
            w("ntk"),
            Term::Prefix("bif".into()),
            Term::Phrase(vec!["a".into(), "b".into()]),
            Term::AnyOf(vec!["x".into(), "y".into()]),
        ];
        assert_eq!(fts5(&terms, None), r#""ntk" AND "bif"* AND "a b" AND ("x" OR "y")"#);
        assert_eq!(fts5(&terms[..2], Some("name")), r#"name : "ntk" AND name : "bif"*"#);
        assert_eq!(tsquery(&terms, None), "'ntk' & 'bif':* & ('a' <-> 'b') & ('x' | 'y')");
        assert_eq!(tsquery(&terms[..2], Some('A')), "'ntk':A & 'bif':*A");
    }

    #[test]
    fn one_edit_away() {
        let e = edits1("bifurcatoins");
        assert!(e.contains(&"bifurcations".to_owned()), "transposition");
        assert!(edits1("lajoei").contains(&"lajoie".to_owned()));
        assert!(edits1("kernal").contains(&"kernel".to_owned()), "substitution");
        assert!(edits1("kernl").contains(&"kernel".to_owned()), "insertion");
        assert!(edits1("kerrnel").contains(&"kernel".to_owned()), "deletion");
        assert!(!e.contains(&"bifurcatoins".to_owned()));
    }

    #[test]
    fn matches_fold_the_text() {
        let m = vec![("lariviere".to_owned(), false), ("bif".to_owned(), true)];
        assert!(matches("Larivière", &m));
        assert!(matches("Bifurcations", &m));
        assert!(!matches("Lari", &m));
    }

    #[test]
    fn ascii_words_match_as_their_folded_forms_do() {
        let m = vec![
            ("kernel".to_owned(), false),
            ("neur".to_owned(), true),
            ("één".to_owned(), true),
            ("x".to_owned(), false),
        ];
        let folded = |word: &str| {
            let f = fold(word);
            m.iter().any(|(m, prefix)| if *prefix { f.starts_with(m.as_str()) } else { f == *m })
        };
        for word in ["Kernel", "KERNELS", "kernel", "Neural", "NEU", "neur", "X", "xx", "een", "2024", "a", ""] {
            assert_eq!(matches(word, &m), folded(word), "{word:?}");
        }
    }
}
