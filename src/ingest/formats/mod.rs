//! Parsers of the `scholargraph import FORMAT FILE...` input formats. Each
//! turns one input record (a JSON line, one element of a JSON document, one
//! BibTeX entry) into a self-contained native [`Document`]: its keys are local
//! to that document and every key it refers to is inside it.
//!
//! Bad records never stop the stream: they come out as [`RecordError`]s with
//! the line they start on, and the next record follows.
//!
//! Shared conventions of all formats:
//! - keys are the external ids (`W2741809807`, `A5023888391`, an S2 paperId,
//!   a BibTeX citation key); records without one get a descriptive key;
//! - KEYWORD topics have `code` = the keyword folded to a lower-case slug
//!   (`Web of science` → `web-of-science`, the scheme OpenAlex uses for its
//!   keyword ids), so the same keyword from any source lands on one topic;
//! - author metrics are named `h_index`, `i10_index`, `2yr_mean_citedness`,
//!   `papers`, `citations` (the demo corpus's names).
use std::collections::HashSet;
use std::fmt;
use std::io::BufRead;
use std::str::FromStr;

use super::model::{Document, Institution, Topic, Venue, Work};
use crate::ids;

pub mod arxiv;
pub mod bibtex;
mod json;
pub mod latex;
pub mod openalex;
pub mod s2;
mod source;

pub use source::open;

/// The input formats of `scholargraph import`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Format {
    /// OpenAlex works, authors, institutions, sources and topics (JSON lines or one JSON document)
    #[value(name = "openalex")]
    OpenAlex,
    /// the arXiv metadata snapshot (JSON lines)
    #[value(name = "arxiv")]
    Arxiv,
    /// Semantic Scholar Graph API papers, authors and citation edges
    #[value(name = "s2")]
    S2,
    /// BibTeX / BibLaTeX `.bib` files
    #[value(name = "bibtex")]
    Bibtex,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::OpenAlex, Format::Arxiv, Format::S2, Format::Bibtex];

    pub fn name(self) -> &'static str {
        match self {
            Format::OpenAlex => "openalex",
            Format::Arxiv => "arxiv",
            Format::S2 => "s2",
            Format::Bibtex => "bibtex",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase();
        match s.as_str() {
            "openalex" => Ok(Format::OpenAlex),
            "arxiv" => Ok(Format::Arxiv),
            "s2" | "semanticscholar" | "semantic-scholar" => Ok(Format::S2),
            "bibtex" | "bib" | "biblatex" => Ok(Format::Bibtex),
            _ => Err(format!("unknown format {s:?} (expected openalex, arxiv, s2 or bibtex)")),
        }
    }
}

/// One input record, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// 1-based line of the input where the record starts
    pub line: usize,
    pub doc: Document,
}

/// One input record that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    /// 1-based line of the input where the record starts
    pub line: usize,
    /// short and specific, e.g. `missing "title"`
    pub reason: String,
    /// the offending input text, truncated to [`MAX_RAW`] bytes
    pub raw: String,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

impl std::error::Error for RecordError {}

/// The longest `RecordError::raw` kept (64 KiB), cut at a character boundary.
pub const MAX_RAW: usize = 64 * 1024;

pub(crate) fn truncate_raw(s: &str) -> String {
    if s.len() <= MAX_RAW {
        return s.to_owned();
    }
    let mut end = MAX_RAW;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

/// A converted record, checked with [`validate`].
pub(crate) fn checked(line: usize, converted: Result<Document, String>, raw: &str) -> Result<Record, RecordError> {
    match converted.and_then(|doc| validate(&doc).map(|()| doc).map_err(|e| format!("invalid record: {e}"))) {
        Ok(doc) => Ok(Record { line, doc }),
        Err(reason) => Err(record_error(line, reason, raw)),
    }
}

pub(crate) fn record_error(line: usize, reason: impl Into<String>, raw: &str) -> RecordError {
    RecordError { line, reason: reason.into(), raw: truncate_raw(raw) }
}

/// What the caller knows that the input does not say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// `s2` citation edges (`/paper/{id}/citations`: `{contexts, intents,
    /// isInfluential, citingPaper}`) do not name the cited paper: it is the
    /// `{id}` of the request. This is that paper, as a cite target
    /// (`s2:…`, `doi:…`, `arxiv:…`, `openalex:W…`, or a bare S2 paperId /
    /// DOI / arXiv id, normalised by [`cite_target`]). Without it such an edge
    /// is a [`RecordError`] (its contexts would otherwise be lost).
    pub cited: Option<String>,
}

