//! Query roots, one per domain, merged into `Query`.
use std::collections::HashMap;

use async_graphql::{Context, ID, MergedObject, Object};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::global_id::{self, Kind};
use super::loaders::{db, loaders};
use super::paging::Window;
use super::types::author::{Author, AuthorConnection, AuthorFilter, AuthorKey, AuthorOrder, authors_query};
use super::types::facets::WorkFacets;
use super::types::institution::{Institution, InstitutionConnection, InstitutionFilter, InstitutionKey};
use super::types::node::{self, Node};
use super::types::research_graph::{GraphSlice, node_kind};
use super::types::search::{self, SearchConnection, SearchHit, SearchType};
use super::types::topic::{Topic, TopicConnection, TopicFilter, TopicKey};
use super::types::trending::{self, TrendingConnection};
use super::types::venue::{Venue, VenueKey};
use super::types::work::{Work, WorkConnection, WorkFilter, WorkKey, WorkListArgs, WorkOrder, into_works};
use crate::entities::{author, institution, topic, work};
use crate::error::{ApiResult, AppError};
use crate::graph::{coauthor_path, research_graph};
use crate::graphql::paging::bounded;
use crate::graphql::scalars::Date;
use crate::ids;

#[derive(MergedObject, Default)]
pub struct Query(
    NodeQuery,
    AuthorQuery,
    WorkQuery,
    TopicQuery,
    InstitutionQuery,
    VenueQuery,
    DiscoveryQuery,
    super::social_query::SocialQuery,
);

