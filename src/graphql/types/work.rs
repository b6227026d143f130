//! `Work`: a paper, preprint, dataset… with its ordered authorships.
use async_graphql::dataloader::Loader;
use async_graphql::{Context, ID, InputObject, Lookahead, Object};
use sea_orm::{DbErr, QueryResult, Value};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use super::author::Author;
use super::authorship::Authorship;
use super::topic::{Topic, TopicKey};
use super::venue::{Venue, VenueKey};
use crate::db::{FromRow, col};
use crate::entities::{authorship, topic, work};
use crate::error::ApiResult;
use crate::graphql::connection::connection;
use crate::graphql::enums::{SortDirection, WorkType};
use crate::graphql::global_id::{self, Kind};
use crate::graphql::lean::{LeanList, Plain, text};
use crate::graphql::loaders::{Batch, LoadResult, by_id, children, loaders, name_batch, selects_only};
use crate::graphql::paging::{ListQuery, Page, Window};
use crate::graphql::scalars::{Date, DateTime};

by_id!(WorkKey, work);

/// The fields of `Work` that read only [`CARD_COLUMNS`]: works whose
/// selections ask for these only are read as cards ([`WorkCardKey`]). A
/// field added here must read only those columns.
pub const CARD_FIELDS: &[&str] = &[
    "__typename",
    "id",
    "title",
    "type",
    "publicationDate",
    "year",
    "venue",
    "primaryTopic",
    "topics",
    "authorCount",
    "authorships",
    "authors",
    "citedByCount",
    "related",
    "references",
    "citedBy",
    "upvotes",
    "viewerHasUpvoted",
    "codeLinks",
];

const CARD_COLUMNS: [&str; 10] = [
    "id",
    "title",
    "work_type",
    "publication_date",
    "year",
    "venue_id",
    "primary_topic_id",
    "author_count",
    "code_links",
    "cited_by_count",
];

/// [`CARD_COLUMNS`] as a select list, bare and of `works w`.
static CARD_SELECT: LazyLock<(String, String)> =
    LazyLock::new(|| (CARD_COLUMNS.join(", "), CARD_COLUMNS.map(|c| format!("w.{c}")).join(", ")));

/// A work read as a card: the columns of [`CARD_FIELDS`], every other left
/// at its default and never read. A trending page of 20 works read whole,
/// abstracts and all, for their titles: decoding them was 15 % of the
/// request's instructions (callgrind, PostgreSQL).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WorkCardKey(pub i64);

impl Loader<WorkCardKey> for Batch {
    type Value = Arc<work::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[WorkCardKey]) -> LoadResult<WorkCardKey, Self::Value> {
        name_batch::<WorkCardKey>(keys.len());
        let found = self.by_ids_of("works", &CARD_SELECT.0, keys.iter().map(|k| k.0), card_of).await?;
        Ok(found.into_iter().map(|(id, model)| (WorkCardKey(id), model)).collect())
    }
}

fn card_of(row: &QueryResult) -> Result<work::Model, DbErr> {
    Ok(work::Model {
        id: col!(row, "id")?,
        title: col!(row, "title")?,
        r#abstract: None,
        work_type: col!(row, "work_type")?,
        publication_date: col!(row, "publication_date")?,
        year: col!(row, "year")?,
        doi: None,
        arxiv_id: None,
        openalex_id: None,
        s2_id: None,
        url: None,
        venue_id: col!(row, "venue_id")?,
        primary_topic_id: col!(row, "primary_topic_id")?,
        author_count: col!(row, "author_count")?,
        code_links: col!(row, "code_links")?,
        cited_by_count: col!(row, "cited_by_count")?,
        updated_at: Default::default(),
    })
}

/// The works of these ids, by id: as cards if `selection` (where the
/// works are selected) asks only [`CARD_FIELDS`]. Missing ones are left out.
pub async fn by_ids(
    ctx: &Context<'_>,
    ids: impl Iterator<Item = i64>,
    selection: &Lookahead<'_>,
) -> ApiResult<HashMap<i64, Arc<work::Model>>> {
    let loaders = loaders(ctx);
    Ok(if selects_only(selection, CARD_FIELDS) {
        loaders.load_many(ids.map(WorkCardKey)).await?.into_iter().map(|(k, model)| (k.0, model)).collect()
    } else {
        loaders.load_many(ids.map(WorkKey)).await?.into_iter().map(|(k, model)| (k.0, model)).collect()
    })
}