pub type Records = Box<dyn Iterator<Item = Result<Record, RecordError>> + Send>;

/// Streams records from a reader (constant memory for line-based inputs:
/// JSON lines, arXiv, BibTeX; a multi-line JSON document is read whole).
pub fn records(format: Format, reader: Box<dyn BufRead + Send>) -> Records {
    records_with_options(format, reader, Options::default())
}

/// [`records`] with [`Options`] (only `s2` reads them).
pub fn records_with_options(format: Format, reader: Box<dyn BufRead + Send>, options: Options) -> Records {
    let inner: Records = match format {
        Format::OpenAlex => Box::new(json::items(reader).map(|item| item.convert(openalex::convert))),
        Format::Arxiv => Box::new(json::items(reader).map(|item| item.convert(arxiv::convert))),
        Format::S2 => {
            let cited = options.cited.as_deref().map(cite_target);
            Box::new(json::items(reader).map(move |item| item.convert(|v| s2::convert(v, cited.as_ref()))))
        }
        Format::Bibtex => Box::new(bibtex::entries(reader)),
    };
    inner
}

/// Normalises a citation target: `s2:<paperId>`, `doi:10.…`, `arxiv:…`,
/// `openalex:W…` (prefixes case-insensitive, S2's `DOI:`/`ARXIV:` spellings
/// and URLs included); a bare 40-hex S2 paperId, DOI, arXiv id or OpenAlex
/// work id is recognised too.
pub fn cite_target(raw: &str) -> Result<String, String> {
    let s = raw.trim();
    let lower = s.to_ascii_lowercase();
    let rest = |n: usize| s[n..].trim();
    let s2_ok = |id: &str| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric());
    let bad = || format!("not a citation target: {raw:?} (expected s2:…, doi:…, arxiv:… or openalex:W…)");
    if lower.starts_with("s2:") {
        let id = rest(3);
        return if s2_ok(id) { Ok(format!("s2:{}", id.to_ascii_lowercase())) } else { Err(bad()) };
    }
    for prefix in ["https://www.semanticscholar.org/paper/", "https://api.semanticscholar.org/graph/v1/paper/"] {
        if lower.starts_with(prefix) {
            let id = s.trim_end_matches('/').rsplit('/').next().unwrap_or("");
            return if s2_ok(id) { Ok(format!("s2:{}", id.to_ascii_lowercase())) } else { Err(bad()) };
        }
    }
    if lower.starts_with("doi:") || lower.starts_with("10.") || lower.contains("doi.org/") {
        return ids::doi(s).map(|d| format!("doi:{d}")).map_err(|e| e.to_string());
    }
    if lower.starts_with("arxiv:") || lower.contains("arxiv.org/") {
        return ids::arxiv(s).map(|a| format!("arxiv:{a}")).map_err(|e| e.to_string());
    }
    if lower.starts_with("openalex:") || lower.contains("openalex.org/") {
        return match ids::openalex(s) {
            Ok(id) if id.starts_with('W') => Ok(format!("openalex:{id}")),
            Ok(_) => Err(format!("not an OpenAlex work id: {raw:?}")),
            Err(e) => Err(e.to_string()),
        };
    }
    if s.len() == 40 && s.chars().all(|c| c.is_ascii_hexdigit()) {
        return Ok(format!("s2:{lower}"));
    }
    if let Ok(a) = ids::arxiv(s) {
        return Ok(format!("arxiv:{a}"));
    }
    if let Ok(id) = ids::openalex(s)
        && id.starts_with('W')
    {
        return Ok(format!("openalex:{id}"));
    }
    Err(bad())
}