/// `%text%` for LIKE, lower-cased, with LIKE's wildcards escaped.
pub fn like_pattern(text: &str) -> String {
    let escaped = text.trim().to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// At most one way to name the thing asked for.
fn one_key(names: &[(&str, bool)]) -> ApiResult<()> {
    let given: Vec<&str> = names.iter().filter(|(_, set)| *set).map(|(n, _)| *n).collect();
    if given.len() > 1 {
        return Err(AppError::bad_input(format!("pass one of {}, not several", given.join(", "))).into());
    }
    if given.is_empty() {
        let all: Vec<&str> = names.iter().map(|(n, _)| *n).collect();
        return Err(AppError::bad_input(format!("pass one of {}", all.join(", "))).into());
    }
    Ok(())
}

fn bad_id(err: ids::IdError) -> AppError {
    AppError::bad_input(err.to_string())
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any entity by its global id; null when unknown.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Node>> {
        Ok(node::resolve(ctx, std::slice::from_ref(&id)).await?.pop().flatten())
    }

    /// Entities by global id, in the order asked (at most 100); null for unknown ids.
    #[graphql(complexity = "ids.len() * child_complexity + 1")]
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> ApiResult<Vec<Option<Node>>> {
        if ids.len() > 100 {
            return Err(AppError::bad_input(format!("at most 100 ids, got {}", ids.len())).into());
        }
        node::resolve(ctx, &ids).await
    }
}

#[derive(Default)]
pub struct AuthorQuery;

#[Object]
impl AuthorQuery {
    /// One author by global id, ORCID iD (bare or URL) or slug.
    async fn author(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        orcid: Option<String>,
        slug: Option<String>,
    ) -> ApiResult<Option<Author>> {
        one_key(&[("id", id.is_some()), ("orcid", orcid.is_some()), ("slug", slug.is_some())])?;
        if let Some(id) = id {
            let id = global_id::decode(Kind::Author, &id)?;
            return Ok(loaders(ctx).load_one(AuthorKey(id)).await?.map(Author));
        }
        let condition = match (orcid, slug) {
            (Some(orcid), _) => author::Column::Orcid.eq(ids::orcid(&orcid).map_err(bad_id)?),
            (_, Some(slug)) => author::Column::Slug.eq(slug.trim().to_lowercase()),
            _ => return Ok(None),
        };
        Ok(author::Entity::find().filter(condition).one(&db(ctx).reads()).await?.map(Author::from))
    }

    /// Authors, by name unless `orderBy` says otherwise.
    #[graphql(complexity = "first.or(last).unwrap_or(20).clamp(1, 100) as usize * child_complexity + 1")]
    async fn authors(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<AuthorFilter>,
        order_by: Option<AuthorOrder>,
    ) -> ApiResult<AuthorConnection> {
        let window = Window::new(first, after.as_deref(), last, before.as_deref())?;
        let page = authors_query(filter, order_by)?.fetch::<author::Model>(db(ctx), window).await?;
        Ok(AuthorConnection(page.map(Author::from)))
    }

    /// Authors by external id, at most 100 keys in all: the results of
    /// `orcids`, then of `openalexIds`, each in the order given, null where
    /// no author has the id. One statement per kind of id.
    async fn authors_by_ids(
        &self,
        ctx: &Context<'_>,
        orcids: Option<Vec<String>>,
        openalex_ids: Option<Vec<String>>,
    ) -> ApiResult<Vec<Option<Author>>> {
        let lists = [
            (author::Column::Orcid, orcids.unwrap_or_default(), ids::orcid as Normalise),
            (author::Column::OpenalexId, openalex_ids.unwrap_or_default(), ids::openalex),
        ];
        let found = by_external_ids::<author::Entity>(&db(ctx).reads(), lists.into(), |a, column| match column {
            author::Column::Orcid => a.orcid.clone(),
            _ => a.openalex_id.clone(),
        })
        .await?;
        Ok(found.into_iter().map(|a| a.map(Author::from)).collect())
    }
}

#[derive(Default)]
pub struct WorkQuery;

#[Object]
impl WorkQuery {
    /// One work by global id, DOI (any common spelling), arXiv id (with or without version) or OpenAlex id.
    async fn work(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        doi: Option<String>,
        arxiv_id: Option<String>,
        openalex_id: Option<String>,
    ) -> ApiResult<Option<Work>> {
        one_key(&[
            ("id", id.is_some()),
            ("doi", doi.is_some()),
            ("arxivId", arxiv_id.is_some()),
            ("openalexId", openalex_id.is_some()),
        ])?;
        if let Some(id) = id {
            let id = global_id::decode(Kind::Work, &id)?;
            return Ok(loaders(ctx).load_one(WorkKey(id)).await?.map(Work));
        }
        let condition = match (doi, arxiv_id, openalex_id) {
            (Some(doi), _, _) => work::Column::Doi.eq(ids::doi(&doi).map_err(bad_id)?),
            (_, Some(arxiv), _) => work::Column::ArxivId.eq(ids::arxiv(&arxiv).map_err(bad_id)?),
            (_, _, Some(openalex)) => work::Column::OpenalexId.eq(ids::openalex(&openalex).map_err(bad_id)?),
            _ => return Ok(None),
        };
        Ok(work::Entity::find().filter(condition).one(&db(ctx).reads()).await?.map(Work::from))
    }

    /// Works, newest first unless `orderBy` says otherwise.
    #[graphql(complexity = "first.or(last).unwrap_or(20).clamp(1, 100) as usize * child_complexity + 1")]
    async fn works(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<WorkFilter>,
        order_by: Option<WorkOrder>,
    ) -> ApiResult<WorkConnection> {
        let window = Window::new(first, after.as_deref(), last, before.as_deref())?;
        let query = WorkListArgs::new(filter, order_by)?.query("works w");
        let page = query.fetch::<work::Model>(db(ctx), window).await?;
        Ok(WorkConnection(into_works(page), Some(WorkFacets(query))))
    }

    /// Works by external id, at most 100 keys in all: the results of `dois`,
    /// then of `arxivIds`, then of `openalexIds`, each in the order given,
    /// null where no work has the id. One statement per kind of id.
    async fn works_by_ids(
        &self,
        ctx: &Context<'_>,
        dois: Option<Vec<String>>,
        arxiv_ids: Option<Vec<String>>,
        openalex_ids: Option<Vec<String>>,
    ) -> ApiResult<Vec<Option<Work>>> {
        let lists = [
            (work::Column::Doi, dois.unwrap_or_default(), ids::doi as Normalise),
            (work::Column::ArxivId, arxiv_ids.unwrap_or_default(), ids::arxiv),
            (work::Column::OpenalexId, openalex_ids.unwrap_or_default(), ids::openalex),
        ];
        let found = by_external_ids::<work::Entity>(&db(ctx).reads(), lists.into(), |w, column| match column {
            work::Column::Doi => w.doi.clone(),
            work::Column::ArxivId => w.arxiv_id.clone(),
            _ => w.openalex_id.clone(),
        })
        .await?;
        Ok(found.into_iter().map(|w| w.map(Work::from)).collect())
    }
}

type Normalise = fn(&str) -> Result<String, ids::IdError>;

/// Rows by external id for `worksByIds` and `authorsByIds`: per list of
/// keys (a column, the keys, how to normalise them), one statement, and the
/// rows in key order with `None` where no row has the key. At most 100
/// keys in all.
async fn by_external_ids<E: EntityTrait>(
    conn: &impl sea_orm::ConnectionTrait,
    lists: Vec<(E::Column, Vec<String>, Normalise)>,
    key_of: impl Fn(&E::Model, E::Column) -> Option<String>,
) -> ApiResult<Vec<Option<E::Model>>>
where
    E::Model: Clone,
{
    let n: usize = lists.iter().map(|(_, keys, _)| keys.len()).sum();
    if n > 100 {
        return Err(AppError::bad_input(format!("at most 100 keys, got {n}")).into());
    }
    let mut out = Vec::with_capacity(n);
    for (column, keys, normalise) in lists {
        let keys: Vec<String> = keys.iter().map(|k| normalise(k)).collect::<Result<_, _>>().map_err(bad_id)?;
        if keys.is_empty() {
            continue;
        }
        let found = E::find().filter(column.is_in(keys.clone())).all(conn).await?;
        let by_key: HashMap<String, E::Model> =
            found.into_iter().filter_map(|m| Some((key_of(&m, column)?, m))).collect();
        out.extend(keys.iter().map(|k| by_key.get(k).cloned()));
    }
    Ok(out)
}

#[derive(Default)]
pub struct TopicQuery;

#[Object]
impl TopicQuery {
    /// One topic by global id or scheme code (e.g. cs.LG).
    async fn topic(&self, ctx: &Context<'_>, id: Option<ID>, code: Option<String>) -> ApiResult<Option<Topic>> {
        one_key(&[("id", id.is_some()), ("code", code.is_some())])?;
        if let Some(id) = id {
            let id = global_id::decode(Kind::Topic, &id)?;
            return Ok(loaders(ctx).load_one(TopicKey(id)).await?.map(Topic));
        }
        let code = code.unwrap_or_default();
        let found = topic::Entity::find()
            .filter(topic::Column::Code.eq(code.trim()))
            .order_by_asc(topic::Column::Scheme)
            .one(&db(ctx).reads())
            .await?;
        Ok(found.map(Topic::from))
    }

    /// Topics, those with the most works first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity + 1")]
    async fn topics(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<TopicFilter>,
    ) -> ApiResult<TopicConnection> {
        let window = Window::forward(first, after.as_deref())?;
        let page = filter.unwrap_or_default().query().fetch::<topic::Model>(db(ctx), window).await?;
        Ok(TopicConnection(page.map(Topic::from)))
    }
}

#[derive(Default)]
pub struct InstitutionQuery;

#[Object]
impl InstitutionQuery {
    /// One institution by global id or ROR id (bare or URL).
    async fn institution(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        ror: Option<String>,
    ) -> ApiResult<Option<Institution>> {
        one_key(&[("id", id.is_some()), ("ror", ror.is_some())])?;
        if let Some(id) = id {
            let id = global_id::decode(Kind::Institution, &id)?;
            return Ok(loaders(ctx).load_one(InstitutionKey(id)).await?.map(Institution));
        }
        let ror = ids::ror(&ror.unwrap_or_default()).map_err(bad_id)?;
        Ok(institution::Entity::find()
            .filter(institution::Column::Ror.eq(ror))
            .one(&db(ctx).reads())
            .await?
            .map(Institution::from))
    }

    /// Institutions by name.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity + 1")]
    async fn institutions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<InstitutionFilter>,
    ) -> ApiResult<InstitutionConnection> {
        let window = Window::forward(first, after.as_deref())?;
        let page = filter.unwrap_or_default().query().fetch::<institution::Model>(db(ctx), window).await?;
        Ok(InstitutionConnection(page.map(Institution::from)))
    }
}

