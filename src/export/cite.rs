//! A work as a citation: BibTeX and CSL-JSON, with full ordered author lists
//! ("Last, First"), from the same data whichever way it is asked for.
use chrono::Datelike;
use serde_json::{Value, json};

use crate::entities::work;
use crate::ingest::names::{slugify, split_name};

/// An author as printed on a work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name {
    pub given: Option<String>,
    pub family: Option<String>,
}

impl Name {
    /// From an author record's parts, else from the printed name.
    pub fn new(given: Option<&str>, family: Option<&str>, raw: &str) -> Self {
        match (given, family) {
            (None, None) => {
                let (given, family) = split_name(raw);
                Self { given, family }
            }
            (g, f) => Self { given: g.map(str::to_owned), family: f.map(str::to_owned) },
        }
    }

    /// `Shea-Brown, Eric`
    pub fn inverted(&self) -> String {
        match (&self.family, &self.given) {
            (Some(f), Some(g)) => format!("{f}, {g}"),
            (Some(f), None) => f.clone(),
            (None, Some(g)) => g.clone(),
            (None, None) => String::new(),
        }
    }
}

/// What a citation needs to know of a work.
pub struct Citable<'a> {
    pub work: &'a work::Model,
    pub authors: Vec<Name>,
    pub venue: Option<String>,
}

impl Citable<'_> {
    /// `sheabrown2023simple`: first author's family name, year, first word.
    pub fn key(&self) -> String {
        let family = self.authors.first().and_then(|a| a.family.as_deref()).unwrap_or("anon");
        let year = self.work.year.map_or(String::new(), |y| y.to_string());
        let word = self
            .work
            .title
            .split_whitespace()
            .map(slugify)
            .find(|w| w.len() > 3 && !["with", "from", "that", "this", "their"].contains(&w.as_str()))
            .unwrap_or_default();
        format!("{}{year}{}", slugify(family).replace('-', ""), word.replace('-', ""))
    }
}

/// LaTeX's special characters, escaped for BibTeX field values.
fn tex(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' | '%' | '#' | '_' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '{' | '}' => {}
            _ => out.push(c),
        }
    }
    out
}

pub fn bibtex(c: &Citable<'_>) -> String {
    let w = c.work;
    let (kind, venue_field) = match w.work_type.as_str() {
        "ARTICLE" => ("article", "journal"),
        "CONFERENCE_PAPER" => ("inproceedings", "booktitle"),
        "BOOK" => ("book", "publisher"),
        "BOOK_CHAPTER" => ("incollection", "booktitle"),
        "THESIS" => ("phdthesis", "school"),
        _ => ("misc", "howpublished"),
    };
    let mut fields: Vec<(&str, String)> = vec![("title", format!("{{{}}}", tex(&w.title)))];
    if !c.authors.is_empty() {
        let names: Vec<String> = c.authors.iter().map(|a| tex(&a.inverted())).collect();
        fields.push(("author", names.join(" and ")));
    }
    if let Some(y) = w.year {
        fields.push(("year", y.to_string()));
    }
    if let Some(d) = w.publication_date {
        fields.push(("month", d.month().to_string()));
    }
    if let Some(v) = &c.venue {
        fields.push((venue_field, tex(v)));
    }
    if let Some(doi) = &w.doi {
        fields.push(("doi", doi.clone()));
    }
    if let Some(arxiv) = &w.arxiv_id {
        fields.push(("eprint", arxiv.clone()));
        fields.push(("archivePrefix", "arXiv".to_owned()));
    }
    if let Some(url) = w.url.clone().or_else(|| w.doi.as_ref().map(|d| format!("https://doi.org/{d}"))) {
        fields.push(("url", url));
    }
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("  {k} = {{{v}}}")).collect();
    format!("@{kind}{{{},\n{}\n}}\n", c.key(), body.join(",\n"))
}

pub fn csl_json(c: &Citable<'_>) -> Value {
    let w = c.work;
    let kind = match w.work_type.as_str() {
        "ARTICLE" => "article-journal",
        "CONFERENCE_PAPER" => "paper-conference",
        "BOOK" => "book",
        "BOOK_CHAPTER" => "chapter",
        "THESIS" => "thesis",
        "DATASET" => "dataset",
        "PREPRINT" => "article",
        _ => "document",
    };
    let authors: Vec<Value> = c
        .authors
        .iter()
        .map(|a| match (&a.family, &a.given) {
            (Some(f), Some(g)) => json!({"family": f, "given": g}),
            (Some(f), None) => json!({"literal": f}),
            (None, g) => json!({"literal": g.clone().unwrap_or_default()}),
        })
        .collect();
    let mut out = json!({"id": c.key(), "type": kind, "title": w.title, "author": authors});
    let date = match (w.publication_date, w.year) {
        (Some(d), _) => Some(json!([[d.year(), d.month(), d.day()]])),
        (None, Some(y)) => Some(json!([[y]])),
        _ => None,
    };
    if let Some(parts) = date {
        out["issued"] = json!({"date-parts": parts});
    }
    for (field, value) in [
        ("DOI", w.doi.clone()),
        ("URL", w.url.clone()),
        ("container-title", c.venue.clone()),
        ("abstract", w.r#abstract.clone()),
        ("number", w.arxiv_id.as_ref().map(|a| format!("arXiv:{a}"))),
    ] {
        if let Some(v) = value {
            out[field] = json!(v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn work() -> work::Model {
        work::Model {
            id: 1,
            title: "A simple connection from loss flatness to compressed representations in neural networks".into(),
            r#abstract: None,
            work_type: "PREPRINT".into(),
            publication_date: chrono::NaiveDate::from_ymd_opt(2023, 10, 3),
            year: Some(2023),
            doi: None,
            arxiv_id: Some("2310.01770".into()),
            openalex_id: None,
            s2_id: None,
            url: None,
            venue_id: None,
            primary_topic_id: None,
            author_count: 3,
            code_links: "[]".into(),
            cited_by_count: 0,
            updated_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn bibtex_and_csl_have_full_ordered_author_lists() {
        let w = work();
        let c = Citable {
            work: &w,
            authors: vec![
                Name::new(Some("Shirui"), Some("Chen"), "Shirui Chen"),
                Name::new(None, None, "Stefano Recanatesi"),
                Name::new(Some("Eric"), Some("Shea-Brown"), "Eric Shea-Brown"),
            ],
            venue: Some("arXiv".into()),
        };
        let b = bibtex(&c);
        assert!(b.starts_with("@misc{chen2023simple,\n"), "{b}");
        assert!(b.contains("author = {Chen, Shirui and Recanatesi, Stefano and Shea-Brown, Eric}"), "{b}");
        assert!(b.contains("eprint = {2310.01770}"), "{b}");
        let j = csl_json(&c);
        assert_eq!(j["author"][2], json!({"family": "Shea-Brown", "given": "Eric"}));
        assert_eq!(j["issued"], json!({"date-parts": [[2023, 10, 3]]}));
        assert_eq!(j["type"], "article");
    }
}
