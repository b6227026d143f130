//! Semantic Scholar Graph API JSON (<https://api.semanticscholar.org/api-docs/graph>):
//!
//! - papers (`paperId`, `externalIds`, `title`, `abstract`, `year`,
//!   `publicationDate`, `venue` / `publicationVenue`, `authors`,
//!   `s2FieldsOfStudy` / `fieldsOfStudy`, and `references` / `citations`
//!   lists when asked for): a work with `s2_id`; fields of study are KEYWORD
//!   topics; references become its `cites`; each citing paper (with a title)
//!   becomes a work citing it;
//! - authors (`authorId`, `name`, `externalIds`, `hIndex`, `paperCount`,
//!   `citationCount`, nested `papers`): an author with `s2_id` and metrics
//!   (source "Semantic Scholar"), each nested paper a work whose authorships
//!   include that author (as the only authorship when the paper lists none);
//! - citation edges from `/paper/{id}/citations` (`contexts`, `intents`,
//!   `isInfluential`, `contextsWithIntent`, `citingPaper`): the citing paper
//!   as a work whose `cites` holds the cited paper with the contexts and
//!   intents. The cited paper is not in such a record: it is taken from
//!   [`super::Options::cited`]; without it the edge is a `RecordError`.
//!   An edge that also carries `citedPaper` needs no option. Reference edges
//!   (`/paper/{id}/references`: `citedPaper` only) yield the cited paper's
//!   metadata; their contexts are lost, as the citing paper is not there.
//!
//! Cite targets name the cited paper by DOI when known, else arXiv id, else
//! S2 paperId (`doi:…`, `arxiv:…`, `s2:…`). Keys: works by paperId (else
//! `doi:…`/`arxiv:…`), authors by authorId, venues by publicationVenue id
//! (else `name:<venue>`; arXiv is the shared `arxiv` venue).
use chrono::NaiveDate;
use serde_json::Value;

use super::json::{Obj, kind, quote};
use super::{Builder, arxiv_venue, clean, fold_ws, keyword_topic};
use crate::ids;
use crate::ingest::model::{Author, Authorship, Cite, Document, ExternalMetric, Venue, Work};
use crate::ingest::names;

const SOURCE: &str = "Semantic Scholar";

pub(crate) fn convert(v: &Value, cited: Option<&Result<String, String>>) -> Result<Document, String> {
    let o = Obj::root(v)?;
    let mut b = Builder::new("s2");
    if o.get("citingPaper").is_some() || o.get("citedPaper").is_some() {
        edge(&o, cited, &mut b)?;
    } else if o.get("paperId").is_some() || o.get("title").is_some() {
        let p = paper(&o, &mut b)?.ok_or_else(|| "missing \"title\"".to_owned())?;
        p.add(&mut b, None);
    } else if o.get("authorId").is_some() {
        author(&o, &mut b)?;
    } else {
        return Err(
            "not a Semantic Scholar paper, author or citation (no \"paperId\", \"authorId\" or \"citingPaper\")".into(),
        );
    }
    Ok(b.finish())
}

struct Ids {
    s2: Option<String>,
    doi: Option<String>,
    arxiv: Option<String>,
}

impl Ids {
    fn of(o: &Obj) -> Result<Ids, String> {
        let s2 = match o.str("paperId")? {
            None => None,
            Some(id) if id.trim().chars().all(|c| c.is_ascii_alphanumeric()) => Some(id.trim().to_ascii_lowercase()),
            Some(id) => {
                return Err(o.err("paperId", format!("not a Semantic Scholar paper id: {id:?}")));
            }
        };
        let path = o.path("externalIds");
        let (mut doi, mut arxiv) = (None, None);
        if let Some(ext) = o.obj("externalIds", &path)? {
            doi = ext.id_str("DOI")?.map(|d| ids::doi(&d).map_err(|e| ext.err("DOI", e))).transpose()?;
            arxiv = ext.id_str("ArXiv")?.map(|a| ids::arxiv(&a).map_err(|e| ext.err("ArXiv", e))).transpose()?;
        }
        Ok(Ids { s2, doi, arxiv })
    }

    fn target(&self) -> Option<String> {
        match (&self.doi, &self.arxiv, &self.s2) {
            (Some(d), _, _) => Some(format!("doi:{d}")),
            (None, Some(a), _) => Some(format!("arxiv:{a}")),
            (None, None, Some(s)) => Some(format!("s2:{s}")),
            _ => None,
        }
    }

