//! OpenAlex records (<https://docs.openalex.org>): works, authors,
//! institutions, sources and topics, told apart by the first letter of their
//! id (`W`, `A`, `I`, `S`, `T`).
//!
//! Keys are the OpenAlex ids (`W2741809807`, `A5023888391`, `I27837315`,
//! `S1983995261`, `T10102`); records without an id (rare dehydrated
//! institutions or sources) get `name:<display name>`.
//!
//! Topics: an OpenAlex topic is an OPENALEX topic with code = its id
//! (`T10102`); its subfield, field and domain are OPENALEX topics too, with
//! code = the path of their id (`subfields/1804`, `fields/18`, `domains/2`),
//! each the parent of the one below: domain → field → subfield → topic.
//!
//! Author affiliations: `start_year` is the earliest of the listed years,
//! `end_year` the latest, except that an affiliation is open-ended
//! (`end_year` null, i.e. current) when its latest year is the latest year of
//! any of the author's affiliations, or when the institution is among
//! `last_known_institutions` (which are added, without years, when missing).
use chrono::NaiveDate;
use serde_json::Value;

use super::json::{Obj, quote};
use super::{Builder, clean, fold_ws, keyword_topic};
use crate::ids;
use crate::ingest::model::{
    Affiliation, Author, Authorship, Cite, Document, ExternalMetric, Institution, Topic, Venue, Work,
};
use crate::ingest::names;

const SOURCE: &str = "OpenAlex";

pub(crate) fn convert(v: &Value) -> Result<Document, String> {
    let o = Obj::root(v)?;
    let mut b = Builder::new("openalex");
    // A work OpenAlex does not know, as `export openalex` writes it: no id,
    // matched on its DOI, arXiv id or title.
    if o.get("id").is_none_or(Value::is_null) && o.get("authorships").is_some() {
        work(&o, None, &mut b)?;
        return Ok(b.finish());
    }
    let raw_id = o.req_str("id")?;
    let id = ids::openalex(raw_id).map_err(|e| o.err("id", e))?;
    match id.as_bytes()[0] {
        b'W' => work(&o, Some(&id), &mut b)?,
        b'A' => {
            author(&o, &id, &mut b)?;
        }
        b'I' => {
            let rec = institution(&o, Some(&id), true)?.ok_or_else(|| "missing \"display_name\"".to_owned())?;
            b.institution(rec);
        }
        b'S' => {
            let rec = venue(&o, Some(&id))?.ok_or_else(|| "missing \"display_name\"".to_owned())?;
            b.venue(rec);
        }
        b'T' => {
            topic(&o, &mut b)?;
        }
        _ => {
            return Err(format!(
                "unsupported OpenAlex entity {id:?} (expected a work, author, institution, source or topic)"
            ));
        }
    }
    Ok(b.finish())
}

/// An OpenAlex id field, normalised and of the expected kind.
fn openalex_id(o: &Obj, key: &str, kind: char) -> Result<Option<String>, String> {
    let Some(raw) = o.str(key)? else {
        return Ok(None);
    };
    let id = ids::openalex(raw).map_err(|e| o.err(key, e))?;
    if !id.starts_with(kind) {
        return Err(o.err(key, format!("expected an OpenAlex id starting with {kind}, found {raw:?}")));
    }
    Ok(Some(id))
}

fn date(o: &Obj, key: &str) -> Result<Option<NaiveDate>, String> {
    match o.str(key)? {
        None => Ok(None),
        Some(s) => {
            let day = s.get(..10).unwrap_or(s);
            NaiveDate::parse_from_str(day, "%Y-%m-%d").map(Some).map_err(|_| o.err(key, format!("not a date: {s:?}")))
        }
    }
}

fn work_type(kind: Option<&str>, crossref: Option<&str>) -> &'static str {
    if matches!(crossref, Some("proceedings-article")) {
        return "CONFERENCE_PAPER";
    }
    match kind {
        Some("article" | "review" | "letter" | "editorial") => "ARTICLE",
        Some("preprint" | "posted-content") => "PREPRINT",
        Some("book" | "monograph" | "edited-book" | "reference-book") => "BOOK",
        Some("book-chapter" | "book-section" | "book-part") => "BOOK_CHAPTER",
        Some("dataset") => "DATASET",
        Some("dissertation") => "THESIS",
        _ => match crossref {
            Some("journal-article") => "ARTICLE",
            Some("posted-content") => "PREPRINT",
            Some("book") | Some("monograph") => "BOOK",
            Some("book-chapter") => "BOOK_CHAPTER",
            Some("dissertation") => "THESIS",
            Some("dataset") => "DATASET",
            _ => "OTHER",
        },
    }
}