#[derive(Default)]
pub struct VenueQuery;

#[Object]
impl VenueQuery {
    /// One venue by global id.
    async fn venue(&self, ctx: &Context<'_>, id: Option<ID>) -> ApiResult<Option<Venue>> {
        one_key(&[("id", id.is_some())])?;
        let id = global_id::decode(Kind::Venue, &id.unwrap_or_default())?;
        Ok(loaders(ctx).load_one(VenueKey(id)).await?.map(Venue))
    }
}

#[derive(Default)]
pub struct DiscoveryQuery;

#[Object]
impl DiscoveryQuery {
    /// Full-text search over work titles and abstracts, author names and
    /// headlines, topic names and institution names, best match first.
    /// `"a phrase"` matches words in order, `prefix*` words that start so;
    /// every term must match. A word of five letters or more that the index
    /// does not hold also finds the words one typo away. Diacritics and case
    /// do not matter.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity + 1")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        query: String,
        types: Option<Vec<SearchType>>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<SearchConnection> {
        search::search(ctx, &query, types, first, after).await
    }

    /// Type-ahead for search boxes: names and titles with a word starting
    /// with the last word of `prefix` (and holding its other words); names
    /// that start with `prefix` first, then the most cited or productive.
    /// At most `limit` (default 10, at most 50).
    #[graphql(complexity = "limit.unwrap_or(10).clamp(1, 50) as usize * child_complexity + 1")]
    async fn autocomplete(
        &self,
        ctx: &Context<'_>,
        prefix: String,
        types: Option<Vec<SearchType>>,
        limit: Option<i32>,
    ) -> ApiResult<Vec<SearchHit>> {
        search::autocomplete(ctx, &prefix, types, limit).await
    }