/// Newlines and runs of white space become one space; trimmed.
pub fn fold_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `fold_ws`, and `None` when nothing is left.
pub(crate) fn clean(s: Option<&str>) -> Option<String> {
    s.map(fold_ws).filter(|s| !s.is_empty())
}

/// A KEYWORD topic: `code` is the keyword lower-cased, letters and digits
/// kept, everything else folded to single `-` (`Web of science` →
/// `web-of-science`); `None` when nothing is left.
pub fn keyword_topic(name: &str) -> Option<Topic> {
    let name = fold_ws(name);
    let mut code = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_alphanumeric() {
            code.extend(c.to_lowercase());
        } else if !code.is_empty() && !code.ends_with('-') {
            code.push('-');
        }
    }
    while code.ends_with('-') {
        code.pop();
    }
    if code.is_empty() {
        return None;
    }
    Some(Topic { key: format!("keyword:{code}"), scheme: "KEYWORD".into(), code: Some(code), name, parent: None })
}

/// The arXiv repository as a venue (the same in every format).
pub(crate) fn arxiv_venue() -> Venue {
    Venue { key: "arxiv".into(), name: "arXiv".into(), kind: "REPOSITORY".into(), openalex_id: None, issn: None }
}

/// Collects the records of one document, each key once (the first record
/// given under a key wins).
#[derive(Default)]
pub(crate) struct Builder {
    doc: Document,
    institutions: HashSet<String>,
    topics: HashSet<String>,
    venues: HashSet<String>,
    authors: HashSet<String>,
    works: HashSet<String>,
}

impl Builder {
    pub fn new(source: &str) -> Self {
        Builder { doc: Document { source: Some(source.to_owned()), ..Default::default() }, ..Default::default() }
    }

    pub fn institution(&mut self, rec: Institution) -> String {
        let key = rec.key.clone();
        if self.institutions.insert(key.clone()) {
            self.doc.institutions.push(rec);
        }
        key
    }

    pub fn topic(&mut self, rec: Topic) -> String {
        let key = rec.key.clone();
        if self.topics.insert(key.clone()) {
            self.doc.topics.push(rec);
        }
        key
    }

    pub fn venue(&mut self, rec: Venue) -> String {
        let key = rec.key.clone();
        if self.venues.insert(key.clone()) {
            self.doc.venues.push(rec);
        }
        key
    }

    pub fn author(&mut self, rec: super::model::Author) -> String {
        let key = rec.key.clone();
        if self.authors.insert(key.clone()) {
            self.doc.authors.push(rec);
        }
        key
    }

    pub fn has_work(&self, key: &str) -> bool {
        self.works.contains(key)
    }

    /// Adds a work unless one with its key is there; says whether it was added.
    pub fn work(&mut self, rec: Work) -> bool {
        if self.works.insert(rec.key.clone()) {
            self.doc.works.push(rec);
            true
        } else {
            false
        }
    }

    pub fn finish(self) -> Document {
        self.doc
    }
}

const WORK_TYPES: [&str; 8] =
    ["ARTICLE", "PREPRINT", "CONFERENCE_PAPER", "BOOK", "BOOK_CHAPTER", "DATASET", "THESIS", "OTHER"];
const SCHEMES: [&str; 3] = ["ARXIV", "KEYWORD", "OPENALEX"];
const VENUE_KINDS: [&str; 4] = ["REPOSITORY", "JOURNAL", "CONFERENCE", "OTHER"];