    fn key(&self) -> Option<String> {
        match (&self.s2, &self.doi, &self.arxiv) {
            (Some(s), _, _) => Some(s.clone()),
            (None, Some(d), _) => Some(format!("doi:{d}")),
            (None, None, Some(a)) => Some(format!("arxiv:{a}")),
            _ => None,
        }
    }
}

fn is_arxiv_venue(name: &str) -> bool {
    matches!(name.trim().to_ascii_lowercase().as_str(), "arxiv" | "arxiv.org" | "arxiv (cornell university)")
}

fn work_type(types: &[&str], has_arxiv: bool, has_doi: bool) -> &'static str {
    let has = |t: &str| types.contains(&t);
    if has("Conference") {
        "CONFERENCE_PAPER"
    } else if has("BookSection") {
        "BOOK_CHAPTER"
    } else if has("Book") {
        "BOOK"
    } else if has("Dataset") {
        "DATASET"
    } else if [
        "JournalArticle",
        "Review",
        "Editorial",
        "LettersAndComments",
        "News",
        "CaseReport",
        "ClinicalTrial",
        "MetaAnalysis",
        "Study",
    ]
    .iter()
    .any(|t| has(t))
    {
        "ARTICLE"
    } else if types.is_empty() && has_arxiv && !has_doi {
        "PREPRINT"
    } else {
        "OTHER"
    }
}

/// The kind of a venue without a type of its own, from the paper's
/// `publicationTypes` (S2 files book titles under `journal` too, so that
/// alone says nothing).
fn venue_kind(types: &[&str]) -> &'static str {
    if types.contains(&"Conference") {
        "CONFERENCE"
    } else if types.contains(&"JournalArticle") || types.contains(&"Review") {
        "JOURNAL"
    } else {
        "OTHER"
    }
}

/// A paper as a work, and the works citing it from its `citations` list.
struct Paper {
    work: Work,
    citing: Vec<Work>,
}

impl Paper {
    /// Adds the work (with an extra cite) and then its citing works.
    fn add(mut self, b: &mut Builder, cite: Option<Cite>) {
        self.work.cites.extend(cite);
        b.work(self.work);
        for w in self.citing {
            if !b.has_work(&w.key) {
                b.work(w);
            }
        }
    }
}

