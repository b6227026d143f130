//! `search` and `autocomplete` (see `crate::search` for the index).
//!
//! Score: on SQLite, FTS5's bm25 negated (higher is better); on Postgres,
//! `ts_rank`. Both count a match in a name or title ten times a match in a
//! body (abstract, headline, code, short name). Ties go to the lower key.
use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, Enum, Object, SimpleObject, Union};
use sea_orm::{ConnectionTrait, DbBackend};

use super::author::Author;
use super::facets::WorkFacets;
use super::institution::Institution;
use super::node::{self, Node};
use super::topic::Topic;
use super::work::Work;
use crate::db::{Kind, fetch, in_chunks, int, text};
use crate::error::{ApiResult, AppError};
use crate::graphql::connection::PageInfo;
use crate::graphql::global_id::Kind as NodeKind;
use crate::graphql::loaders::db;
use crate::graphql::paging::{ListQuery, Page, Window, bounded, encode_cursor};
use crate::search::highlight::excerpt;
use crate::search::query::{self, Term};
use crate::search::text::words;
use crate::search::{self as engine, DocKind, KINDS};

/// What to search.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum SearchType {
    Author,
    Work,
    Topic,
    Institution,
}

impl SearchType {
    fn kind(self) -> DocKind {
        match self {
            SearchType::Author => DocKind::Author,
            SearchType::Work => DocKind::Work,
            SearchType::Topic => DocKind::Topic,
            SearchType::Institution => DocKind::Institution,
        }
    }
}

fn kinds(types: Option<Vec<SearchType>>) -> Vec<DocKind> {
    match types {
        Some(t) if !t.is_empty() => t.into_iter().map(SearchType::kind).collect(),
        _ => KINDS.to_vec(),
    }
}

/// Something search found.
#[derive(Union, Clone)]
pub enum SearchResult {
    Author(Author),
    Work(Work),
    Topic(Topic),
    Institution(Institution),
}