/// Checks what the writer relies on: known types, schemes and kinds, every
/// key referred to present (once) in the document, authorship positions
/// 1..n in order, non-empty titles and names, identifiers normalised, cite
/// targets well-formed. Every parser's output passes this: [`records`]
/// checks each record with it (a failure would be a parser bug, reported as
/// a `RecordError` "invalid record: …" rather than handed on).
pub fn validate(doc: &Document) -> Result<(), String> {
    fn keys<'a, T>(what: &str, items: &'a [T], key: impl Fn(&'a T) -> &'a str) -> Result<HashSet<&'a str>, String> {
        let mut set = HashSet::new();
        for item in items {
            let k = key(item);
            if k.is_empty() {
                return Err(format!("{what} with an empty key"));
            }
            if !set.insert(k) {
                return Err(format!("{what} key {k:?} twice"));
            }
        }
        Ok(set)
    }
    fn normalised(what: &str, v: &Option<String>, f: fn(&str) -> Result<String, ids::IdError>) -> Result<(), String> {
        match v {
            Some(v) if f(v).as_deref() != Ok(v.as_str()) => Err(format!("{what} {v:?} is not normalised")),
            _ => Ok(()),
        }
    }
    let institutions = keys("institution", &doc.institutions, |r| r.key.as_str())?;
    let topics = keys("topic", &doc.topics, |r| r.key.as_str())?;
    let venues = keys("venue", &doc.venues, |r| r.key.as_str())?;
    let authors = keys("author", &doc.authors, |r| r.key.as_str())?;
    let works = keys("work", &doc.works, |r| r.key.as_str())?;
    for r in &doc.institutions {
        if r.name.trim().is_empty() {
            return Err(format!("institution {:?} has no name", r.key));
        }
        normalised("ror", &r.ror, ids::ror)?;
        normalised("openalex_id", &r.openalex_id, ids::openalex)?;
    }
    for r in &doc.topics {
        if !SCHEMES.contains(&r.scheme.as_str()) {
            return Err(format!("topic scheme {:?}", r.scheme));
        }
        if r.name.trim().is_empty() {
            return Err(format!("topic {:?} has no name", r.key));
        }
        if let Some(p) = &r.parent
            && (!topics.contains(p.as_str()) || p == &r.key)
        {
            return Err(format!("topic {:?}: unknown parent {p:?}", r.key));
        }
    }
    for r in &doc.venues {
        if !VENUE_KINDS.contains(&r.kind.as_str()) {
            return Err(format!("venue kind {:?}", r.kind));
        }
        if r.name.trim().is_empty() {
            return Err(format!("venue {:?} has no name", r.key));
        }
        normalised("openalex_id", &r.openalex_id, ids::openalex)?;
    }
    for r in &doc.authors {
        if r.display_name.trim().is_empty() {
            return Err(format!("author {:?} has no name", r.key));
        }
        normalised("orcid", &r.orcid, ids::orcid)?;
        normalised("openalex_id", &r.openalex_id, ids::openalex)?;
        for a in &r.affiliations {
            if !institutions.contains(a.institution.as_str()) {
                return Err(format!("author {:?}: unknown institution {:?}", r.key, a.institution));
            }
        }
    }
    for w in &doc.works {
        if w.title.trim().is_empty() {
            return Err(format!("work {:?} has no title", w.key));
        }
        if !WORK_TYPES.contains(&w.work_type.as_str()) {
            return Err(format!("work type {:?}", w.work_type));
        }
        normalised("doi", &w.doi, ids::doi)?;
        normalised("arxiv_id", &w.arxiv_id, ids::arxiv)?;
        normalised("openalex_id", &w.openalex_id, ids::openalex)?;
        if let Some(v) = &w.venue
            && !venues.contains(v.as_str())
        {
            return Err(format!("work {:?}: unknown venue {v:?}", w.key));
        }
        for t in w.primary_topic.iter().chain(&w.topics) {
            if !topics.contains(t.as_str()) {
                return Err(format!("work {:?}: unknown topic {t:?}", w.key));
            }
        }
        for (i, a) in w.authorships.iter().enumerate() {
            if a.position != i as i32 + 1 {
                return Err(format!("work {:?}: authorship {} has position {}", w.key, i + 1, a.position));
            }
            if a.raw_name.trim().is_empty() {
                return Err(format!("work {:?}: authorship {} has no name", w.key, i + 1));
            }
            if let Some(k) = &a.author
                && !authors.contains(k.as_str())
            {
                return Err(format!("work {:?}: unknown author {k:?}", w.key));
            }
            for k in &a.institutions {
                if !institutions.contains(k.as_str()) {
                    return Err(format!("work {:?}: unknown institution {k:?}", w.key));
                }
            }
        }
        for r in &w.references {
            if !works.contains(r.as_str()) {
                return Err(format!("work {:?}: unknown reference {r:?}", w.key));
            }
        }
        for c in &w.cites {
            if cite_target(&c.target).as_deref() != Ok(c.target.as_str()) {
                return Err(format!("work {:?}: cite target {:?} is not normalised", w.key, c.target));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_and_print() {
        for f in Format::ALL {
            assert_eq!(f.name().parse::<Format>().unwrap(), f);
            assert_eq!(f.to_string(), f.name());
            let v = <Format as clap::ValueEnum>::to_possible_value(&f).unwrap();
            assert_eq!(v.get_name(), f.name());
        }
        assert!("csv".parse::<Format>().is_err());
    }

    #[test]
    fn cite_targets_are_normalised() {
        assert_eq!(cite_target("doi:10.7717/PeerJ.4375").unwrap(), "doi:10.7717/peerj.4375");
        assert_eq!(cite_target("DOI:10.1/x").unwrap(), "doi:10.1/x");
        assert_eq!(cite_target("https://doi.org/10.1/X").unwrap(), "doi:10.1/x");
        assert_eq!(cite_target("ARXIV:2409.14623v2").unwrap(), "arxiv:2409.14623");
        assert_eq!(cite_target("2409.14623").unwrap(), "arxiv:2409.14623");
        assert_eq!(cite_target("openalex:w2741809807").unwrap(), "openalex:W2741809807");
        assert_eq!(cite_target("W2741809807").unwrap(), "openalex:W2741809807");
        let hex = "649def34f8be52c8b66281af98ae884c09aef38b";
        assert_eq!(cite_target(hex).unwrap(), format!("s2:{hex}"));
        assert_eq!(cite_target(&format!("s2:{hex}")).unwrap(), format!("s2:{hex}"));
        assert_eq!(
            cite_target(&format!("https://www.semanticscholar.org/paper/Some-Title/{hex}")).unwrap(),
            format!("s2:{hex}")
        );
        assert!(cite_target("doi:11.1/x").is_err());
        assert!(cite_target("A5023888391").is_err());
        assert!(cite_target("nonsense").is_err());
    }

    #[test]
    fn keywords_fold_to_one_code() {
        let t = keyword_topic("  Web of   science ").unwrap();
        assert_eq!(
            (t.key.as_str(), t.code.as_deref(), t.name.as_str()),
            ("keyword:web-of-science", Some("web-of-science"), "Web of science")
        );
        assert_eq!(keyword_topic("Web-of-Science").unwrap().code, t.code);
        assert_eq!(keyword_topic("机器学习").unwrap().code.as_deref(), Some("机器学习"));
        assert!(keyword_topic(" -- ").is_none());
    }

    #[test]
    fn invalid_documents_are_caught() {
        use crate::ingest::model::Authorship;
        let mut doc = Document::default();
        doc.works.push(Work { key: "w".into(), title: "T".into(), work_type: "ARTICLE".into(), ..Default::default() });
        assert_eq!(validate(&doc), Ok(()));
        doc.works[0].authorships.push(Authorship { position: 2, raw_name: "A".into(), ..Default::default() });
        assert_eq!(validate(&doc).unwrap_err(), "work \"w\": authorship 1 has position 2");
        doc.works[0].authorships[0].position = 1;
        doc.works[0].authorships[0].author = Some("nobody".into());
        let err = checked(7, Ok(doc.clone()), "the input").unwrap_err();
        assert_eq!(
            (err.line, err.reason.as_str(), err.raw.as_str()),
            (7, "invalid record: work \"w\": unknown author \"nobody\"", "the input")
        );
        doc.works[0].authorships.clear();
        doc.works[0].doi = Some("10.1/ABC".into());
        assert!(validate(&doc).unwrap_err().contains("not normalised"));
        doc.works[0].doi = None;
        doc.works[0].work_type = "JOURNAL_ARTICLE".into();
        assert!(validate(&doc).is_err());
    }

    #[test]
    fn raw_text_is_truncated_on_a_char_boundary() {
        let long = "é".repeat(MAX_RAW);
        let t = truncate_raw(&long);
        assert!(t.len() <= MAX_RAW && t.len() > MAX_RAW - 4);
        assert_eq!(truncate_raw("short"), "short");
    }
}