    /// Works featured in the `days` days (default 7, at most 366) ending on
    /// `date` (default today, UTC), highest score first. A featured day
    /// adds its upvotes plus one, divided by one plus its age in days.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity + 1")]
    async fn trending(
        &self,
        ctx: &Context<'_>,
        date: Option<Date>,
        days: Option<i32>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<TrendingConnection> {
        trending::trending(ctx, date, days, first, after).await
    }

    /// The shortest chain of coauthorship from one author to another, both
    /// ends included; null when none is at most `maxLength` coauthorships
    /// long (default 6, at most 10).
    async fn coauthor_path(
        &self,
        ctx: &Context<'_>,
        from: ID,
        to: ID,
        max_length: Option<i32>,
    ) -> ApiResult<Option<Vec<Author>>> {
        let max = bounded("maxLength", max_length, 6, 1..=10)?;
        let ends = [global_id::decode(Kind::Author, &from)?, global_id::decode(Kind::Author, &to)?];
        let found = loaders(ctx).load_many(ends.map(AuthorKey)).await?;
        for (id, name) in ends.iter().zip([&from, &to]) {
            if !found.contains_key(&AuthorKey(*id)) {
                return Err(AppError::NotFound(format!("no author with id {:?}", name.as_str())).into());
            }
        }
        let end = |id: i64| coauthor_path::End { id, works: found[&AuthorKey(id)].works_count.into() };
        let path = coauthor_path::shortest(&db(ctx).reads(), end(ends[0]), end(ends[1]), max as usize, PATH_BUDGET)
            .await
            .map_err(|e| match e {
                coauthor_path::PathError::Budget(_) => AppError::bad_input(e.to_string()),
                coauthor_path::PathError::Database(e) => AppError::Database(e),
            })?;
        let Some(path) = path else { return Ok(None) };
        let mut authors = loaders(ctx).load_many(path.iter().copied().map(AuthorKey)).await?;
        Ok(Some(path.iter().filter_map(|id| authors.remove(&AuthorKey(*id))).map(Author).collect()))
    }

    /// The neighbourhood of an author, work, topic or institution as a
    /// graph, for explorers: `depth` ties away (default 1, at most 3), at
    /// most `limit` nodes with the center (default 50, at most 500),
    /// strongest ties first.
    async fn research_graph(
        &self,
        ctx: &Context<'_>,
        center: ID,
        depth: Option<i32>,
        limit: Option<i32>,
    ) -> ApiResult<GraphSlice> {
        let depth = bounded("depth", depth, 1, 1..=3)?;
        let limit = bounded("limit", limit, 50, 1..=500)?;
        let (kind, id) = global_id::decode_any(&center)?;
        let kind = node_kind(kind)
            .ok_or_else(|| AppError::bad_input("`center` must be an author, work, topic or institution".to_owned()))?;
        let slice = research_graph::neighbourhood(&db(ctx).reads(), (kind, id), depth as usize, limit as usize).await?;
        if slice.nodes.first().is_none_or(|n| n.label.is_empty()) {
            return Err(AppError::NotFound(format!("no node with id {:?}", center.as_str())).into());
        }
        Ok(GraphSlice::new((kind, id), slice))
    }
}

/// Authors a `coauthorPath` search may visit before giving up.
const PATH_BUDGET: usize = 200_000;