fn venue_kind(kind: Option<&str>) -> &'static str {
    match kind {
        Some("journal") => "JOURNAL",
        Some("repository") => "REPOSITORY",
        Some("conference") => "CONFERENCE",
        _ => "OTHER",
    }
}

/// A source (full record or dehydrated `primary_location.source`).
fn venue(o: &Obj, id: Option<&str>) -> Result<Option<Venue>, String> {
    let id = match id {
        Some(id) => Some(id.to_owned()),
        None => openalex_id(o, "id", 'S')?,
    };
    let Some(name) = clean(o.str("display_name")?) else {
        return Ok(None);
    };
    let issn = match o.str("issn_l")? {
        Some(i) => Some(i.trim().to_owned()),
        None => o.strs("issn")?.first().map(|s| s.trim().to_owned()),
    };
    let key = id.clone().unwrap_or_else(|| format!("name:{name}"));
    Ok(Some(Venue { key, name, kind: venue_kind(o.str("type")?).into(), openalex_id: id, issn }))
}

/// An institution (full record or dehydrated, as in authorships).
fn institution(o: &Obj, id: Option<&str>, full: bool) -> Result<Option<Institution>, String> {
    let id = match id {
        Some(id) => Some(id.to_owned()),
        None => openalex_id(o, "id", 'I')?,
    };
    let Some(name) = clean(o.str("display_name")?) else {
        return Ok(None);
    };
    let ror = o.str("ror")?.map(|r| ids::ror(r).map_err(|e| o.err("ror", e))).transpose()?;
    let mut country = o.str("country_code")?.map(|c| c.trim().to_ascii_uppercase());
    let mut short_name = None;
    if full {
        short_name = match o.str("acronym")? {
            Some(a) => Some(a.trim().to_owned()),
            None => o.strs("display_name_acronyms")?.first().map(|s| s.trim().to_owned()),
        };
        if country.is_none() {
            let path = o.path("geo");
            if let Some(geo) = o.obj("geo", &path)? {
                country = geo.str("country_code")?.map(|c| c.trim().to_ascii_uppercase());
            }
        }
    }
    let key = id.clone().unwrap_or_else(|| format!("name:{name}"));
    Ok(Some(Institution { key, name, short_name, ror, openalex_id: id, country_code: country }))
}

/// `https://openalex.org/subfields/1804` → `subfields/1804`.
fn level_code(raw: &str, level: &str) -> Option<String> {
    let tail = raw.trim().trim_start_matches("https://openalex.org/").trim_start_matches("http://openalex.org/");
    let (kind, number) = tail.split_once('/')?;
    (kind == level && !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()))
        .then(|| format!("{level}/{number}"))
}

/// A topic with its domain → field → subfield parents; returns its key.
fn topic(o: &Obj, b: &mut Builder) -> Result<Option<String>, String> {
    let Some(id) = openalex_id(o, "id", 'T')? else {
        return Ok(None);
    };
    let Some(name) = clean(o.str("display_name")?) else {
        return Ok(None);
    };
    let mut parent: Option<String> = None;
    for level in ["domain", "field", "subfield"] {
        let path = o.path(level);
        let Some(l) = o.obj(level, &path)? else {
            continue;
        };
        let (Some(raw), Some(lname)) = (l.str("id")?, clean(l.str("display_name")?)) else {
            continue;
        };
        let Some(code) = level_code(raw, &format!("{level}s")) else {
            return Err(l.err("id", format!("not an OpenAlex {level} id: {raw:?}")));
        };
        let key = b.topic(Topic {
            key: code.clone(),
            scheme: "OPENALEX".into(),
            code: Some(code),
            name: lname,
            parent: parent.take(),
        });
        parent = Some(key);
    }
    Ok(Some(b.topic(Topic { key: id.clone(), scheme: "OPENALEX".into(), code: Some(id), name, parent })))
}

