//! Checks a native document and turns it into rows: identifiers normalised,
//! enums checked, references between its records resolved to indexes. A
//! document that fails here is rejected whole before anything is written.
use std::collections::HashMap;

use chrono::Datelike;
use sea_orm::Value;

use super::model::{Cite, Document, Feature};
use super::names;
use super::specs::{AUTHORS, INSTITUTIONS, TOPICS, VENUES, WORKS};
use super::upsert::Row;
use super::writer::IngestError;
use crate::ids;

pub struct Prepared {
    pub institutions: Vec<Row>,
    pub venues: Vec<Row>,
    pub topics: Vec<PTopic>,
    pub authors: Vec<PAuthor>,
    pub works: Vec<PWork>,
}

pub struct PTopic {
    pub row: Row,
    pub parent: Option<usize>,
}

pub struct PAuthor {
    pub row: Row,
    /// a slug to derive a unique one from, when the record gives none
    pub slug_base: Option<String>,
    /// an external id to tell namesakes apart in their slugs
    pub disambiguator: Option<String>,
    pub affiliations: Vec<(usize, Option<i32>, Option<i32>)>,
    pub current_institution: Option<usize>,
    pub metrics: Vec<(String, f64, String, Option<chrono::NaiveDate>)>,
}

pub struct PWork {
    pub row: Row,
    pub venue: Option<usize>,
    pub primary_topic: Option<usize>,
    pub topics: Vec<usize>,
    pub authorships: Vec<PAuthorship>,
    pub references: Vec<usize>,
    pub cites: Vec<Cite>,
    pub features: Vec<Feature>,
    /// how other records may cite this work (`doi:…`, `openalex:…`, …)
    pub refs: Vec<String>,
}

pub struct PAuthorship {
    pub position: i32,
    pub raw_name: String,
    pub author: Option<usize>,
    pub institutions: Vec<usize>,
    pub is_corresponding: bool,
}

const SCHEMES: [&str; 3] = ["ARXIV", "KEYWORD", "OPENALEX"];
const VENUE_KINDS: [&str; 4] = ["REPOSITORY", "JOURNAL", "CONFERENCE", "OTHER"];
const WORK_TYPES: [&str; 8] =
    ["ARTICLE", "PREPRINT", "CONFERENCE_PAPER", "BOOK", "BOOK_CHAPTER", "DATASET", "THESIS", "OTHER"];

fn bad(key: &str, reason: impl ToString) -> IngestError {
    IngestError::BadRecord { key: key.to_owned(), reason: reason.to_string() }
}

fn one_of(key: &str, what: &str, value: &str, allowed: &[&str]) -> Result<String, IngestError> {
    if allowed.contains(&value) {
        Ok(value.to_owned())
    } else {
        Err(bad(key, format!("{what} {value:?} is not one of {}", allowed.join(", "))))
    }
}

fn norm(
    key: &str,
    value: &Option<String>,
    f: fn(&str) -> Result<String, ids::IdError>,
) -> Result<Option<String>, IngestError> {
    value.as_deref().map(f).transpose().map_err(|e| bad(key, e))
}

fn text(v: &Option<String>) -> Option<Value> {
    v.as_ref().map(|s| Value::from(s.clone()))
}

fn some(v: impl Into<Value>) -> Option<Value> {
    Some(v.into())
}

fn lookup(keys: &HashMap<&str, usize>, owner: &str, kind: &str, key: &str) -> Result<usize, IngestError> {
    keys.get(key).copied().ok_or_else(|| bad(owner, format!("unknown {kind} {key:?}")))
}

fn index_keys<'a, T>(
    items: &'a [T],
    key: impl Fn(&'a T) -> &'a str,
    kind: &str,
) -> Result<HashMap<&'a str, usize>, IngestError> {
    let mut map = HashMap::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        if map.insert(key(item), i).is_some() {
            return Err(bad(key(item), format!("duplicate {kind} key")));
        }
    }
    Ok(map)
}

/// A cite target normalised the one way parsers do it (`formats::cite_target`).
fn cite_target(owner: &str, target: &str) -> Result<String, IngestError> {
    super::formats::cite_target(target).map_err(|e| bad(owner, e))
}

