//! Writes native records, matching each to an existing row on its external
//! ids so that importing the same thing twice changes nothing and newer data
//! updates in place. A document lands in one transaction, whole or not at all.
use std::collections::{BTreeSet, HashMap};

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseTransaction, DbErr, FromQueryResult, TransactionTrait, Value};

use super::derive::{self, Scope};
use super::model::{self, Document};
use super::names;
use crate::db::{Db, in_list, stmt};
use crate::entities::{author, external_metric, institution, topic, venue, work};
use crate::ids;

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("record {key:?}: {reason}")]
    BadRecord { key: String, reason: String },
    #[error(transparent)]
    Database(#[from] DbErr),
}

impl IngestError {
    fn bad(key: &str, reason: impl ToString) -> Self {
        Self::BadRecord { key: key.to_owned(), reason: reason.to_string() }
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteSummary {
    pub created: usize,
    pub updated: usize,
}

type Keys = HashMap<String, i64>;

#[derive(Default)]
struct Touched {
    works: BTreeSet<i64>,
    authors: BTreeSet<i64>,
    topics: BTreeSet<i64>,
}

pub async fn write_document(db: &Db, doc: &Document) -> Result<WriteSummary, IngestError> {
    let tx = db.write.begin().await?;
    let summary = write_in(&tx, doc).await?;
    tx.commit().await?;
    Ok(summary)
}

async fn write_in(tx: &DatabaseTransaction, doc: &Document) -> Result<WriteSummary, IngestError> {
    let mut summary = WriteSummary::default();
    let mut touched = Touched::default();
    let mut count = |created: bool| if created { summary.created += 1 } else { summary.updated += 1 };

    let mut institutions = Keys::new();
    for rec in &doc.institutions {
        let (id, created) = upsert_institution(tx, rec).await?;
        institutions.insert(rec.key.clone(), id);
        count(created);
    }
    let mut topics = Keys::new();
    // Parents first: a topic may name any other topic of the file as parent.
    let mut pending: Vec<&model::Topic> = doc.topics.iter().collect();
    while !pending.is_empty() {
        let before = pending.len();
        let mut rest = Vec::new();
        for rec in pending {
            let parent = match &rec.parent {
                None => None,
                Some(key) => match topics.get(key) {
                    Some(id) => Some(*id),
                    None => {
                        rest.push(rec);
                        continue;
                    }
                },
            };
            let (id, created) = upsert_topic(tx, rec, parent).await?;
            topics.insert(rec.key.clone(), id);
            count(created);
        }
        if rest.len() == before {
            return Err(IngestError::bad(&rest[0].key, "parent topic is missing or a cycle"));
        }
        pending = rest;
    }
    let mut venues = Keys::new();
    for rec in &doc.venues {
        let (id, created) = upsert_venue(tx, rec).await?;
        venues.insert(rec.key.clone(), id);
        count(created);
    }
    let mut authors = Keys::new();
    for rec in &doc.authors {
        let (id, created) = upsert_author(tx, rec, &institutions).await?;
        authors.insert(rec.key.clone(), id);
        touched.authors.insert(id);
        count(created);
    }
    let refs = Refs { institutions: &institutions, topics: &topics, venues: &venues, authors: &authors };
    let mut works = Keys::new();
    for rec in &doc.works {
        let (id, created) = upsert_work(tx, rec, &refs, &mut touched).await?;
        works.insert(rec.key.clone(), id);
        count(created);
    }
    for rec in &doc.works {
        for cited in &rec.references {
            let target = *works.get(cited).ok_or_else(|| IngestError::bad(&rec.key, format!("unknown reference {cited:?}")))?;
            add_citation(tx, works[&rec.key], &format!("scholargraph:{target}"), Some(target)).await?;
            touched.works.insert(target);
        }
    }
    refresh(tx, &mut touched).await?;
    Ok(summary)
}

struct Refs<'a> {
    institutions: &'a Keys,
    topics: &'a Keys,
    venues: &'a Keys,
    authors: &'a Keys,
}

fn lookup(keys: &Keys, owner: &str, kind: &str, key: &str) -> Result<i64, IngestError> {
    keys.get(key).copied().ok_or_else(|| IngestError::bad(owner, format!("unknown {kind} {key:?}")))
}

fn norm<T>(owner: &str, value: &Option<String>, f: fn(&str) -> Result<T, ids::IdError>) -> Result<Option<T>, IngestError> {
    value.as_deref().map(f).transpose().map_err(|e| IngestError::bad(owner, e))
}

#[derive(FromQueryResult)]
struct IdRow {
    id: i64,
}

/// The first row of `table` whose column equals the value, trying each
/// (column, value) pair in order.
async fn find_id<C: ConnectionTrait>(conn: &C, table: &str, keys: &[(&str, Option<Value>)]) -> Result<Option<i64>, DbErr> {
    for (column, value) in keys {
        let Some(value) = value else { continue };
        let sql = format!("SELECT id FROM {table} WHERE {column} = ? LIMIT 1");
        let found = IdRow::find_by_statement(stmt(conn.get_database_backend(), &sql, vec![value.clone()])).one(conn).await?;
        if let Some(row) = found {
            return Ok(Some(row.id));
        }
    }
    Ok(None)
}

fn val(v: &Option<String>) -> Option<Value> {
    v.as_ref().map(|s| Value::from(s.clone()))
}

/// Set when the record has a value; a missing value never erases one.
fn keep<T: Clone + Into<Value>>(v: &Option<T>) -> sea_orm::ActiveValue<Option<T>>
where
    Option<T>: Into<Value>,
{
    match v {
        Some(x) => Set(Some(x.clone())),
        None => NotSet,
    }
}

macro_rules! save {
    ($tx:expr, $am:expr, $existing:expr) => {{
        let mut am = $am;
        match $existing {
            Some(id) => {
                am.id = Set(id);
                am.update($tx).await?;
                (id, false)
            }
            None => (am.insert($tx).await?.id, true),
        }
    }};
}

async fn upsert_institution(tx: &DatabaseTransaction, rec: &model::Institution) -> Result<(i64, bool), IngestError> {
    let ror = norm(&rec.key, &rec.ror, ids::ror)?;
    let openalex = norm(&rec.key, &rec.openalex_id, ids::openalex)?;
    let existing = find_id(tx, "institutions", &[("ror", val(&ror)), ("openalex_id", val(&openalex))]).await?;
    let existing = match existing {
        Some(id) => Some(id),
        None if ror.is_none() && openalex.is_none() => find_id(tx, "institutions", &[("name", Some(rec.name.clone().into()))]).await?,
        None => None,
    };
    let am = institution::ActiveModel {
        name: Set(rec.name.clone()),
        short_name: keep(&rec.short_name),
        ror: keep(&ror),
        openalex_id: keep(&openalex),
        country_code: keep(&rec.country_code.as_ref().map(|c| c.to_uppercase())),
        ..Default::default()
    };
    Ok(save!(tx, am, existing))
}

const SCHEMES: [&str; 3] = ["ARXIV", "KEYWORD", "OPENALEX"];
const VENUE_KINDS: [&str; 4] = ["REPOSITORY", "JOURNAL", "CONFERENCE", "OTHER"];
const WORK_TYPES: [&str; 8] = ["ARTICLE", "PREPRINT", "CONFERENCE_PAPER", "BOOK", "BOOK_CHAPTER", "DATASET", "THESIS", "OTHER"];

fn one_of(owner: &str, what: &str, value: &str, allowed: &[&str]) -> Result<String, IngestError> {
    if allowed.contains(&value) {
        Ok(value.to_owned())
    } else {
        Err(IngestError::bad(owner, format!("{what} {value:?} is not one of {}", allowed.join(", "))))
    }
}

async fn upsert_topic(tx: &DatabaseTransaction, rec: &model::Topic, parent: Option<i64>) -> Result<(i64, bool), IngestError> {
    let scheme = one_of(&rec.key, "scheme", &rec.scheme, &SCHEMES)?;
    let backend = tx.get_database_backend();
    let (sql, values) = match &rec.code {
        Some(code) => ("SELECT id FROM topics WHERE scheme = ? AND code = ? LIMIT 1", vec![scheme.clone().into(), code.clone().into()]),
        None => ("SELECT id FROM topics WHERE scheme = ? AND code IS NULL AND name = ? LIMIT 1", vec![scheme.clone().into(), rec.name.clone().into()]),
    };
    let existing = IdRow::find_by_statement(stmt(backend, sql, values)).one(tx).await?.map(|r| r.id);
    let am = topic::ActiveModel {
        scheme: Set(scheme),
        code: keep(&rec.code),
        name: Set(rec.name.clone()),
        parent_id: keep(&parent),
        ..Default::default()
    };
    Ok(save!(tx, am, existing))
}

async fn upsert_venue(tx: &DatabaseTransaction, rec: &model::Venue) -> Result<(i64, bool), IngestError> {
    let kind = one_of(&rec.key, "venue kind", &rec.kind, &VENUE_KINDS)?;
    let openalex = norm(&rec.key, &rec.openalex_id, ids::openalex)?;
    let mut existing = find_id(tx, "venues", &[("openalex_id", val(&openalex)), ("issn", val(&rec.issn))]).await?;
    if existing.is_none() && openalex.is_none() && rec.issn.is_none() {
        existing = find_id(tx, "venues", &[("name", Some(rec.name.clone().into()))]).await?;
    }
    let am = venue::ActiveModel {
        name: Set(rec.name.clone()),
        kind: Set(kind),
        openalex_id: keep(&openalex),
        issn: keep(&rec.issn),
        ..Default::default()
    };
    Ok(save!(tx, am, existing))
}

async fn upsert_author(tx: &DatabaseTransaction, rec: &model::Author, institutions: &Keys) -> Result<(i64, bool), IngestError> {
    let orcid = norm(&rec.key, &rec.orcid, ids::orcid)?;
    let openalex = norm(&rec.key, &rec.openalex_id, ids::openalex)?;
    let mut existing = find_id(tx, "authors", &[("openalex_id", val(&openalex)), ("orcid", val(&orcid))]).await?;
    // An explicit slug is an identity of its own; a derived one is not (two
    // people may share a name).
    if existing.is_none() {
        existing = find_id(tx, "authors", &[("slug", val(&rec.slug))]).await?;
    }
    let slug = match (&existing, &rec.slug) {
        (Some(_), _) => NotSet,
        (None, Some(slug)) => Set(slug.clone()),
        (None, None) => Set(unique_slug(tx, &names::slugify(&rec.display_name)).await?),
    };
    let (given, family) = match (&rec.given_name, &rec.family_name) {
        (None, None) => names::split_name(&rec.display_name),
        (g, f) => (g.clone(), f.clone()),
    };
    let mut affiliations = Vec::new();
    for aff in &rec.affiliations {
        affiliations.push((lookup(institutions, &rec.key, "institution", &aff.institution)?, aff));
    }
    // The current affiliation: an open-ended one, else the latest.
    let current = affiliations
        .iter()
        .max_by_key(|(_, a)| (a.end_year.is_none(), a.end_year, a.start_year))
        .map(|(id, _)| *id);
    let am = author::ActiveModel {
        slug,
        display_name: Set(rec.display_name.clone()),
        given_name: keep(&given),
        family_name: keep(&family),
        orcid: keep(&orcid),
        openalex_id: keep(&openalex),
        headline: keep(&rec.headline),
        homepage: keep(&rec.homepage),
        open_to_collaborate: if rec.open_to_collaborate { Set(true) } else { NotSet },
        current_institution_id: keep(&current),
        ..Default::default()
    };
    let (id, created) = save!(tx, am, existing);
    let backend = tx.get_database_backend();
    for (institution_id, aff) in affiliations {
        tx.execute_raw(stmt(backend, "DELETE FROM affiliations WHERE author_id = ? AND institution_id = ?", vec![id.into(), institution_id.into()]))
            .await?;
        tx.execute_raw(stmt(
            backend,
            "INSERT INTO affiliations (author_id, institution_id, start_year, end_year) VALUES (?, ?, ?, ?)",
            vec![id.into(), institution_id.into(), aff.start_year.into(), aff.end_year.into()],
        ))
        .await?;
    }
    for metric in &rec.external_metrics {
        let source = metric.source.clone().unwrap_or_else(|| "unknown".to_owned());
        tx.execute_raw(stmt(
            backend,
            "DELETE FROM external_metrics WHERE author_id = ? AND name = ? AND source = ?",
            vec![id.into(), metric.name.clone().into(), source.clone().into()],
        ))
        .await?;
        external_metric::ActiveModel {
            author_id: Set(id),
            name: Set(metric.name.clone()),
            value: Set(metric.value),
            source: Set(source),
            as_of: Set(metric.as_of),
            ..Default::default()
        }
        .insert(tx)
        .await?;
    }
    Ok((id, created))
}

async fn unique_slug<C: ConnectionTrait>(conn: &C, base: &str) -> Result<String, DbErr> {
    let mut candidate = base.to_owned();
    let mut n = 1;
    while find_id(conn, "authors", &[("slug", Some(candidate.clone().into()))]).await?.is_some() {
        n += 1;
        candidate = format!("{base}-{n}");
    }
    Ok(candidate)
}

#[derive(FromQueryResult)]
struct AuthorRef {
    author_id: Option<i64>,
}

#[derive(FromQueryResult)]
struct TopicRef {
    topic_id: i64,
}

async fn upsert_work(tx: &DatabaseTransaction, rec: &model::Work, refs: &Refs<'_>, touched: &mut Touched) -> Result<(i64, bool), IngestError> {
    let key = rec.key.as_str();
    if rec.title.trim().is_empty() {
        return Err(IngestError::bad(key, "title is empty"));
    }
    let work_type = one_of(key, "type", &rec.work_type, &WORK_TYPES)?;
    let doi = norm(key, &rec.doi, ids::doi)?;
    let arxiv = norm(key, &rec.arxiv_id, ids::arxiv)?;
    let openalex = norm(key, &rec.openalex_id, ids::openalex)?;
    let mut existing = find_id(tx, "works", &[("openalex_id", val(&openalex)), ("doi", val(&doi)), ("arxiv_id", val(&arxiv))]).await?;
    if existing.is_none() && doi.is_none() && arxiv.is_none() && openalex.is_none() {
        for title in std::iter::once(&rec.title).chain(&rec.alt_titles) {
            existing = find_id(tx, "works", &[("title", Some(title.clone().into()))]).await?;
            if existing.is_some() {
                break;
            }
        }
    }
    let venue = rec.venue.as_deref().map(|k| lookup(refs.venues, key, "venue", k)).transpose()?;
    let primary_topic = rec.primary_topic.as_deref().map(|k| lookup(refs.topics, key, "topic", k)).transpose()?;
    let named = rec.authorships.len() as i32;
    let year = rec.year.or_else(|| rec.publication_date.map(|d| chrono::Datelike::year(&d)));
    let code_links = serde_json::to_string(&rec.code_links).map_err(|e| IngestError::bad(key, e))?;
    let am = work::ActiveModel {
        title: Set(rec.title.clone()),
        r#abstract: keep(&rec.r#abstract),
        work_type: Set(work_type),
        publication_date: keep(&rec.publication_date),
        year: keep(&year),
        doi: keep(&doi),
        arxiv_id: keep(&arxiv),
        openalex_id: keep(&openalex),
        url: keep(&rec.url),
        venue_id: keep(&venue),
        primary_topic_id: keep(&primary_topic),
        author_count: Set(rec.author_count.unwrap_or(0).max(named)),
        code_links: Set(code_links),
        ..Default::default()
    };
    let (id, created) = save!(tx, am, existing);
    touched.works.insert(id);
    let backend = tx.get_database_backend();

    // Authorships are replaced as a whole; the authors they had lose the work.
    let old = AuthorRef::find_by_statement(stmt(backend, "SELECT author_id FROM authorships WHERE work_id = ?", vec![id.into()])).all(tx).await?;
    touched.authors.extend(old.into_iter().filter_map(|r| r.author_id));
    tx.execute_raw(stmt(backend, "DELETE FROM authorships WHERE work_id = ?", vec![id.into()])).await?;
    for a in &rec.authorships {
        let author = a.author.as_deref().map(|k| lookup(refs.authors, key, "author", k)).transpose()?;
        let authorship = crate::entities::authorship::ActiveModel {
            work_id: Set(id),
            position: Set(a.position),
            author_id: Set(author),
            raw_name: Set(a.raw_name.clone()),
            is_corresponding: Set(a.is_corresponding),
            ..Default::default()
        }
        .insert(tx)
        .await?;
        touched.authors.extend(author);
        for inst in &a.institutions {
            let inst = lookup(refs.institutions, key, "institution", inst)?;
            tx.execute_raw(stmt(
                backend,
                "INSERT INTO authorship_institutions (authorship_id, institution_id) VALUES (?, ?)",
                vec![authorship.id.into(), inst.into()],
            ))
            .await?;
        }
    }

    let old = TopicRef::find_by_statement(stmt(backend, "SELECT topic_id FROM work_topics WHERE work_id = ?", vec![id.into()])).all(tx).await?;
    touched.topics.extend(old.into_iter().map(|r| r.topic_id));
    tx.execute_raw(stmt(backend, "DELETE FROM work_topics WHERE work_id = ?", vec![id.into()])).await?;
    let mut topic_ids: BTreeSet<i64> = primary_topic.into_iter().collect();
    for t in &rec.topics {
        topic_ids.insert(lookup(refs.topics, key, "topic", t)?);
    }
    for topic_id in topic_ids {
        tx.execute_raw(stmt(backend, "INSERT INTO work_topics (work_id, topic_id) VALUES (?, ?)", vec![id.into(), topic_id.into()])).await?;
        touched.topics.insert(topic_id);
    }

    for f in &rec.features {
        tx.execute_raw(stmt(
            backend,
            "DELETE FROM work_features WHERE work_id = ? AND featured_on = ? AND source = ?",
            vec![id.into(), f.day.into(), f.source.clone().into()],
        ))
        .await?;
        tx.execute_raw(stmt(
            backend,
            "INSERT INTO work_features (work_id, featured_on, source, upvotes) VALUES (?, ?, ?, ?)",
            vec![id.into(), f.day.into(), f.source.clone().into(), f.upvotes.into()],
        ))
        .await?;
    }

    // References to this work that arrived before it now resolve.
    let mut names: Vec<Value> = Vec::new();
    names.extend(doi.map(|d| Value::from(format!("doi:{d}"))));
    names.extend(openalex.map(|o| Value::from(format!("openalex:{o}"))));
    names.extend(arxiv.map(|a| Value::from(format!("arxiv:{a}"))));
    if !names.is_empty() {
        let sql = format!("UPDATE citations SET cited_work_id = ? WHERE cited_work_id IS NULL AND cited_ref IN ({})", in_list(names.len()));
        let mut values = vec![Value::from(id)];
        values.extend(names);
        tx.execute_raw(stmt(backend, &sql, values)).await?;
    }
    Ok((id, created))
}

async fn add_citation(tx: &DatabaseTransaction, citing: i64, cited_ref: &str, cited: Option<i64>) -> Result<(), DbErr> {
    let backend = tx.get_database_backend();
    tx.execute_raw(stmt(backend, "DELETE FROM citations WHERE citing_work_id = ? AND cited_ref = ?", vec![citing.into(), cited_ref.into()])).await?;
    tx.execute_raw(stmt(
        backend,
        "INSERT INTO citations (citing_work_id, cited_ref, cited_work_id) VALUES (?, ?, ?)",
        vec![citing.into(), cited_ref.into(), cited.into()],
    ))
    .await?;
    Ok(())
}

async fn refresh(tx: &DatabaseTransaction, touched: &mut Touched) -> Result<(), DbErr> {
    let backend = tx.get_database_backend();
    let works: Vec<i64> = touched.works.iter().copied().collect();
    // Works cited by or citing the touched works change counts too, and so
    // do their authors.
    for chunk in works.chunks(500) {
        let sql = format!(
            "SELECT DISTINCT a.author_id FROM authorships a WHERE a.author_id IS NOT NULL AND a.work_id IN ({0}) \
             UNION SELECT DISTINCT a.author_id FROM authorships a JOIN citations c ON c.cited_work_id = a.work_id \
             WHERE a.author_id IS NOT NULL AND c.citing_work_id IN ({0})",
            in_list(chunk.len())
        );
        let values: Vec<Value> = chunk.iter().chain(chunk).map(|id| Value::from(*id)).collect();
        let rows = AuthorRef::find_by_statement(stmt(backend, &sql, values)).all(tx).await?;
        touched.authors.extend(rows.into_iter().filter_map(|r| r.author_id));
    }
    derive::works(tx, Scope::Ids(&works)).await?;
    let topics: Vec<i64> = touched.topics.iter().copied().collect();
    derive::topics(tx, Scope::Ids(&topics)).await?;
    let authors: Vec<i64> = touched.authors.iter().copied().collect();
    derive::authors(tx, Scope::Ids(&authors)).await
}