/// A paper (not yet added: the caller may add cites or an authorship);
/// `None` when it has no title. Authors, venue and topics are added to the
/// builder.
fn paper(o: &Obj, b: &mut Builder) -> Result<Option<Paper>, String> {
    let Some(title) = clean(o.str("title")?) else {
        return Ok(None);
    };
    let ids = Ids::of(o)?;
    let key = ids.key().unwrap_or_else(|| format!("title:{title}"));
    let publication_date = match o.str("publicationDate")? {
        None => None,
        Some(d) => Some(
            NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
                .map_err(|_| o.err("publicationDate", format!("not a date: {d:?}")))?,
        ),
    };
    let year = o.i32("year")?.or_else(|| publication_date.map(|d| chrono::Datelike::year(&d)));
    let types = o.strs("publicationTypes")?;
    let work_type = work_type(&types, ids.arxiv.is_some(), ids.doi.is_some());

    // venue
    let pv_path = o.path("publicationVenue");
    let venue = match o.obj("publicationVenue", &pv_path)? {
        Some(pv) => match clean(pv.str("name")?) {
            Some(name) if is_arxiv_venue(&name) => Some(arxiv_venue()),
            Some(name) => {
                let kind = match pv.str("type")?.map(str::to_ascii_lowercase).as_deref() {
                    Some("journal") => "JOURNAL",
                    Some("conference") => "CONFERENCE",
                    Some(_) => "OTHER",
                    None => venue_kind(&types),
                };
                let key = pv.id_str("id")?.unwrap_or_else(|| format!("name:{name}"));
                Some(Venue {
                    key,
                    name,
                    kind: kind.into(),
                    openalex_id: None,
                    issn: pv.str("issn")?.map(|s| s.trim().to_owned()),
                })
            }
            None => None,
        },
        None => None,
    };
    let venue = match venue {
        Some(v) => Some(v),
        None => match clean(o.str("venue")?) {
            Some(name) if is_arxiv_venue(&name) => Some(arxiv_venue()),
            Some(name) => {
                let kind = venue_kind(&types);
                Some(Venue { key: format!("name:{name}"), name, kind: kind.into(), openalex_id: None, issn: None })
            }
            None => None,
        },
    };
    let venue = venue.map(|v| b.venue(v));

    // fields of study
    let mut topics = Vec::new();
    let mut names_seen: Vec<&str> = o.strs("fieldsOfStudy")?;
    for (i, v) in o.arr("s2FieldsOfStudy")?.iter().enumerate() {
        let path = format!("s2FieldsOfStudy[{i}]");
        if let Some(c) = Obj::at(v, &path)?.str("category")? {
            names_seen.push(c);
        }
    }
    for name in names_seen {
        if let Some(t) = keyword_topic(name) {
            let key = b.topic(t);
            if !topics.contains(&key) {
                topics.push(key);
            }
        }
    }

    // authors
    let mut authorships = Vec::new();
    for (i, v) in o.arr("authors")?.iter().enumerate() {
        let path = format!("authors[{i}]");
        let a = Obj::at(v, &path)?;
        let name = clean(a.str("name")?).ok_or_else(|| format!("missing {}", quote(&format!("{path}.name"))))?;
        let author = match a.id_str("authorId")? {
            Some(id) => {
                let (given_name, family_name) = names::split_name(&name);
                Some(b.author(Author {
                    key: id.clone(),
                    display_name: name.clone(),
                    given_name,
                    family_name,
                    s2_id: Some(id),
                    ..Default::default()
                }))
            }
            None => None,
        };
        authorships.push(Authorship { position: i as i32 + 1, raw_name: name, author, ..Default::default() });
    }

    // references: plain papers, or edges carrying `citedPaper`
    let mut cites: Vec<Cite> = Vec::new();
    for (i, v) in o.arr("references")?.iter().enumerate() {
        let path = format!("references[{i}]");
        let r = Obj::at(v, &path)?;
        let cpath = r.path("citedPaper");
        let cite = match r.obj("citedPaper", &cpath)? {
            Some(cited) => Ids::of(&cited)?.target().map(|target| edge_cite(&r, target)).transpose()?,
            None => Ids::of(&r)?.target().map(|target| Cite { target, ..Default::default() }),
        };
        if let Some(c) = cite
            && !cites.iter().any(|x| x.target == c.target)
        {
            cites.push(c);
        }
    }

    // citations: each citing paper (with a title) becomes a work citing this one
    let mut citing_works: Vec<Work> = Vec::new();
    if let Some(target) = ids.target() {
        for (i, v) in o.arr("citations")?.iter().enumerate() {
            let path = format!("citations[{i}]");
            let c = Obj::at(v, &path)?;
            let cpath = c.path("citingPaper");
            let (citing, cite) = match c.obj("citingPaper", &cpath)? {
                Some(citing) => (citing, edge_cite(&c, target.clone())?),
                None => (c, Cite { target: target.clone(), ..Default::default() }),
            };
            if let Some(p) = paper(&citing, b)?
                && p.work.key != key
                && !citing_works.iter().any(|w| w.key == p.work.key)
            {
                let mut w = p.work;
                w.cites.push(cite);
                citing_works.push(w);
            }
        }
    }

    let url = match (&ids.doi, &ids.arxiv) {
        (Some(d), _) => Some(format!("https://doi.org/{d}")),
        (None, Some(a)) => Some(format!("https://arxiv.org/abs/{a}")),
        _ => o.str("url")?.map(|u| u.trim().to_owned()),
    };
    let work = Work {
        key,
        title,
        r#abstract: clean(o.str("abstract")?),
        work_type: work_type.into(),
        publication_date,
        year,
        doi: ids.doi,
        arxiv_id: ids.arxiv,
        s2_id: ids.s2,
        url,
        venue,
        primary_topic: topics.first().cloned(),
        topics,
        author_count: (!authorships.is_empty()).then_some(authorships.len() as i32),
        authorships,
        cites,
        ..Default::default()
    };
    Ok(Some(Paper { work, citing: citing_works }))
}

