//! Excerpts with the matched words marked: `<mark>…</mark>` around each
//! match, the rest HTML-escaped, so a page can show it as it is.
use super::query::matches;
use super::text::spans;

/// Words of context kept around the first match of a long text.
const CONTEXT_WORDS: usize = 12;
/// Texts up to this many words are shown whole.
const WHOLE_WORDS: usize = 40;

/// `text` HTML-escaped onto `out`, the runs between special characters
/// copied whole rather than a character at a time.
fn escape(text: &str, out: &mut String) {
    let mut from = 0;
    for (at, b) in text.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => continue,
        };
        out.push_str(&text[from..at]);
        out.push_str(entity);
        from = at + 1;
    }
    out.push_str(&text[from..]);
}

/// The text (or, when long, the part around its first match) with the words
/// that match marked; `None` when no word matches.
pub fn excerpt(text: &str, matchers: &[(String, bool)]) -> Option<String> {
    let words: Vec<(usize, &str)> = spans(text).collect();
    let hits: Vec<bool> = words.iter().map(|(_, w)| matches(w, matchers)).collect();
    let first = hits.iter().position(|h| *h)?;
    let (from, to) = if words.len() <= WHOLE_WORDS {
        (0, words.len())
    } else {
        let from = first.saturating_sub(CONTEXT_WORDS / 2);
        (from, (from + CONTEXT_WORDS * 2).min(words.len()))
    };
    let start = if from == 0 { 0 } else { words[from].0 };
    let end = if to == words.len() { text.len() } else { words[to].0 };
    let mut out = String::with_capacity(end - start + 32);
    if from > 0 {
        out.push('…');
    }
    let mut at = start;
    for ((offset, word), hit) in words[from..to].iter().zip(&hits[from..to]) {
        if !hit {
            continue;
        }
        escape(&text[at..*offset], &mut out);
        out.push_str("<mark>");
        escape(word, &mut out);
        out.push_str("</mark>");
        at = offset + word.len();
    }
    escape(text[at..end].trim_end(), &mut out);
    if to < words.len() {
        out.push('…');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(words: &[&str]) -> Vec<(String, bool)> {
        words.iter().map(|w| (w.to_string(), false)).collect()
    }

    #[test]
    fn marks_matches_and_escapes_the_rest() {
        assert_eq!(
            excerpt("State-Space NTK Collapse Near Bifurcations", &m(&["bifurcations"])).unwrap(),
            "State-Space NTK Collapse Near <mark>Bifurcations</mark>"
        );
        assert_eq!(
            excerpt("a <b> & Larivière", &m(&["lariviere"])).unwrap(),
            "a &lt;b&gt; &amp; <mark>Larivière</mark>"
        );
        assert_eq!(excerpt("nothing here", &m(&["x"])), None);
    }

    #[test]
    fn long_texts_are_cut_around_the_first_match() {
        let text = (0..100).map(|i| format!("w{i}")).collect::<Vec<_>>().join(" ");
        let got = excerpt(&text, &m(&["w50"])).unwrap();
        assert!(got.starts_with("…w44 "), "{got}");
        assert!(got.contains("<mark>w50</mark>"));
        assert!(got.ends_with("w67…"), "{got}");
    }
}