children!(
    AuthorshipsOfWork,
    authorship::Model,
    "SELECT a.work_id AS parent__, a.* FROM authorships a WHERE a.work_id IN ({ids}) ORDER BY a.work_id, a.position"
);

children!(
    TopicsOfWork,
    topic::Model,
    "SELECT wt.work_id AS parent__, t.* FROM work_topics wt JOIN topics t ON t.id = wt.topic_id \
     WHERE wt.work_id IN ({ids}) ORDER BY wt.work_id, wt.score DESC NULLS LAST, t.id"
);

/// A scholarly work: article, preprint, book, dataset…
#[derive(Clone, Debug)]
pub struct Work(pub Arc<work::Model>);

/// Its row's own columns, as the resolvers below answer them.
impl Plain for Work {
    const FIELDS: &'static [&'static str] = &[
        "id",
        "title",
        "abstract",
        "publicationDate",
        "year",
        "doi",
        "arxivId",
        "openalexId",
        "url",
        "authorCount",
        "citedByCount",
        "codeLinks",
    ];

    fn plain(&self, name: &str) -> Option<async_graphql::Value> {
        use async_graphql::{ScalarType, Value};
        let w = &self.0;
        Some(match name {
            "id" => Value::String(global_id::encode(Kind::Work, w.id).0),
            "title" => Value::String(w.title.clone()),
            "abstract" => text(&w.r#abstract),
            "publicationDate" => w.publication_date.map_or(Value::Null, |d| Date(d).to_value()),
            "year" => w.year.map_or(Value::Null, Value::from),
            "doi" => text(&w.doi),
            "arxivId" => text(&w.arxiv_id),
            "openalexId" => text(&w.openalex_id),
            "url" => text(&w.url),
            "authorCount" => w.author_count.into(),
            "citedByCount" => w.cited_by_count.into(),
            "codeLinks" => Value::List(code_links(w).into_iter().map(Value::String).collect()),
            _ => return None,
        })
    }
}

#[Object]
impl Work {
    pub async fn id(&self) -> ID {
        global_id::encode(Kind::Work, self.0.id)
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    async fn r#abstract(&self) -> Option<&str> {
        self.0.r#abstract.as_deref()
    }

    #[graphql(name = "type")]
    async fn work_type(&self) -> WorkType {
        WorkType::from_stored(&self.0.work_type)
    }

    async fn publication_date(&self) -> Option<Date> {
        self.0.publication_date.map(Date)
    }

    async fn year(&self) -> Option<i32> {
        self.0.year
    }

    /// lower-case, without `https://doi.org/`
    async fn doi(&self) -> Option<&str> {
        self.0.doi.as_deref()
    }

    /// without version suffix, e.g. 2409.14623
    async fn arxiv_id(&self) -> Option<&str> {
        self.0.arxiv_id.as_deref()
    }