/// The contexts, intents and influence of a citation edge.
fn edge_cite(o: &Obj, target: String) -> Result<Cite, String> {
    let mut contexts: Vec<String> = o.strs("contexts")?.into_iter().map(fold_ws).collect();
    let mut intents: Vec<String> = Vec::new();
    let mut add_intent = |s: &str| {
        let s = s.trim();
        if !s.is_empty() && !intents.iter().any(|i| i == s) {
            intents.push(s.to_owned());
        }
    };
    for (i, v) in o.arr("intents")?.iter().enumerate() {
        match v {
            Value::String(s) => add_intent(s),
            // the S2 datasets give one list of intents per context
            Value::Array(list) => list.iter().filter_map(Value::as_str).for_each(&mut add_intent),
            Value::Null => {}
            other => {
                return Err(format!(
                    "{}: expected a string, found {}",
                    quote(&format!("{}[{i}]", o.path("intents"))),
                    kind(other)
                ));
            }
        }
    }
    for (i, v) in o.arr("contextsWithIntent")?.iter().enumerate() {
        let path = format!("{}[{i}]", o.path("contextsWithIntent"));
        let c = Obj::at(v, &path)?;
        if let Some(text) = clean(c.str("context")?)
            && !contexts.contains(&text)
        {
            contexts.push(text);
        }
        for s in c.strs("intents")? {
            add_intent(s);
        }
    }
    contexts.retain(|c| !c.is_empty());
    Ok(Cite { target, contexts, intents, is_influential: o.bool("isInfluential")? })
}

fn edge(o: &Obj, cited_option: Option<&Result<String, String>>, b: &mut Builder) -> Result<(), String> {
    let citing_path = o.path("citingPaper");
    let cited_path = o.path("citedPaper");
    let citing = o.obj("citingPaper", &citing_path)?;
    let cited = o.obj("citedPaper", &cited_path)?;
    let Some(citing) = citing else {
        // a reference edge: only the cited paper is here
        let cited = cited.ok_or_else(|| "missing \"citedPaper\"".to_owned())?;
        let p = paper(&cited, b)?.ok_or_else(|| "missing \"citedPaper.title\"".to_owned())?;
        p.add(b, None);
        return Ok(());
    };
    let target = match (&cited, cited_option) {
        (Some(cited), _) => {
            Ids::of(cited)?.target().ok_or_else(|| "\"citedPaper\" has no paperId, DOI or arXiv id".to_owned())?
        }
        (None, Some(Ok(t))) => t.clone(),
        (None, Some(Err(e))) => return Err(format!("the cited paper given: {e}")),
        (None, None) => {
            return Err("a citation edge without its cited paper: give the cited paper's id (Options::cited)".into());
        }
    };
    let p = paper(&citing, b)?.ok_or_else(|| "missing \"citingPaper.title\"".to_owned())?;
    let cite = edge_cite(o, target)?;
    let cited = match cited {
        Some(c) => paper(&c, b)?,
        None => None,
    };
    p.add(b, Some(cite));
    if let Some(c) = cited
        && !b.has_work(&c.work.key)
    {
        c.add(b, None);
    }
    Ok(())
}