pub fn prepare(doc: &Document) -> Result<Prepared, IngestError> {
    let inst_keys = index_keys(&doc.institutions, |i| i.key.as_str(), "institution")?;
    let venue_keys = index_keys(&doc.venues, |v| v.key.as_str(), "venue")?;
    let topic_keys = index_keys(&doc.topics, |t| t.key.as_str(), "topic")?;
    let author_keys = index_keys(&doc.authors, |a| a.key.as_str(), "author")?;
    let work_keys = index_keys(&doc.works, |w| w.key.as_str(), "work")?;

    let mut institutions = Vec::with_capacity(doc.institutions.len());
    for i in &doc.institutions {
        if i.name.trim().is_empty() {
            return Err(bad(&i.key, "institution name is empty"));
        }
        institutions.push(INSTITUTIONS.row(vec![
            ("openalex_id", text(&norm(&i.key, &i.openalex_id, ids::openalex)?)),
            ("ror", text(&norm(&i.key, &i.ror, ids::ror)?)),
            ("name", some(i.name.trim())),
            ("short_name", text(&i.short_name)),
            ("country_code", text(&i.country_code.as_ref().map(|c| c.trim().to_uppercase()))),
        ]));
    }

    let mut venues = Vec::with_capacity(doc.venues.len());
    for v in &doc.venues {
        venues.push(VENUES.row(vec![
            ("openalex_id", text(&norm(&v.key, &v.openalex_id, ids::openalex)?)),
            ("issn", text(&v.issn)),
            ("name", some(v.name.trim())),
            ("kind", some(one_of(&v.key, "venue kind", &v.kind, &VENUE_KINDS)?)),
        ]));
    }

    let mut topics = Vec::with_capacity(doc.topics.len());
    for t in &doc.topics {
        let scheme = one_of(&t.key, "scheme", &t.scheme, &SCHEMES)?;
        let ident = match &t.code {
            Some(code) => format!("{scheme}:{code}"),
            None => format!("{scheme}:name:{}", t.name.trim().to_lowercase()),
        };
        let parent = t.parent.as_deref().map(|p| lookup(&topic_keys, &t.key, "topic", p)).transpose()?;
        topics.push(PTopic {
            row: TOPICS.row(vec![
                ("ident", some(ident)),
                ("scheme", some(scheme)),
                ("code", text(&t.code)),
                ("name", some(t.name.trim())),
            ]),
            parent,
        });
    }

    let mut authors = Vec::with_capacity(doc.authors.len());
    for a in &doc.authors {
        let orcid = norm(&a.key, &a.orcid, ids::orcid)?;
        let openalex = norm(&a.key, &a.openalex_id, ids::openalex)?;
        let (given, family) = match (&a.given_name, &a.family_name) {
            (None, None) => names::split_name(&a.display_name),
            (g, f) => (g.clone(), f.clone()),
        };
        let mut affiliations = Vec::with_capacity(a.affiliations.len());
        for aff in &a.affiliations {
            affiliations.push((
                lookup(&inst_keys, &a.key, "institution", &aff.institution)?,
                aff.start_year,
                aff.end_year,
            ));
        }
        // The current affiliation: an open-ended one, else the latest.
        let current =
            affiliations.iter().max_by_key(|(_, start, end)| (end.is_none(), *end, *start)).map(|(i, _, _)| *i);
        let metrics = a
            .external_metrics
            .iter()
            .map(|m| (m.name.clone(), m.value, m.source.clone().unwrap_or_else(|| "unknown".to_owned()), m.as_of))
            .collect();
        let disambiguator =
            openalex.clone().or_else(|| a.s2_id.clone()).or_else(|| orcid.clone()).map(|s| s.to_lowercase());
        authors.push(PAuthor {
            row: AUTHORS.row(vec![
                ("slug", text(&a.slug)),
                ("display_name", some(a.display_name.trim())),
                ("given_name", text(&given)),
                ("family_name", text(&family)),
                ("orcid", text(&orcid)),
                ("openalex_id", text(&openalex)),
                ("s2_id", text(&a.s2_id)),
                ("headline", text(&a.headline)),
                ("homepage", text(&a.homepage)),
                ("open_to_collaborate", a.open_to_collaborate.then(|| Value::from(true))),
            ]),
            slug_base: a.slug.is_none().then(|| names::slugify(&a.display_name)),
            disambiguator,
            affiliations,
            current_institution: current,
            metrics,
        });
    }

    let mut works = Vec::with_capacity(doc.works.len());
    for w in &doc.works {
        let key = w.key.as_str();
        let title = fold_whitespace(&w.title);
        if title.is_empty() {
            return Err(bad(key, "missing title"));
        }
        let doi = norm(key, &w.doi, ids::doi)?;
        let arxiv = norm(key, &w.arxiv_id, ids::arxiv)?;
        let openalex = norm(key, &w.openalex_id, ids::openalex)?;
        let s2 = w.s2_id.as_ref().map(|s| s.trim().to_lowercase());
        let venue = w.venue.as_deref().map(|k| lookup(&venue_keys, key, "venue", k)).transpose()?;
        let primary_topic = w.primary_topic.as_deref().map(|k| lookup(&topic_keys, key, "topic", k)).transpose()?;
        let mut topic_ids: Vec<usize> = primary_topic.into_iter().collect();
        for t in &w.topics {
            let t = lookup(&topic_keys, key, "topic", t)?;
            if !topic_ids.contains(&t) {
                topic_ids.push(t);
            }
        }
        let mut authorships = Vec::with_capacity(w.authorships.len());
        for (i, a) in w.authorships.iter().enumerate() {
            if a.position != i as i32 + 1 {
                return Err(bad(
                    key,
                    format!("authorship positions must run 1..n in order, found {} at place {}", a.position, i + 1),
                ));
            }
            let mut institutions = Vec::with_capacity(a.institutions.len());
            for inst in &a.institutions {
                let inst = lookup(&inst_keys, key, "institution", inst)?;
                if !institutions.contains(&inst) {
                    institutions.push(inst);
                }
            }
            authorships.push(PAuthorship {
                position: a.position,
                raw_name: a.raw_name.trim().to_owned(),
                author: a.author.as_deref().map(|k| lookup(&author_keys, key, "author", k)).transpose()?,
                institutions,
                is_corresponding: a.is_corresponding,
            });
        }
        let references =
            w.references.iter().map(|r| lookup(&work_keys, key, "reference", r)).collect::<Result<Vec<_>, _>>()?;
        let cites = w
            .cites
            .iter()
            .map(|c| Ok(Cite { target: cite_target(key, &c.target)?, ..c.clone() }))
            .collect::<Result<Vec<_>, IngestError>>()?;
        let year = w.year.or_else(|| w.publication_date.map(|d| d.year()));
        let mut refs = Vec::new();
        refs.extend(doi.as_ref().map(|d| format!("doi:{d}")));
        refs.extend(openalex.as_ref().map(|o| format!("openalex:{o}")));
        refs.extend(arxiv.as_ref().map(|a| format!("arxiv:{a}")));
        refs.extend(s2.as_ref().map(|s| format!("s2:{s}")));
        let code_links = serde_json::to_string(&w.code_links).map_err(|e| bad(key, e))?;
        works.push(PWork {
            row: WORKS.row(vec![
                ("title", some(title)),
                ("abstract", w.r#abstract.as_deref().map(fold_whitespace).filter(|a| !a.is_empty()).map(Value::from)),
                ("work_type", some(one_of(key, "type", &w.work_type, &WORK_TYPES)?)),
                ("publication_date", w.publication_date.map(|d| Value::ChronoDate(Some(d)))),
                ("year", year.map(Value::from)),
                ("doi", text(&doi)),
                ("arxiv_id", text(&arxiv)),
                ("openalex_id", text(&openalex)),
                ("s2_id", text(&s2)),
                ("url", text(&w.url)),
                (
                    "author_count",
                    match (w.author_count, w.authorships.len()) {
                        (None, 0) => None,
                        (count, named) => Some(Value::from(count.unwrap_or(0).max(named as i32))),
                    },
                ),
                ("code_links", (!w.code_links.is_empty()).then(|| Value::from(code_links))),
            ]),
            venue,
            primary_topic,
            topics: topic_ids,
            authorships,
            references,
            cites,
            features: w.features.clone(),
            refs,
        });
    }
    Ok(Prepared { institutions, venues, topics, authors, works })
}

/// Runs of whitespace (newlines included) become one space.
pub fn fold_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
