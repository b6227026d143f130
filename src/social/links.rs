//! Links in a post's text, and the works they name: a DOI (bare, `doi:` or
//! a doi.org URL), an arXiv id (`arXiv:…` or an arxiv.org URL), or the URL
//! a work is stored with.
use crate::ids;

/// Links as written, in order, without repeats: words that start with
/// `http(s)://`, `doi:` or `arXiv:`, bare DOIs, and `host.tld/path` words.
pub fn extract(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        let word = word
            .trim_start_matches(['(', '[', '<', '"', '\''])
            .trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '>', '"', '\'']);
        if is_link(word) && !out.iter().any(|l| l == word) {
            out.push(word.to_owned());
        }
    }
    out
}

fn is_link(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return word.len() > 10;
    }
    if lower.starts_with("doi:") || lower.starts_with("arxiv:") || ids::doi(word).is_ok() {
        return true;
    }
    // `arxiv.org/abs/2409.14623`, `openreview.net/pdf?id=…`: a host with a
    // dot, then a path.
    match word.split_once('/') {
        Some((host, path)) => {
            !path.is_empty()
                && host.contains('.')
                && !host.starts_with('.')
                && !host.ends_with('.')
                && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
                && host
                    .rsplit('.')
                    .next()
                    .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()))
        }
        None => false,
    }
}

/// What a link may name a work by.
#[derive(Debug, PartialEq, Eq)]
pub enum WorkRef {
    Doi(String),
    Arxiv(String),
    Url(String),
}

pub fn work_ref(link: &str) -> WorkRef {
    if let Ok(doi) = ids::doi(link) {
        return WorkRef::Doi(doi);
    }
    let with_scheme = if link.contains("://") { link.to_owned() } else { format!("https://{link}") };
    if let Ok(id) = ids::arxiv(&with_scheme.replace("http://", "https://")) {
        return WorkRef::Arxiv(id);
    }
    if let Ok(id) = ids::arxiv(link) {
        return WorkRef::Arxiv(id);
    }
    WorkRef::Url(with_scheme)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_of_a_post() {
        let text = "Accepted at ICLR 2025!\narxiv.org/abs/2409.14623\nA thread (1/9). See openreview.net/pdf?id=AbTpJ... \
                    and doi:10.1038/s41586-020-2649-2, or https://example.org/x). e.g. 3.5/4 is no link";
        assert_eq!(
            extract(text),
            vec![
                "arxiv.org/abs/2409.14623",
                "openreview.net/pdf?id=AbTpJ",
                "doi:10.1038/s41586-020-2649-2",
                "https://example.org/x"
            ]
        );
        assert_eq!(work_ref("arxiv.org/abs/2409.14623"), WorkRef::Arxiv("2409.14623".into()));
        assert_eq!(work_ref("https://arxiv.org/abs/2409.14623v2"), WorkRef::Arxiv("2409.14623".into()));
        assert_eq!(work_ref("doi:10.1038/S41586-020-2649-2"), WorkRef::Doi("10.1038/s41586-020-2649-2".into()));
        assert_eq!(work_ref("https://doi.org/10.1038/x"), WorkRef::Doi("10.1038/x".into()));
        assert_eq!(work_ref("openreview.net/pdf?id=AbTpJ"), WorkRef::Url("https://openreview.net/pdf?id=AbTpJ".into()));
    }
}
