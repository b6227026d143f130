//! Normalisation of external identifiers, applied on the way in and on lookup
//! so that every spelling of the same id finds the same row.
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum IdError {
    #[error("not a DOI: {0:?} (expected 10.<prefix>/<suffix>)")]
    Doi(String),
    #[error("not an ORCID iD: {0:?} (expected 0000-0000-0000-000X with a valid check digit)")]
    Orcid(String),
    #[error("not an arXiv id: {0:?}")]
    Arxiv(String),
    #[error("not a ROR id: {0:?}")]
    Ror(String),
    #[error("not an OpenAlex id: {0:?}")]
    OpenAlex(String),
}

fn strip_prefix_ci<'a>(s: &'a str, prefixes: &[&str]) -> &'a str {
    for prefix in prefixes {
        // `get`: the cut may fall inside a multi-byte character.
        if s.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix)) {
            return &s[prefix.len()..];
        }
    }
    s
}

/// `https://doi.org/10.7717/PeerJ.4375`, `doi:10.7717/peerj.4375` → `10.7717/peerj.4375`
pub fn doi(raw: &str) -> Result<String, IdError> {
    let s = strip_prefix_ci(
        raw.trim(),
        &["https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi.org/", "doi:"],
    )
    .trim()
    .to_lowercase();
    match s.split_once('/') {
        Some((prefix, suffix))
            if prefix.starts_with("10.")
                && prefix.len() > 3
                && !suffix.is_empty()
                && !s.contains(char::is_whitespace) =>
        {
            Ok(s)
        }
        _ => Err(IdError::Doi(raw.to_owned())),
    }
}

/// Bare or `https://orcid.org/…`, check digit verified (ISO 7064 MOD 11-2).
pub fn orcid(raw: &str) -> Result<String, IdError> {
    let s = strip_prefix_ci(raw.trim(), &["https://orcid.org/", "http://orcid.org/", "orcid.org/", "orcid:"]);
    let chars: Vec<char> = s.chars().filter(|c| *c != '-').collect();
    let well_formed = chars.len() == 16
        && chars[..15].iter().all(char::is_ascii_digit)
        && (chars[15].is_ascii_digit() || chars[15] == 'X' || chars[15] == 'x');
    if !well_formed || s.chars().filter(|c| *c == '-').count() > 3 {
        return Err(IdError::Orcid(raw.to_owned()));
    }
    let mut total = 0u32;
    for c in &chars[..15] {
        total = (total + c.to_digit(10).unwrap_or(0)) * 2;
    }
    let check = (12 - total % 11) % 11;
    let expected = if check == 10 { 'X' } else { char::from_digit(check, 10).unwrap_or('0') };
    if chars[15].to_ascii_uppercase() != expected {
        return Err(IdError::Orcid(raw.to_owned()));
    }
    let digits: String = chars.iter().map(|c| c.to_ascii_uppercase()).collect();
    Ok(format!("{}-{}-{}-{}", &digits[0..4], &digits[4..8], &digits[8..12], &digits[12..16]))
}

/// `arXiv:2409.14623v2`, `https://arxiv.org/abs/2409.14623` → `2409.14623`;
/// old-style `hep-th/9901001v1` → `hep-th/9901001`.
pub fn arxiv(raw: &str) -> Result<String, IdError> {
    let s = strip_prefix_ci(
        raw.trim(),
        &["https://arxiv.org/abs/", "http://arxiv.org/abs/", "https://arxiv.org/pdf/", "arxiv.org/abs/", "arxiv:"],
    );
    let s = s.trim_end_matches(".pdf");
    let base = match s.rfind('v') {
        Some(i)
            if i + 1 < s.len()
                && s[i + 1..].chars().all(|c| c.is_ascii_digit())
                && s[..i].ends_with(|c: char| c.is_ascii_digit()) =>
        {
            &s[..i]
        }
        _ => s,
    };
    let new_style = base.split_once('.').is_some_and(|(a, b)| {
        a.len() == 4
            && a.chars().all(|c| c.is_ascii_digit())
            && (4..=5).contains(&b.len())
            && b.chars().all(|c| c.is_ascii_digit())
    });
    let old_style = base.split_once('/').is_some_and(|(a, b)| {
        !a.is_empty()
            && a.chars().all(|c| c.is_ascii_alphabetic() || c == '-' || c == '.')
            && b.len() == 7
            && b.chars().all(|c| c.is_ascii_digit())
    });
    if new_style || old_style { Ok(base.to_lowercase()) } else { Err(IdError::Arxiv(raw.to_owned())) }
}

