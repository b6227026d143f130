//! Works as OpenAlex Work records (`scholargraph export openalex`), one JSON
//! object per line, in the shape `scholargraph import openalex` reads back:
//! ordered authorships with authors, ORCIDs and institutions, the abstract as
//! an inverted index, the venue as primary location, OpenAlex topics and the
//! referenced works. A work OpenAlex does not know has no `id`; its DOI and
//! arXiv id are under `ids`.
use std::collections::{BTreeMap, HashMap};

use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};
use serde_json::{Map, Value, json};

use crate::db::{in_chunks, stmt};
use crate::entities::work;

const OPENALEX: &str = "https://openalex.org/";

#[derive(FromQueryResult)]
struct AuthorshipRow {
    id: i64,
    work_id: i64,
    raw_name: String,
    is_corresponding: bool,
    display_name: Option<String>,
    openalex_id: Option<String>,
    orcid: Option<String>,
    slug: Option<String>,
}

#[derive(FromQueryResult)]
struct InstitutionRow {
    authorship_id: i64,
    name: String,
    openalex_id: Option<String>,
    ror: Option<String>,
    country_code: Option<String>,
}

#[derive(FromQueryResult)]
struct TopicRow {
    work_id: i64,
    code: String,
    name: String,
    subfield_code: Option<String>,
    subfield: Option<String>,
    field_code: Option<String>,
    field: Option<String>,
    domain_code: Option<String>,
    domain: Option<String>,
}

#[derive(FromQueryResult)]
struct ReferenceRow {
    work_id: i64,
    cited_ref: String,
    cited_openalex_id: Option<String>,
}

#[derive(FromQueryResult)]
struct VenueRow {
    id: i64,
    name: String,
    openalex_id: Option<String>,
    issn: Option<String>,
    kind: String,
}

/// What a page of works needs besides their own rows, loaded in one
/// statement per relation.
#[derive(Default)]
pub struct Extras {
    authorships: HashMap<i64, Vec<Value>>,
    topics: HashMap<i64, Vec<Value>>,
    references: HashMap<i64, Vec<String>>,
    venues: HashMap<i64, Value>,
}

async fn rows<M: FromQueryResult, C: ConnectionTrait>(conn: &C, sql: &str, ids: &[i64]) -> Result<Vec<M>, DbErr> {
    let mut out = Vec::new();
    for (list, values) in in_chunks(ids) {
        let sql = sql.replace("{ids}", &list);
        out.extend(M::find_by_statement(stmt(conn.get_database_backend(), &sql, values)).all(conn).await?);
    }
    Ok(out)
}

pub async fn extras<C: ConnectionTrait>(conn: &C, works: &[work::Model]) -> Result<Extras, DbErr> {
    let ids: Vec<i64> = works.iter().map(|w| w.id).collect();
    let mut extras = Extras::default();
    let authorships: Vec<AuthorshipRow> = rows(
        conn,
        "SELECT a.id, a.work_id, a.raw_name, a.is_corresponding, au.display_name, au.openalex_id, au.orcid, au.slug \
         FROM authorships a LEFT JOIN authors au ON au.id = a.author_id \
         WHERE a.work_id IN ({ids}) ORDER BY a.work_id, a.position",
        &ids,
    )
    .await?;
    let authorship_ids: Vec<i64> = authorships.iter().map(|a| a.id).collect();
    let mut institutions: HashMap<i64, Vec<Value>> = HashMap::new();
    for i in rows::<InstitutionRow, _>(
        conn,
        "SELECT ai.authorship_id, i.name, i.openalex_id, i.ror, i.country_code \
         FROM authorship_institutions ai JOIN institutions i ON i.id = ai.institution_id \
         WHERE ai.authorship_id IN ({ids}) ORDER BY ai.authorship_id, i.id",
        &authorship_ids,
    )
    .await?
    {
        institutions.entry(i.authorship_id).or_default().push(json!({
            "id": i.openalex_id.map(|x| format!("{OPENALEX}{x}")),
            "display_name": i.name,
            "ror": i.ror.map(|r| format!("https://ror.org/{r}")),
            "country_code": i.country_code,
        }));
    }
    for a in authorships {
        extras.authorships.entry(a.work_id).or_default().push(json!({
            "author": {
                "id": a.openalex_id.as_ref().map(|x| format!("{OPENALEX}{x}")),
                "display_name": a.display_name.unwrap_or_else(|| a.raw_name.clone()),
                "orcid": a.orcid.map(|o| format!("https://orcid.org/{o}")),
                // not OpenAlex's: names an author it does not know
                "slug": a.openalex_id.is_none().then_some(a.slug).flatten(),
            },
            "institutions": institutions.remove(&a.id).unwrap_or_default(),
            "raw_author_name": a.raw_name,
            "is_corresponding": a.is_corresponding,
        }));
    }
    for t in rows::<TopicRow, _>(
        conn,
        "SELECT wt.work_id, t.code, t.name, s.code AS subfield_code, s.name AS subfield, \
           f.code AS field_code, f.name AS field, d.code AS domain_code, d.name AS domain \
         FROM work_topics wt JOIN topics t ON t.id = wt.topic_id JOIN works w ON w.id = wt.work_id \
         LEFT JOIN topics s ON s.id = t.parent_id LEFT JOIN topics f ON f.id = s.parent_id \
         LEFT JOIN topics d ON d.id = f.parent_id \
         WHERE wt.work_id IN ({ids}) AND t.scheme = 'OPENALEX' AND t.code LIKE 'T%' \
         ORDER BY wt.work_id, CASE WHEN t.id = w.primary_topic_id THEN 0 ELSE 1 END, t.id",
        &ids,
    )
    .await?
    {
        let level = |code: Option<String>, name: Option<String>| {
            code.zip(name).map(|(c, n)| json!({"id": format!("{OPENALEX}{c}"), "display_name": n}))
        };
        extras.topics.entry(t.work_id).or_default().push(json!({
            "id": format!("{OPENALEX}{}", t.code),
            "display_name": t.name,
            "subfield": level(t.subfield_code, t.subfield),
            "field": level(t.field_code, t.field),
            "domain": level(t.domain_code, t.domain),
        }));
    }
    for r in rows::<ReferenceRow, _>(
        conn,
        "SELECT c.citing_work_id AS work_id, c.cited_ref, w.openalex_id AS cited_openalex_id \
         FROM citations c LEFT JOIN works w ON w.id = c.cited_work_id \
         WHERE c.citing_work_id IN ({ids}) ORDER BY c.citing_work_id, c.id",
        &ids,
    )
    .await?
    {
        // OpenAlex can only name works by their OpenAlex id.
        let id = r.cited_openalex_id.or_else(|| r.cited_ref.strip_prefix("openalex:").map(str::to_owned));
        extras.references.entry(r.work_id).or_default().extend(id.map(|w| format!("{OPENALEX}{w}")));
    }
    let mut venue_ids: Vec<i64> = works.iter().filter_map(|w| w.venue_id).collect();
    venue_ids.sort_unstable();
    venue_ids.dedup();
    for v in rows::<VenueRow, _>(
        conn,
        "SELECT id, name, openalex_id, issn, kind FROM venues WHERE id IN ({ids})",
        &venue_ids,
    )
    .await?
    {
        extras.venues.insert(
            v.id,
            json!({
                "id": v.openalex_id.map(|x| format!("{OPENALEX}{x}")),
                "display_name": v.name,
                "issn_l": v.issn,
                "type": v.kind.to_ascii_lowercase(),
            }),
        );
    }
    Ok(extras)
}