fn author(o: &Obj, b: &mut Builder) -> Result<(), String> {
    let id = o.id_str("authorId")?.ok_or_else(|| "missing \"authorId\"".to_owned())?;
    let display_name = clean(o.str("name")?).ok_or_else(|| "missing \"name\"".to_owned())?;
    let mut orcid = None;
    let path = o.path("externalIds");
    if let Some(ext) = o.obj("externalIds", &path)? {
        let raw = match ext.get("ORCID") {
            Some(Value::Array(list)) => list.iter().find_map(Value::as_str),
            Some(Value::String(s)) => Some(s.as_str()),
            Some(other) => {
                return Err(format!("{}: expected a string, found {}", quote(&ext.path("ORCID")), kind(other)));
            }
            None => None,
        };
        orcid = raw.map(|r| ids::orcid(r).map_err(|e| ext.err("ORCID", e))).transpose()?;
    }
    let mut external_metrics = Vec::new();
    for (field, name) in [("hIndex", "h_index"), ("paperCount", "papers"), ("citationCount", "citations")] {
        if let Some(value) = o.f64(field)? {
            external_metrics.push(ExternalMetric {
                name: name.into(),
                value,
                source: Some(SOURCE.into()),
                as_of: None,
            });
        }
    }
    let (given_name, family_name) = names::split_name(&display_name);
    let key = b.author(Author {
        key: id.clone(),
        display_name: display_name.clone(),
        given_name,
        family_name,
        orcid,
        s2_id: Some(id),
        homepage: o.str("homepage")?.map(|h| h.trim().to_owned()),
        external_metrics,
        ..Default::default()
    });
    for (i, v) in o.arr("papers")?.iter().enumerate() {
        let path = format!("papers[{i}]");
        let p = Obj::at(v, &path)?;
        // untitled entries of the list cannot be works: left out
        let Some(mut paper) = paper(&p, b)? else {
            continue;
        };
        if b.has_work(&paper.work.key) {
            continue;
        }
        if paper.work.authorships.is_empty() {
            paper.work.authorships.push(Authorship {
                position: 1,
                raw_name: display_name.clone(),
                author: Some(key.clone()),
                ..Default::default()
            });
        }
        paper.add(b, None);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(t: &str) -> Result<String, String> {
        Ok(t.to_owned())
    }

    #[test]
    fn papers_and_their_citations() {
        let doc = convert(
            &json!({"paperId": "ABC123", "title": "P", "externalIds": {"ArXiv": "2409.14623", "CorpusId": 5}, "venue": "arXiv.org",
                    "references": [{"paperId": "r1", "title": "R"}, {"paperId": null, "externalIds": {"DOI": "10.1/X"}}, {"paperId": null}],
                    "citations": [{"paperId": "c1", "title": "C"}, {"paperId": "c2"}]}),
            None,
        )
        .unwrap();
        let w = &doc.works[0];
        assert_eq!(
            (w.key.as_str(), w.s2_id.as_deref(), w.arxiv_id.as_deref(), w.work_type.as_str()),
            ("abc123", Some("abc123"), Some("2409.14623"), "PREPRINT")
        );
        assert_eq!(w.venue.as_deref(), Some("arxiv"));
        assert_eq!(w.cites.iter().map(|c| c.target.as_str()).collect::<Vec<_>>(), vec!["s2:r1", "doi:10.1/x"]);
        assert_eq!(doc.works.len(), 2);
        assert_eq!(doc.works[1].cites[0].target, "arxiv:2409.14623");
    }

    #[test]
    fn edges_need_their_cited_paper() {
        let edge = json!({"contexts": ["a  b"], "intents": [["methodology"], ["result"]], "isInfluential": false, "citingPaper": {"paperId": "x1", "title": "Citing"}});
        assert!(convert(&edge, None).unwrap_err().contains("Options::cited"));
        assert!(convert(&edge, Some(&Err("bad".into()))).unwrap_err().contains("bad"));
        let doc = convert(&edge, Some(&ok("s2:y1"))).unwrap();
        let c = &doc.works[0].cites[0];
        assert_eq!(
            (c.target.as_str(), c.contexts.clone(), c.intents.clone(), c.is_influential),
            ("s2:y1", vec!["a b".to_owned()], vec!["methodology".to_owned(), "result".to_owned()], Some(false))
        );
        let both = json!({"contexts": [], "citingPaper": {"paperId": "x1", "title": "Citing"}, "citedPaper": {"paperId": "y1", "title": "Cited"}});
        let doc = convert(&both, None).unwrap();
        assert_eq!(doc.works.len(), 2);
        assert_eq!(doc.works[0].cites[0].target, "s2:y1");
        let reference = json!({"contexts": ["x"], "citedPaper": {"paperId": "y1", "title": "Cited"}});
        assert_eq!(convert(&reference, None).unwrap().works[0].key, "y1");
    }

    #[test]
    fn bad_records() {
        assert_eq!(convert(&json!({"paperId": "x"}), None).unwrap_err(), r#"missing "title""#);
        assert_eq!(
            convert(&json!({"paperId": "x", "title": "T", "externalIds": {"DOI": "nope"}}), None).unwrap_err(),
            r#""externalIds.DOI": not a DOI: "nope" (expected 10.<prefix>/<suffix>)"#
        );
        assert_eq!(
            convert(&json!({"paperId": "x", "title": "T", "authors": [{"authorId": "1"}]}), None).unwrap_err(),
            r#"missing "authors[0].name""#
        );
        assert_eq!(
            convert(&json!({"paperId": "x", "title": "T", "year": "2020"}), None).unwrap_err(),
            r#""year": expected an integer, found a string"#
        );
        assert_eq!(
            convert(&json!({"authorId": "1", "name": "A B", "externalIds": {"ORCID": "0000-0002-1825-0098"}}), None)
                .unwrap_err(),
            r#""externalIds.ORCID": not an ORCID iD: "0000-0002-1825-0098" (expected 0000-0000-0000-000X with a valid check digit)"#
        );
        assert!(convert(&json!({"foo": 1}), None).unwrap_err().starts_with("not a Semantic Scholar"));
    }
}