/// Bare or `https://ror.org/…` → `00cvxb145`.
pub fn ror(raw: &str) -> Result<String, IdError> {
    let s = strip_prefix_ci(raw.trim(), &["https://ror.org/", "http://ror.org/", "ror.org/"]).to_lowercase();
    let ok = s.len() == 9 && s.starts_with('0') && s.chars().all(|c| c.is_ascii_alphanumeric());
    if ok { Ok(s) } else { Err(IdError::Ror(raw.to_owned())) }
}

/// `https://openalex.org/W2741809807` or `w2741809807` → `W2741809807`.
pub fn openalex(raw: &str) -> Result<String, IdError> {
    let s = strip_prefix_ci(raw.trim(), &["https://openalex.org/", "http://openalex.org/", "openalex:"]);
    let mut chars = s.chars();
    match chars.next() {
        Some(kind)
            if "WAISTPFC".contains(kind.to_ascii_uppercase()) && s.len() > 1 && chars.all(|c| c.is_ascii_digit()) =>
        {
            Ok(format!("{}{}", kind.to_ascii_uppercase(), &s[1..]))
        }
        _ => Err(IdError::OpenAlex(raw.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dois_are_lower_cased_and_unprefixed() {
        assert_eq!(doi("https://doi.org/10.7717/PeerJ.4375").unwrap(), "10.7717/peerj.4375");
        assert_eq!(doi("doi:10.1/X").unwrap(), "10.1/x");
        assert_eq!(doi(" 10.1000/abc ").unwrap(), "10.1000/abc");
        assert!(doi("11.1/x").is_err());
        assert!(doi("10.1").is_err());
        // Non-ASCII where a prefix would end: an error, not a panic.
        for raw in ["RNN’s", "dé", "ヒ", "doi:"] {
            assert!(doi(raw).is_err() && arxiv(raw).is_err() && orcid(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn orcids_are_check_digit_verified() {
        assert_eq!(orcid("0000-0001-6187-6610").unwrap(), "0000-0001-6187-6610");
        assert_eq!(orcid("https://orcid.org/0000-0002-1825-0097").unwrap(), "0000-0002-1825-0097");
        assert_eq!(orcid("0000-0002-1694-233x").unwrap(), "0000-0002-1694-233X");
        assert!(orcid("0000-0002-1825-0098").is_err());
        assert!(orcid("0000-0002-1825").is_err());
    }

    #[test]
    fn arxiv_ids_lose_their_version() {
        assert_eq!(arxiv("arXiv:2409.14623v2").unwrap(), "2409.14623");
        assert_eq!(arxiv("https://arxiv.org/abs/2409.14623").unwrap(), "2409.14623");
        assert_eq!(arxiv("0704.0001").unwrap(), "0704.0001");
        assert_eq!(arxiv("hep-th/9901001v1").unwrap(), "hep-th/9901001");
        assert!(arxiv("not-an-id").is_err());
    }

    #[test]
    fn ror_and_openalex_ids() {
        assert_eq!(ror("https://ror.org/00jmfr291").unwrap(), "00jmfr291");
        assert!(ror("12345").is_err());
        assert_eq!(openalex("https://openalex.org/W2741809807").unwrap(), "W2741809807");
        assert_eq!(openalex("a5023888391").unwrap(), "A5023888391");
        assert!(openalex("X12").is_err());
    }
}