    /// e.g. W2741809807
    async fn openalex_id(&self) -> Option<&str> {
        self.0.openalex_id.as_deref()
    }

    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }

    async fn venue(&self, ctx: &Context<'_>) -> ApiResult<Option<Venue>> {
        let Some(id) = self.0.venue_id else { return Ok(None) };
        Ok(loaders(ctx).load_one(VenueKey(id)).await?.map(Venue))
    }

    async fn primary_topic(&self, ctx: &Context<'_>) -> ApiResult<Option<Topic>> {
        let Some(id) = self.0.primary_topic_id else { return Ok(None) };
        Ok(loaders(ctx).load_one(TopicKey(id)).await?.map(Topic))
    }

    async fn topics(&self, ctx: &Context<'_>) -> ApiResult<LeanList<Topic>> {
        let rows = loaders(ctx).load_one(TopicsOfWork(self.0.id)).await?.unwrap_or_default();
        Ok(LeanList(rows.iter().map(|row| Topic(row.clone())).collect()))
    }

    /// number of authors as published, even where not every author is known by name
    async fn author_count(&self) -> i32 {
        self.0.author_count
    }

    /// ordered by position, first author first
    async fn authorships(&self, ctx: &Context<'_>) -> ApiResult<LeanList<Authorship>> {
        let wanted = ctx.look_ahead();
        let places = super::authorship::authorships(
            ctx,
            self.0.id,
            super::authorship::AuthorPart::of(&wanted.field("author")),
            wanted.field("institutions").exists(),
            super::author::topics_wanted(&wanted.field("author")),
        )
        .await?;
        Ok(LeanList(places))
    }

    /// The known authors in order (authorships whose author is resolved).
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity + 1")]
    async fn authors(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "at most this many, 1..100 (default all)")] first: Option<i32>,
    ) -> ApiResult<Vec<Author>> {
        let limit = match first {
            None => usize::MAX,
            Some(n) => crate::graphql::paging::page_size("first", Some(n))? as usize,
        };
        let rows = loaders(ctx).load_one(super::authorship::AuthorsOfWork(self.0.id)).await?.unwrap_or_default();
        Ok(rows.iter().take(limit).cloned().map(Author).collect())
    }

    async fn cited_by_count(&self) -> i32 {
        self.0.cited_by_count
    }

    /// Works most related to this one (shared authors, citations either
    /// way, shared references, co-citation, shared topics), most related
    /// first; `first` 1..100, default 10.
    #[graphql(complexity = "first.unwrap_or(10).clamp(1, 100) as usize * child_complexity + 1")]
    async fn related(&self, ctx: &Context<'_>, first: Option<i32>) -> ApiResult<Vec<Work>> {
        let n = crate::graphql::paging::page_size("first", first.or(Some(10)))? as usize;
        let rows = loaders(ctx).load_one(super::related::RelatedWorks(self.0.id)).await?.unwrap_or_default();
        Ok(rows.iter().take(n.min(super::related::MAX_RELATED)).cloned().map(Work).collect())
    }

    /// works this work cites
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity + 1")]
    async fn references(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<WorkConnection> {
        works_of(
            ctx,
            WorksOf::References,
            self.0.id,
            WorkListArgs::default(),
            Window::forward(first, after.as_deref())?,
        )
        .await
    }

    /// works that cite this work
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity + 1")]
    async fn cited_by(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<WorkConnection> {
        works_of(ctx, WorksOf::CitedBy, self.0.id, WorkListArgs::default(), Window::forward(first, after.as_deref())?)
            .await
    }

    /// the work as a BibTeX entry, full ordered author list included
    async fn bibtex(&self, ctx: &Context<'_>) -> ApiResult<String> {
        Ok(crate::export::bibtex(&self.citable(ctx).await?))
    }

    /// the work as CSL-JSON (citeproc), full ordered author list included
    async fn csl_json(&self, ctx: &Context<'_>) -> ApiResult<async_graphql::Json<serde_json::Value>> {
        Ok(async_graphql::Json(crate::export::csl_json(&self.citable(ctx).await?)))
    }

    /// when an import last created or changed this record
    /// upvotes by accounts here, plus the latest count imported from a feed
    async fn upvotes(&self, ctx: &Context<'_>) -> ApiResult<i32> {
        let rows = loaders(ctx).load_one(super::social::UpvotesOfWork(self.0.id)).await?.unwrap_or_default();
        Ok(rows.first().map_or(0, |c| c.n as i32))
    }

    /// false when anonymous
    async fn viewer_has_upvoted(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        let Some(account) = crate::graphql::viewer::viewer_id(ctx).await? else { return Ok(false) };
        let key = super::social::ViewerUpvoted { account, item: self.0.id };
        Ok(loaders(ctx).load_one(key).await?.unwrap_or(false))
    }

    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }

    /// code repositories named by the work, e.g. GitHub URLs found in its abstract
    async fn code_links(&self) -> Vec<String> {
        code_links(&self.0)
    }
}

/// The code links stored as a JSON list (none where unreadable).
fn code_links(w: &work::Model) -> Vec<String> {
    serde_json::from_str(&w.code_links).unwrap_or_default()
}

impl Work {
    /// What a citation needs, through the request's loaders.
    async fn citable(&self, ctx: &Context<'_>) -> ApiResult<crate::export::Citable<'_>> {
        let authorships =
            super::authorship::authorships(ctx, self.0.id, super::authorship::AuthorPart::Card, false, None).await?;
        let authors = authorships
            .iter()
            .map(|a| {
                let person = a.person();
                crate::export::Name::new(
                    person.and_then(|p| p.given_name.as_deref()),
                    person.and_then(|p| p.family_name.as_deref()),
                    &a.row.raw_name,
                )
            })
            .collect();
        let venue = match self.0.venue_id {
            Some(id) => loaders(ctx).load_one(VenueKey(id)).await?.map(|v| v.name.clone()),
            None => None,
        };
        Ok(crate::export::Citable { work: &self.0, authors, venue })
    }
}

connection!(WorkConnection, WorkEdge, Work, "works", facets: super::facets::WorkFacets);

/// Narrows a list of works; all conditions must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct WorkFilter {
    /// works with this author
    pub author_id: Option<ID>,
    /// works on this topic
    pub topic_id: Option<ID>,
    /// works with an author from this institution
    pub institution_id: Option<ID>,
    pub venue_id: Option<ID>,
    #[graphql(name = "type")]
    pub work_type: Option<WorkType>,
    /// published in or after this year
    pub year_from: Option<i32>,
    /// published in or before this year
    pub year_to: Option<i32>,
}