fn work(o: &Obj, id: Option<&str>, b: &mut Builder) -> Result<(), String> {
    let title = match clean(o.str("title")?) {
        Some(t) => t,
        None => clean(o.str("display_name")?).ok_or_else(|| "missing \"title\"".to_owned())?,
    };
    let work_type = work_type(o.str("type")?, o.str("type_crossref")?);
    let publication_date = date(o, "publication_date")?;
    let year = o.i32("publication_year")?.or_else(|| publication_date.map(|d| chrono::Datelike::year(&d)));
    let mut doi = o.str("doi")?.map(|d| ids::doi(d).map_err(|e| o.err("doi", e))).transpose()?;
    if doi.is_none() {
        let path = o.path("ids");
        if let Some(idmap) = o.obj("ids", &path)? {
            doi = idmap.str("doi")?.map(|d| ids::doi(d).map_err(|e| idmap.err("doi", e))).transpose()?;
        }
    }

    // arXiv: a location on arxiv.org, or an arXiv DOI (10.48550/arXiv.…).
    let mut arxiv_id = doi.as_deref().and_then(|d| d.strip_prefix("10.48550/arxiv.")).and_then(|a| ids::arxiv(a).ok());
    let locations = o.arr("locations")?;
    let primary_path = o.path("primary_location");
    let primary = o.obj("primary_location", &primary_path)?;
    let mut location_paths = Vec::with_capacity(locations.len());
    for i in 0..locations.len() {
        location_paths.push(format!("locations[{i}]"));
    }
    let mut all_locations = Vec::new();
    all_locations.extend(primary);
    for (v, path) in locations.iter().zip(&location_paths) {
        all_locations.push(Obj::at(v, path)?);
    }
    if arxiv_id.is_none() {
        'found: for loc in &all_locations {
            for key in ["landing_page_url", "pdf_url"] {
                if let Some(url) = loc.str(key)?
                    && url.contains("arxiv.org/")
                    && let Ok(a) = ids::arxiv(url.trim())
                {
                    arxiv_id = Some(a);
                    break 'found;
                }
            }
        }
    }
    let url = match (&doi, primary) {
        (Some(d), _) => Some(format!("https://doi.org/{d}")),
        (None, Some(p)) => p.str("landing_page_url")?.map(|u| u.trim().to_owned()),
        (None, None) => None,
    };

    let mut venue_key = None;
    if let Some(p) = primary {
        let path = p.path("source");
        if let Some(source) = p.obj("source", &path)?
            && let Some(v) = venue(&source, None)?
        {
            venue_key = Some(b.venue(v));
        }
    }

    // Topics: primary first.
    let mut topics = Vec::new();
    let mut primary_topic = None;
    let pt_path = o.path("primary_topic");
    if let Some(pt) = o.obj("primary_topic", &pt_path)?
        && let Some(key) = topic(&pt, b)?
    {
        primary_topic = Some(key.clone());
        topics.push(key);
    }
    let topic_values = o.arr("topics")?;
    for (i, v) in topic_values.iter().enumerate() {
        let path = format!("topics[{i}]");
        if let Some(key) = topic(&Obj::at(v, &path)?, b)?
            && !topics.contains(&key)
        {
            topics.push(key);
        }
    }
    if primary_topic.is_none() {
        primary_topic = topics.first().cloned();
    }
    for (i, v) in o.arr("keywords")?.iter().enumerate() {
        let name = match v {
            Value::String(s) => Some(s.as_str()),
            Value::Object(_) => {
                let path = format!("keywords[{i}]");
                let k = Obj::at(v, &path)?;
                match k.str("display_name")? {
                    Some(n) => Some(n),
                    None => k.str("keyword")?,
                }
            }
            _ => {
                return Err(format!(
                    "{}: expected an object, found {}",
                    quote(&format!("keywords[{i}]")),
                    super::json::kind(v)
                ));
            }
        };
        if let Some(t) = name.and_then(keyword_topic) {
            let key = b.topic(t);
            if !topics.contains(&key) {
                topics.push(key);
            }
        }
    }

    // Authorships, in array order.
    let authorships_in = o.arr("authorships")?;
    let mut authorships = Vec::with_capacity(authorships_in.len());
    for (i, v) in authorships_in.iter().enumerate() {
        let path = format!("authorships[{i}]");
        let a = Obj::at(v, &path)?;
        let author_path = a.path("author");
        let who = a.obj("author", &author_path)?;
        let mut author_key = None;
        let mut display = None;
        if let Some(who) = who {
            display = clean(who.str("display_name")?);
            let aid = openalex_id(&who, "id", 'A')?;
            // `slug`: how `export openalex` names an author OpenAlex does not know.
            let slug = match aid {
                Some(_) => None,
                None => clean(who.str("slug")?),
            };
            if let Some(key) = aid.clone().or_else(|| slug.clone()) {
                let name = display.clone().or_else(|| clean(a.str("raw_author_name").ok().flatten()));
                if let Some(name) = name {
                    let orcid =
                        who.str("orcid")?.map(|x| ids::orcid(x).map_err(|e| who.err("orcid", e))).transpose()?;
                    let (given_name, family_name) = names::split_name(&name);
                    author_key = Some(b.author(Author {
                        key,
                        slug,
                        display_name: name,
                        given_name,
                        family_name,
                        orcid,
                        openalex_id: aid,
                        ..Default::default()
                    }));
                }
            }
        }
        let raw_name =
            clean(a.str("raw_author_name")?).or(display).ok_or_else(|| format!("{}: no author name", quote(&path)))?;
        let mut institutions = Vec::new();
        for (j, iv) in a.arr("institutions")?.iter().enumerate() {
            let ipath = format!("{path}.institutions[{j}]");
            if let Some(inst) = institution(&Obj::at(iv, &ipath)?, None, false)? {
                let key = b.institution(inst);
                if !institutions.contains(&key) {
                    institutions.push(key);
                }
            }
        }
        authorships.push(Authorship {
            position: i as i32 + 1,
            raw_name,
            author: author_key,
            institutions,
            is_corresponding: a.bool("is_corresponding")?.unwrap_or(false),
        });
    }
    let truncated = o.bool("is_authors_truncated")?.unwrap_or(false);

    let mut cites: Vec<Cite> = Vec::new();
    for (i, r) in o.strs("referenced_works")?.iter().enumerate() {
        let target = match ids::openalex(r) {
            Ok(w) if w.starts_with('W') => format!("openalex:{w}"),
            _ => {
                return Err(format!("{}: not an OpenAlex work id: {r:?}", quote(&format!("referenced_works[{i}]"))));
            }
        };
        if !cites.iter().any(|c| c.target == target) {
            cites.push(Cite { target, ..Default::default() });
        }
    }

    let key = match (id, &doi, &arxiv_id) {
        (Some(id), _, _) => id.to_owned(),
        (None, Some(d), _) => format!("doi:{d}"),
        (None, None, Some(a)) => format!("arxiv:{a}"),
        (None, None, None) => format!("title:{title}"),
    };
    b.work(Work {
        key,
        title,
        r#abstract: abstract_text(o)?,
        work_type: work_type.into(),
        publication_date,
        year,
        doi,
        arxiv_id,
        openalex_id: id.map(str::to_owned),
        url,
        venue: venue_key,
        primary_topic,
        topics,
        author_count: o.i32("authors_count")?.or((!truncated).then_some(authorships.len() as i32)),
        authorships,
        cites,
        ..Default::default()
    });
    Ok(())
}