impl SearchResult {
    /// The name or title, and the body, the document was made of.
    fn texts(&self) -> (&str, Option<&str>) {
        match self {
            SearchResult::Author(a) => (&a.0.display_name, a.0.headline.as_deref()),
            SearchResult::Work(w) => (&w.0.title, w.0.r#abstract.as_deref()),
            SearchResult::Topic(t) => (&t.0.name, t.0.code.as_deref()),
            SearchResult::Institution(i) => (&i.0.name, i.0.short_name.as_deref()),
        }
    }
}

fn bad_query(e: query::QueryError) -> AppError {
    AppError::bad_input(format!("`query`: {e}"))
}

/// The rows behind these document keys (those that are gone left out), in
/// one batch per kind.
async fn resolve(ctx: &Context<'_>, keys: &[i64]) -> ApiResult<HashMap<i64, SearchResult>> {
    let ids: Vec<(NodeKind, i64)> = keys
        .iter()
        .map(|key| match DocKind::of_key(*key) {
            (DocKind::Work, id) => (NodeKind::Work, id),
            (DocKind::Author, id) => (NodeKind::Author, id),
            (DocKind::Topic, id) => (NodeKind::Topic, id),
            (DocKind::Institution, id) => (NodeKind::Institution, id),
        })
        .collect();
    let nodes = node::load(ctx, &ids).await?;
    Ok(keys
        .iter()
        .zip(nodes)
        .filter_map(|(key, node)| {
            let found = match node? {
                Node::Work(w) => SearchResult::Work(w),
                Node::Author(a) => SearchResult::Author(a),
                Node::Topic(t) => SearchResult::Topic(t),
                Node::Institution(i) => SearchResult::Institution(i),
                _ => return None,
            };
            Some((*key, found))
        })
        .collect())
}

struct Found {
    key: i64,
    score: f64,
}

crate::db::from_row!(Found { key, score });

/// Full-text search, best match first.
///
/// The page is asked for with the words as typed, and the typos are
/// corrected only when it comes back empty: every term is required, so a
/// page with a match holds every word, which the index then knows, and
/// correcting would change nothing. A search found at once runs one
/// statement fewer (the vocabulary lookup: 3 → 2 on PostgreSQL).
pub async fn search(
    ctx: &Context<'_>,
    text: &str,
    types: Option<Vec<SearchType>>,
    first: Option<i32>,
    after: Option<String>,
) -> ApiResult<SearchConnection> {
    let window = Window::forward(first, after.as_deref())?;
    let mut terms = query::parse(text).map_err(bad_query)?;
    let kinds = kinds(types);
    let mut page = page_of(ctx, &terms, &kinds, window).await?;
    if page.items.is_empty() {
        let corrected = engine::correct(&db(ctx).reads(), terms.clone()).await?;
        if corrected != terms {
            terms = corrected;
            page = page_of(ctx, &terms, &kinds, window).await?;
        }
    }
    let keys: Vec<i64> = page.items.iter().map(|(_, f)| f.key).collect();
    let mut found = resolve(ctx, &keys).await?;
    let items = page
        .items
        .into_iter()
        .filter_map(|(p, f)| found.remove(&f.key).map(|node| (p, Hit { node, score: f.score })))
        .collect();
    let page = Page { items, has_previous: page.has_previous, has_next: page.has_next, total: page.total };
    // Facets count the works found, whatever `types` says.
    let facets = kinds.contains(&DocKind::Work).then(|| {
        let (ids, value) = engine::work_ids(db(ctx).backend(), &terms);
        let mut works = ListQuery::new("w.*", "works w", "w.id");
        works.and(format!("w.id IN ({ids})"), [value]);
        WorkFacets(works)
    });
    Ok(SearchConnection { page, facets, matchers: Arc::new(query::matchers(&terms)) })
}

/// The documents of `kinds` matching `terms` in `window`, best first.
async fn page_of(ctx: &Context<'_>, terms: &[Term], kinds: &[DocKind], window: Window) -> ApiResult<Page<Found>> {
    let backend = db(ctx).backend();
    let m = engine::matching(backend, terms, false);
    let mut list = ListQuery::new(m.select, m.from, format!("score DESC, {} ASC", m.key));
    // PostgreSQL ranks by reading every match from the table, and counts
    // them in the same statement for a fraction of a count statement
    // (25,221 matches: the page 30-42 ms, with the count 37-51, the count
    // alone 18-27). FTS5 counts from its index alone (1 ms) where a window
    // over the matches costs 7 (and bm25 cannot run under one).
    if backend == DbBackend::Postgres && ctx.look_ahead().field("totalCount").exists() {
        list = list.counted_beside();
    }
    list.and(m.condition, [m.value]);
    if let Some(c) = engine::kind_condition(m.key, kinds) {
        list.and(c, []);
    }
    Ok(list.fetch::<Found>(db(ctx), window).await?)
}

/// One search result with its relevance.
pub struct Hit {
    node: SearchResult,
    score: f64,
}

/// A page of search results.
pub struct SearchConnection {
    page: Page<Hit>,
    facets: Option<WorkFacets>,
    matchers: Arc<Vec<(String, bool)>>,
}

#[Object]
impl SearchConnection {
    async fn edges(&self) -> Vec<SearchEdge<'_>> {
        self.page
            .items
            .iter()
            .map(|(position, hit)| SearchEdge { position: *position, hit, matchers: &self.matchers })
            .collect()
    }

    async fn page_info(&self) -> PageInfo {
        PageInfo::of(&self.page)
    }

    /// The number of results across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        Ok(self.page.total.resolve(&db(ctx).reads()).await?)
    }

    /// Counts of the works found by year, type, topic, venue and institution
    /// (null when `types` leaves works out).
    async fn facets(&self) -> Option<&WorkFacets> {
        self.facets.as_ref()
    }
}

/// One search result with its cursor, relevance and excerpt.
pub struct SearchEdge<'a> {
    position: i64,
    hit: &'a Hit,
    matchers: &'a [(String, bool)],
}