#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WorkOrderField {
    PublicationDate,
    CitedByCount,
    Title,
}

/// How to order works; the default is newest first.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct WorkOrder {
    pub field: WorkOrderField,
    pub direction: SortDirection,
}

/// A filter and order with ids decoded: hashable, so it can be part of a
/// loader key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct WorkListArgs {
    author: Option<i64>,
    topic: Option<i64>,
    institution: Option<i64>,
    venue: Option<i64>,
    work_type: Option<WorkType>,
    year_from: Option<i32>,
    year_to: Option<i32>,
    order: Option<(WorkOrderField, SortDirection)>,
}

impl WorkListArgs {
    pub fn new(filter: Option<WorkFilter>, order: Option<WorkOrder>) -> ApiResult<Self> {
        let f = filter.unwrap_or_default();
        let decode = |kind, id: Option<ID>| -> ApiResult<Option<i64>> {
            Ok(id.map(|id| global_id::decode(kind, &id)).transpose()?)
        };
        Ok(Self {
            author: decode(Kind::Author, f.author_id)?,
            topic: decode(Kind::Topic, f.topic_id)?,
            institution: decode(Kind::Institution, f.institution_id)?,
            venue: decode(Kind::Venue, f.venue_id)?,
            work_type: f.work_type,
            year_from: f.year_from,
            year_to: f.year_to,
            order: order.map(|o| (o.field, o.direction)),
        })
    }

    fn order(&self) -> (WorkOrderField, SortDirection) {
        self.order.unwrap_or((WorkOrderField::PublicationDate, SortDirection::Desc))
    }

    /// With `linked`, dates are read from the link `p`'s copies of them.
    fn order_sql(&self, linked: bool) -> String {
        let (field, dir) = self.order();
        let dir = dir.sql();
        match field {
            WorkOrderField::PublicationDate if linked => {
                format!("p.work_date {dir} NULLS LAST, p.work_year {dir} NULLS LAST, p.work_id {dir}")
            }
            WorkOrderField::PublicationDate => {
                format!("w.publication_date {dir} NULLS LAST, w.year {dir} NULLS LAST, w.id {dir}")
            }
            WorkOrderField::CitedByCount => format!("w.cited_by_count {dir}, w.id {dir}"),
            WorkOrderField::Title => format!("w.title {dir}, w.id {dir}"),
        }
    }

    /// The list of works with these conditions, `from` naming `works w`.
    /// Relations are `w.id IN (…)`, not `EXISTS`: the database then starts
    /// from the few works of an author instead of probing every work (a
    /// facet count over an author's works took 1 s on 100,000 works).
    pub fn query(&self, from: &'static str) -> ListQuery {
        self.list(from, false)
    }

    fn list(&self, from: &'static str, linked: bool) -> ListQuery {
        let mut q = ListQuery::new("w.*", from, self.order_sql(linked));
        if let Some(id) = self.author {
            q.and("w.id IN (SELECT fa.work_id FROM authorships fa WHERE fa.author_id = ?)", [Value::from(id)]);
        }
        if let Some(id) = self.topic {
            q.and("w.id IN (SELECT ft.work_id FROM work_topics ft WHERE ft.topic_id = ?)", [Value::from(id)]);
        }
        if let Some(id) = self.institution {
            q.and(
                "w.id IN (SELECT fa.work_id FROM authorships fa JOIN authorship_institutions fi \
                 ON fi.authorship_id = fa.id WHERE fi.institution_id = ?)",
                [Value::from(id)],
            );
        }
        if let Some(id) = self.venue {
            q.and("w.venue_id = ?", [Value::from(id)]);
        }
        if let Some(t) = self.work_type {
            q.and("w.work_type = ?", [Value::from(t.stored())]);
        }
        if let Some(y) = self.year_from {
            q.and("w.year >= ?", [Value::from(y)]);
        }
        if let Some(y) = self.year_to {
            q.and("w.year <= ?", [Value::from(y)]);
        }
        q
    }
}

/// Whose works a nested list holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WorksOf {
    Author,
    Topic,
    Institution,
    Venue,
    References,
    CitedBy,
}