/// OpenAlex's `type` (and `type_crossref` where it says more) of a work type.
fn openalex_type(work_type: &str) -> (&'static str, Option<&'static str>) {
    match work_type {
        "ARTICLE" => ("article", None),
        "PREPRINT" => ("preprint", None),
        "CONFERENCE_PAPER" => ("article", Some("proceedings-article")),
        "BOOK" => ("book", None),
        "BOOK_CHAPTER" => ("book-chapter", None),
        "DATASET" => ("dataset", None),
        "THESIS" => ("dissertation", None),
        _ => ("other", None),
    }
}

/// `abstract_inverted_index`: each word with the positions it stands at.
pub fn inverted_index(text: &str) -> Value {
    let mut index: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, word) in text.split_whitespace().enumerate() {
        index.entry(word).or_default().push(i);
    }
    json!(index)
}

/// One work as an OpenAlex record.
pub fn record(w: &work::Model, extras: &mut Extras) -> Value {
    let (kind, crossref) = openalex_type(&w.work_type);
    let authorships = extras.authorships.remove(&w.id).unwrap_or_default();
    let last = authorships.len().saturating_sub(1);
    let authorships: Vec<Value> = authorships
        .into_iter()
        .enumerate()
        .map(|(i, mut a)| {
            let position = if i == 0 {
                "first"
            } else if i == last {
                "last"
            } else {
                "middle"
            };
            a["author_position"] = json!(position);
            a
        })
        .collect();
    let topics = extras.topics.remove(&w.id).unwrap_or_default();
    let doi = w.doi.as_ref().map(|d| format!("https://doi.org/{d}"));
    let mut ids = Map::new();
    if let Some(o) = &w.openalex_id {
        ids.insert("openalex".into(), json!(format!("{OPENALEX}{o}")));
    }
    if let Some(d) = &doi {
        ids.insert("doi".into(), json!(d));
    }
    if let Some(a) = &w.arxiv_id {
        ids.insert("arxiv".into(), json!(a));
    }
    let mut primary_location = Map::new();
    if let Some(v) = w.venue_id.and_then(|v| extras.venues.get(&v)) {
        primary_location.insert("source".into(), v.clone());
    }
    if let Some(url) = &w.url {
        primary_location.insert("landing_page_url".into(), json!(url));
    }
    let mut locations = Vec::new();
    if let Some(a) = &w.arxiv_id {
        locations.push(json!({"landing_page_url": format!("https://arxiv.org/abs/{a}")}));
    }
    json!({
        "id": w.openalex_id.as_ref().map(|o| format!("{OPENALEX}{o}")),
        "doi": doi,
        "ids": ids,
        "title": w.title,
        "display_name": w.title,
        "publication_date": w.publication_date.map(|d| d.to_string()),
        "publication_year": w.year,
        "type": kind,
        "type_crossref": crossref,
        "cited_by_count": w.cited_by_count,
        "abstract_inverted_index": w.r#abstract.as_deref().map(inverted_index),
        "primary_location": (!primary_location.is_empty()).then_some(primary_location),
        "locations": locations,
        "primary_topic": topics.first(),
        "topics": topics,
        "is_authors_truncated": (w.author_count as usize) > authorships.len(),
        "authors_count": w.author_count,
        "authorships": authorships,
        "referenced_works": extras.references.remove(&w.id).unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abstract_round_trips_through_the_inverted_index() {
        let index = inverted_index("the cat saw the dog");
        assert_eq!(index["the"], json!([0, 3]));
        assert_eq!(index["dog"], json!([4]));
    }
}