#[Object]
impl SearchEdge<'_> {
    async fn cursor(&self) -> String {
        encode_cursor(self.position)
    }

    async fn node(&self) -> &SearchResult {
        &self.hit.node
    }

    /// Relevance, higher is better (see the module documentation).
    async fn score(&self) -> f64 {
        self.hit.score
    }

    /// The name or title, or when only the body matched the part of the body
    /// around the first match, HTML-escaped with each matched word in
    /// `<mark>…</mark>`.
    async fn highlight(&self) -> Option<String> {
        let (name, body) = self.hit.node.texts();
        excerpt(name, self.matchers).or_else(|| body.and_then(|b| excerpt(b, self.matchers)))
    }
}

/// A type-ahead suggestion.
#[derive(SimpleObject)]
pub struct SearchHit {
    node: SearchResult,
    /// what to show: the name or title
    label: String,
}

/// Matches looked at per type-ahead request (the first in key order).
const CANDIDATES: usize = 400;
/// Of those, the weightiest of each kind ranked further.
const SHORTLIST: usize = 50;

/// A statement giving `id`, `label` and `weight` (citations of a work,
/// works of an author or topic, authors of an institution) of rows.
fn labels_sql(kind: DocKind) -> &'static str {
    match kind {
        DocKind::Work => "SELECT id, title AS label, CAST(cited_by_count AS BIGINT) AS weight FROM works",
        DocKind::Author => "SELECT id, display_name AS label, CAST(works_count AS BIGINT) AS weight FROM authors",
        DocKind::Topic => "SELECT id, name AS label, CAST(works_count AS BIGINT) AS weight FROM topics",
        DocKind::Institution => {
            "SELECT id, name AS label, (SELECT COUNT(*) FROM affiliations a WHERE a.institution_id = i.id) AS weight \
             FROM institutions i"
        }
    }
}

/// Type-ahead: names and titles with a word starting with the last word
/// typed (and holding the others). Of the first matches, the weightiest of
/// each kind are ranked: labels that start with the text first, then by
/// weight.
pub async fn autocomplete(
    ctx: &Context<'_>,
    prefix: &str,
    types: Option<Vec<SearchType>>,
    limit: Option<i32>,
) -> ApiResult<Vec<SearchHit>> {
    let limit = bounded("limit", limit, 10, 1..=50)? as usize;
    let terms: Vec<Term> = query::parse_prefix(prefix).map_err(|e| AppError::bad_input(format!("`prefix`: {e}")))?;
    let conn = &db(ctx).reads();
    let m = engine::matching(conn.get_database_backend(), &terms, true);
    let mut filter = m.condition.to_owned();
    if let Some(c) = engine::kind_condition(m.key, &kinds(types)) {
        filter = format!("{filter} AND {c}");
    }
    let rows = fetch(
        conn,
        &[("key", Kind::BigInt)],
        &format!("FROM (SELECT {} AS key FROM {} WHERE {filter} LIMIT {CANDIDATES}) c", m.key, m.from),
        vec![m.value],
    )
    .await?;
    let mut by_kind: HashMap<DocKind, Vec<i64>> = HashMap::new();
    for r in &rows {
        let (kind, id) = DocKind::of_key(int(&r[0]));
        by_kind.entry(kind).or_default().push(id);
    }
    let typed = words(prefix).join(" ");
    // (starts with the text typed, weight, key, label)
    let mut ranked: Vec<(bool, i64, i64, String)> = Vec::with_capacity(rows.len());
    for (kind, ids) in by_kind {
        for (list, values) in in_chunks(&ids) {
            let from = format!(
                "FROM ({} WHERE id IN ({list})) r ORDER BY weight DESC, id LIMIT {SHORTLIST}",
                labels_sql(kind)
            );
            let columns = [("id", Kind::BigInt), ("label", Kind::Text), ("weight", Kind::BigInt)];
            for r in fetch(conn, &columns, &from, values).await? {
                let label = text(&r[1]).to_owned();
                let starts = words(&label).join(" ").starts_with(&typed);
                ranked.push((starts, int(&r[2]), kind.key(int(&r[0])), label));
            }
        }
    }
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    ranked.truncate(limit);
    let keys: Vec<i64> = ranked.iter().map(|r| r.2).collect();
    let mut found = resolve(ctx, &keys).await?;
    Ok(ranked
        .into_iter()
        .filter_map(|(_, _, key, label)| Some(SearchHit { node: found.remove(&key)?, label }))
        .collect())
}