impl WorksOf {
    /// (FROM clause joining `works w`, the SQL naming each row's parent)
    fn source(self) -> (&'static str, &'static str) {
        match self {
            WorksOf::Author => ("authorships p JOIN works w ON w.id = p.work_id", "p.author_id"),
            WorksOf::Topic => ("work_topics p JOIN works w ON w.id = p.work_id", "p.topic_id"),
            WorksOf::Institution => (
                "(SELECT DISTINCT pa.work_id, pi.institution_id FROM authorship_institutions pi \
                  JOIN authorships pa ON pa.id = pi.authorship_id) p JOIN works w ON w.id = p.work_id",
                "p.institution_id",
            ),
            WorksOf::Venue => ("works w", "w.venue_id"),
            WorksOf::References => ("citations p JOIN works w ON w.id = p.cited_work_id", "p.citing_work_id"),
            WorksOf::CitedBy => ("citations p JOIN works w ON w.id = p.citing_work_id", "p.cited_work_id"),
        }
    }

    /// Whether the link `p` holds copies of its work's dates (migration
    /// 000010), indexed per parent newest first.
    fn dated(self) -> bool {
        matches!(self, WorksOf::Author | WorksOf::Topic)
    }

    /// The link table holding one row per listed work (its join to `works`
    /// is a foreign key that always matches), to count a parent's works in;
    /// not for references, whose unresolved citations have no work.
    fn counted_in(self) -> Option<&'static str> {
        match self {
            WorksOf::Author => Some("authorships p"),
            WorksOf::Topic => Some("work_topics p"),
            WorksOf::CitedBy => Some("citations p"),
            WorksOf::Institution | WorksOf::Venue | WorksOf::References => None,
        }
    }
}

/// One page of the works of one parent, read as cards or whole.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WorksPageKey {
    pub of: WorksOf,
    pub parent: i64,
    pub args: WorkListArgs,
    pub window: Window,
    pub card: bool,
}

impl Loader<WorksPageKey> for Batch {
    // Shared rows: the DataLoader clones a value for each `load_one`.
    type Value = Page<Arc<work::Model>>;
    type Error = std::sync::Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[WorksPageKey]) -> LoadResult<WorksPageKey, Self::Value> {
        crate::graphql::loaders::name_batch::<WorksPageKey>(keys.len());
        let pages = self
            .nested_pages(
                keys,
                |k| ((k.of, k.args.clone(), k.window, k.card), k.parent),
                |(of, args, window, card)| {
                    let (from, parent) = of.source();
                    // Ordered by a link's dates, the index yields the page
                    // in order; otherwise SQLite sorts keys, not whole rows.
                    let linked = of.dated() && args.order().0 == WorkOrderField::PublicationDate;
                    let mut list = args.list(from, linked);
                    if *card {
                        list.select = &CARD_SELECT.1;
                    }
                    if !linked {
                        list = list.by_key("w.id", "works w ON w.id = k.key__");
                    }
                    if let Some(table) = of.counted_in() {
                        list = list.counted_in(table);
                    }
                    (list, parent, *window)
                },
                |(.., card), r| if *card { card_of(r) } else { work::Model::from_row(r) }.map(Arc::new),
                |(of, args, window, card), parent| WorksPageKey {
                    of: *of,
                    parent,
                    args: args.clone(),
                    window: *window,
                    card: *card,
                },
            )
            .await?;
        Ok(pages)
    }
}

/// A page of a parent's works, read as cards if the connection's works
/// are selected with [`CARD_FIELDS`] only (`ctx` is the connection's field).
pub async fn works_of(
    ctx: &Context<'_>,
    of: WorksOf,
    parent: i64,
    args: WorkListArgs,
    window: Window,
) -> ApiResult<WorkConnection> {
    let wanted = ctx.look_ahead();
    let card = selects_only(&wanted.field("nodes"), CARD_FIELDS)
        && selects_only(&wanted.field("edges").field("node"), CARD_FIELDS);
    let page = loaders(ctx).load_one(WorksPageKey { of, parent, args, window, card }).await?;
    Ok(WorkConnection(page.map(into_works).unwrap_or_else(|| empty_page()), None))
}

pub fn into_works<M: Into<Arc<work::Model>>>(page: Page<M>) -> Page<Work> {
    Page {
        items: page.items.into_iter().map(|(p, m)| (p, Work(m.into()))).collect(),
        has_previous: page.has_previous,
        has_next: page.has_next,
        total: page.total,
    }
}

pub fn empty_page<T>() -> Page<T> {
    Page { items: Vec::new(), has_previous: false, has_next: false, total: crate::graphql::paging::Total::Known(0) }
}