/// `abstract_inverted_index` ({word: [positions]}) back to text.
fn abstract_text(o: &Obj) -> Result<Option<String>, String> {
    let key = "abstract_inverted_index";
    let Some(v) = o.get(key) else { return Ok(None) };
    let Value::Object(index) = v else {
        return Err(o.err(key, format!("expected an object, found {}", super::json::kind(v))));
    };
    let mut words: Vec<(u64, &str)> = Vec::new();
    for (word, positions) in index {
        let Value::Array(positions) = positions else {
            return Err(o.err(key, format!("{word:?}: expected an array of positions")));
        };
        for p in positions {
            let p = p.as_u64().ok_or_else(|| o.err(key, format!("{word:?}: bad position {p}")))?;
            words.push((p, word.as_str()));
        }
    }
    words.sort_by_key(|(p, _)| *p);
    let text = fold_ws(&words.iter().map(|(_, w)| *w).collect::<Vec<_>>().join(" "));
    Ok((!text.is_empty()).then_some(text))
}

fn author(o: &Obj, id: &str, b: &mut Builder) -> Result<(), String> {
    let display_name = clean(o.str("display_name")?).ok_or_else(|| "missing \"display_name\"".to_owned())?;
    let orcid = o.str("orcid")?.map(|x| ids::orcid(x).map_err(|e| o.err("orcid", e))).transpose()?;
    let as_of = date(o, "updated_date")?;

    let mut external_metrics = Vec::new();
    let mut metric = |name: &str, value: Option<f64>| {
        if let Some(value) = value.filter(|v| v.is_finite()) {
            external_metrics.push(ExternalMetric { name: name.into(), value, source: Some(SOURCE.into()), as_of });
        }
    };
    let stats_path = o.path("summary_stats");
    if let Some(stats) = o.obj("summary_stats", &stats_path)? {
        metric("h_index", stats.f64("h_index")?);
        metric("i10_index", stats.f64("i10_index")?);
        metric("2yr_mean_citedness", stats.f64("2yr_mean_citedness")?);
    }
    metric("papers", o.f64("works_count")?);
    metric("citations", o.f64("cited_by_count")?);

    // (institution key, years) in the order listed
    let mut listed: Vec<(String, Vec<i32>)> = Vec::new();
    for (i, v) in o.arr("affiliations")?.iter().enumerate() {
        let path = format!("affiliations[{i}]");
        let aff = Obj::at(v, &path)?;
        let ipath = aff.path("institution");
        let Some(inst) = aff.obj("institution", &ipath)? else {
            continue;
        };
        let Some(rec) = institution(&inst, None, false)? else {
            continue;
        };
        let key = b.institution(rec);
        let mut years = Vec::new();
        for (j, y) in aff.arr("years")?.iter().enumerate() {
            let y = y.as_i64().and_then(|y| i32::try_from(y).ok());
            years.push(y.ok_or_else(|| format!("{}: expected a year", quote(&format!("{path}.years[{j}]"))))?);
        }
        match listed.iter_mut().find(|(k, _)| *k == key) {
            Some((_, ys)) => ys.extend(years),
            None => listed.push((key, years)),
        }
    }
    let mut current = Vec::new();
    let mut last_known: Vec<&Value> = o.arr("last_known_institutions")?.iter().collect();
    if let Some(v) = o.get("last_known_institution") {
        last_known.push(v);
    }
    for (i, v) in last_known.into_iter().enumerate() {
        let path = format!("last_known_institutions[{i}]");
        if let Some(rec) = institution(&Obj::at(v, &path)?, None, false)? {
            current.push(b.institution(rec));
        }
    }
    let latest = listed.iter().flat_map(|(_, ys)| ys.iter().copied()).max();
    let mut affiliations: Vec<Affiliation> = listed
        .iter()
        .map(|(key, years)| {
            let max = years.iter().copied().max();
            let open = max == latest || current.contains(key);
            Affiliation {
                institution: key.clone(),
                start_year: years.iter().copied().min(),
                end_year: if open { None } else { max },
            }
        })
        .collect();
    for key in current {
        if !affiliations.iter().any(|a| a.institution == key) {
            affiliations.push(Affiliation { institution: key, start_year: None, end_year: None });
        }
    }

    let (given_name, family_name) = names::split_name(&display_name);
    b.author(Author {
        key: id.to_owned(),
        display_name,
        given_name,
        family_name,
        orcid,
        openalex_id: Some(id.to_owned()),
        affiliations,
        external_metrics,
        ..Default::default()
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn type_mapping() {
        assert_eq!(work_type(Some("article"), Some("proceedings-article")), "CONFERENCE_PAPER");
        assert_eq!(work_type(Some("review"), None), "ARTICLE");
        assert_eq!(work_type(Some("dissertation"), None), "THESIS");
        assert_eq!(work_type(Some("book-chapter"), None), "BOOK_CHAPTER");
        assert_eq!(work_type(Some("paratext"), None), "OTHER");
        assert_eq!(work_type(None, None), "OTHER");
    }

    #[test]
    fn minimal_and_broken_works() {
        let doc =
            convert(&json!({"id": "W1", "title": "T", "abstract_inverted_index": {"b": [1], "a": [0, 2]}})).unwrap();
        assert_eq!(doc.works[0].r#abstract.as_deref(), Some("a b a"));
        assert_eq!(doc.works[0].work_type, "OTHER");
        assert_eq!(convert(&json!({"id": "W1"})).unwrap_err(), r#"missing "title""#);
        assert_eq!(convert(&json!({"title": "T"})).unwrap_err(), r#"missing "id""#);
        assert_eq!(
            convert(&json!({"id": "W1", "title": "T", "doi": "foo"})).unwrap_err(),
            r#""doi": not a DOI: "foo" (expected 10.<prefix>/<suffix>)"#
        );
        assert_eq!(
            convert(&json!({"id": "W1", "title": 5})).unwrap_err(),
            r#""title": expected a string, found a number"#
        );
        assert_eq!(
            convert(&json!({"id": "P1", "display_name": "x"})).unwrap_err(),
            r#"unsupported OpenAlex entity "P1" (expected a work, author, institution, source or topic)"#
        );
        let bad_orcid = json!({"id": "W1", "title": "T", "authorships": [{"author": {"id": "A1", "display_name": "X Y", "orcid": "0000-0002-1825-0098"}}]});
        assert!(convert(&bad_orcid).unwrap_err().starts_with(r#""authorships[0].author.orcid": not an ORCID iD"#));
        let wrong = json!({"id": "W1", "title": "T", "authorships": [{"author": {"id": "A1", "display_name": "X"}, "institutions": "I1"}]});
        assert_eq!(convert(&wrong).unwrap_err(), r#""authorships[0].institutions": expected an array, found a string"#);
        let arxiv = json!({"id": "W2", "title": "T", "locations": [{"landing_page_url": "https://arxiv.org/abs/2409.14623v2"}]});
        assert_eq!(convert(&arxiv).unwrap().works[0].arxiv_id.as_deref(), Some("2409.14623"));
    }

    #[test]
    fn sources_and_topics() {
        let doc = convert(&json!({"id": "https://openalex.org/S4306400194", "display_name": "arXiv (Cornell University)", "type": "repository", "issn_l": null, "issn": null})).unwrap();
        let v = &doc.venues[0];
        assert_eq!(
            (v.key.as_str(), v.kind.as_str(), v.openalex_id.as_deref(), v.issn.as_deref()),
            ("S4306400194", "REPOSITORY", Some("S4306400194"), None)
        );
        let doc = convert(
            &json!({"id": "https://openalex.org/S1", "display_name": "J", "type": "journal", "issn": ["1234-5678"]}),
        )
        .unwrap();
        assert_eq!((doc.venues[0].kind.as_str(), doc.venues[0].issn.as_deref()), ("JOURNAL", Some("1234-5678")));
        let doc = convert(&json!({
            "id": "https://openalex.org/T11636", "display_name": "Artificial Intelligence in Healthcare",
            "subfield": {"id": "https://openalex.org/subfields/1702", "display_name": "Artificial Intelligence"},
            "field": {"id": "https://openalex.org/fields/17", "display_name": "Computer Science"},
            "domain": {"id": "https://openalex.org/domains/3", "display_name": "Physical Sciences"}
        }))
        .unwrap();
        let chain: Vec<_> = doc.topics.iter().map(|t| (t.key.as_str(), t.parent.as_deref())).collect();
        assert_eq!(
            chain,
            vec![
                ("domains/3", None),
                ("fields/17", Some("domains/3")),
                ("subfields/1702", Some("fields/17")),
                ("T11636", Some("subfields/1702"))
            ]
        );
        let bad = json!({"id": "T1", "display_name": "x", "field": {"id": "https://openalex.org/subfields/1", "display_name": "y"}});
        assert_eq!(
            convert(&bad).unwrap_err(),
            r#""field.id": not an OpenAlex field id: "https://openalex.org/subfields/1""#
        );
    }

    #[test]
    fn affiliation_years() {
        let doc = convert(&json!({
            "id": "A1", "display_name": "Ada Lovelace",
            "affiliations": [
                {"institution": {"id": "I1", "display_name": "One"}, "years": [2020, 2018]},
                {"institution": {"id": "I2", "display_name": "Two"}, "years": [2024, 2021]},
                {"institution": {"id": "I3", "display_name": "Three"}, "years": [2010]}
            ],
            "last_known_institutions": [{"id": "I3", "display_name": "Three"}, {"id": "I4", "display_name": "Four"}]
        }))
        .unwrap();
        let a = &doc.authors[0];
        let years: Vec<_> = a.affiliations.iter().map(|f| (f.institution.as_str(), f.start_year, f.end_year)).collect();
        assert_eq!(
            years,
            vec![
                ("I1", Some(2018), Some(2020)),
                ("I2", Some(2021), None),
                ("I3", Some(2010), None),
                ("I4", None, None)
            ]
        );
        assert_eq!((a.given_name.as_deref(), a.family_name.as_deref()), (Some("Ada"), Some("Lovelace")));
    }
}
