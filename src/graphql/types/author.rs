//! `Author`: a researcher, with computed metrics, imported metrics, works,
//! coauthors and topics.
use async_graphql::dataloader::Loader;
use async_graphql::parser::types::Field;
use async_graphql::{Context, ContextSelectionSet, ID, InputObject, Lookahead, Object, Positioned, SimpleObject};
use std::collections::HashMap;
use std::sync::Arc;

use sea_orm::Value;

use super::institution::{Institution, InstitutionKey};
use super::topic::Topic;
use super::work::{WorkConnection, WorkFilter, WorkListArgs, WorkOrder, WorksOf, works_of};
use crate::db::{FromRow, col, padded_in, stmt};
use crate::entities::{affiliation, author, external_metric, topic};
use crate::error::ApiResult;
use crate::graphql::connection::{PageInfo, connection};
use crate::graphql::enums::SortDirection;
use crate::graphql::global_id::{self, Kind};
use crate::graphql::lean::{Lean, LeanList, Plain, Plan, text};
use crate::graphql::loaders::{Batch, IdMap, LoadResult, by_id, children, id_map, loaders, shared_rows};
use crate::graphql::paging::{ListQuery, Page, Total, Window, encode_cursor, page_size};
use crate::graphql::scalars::{Date, DateTime};
use crate::ingest::derive;

by_id!(AuthorKey, author);

children!(
    AffiliationsOfAuthor,
    affiliation::Model,
    "SELECT a.author_id AS parent__, a.* FROM affiliations a WHERE a.author_id IN ({ids}) \
     ORDER BY a.author_id, a.end_year DESC NULLS FIRST, a.start_year DESC NULLS LAST, a.id"
);

children!(
    ExternalMetricsOfAuthor,
    external_metric::Model,
    "SELECT m.author_id AS parent__, m.* FROM external_metrics m WHERE m.author_id IN ({ids}) ORDER BY m.author_id, m.name, m.source"
);

/// A researcher.
#[derive(Clone, Debug)]
pub struct Author(pub Arc<author::Model>);

/// Its row's own columns, as the resolvers below answer them.
impl Plain for Author {
    const FIELDS: &'static [&'static str] = &[
        "id",
        "slug",
        "displayName",
        "givenName",
        "familyName",
        "orcid",
        "openalexId",
        "headline",
        "homepage",
        "openToCollaborate",
        "claimed",
    ];

    fn plain(&self, name: &str) -> Option<async_graphql::Value> {
        let a = &self.0;
        Some(match name {
            "id" => async_graphql::Value::String(global_id::encode(Kind::Author, a.id).0),
            "slug" => async_graphql::Value::String(a.slug.clone()),
            "displayName" => async_graphql::Value::String(a.display_name.clone()),
            "givenName" => text(&a.given_name),
            "familyName" => text(&a.family_name),
            "orcid" => text(&a.orcid),
            "openalexId" => text(&a.openalex_id),
            "headline" => text(&a.headline),
            "homepage" => text(&a.homepage),
            "openToCollaborate" => a.open_to_collaborate.into(),
            "claimed" => a.claimed.into(),
            _ => return None,
        })
    }
}

/// The fields answered from an author's card alone (`id`, `slug`, the
/// names, `orcid`, `works_count`; see `authorship::card_of`): an
/// authorship's author selected with these only is read as a card. A field
/// added here must read only those columns.
pub const CARD_FIELDS: &[&str] =
    &["__typename", "id", "slug", "displayName", "givenName", "familyName", "orcid", "topics"];

/// The author a row refers to (it must exist).
pub async fn author(ctx: &Context<'_>, id: i64) -> ApiResult<Author> {
    let row = loaders(ctx).load_one(AuthorKey(id)).await?;
    row.map(Author).ok_or_else(|| crate::error::AppError::Internal(format!("author {id} is gone")).into())
}

#[Object]
impl Author {
    pub async fn id(&self) -> ID {
        global_id::encode(Kind::Author, self.0.id)
    }

    /// stable, human-readable key, e.g. eric-shea-brown
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    async fn display_name(&self) -> &str {
        &self.0.display_name
    }

    async fn given_name(&self) -> Option<&str> {
        self.0.given_name.as_deref()
    }

    async fn family_name(&self) -> Option<&str> {
        self.0.family_name.as_deref()
    }

    /// bare ORCID iD, e.g. 0000-0001-6187-6610
    async fn orcid(&self) -> Option<&str> {
        self.0.orcid.as_deref()
    }

    /// e.g. A5023888391
    async fn openalex_id(&self) -> Option<&str> {
        self.0.openalex_id.as_deref()
    }

    async fn headline(&self) -> Option<&str> {
        self.0.headline.as_deref()
    }

    async fn homepage(&self) -> Option<&str> {
        self.0.homepage.as_deref()
    }

    async fn open_to_collaborate(&self) -> bool {
        self.0.open_to_collaborate
    }

    /// true once an account's claim on this public author record has been verified
    async fn claimed(&self) -> bool {
        self.0.claimed
    }

    async fn current_affiliation(&self, ctx: &Context<'_>) -> ApiResult<Option<Institution>> {
        let Some(id) = self.0.current_institution_id else { return Ok(None) };
        Ok(loaders(ctx).load_one(InstitutionKey(id)).await?.map(Institution))
    }

    /// current first, then by years
    async fn affiliations(&self, ctx: &Context<'_>) -> ApiResult<Vec<Affiliation>> {
        let rows = loaders(ctx).load_one(AffiliationsOfAuthor(self.0.id)).await?.unwrap_or_default();
        Ok(rows.iter().cloned().map(Affiliation).collect())
    }

    /// computed from the works and citations held here
    async fn metrics(&self) -> AuthorMetrics {
        let a = &self.0;
        AuthorMetrics {
            works_count: a.works_count,
            citation_count: a.citation_count,
            h_index: a.h_index,
            i10_index: a.i10_index,
            topics_count: a.topics_count,
            collaborators_count: a.collaborators_count,
            close_collaborators_count: a.close_collaborators_count,
            followers_count: a.followers_count,
        }
    }

    /// when an import last created or changed this record
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }

    /// figures imported from elsewhere, with their source
    async fn external_metrics(&self, ctx: &Context<'_>) -> ApiResult<Vec<ExternalMetric>> {
        let rows = loaders(ctx).load_one(ExternalMetricsOfAuthor(self.0.id)).await?.unwrap_or_default();
        Ok(rows.iter().cloned().map(ExternalMetric).collect())
    }

    /// newest first unless `orderBy` says otherwise
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity + 1")]
    async fn works(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<WorkFilter>,
        order_by: Option<WorkOrder>,
    ) -> ApiResult<WorkConnection> {
        let args = WorkListArgs::new(filter, order_by)?;
        works_of(ctx, WorksOf::Author, self.0.id, args, Window::forward(first, after.as_deref())?).await
    }

    /// people who share works with this author, most shared works first
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity + 1")]
    async fn coauthors(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "only coauthors with at least this many shared works (default 1)")] min_shared_works: Option<
            i32,
        >,
    ) -> ApiResult<CoauthorConnection> {
        let min_shared = min_shared_works.unwrap_or(1).max(1);
        let window = Window::forward(first, after.as_deref())?;
        // A hub's page within its first coauthors is read from
        // `coauthor_tops`; the totals are the author's collaborator counts.
        let total = match min_shared {
            1 => Some(self.0.collaborators_count),
            2 => Some(self.0.close_collaborators_count),
            _ => None,
        };
        let within = matches!(window, Window::Forward { after, first } if after + first <= derive::TOP);
        let stored_total = total.filter(|_| within && self.0.collaborators_count >= derive::HUB).map(i64::from);
        let of = AuthorsOf::Coauthors { min_shared };
        let page = loaders(ctx).load_one(AuthorsPageKey { of, parent: self.0.id, window, stored_total }).await?;
        Ok(CoauthorConnection(page.unwrap_or_else(super::work::empty_page)))
    }

    /// an explainable score: the components add up to it (see `social::trust`)
    async fn trust(&self, ctx: &Context<'_>) -> ApiResult<super::trust::Trust> {
        let facts = loaders(ctx).load_one(super::trust::TrustFactsOfAuthor(self.0.id)).await?.unwrap_or_default();
        Ok(super::trust::of(&self.0, facts.first().map(|f| &**f)))
    }

    /// false when anonymous
    async fn viewer_is_following(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        let Some(account) = crate::graphql::viewer::viewer_id(ctx).await? else { return Ok(false) };
        let key = super::social::ViewerFollows { account, item: self.0.id };
        Ok(loaders(ctx).load_one(key).await?.unwrap_or(false))
    }

    /// accounts following this author, latest first
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity + 1")]
    async fn followers(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<super::account::AccountConnection> {
        let window = Window::forward(first, after.as_deref())?;
        let page = crate::graphql::lists::page_of::<super::social::Followers>(ctx, self.0.id, window).await?;
        Ok(super::account::AccountConnection(page.map(super::account::Account::from)))
    }

    /// posts by this author, newest first
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity + 1")]
    async fn posts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<super::post::PostConnection> {
        let window = Window::forward(first, after.as_deref())?;
        let page = crate::graphql::lists::page_of::<super::post::PostsOfAuthor>(ctx, self.0.id, window).await?;
        Ok(super::post::PostConnection(page.map(super::post::Post::from)))
    }

    /// the author's topics, most works first
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity + 1")]
    async fn topics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "1..100, default 20")] first: Option<i32>,
    ) -> ApiResult<LeanList<AuthorTopic>> {
        let first = page_size("first", first)?;
        let rows = loaders(ctx).load_one(TopicsOfAuthorKey { author: self.0.id, first }).await?;
        Ok(topic_list(&self.0, rows.as_deref().unwrap_or_default()))
    }
}

/// An author's topic links as `topics` answers them.
fn topic_list(author: &author::Model, rows: &[AuthorTopicRowOut]) -> LeanList<AuthorTopic> {
    let total = author.works_count.max(1) as f64;
    LeanList(
        rows.iter()
            .map(|r| AuthorTopic {
                works_count: r.author_works_count,
                share: r.author_works_count as f64 / total,
                topic: Lean(Topic(r.topic.clone())),
            })
            .collect(),
    )
}

/// The page size of `topics` asked under `author`, where it is asked.
pub fn topics_wanted(author: &Lookahead<'_>) -> Option<i64> {
    let asked = author.field("topics").selection_fields().into_iter().next()?;
    let first = asked.arguments().ok()?.into_iter().find(|(name, _)| name == "first").map(|(_, value)| value);
    let first = match first {
        None | Some(async_graphql::Value::Null) => None,
        Some(async_graphql::Value::Number(n)) => Some(i32::try_from(n.as_i64()?).ok()?),
        Some(_) => return None,
    };
    page_size("first", first).ok()
}

/// An author with the first topics of theirs read along (a work's
/// authorships read their authors' topics in one DataLoader request per
/// work, where each author's `topics` was a request of its own: 249 of
/// them, about 4,000 instructions each, in the nested benchmark query).
/// The same GraphQL type as `Author`; `topics` asked with another page
/// size, and every other field, resolve as `Author`'s.
pub struct AuthorWithTopics {
    pub author: Author,
    /// the page size read, and the links read
    pub topics: Option<(i64, Arc<[AuthorTopicRowOut]>)>,
}

/// The author's own columns, and `topics` where the page asked is the
/// one read along.
impl Plain for AuthorWithTopics {
    const FIELDS: &'static [&'static str] = Author::FIELDS;
    const NESTED: &'static [&'static str] = &["topics"];
    const ARGUMENTED: &'static [&'static str] = &["topics"];

    fn plain(&self, name: &str) -> Option<async_graphql::Value> {
        self.author.plain(name)
    }

    /// `topics(first: n)` (no other argument), its page size checked as
    /// the resolver checks it.
    fn nested<'a>(name: &str, ctx: &ContextSelectionSet<'a>, field: &'a Positioned<Field>) -> Option<Plan> {
        if name != "topics" || field.node.arguments.iter().any(|(arg, _)| arg.node != "first") {
            return None;
        }
        let page = topics_page(&ctx.with_field(field)).ok()??;
        let mut plan = Plan::of::<AuthorTopic>(ctx, &field.node.selection_set)?;
        plan.page = Some(page);
        Some(plan)
    }

    fn plain_nested(&self, name: &str, plan: &Plan) -> Option<async_graphql::Value> {
        let list = (name == "topics").then(|| self.read_along(plan.page))??;
        list.0.iter().map(|link| plan.apply(link)).collect::<Option<Vec<_>>>().map(async_graphql::Value::List)
    }
}

impl AuthorWithTopics {
    /// The topics read along, where `page` is the page size read.
    fn read_along(&self, page: Option<i64>) -> Option<LeanList<AuthorTopic>> {
        let (first, rows) = self.topics.as_ref()?;
        (page == Some(*first)).then(|| topic_list(&self.author.0, rows))
    }
}

/// The page size the `topics` field at `ctx` asks, as its resolver reads
/// it; None where out of bounds (the resolver's error).
fn topics_page(ctx: &Context<'_>) -> async_graphql::ServerResult<Option<i64>> {
    let (_, asked) = ctx.param_value::<Option<i32>>("first", None)?;
    Ok(page_size("first", asked).ok())
}

impl async_graphql::OutputType for AuthorWithTopics {
    fn type_name() -> std::borrow::Cow<'static, str> {
        Author::type_name()
    }

    fn qualified_type_name() -> String {
        Author::qualified_type_name()
    }

    fn introspection_type_name(&self) -> std::borrow::Cow<'static, str> {
        self.author.introspection_type_name()
    }

    fn create_type_info(registry: &mut async_graphql::registry::Registry) -> String {
        Author::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<async_graphql::parser::types::Field>,
    ) -> async_graphql::ServerResult<async_graphql::Value> {
        async_graphql::resolver_utils::resolve_container(ctx, self).await
    }
}

impl async_graphql::ContainerType for AuthorWithTopics {
    async fn resolve_field(&self, ctx: &Context<'_>) -> async_graphql::ServerResult<Option<async_graphql::Value>> {
        if self.topics.is_some() && ctx.item.node.name.node == "topics" {
            if let Some(list) = self.read_along(topics_page(ctx)?) {
                let set = ctx.with_selection_set(&ctx.item.node.selection_set);
                return async_graphql::OutputType::resolve(&list, &set, ctx.item).await.map(Some);
            }
        }
        self.author.resolve_field(ctx).await
    }
}

impl async_graphql::ObjectType for AuthorWithTopics {}

/// A period of affiliation with an institution.
pub struct Affiliation(pub Arc<affiliation::Model>);

#[Object]
impl Affiliation {
    async fn institution(&self, ctx: &Context<'_>) -> ApiResult<Institution> {
        let row = loaders(ctx).load_one(InstitutionKey(self.0.institution_id)).await?;
        row.map(Institution).ok_or_else(|| {
            crate::error::AppError::Internal(format!("affiliation {} lost its institution", self.0.id)).into()
        })
    }

    async fn start_year(&self) -> Option<i32> {
        self.0.start_year
    }

    async fn end_year(&self) -> Option<i32> {
        self.0.end_year
    }
}

/// Figures computed from the works and citations held here.
#[derive(SimpleObject)]
pub struct AuthorMetrics {
    pub works_count: i32,
    /// citations received by the author's works
    pub citation_count: i32,
    pub h_index: i32,
    /// works with at least 10 citations
    pub i10_index: i32,
    pub topics_count: i32,
    /// distinct coauthors
    pub collaborators_count: i32,
    /// coauthors with two or more shared works
    pub close_collaborators_count: i32,
    pub followers_count: i32,
}

/// A figure imported from elsewhere (e.g. an h-index computed by another service).
pub struct ExternalMetric(pub Arc<external_metric::Model>);

#[Object]
impl ExternalMetric {
    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn value(&self) -> f64 {
        self.0.value
    }

    async fn source(&self) -> Option<&str> {
        Some(&self.0.source)
    }

    async fn as_of(&self) -> Option<Date> {
        self.0.as_of.map(Date)
    }
}

/// A topic of an author's works.
#[derive(SimpleObject)]
pub struct AuthorTopic {
    pub topic: Lean<Topic>,
    pub works_count: i32,
    /// worksCount divided by the author's works count
    pub share: f64,
}

/// Its figures, and its topic where that is plain.
impl Plain for AuthorTopic {
    const FIELDS: &'static [&'static str] = &["worksCount", "share"];
    const NESTED: &'static [&'static str] = &["topic"];

    fn plain(&self, name: &str) -> Option<async_graphql::Value> {
        match name {
            "worksCount" => Some(self.works_count.into()),
            "share" => Some(async_graphql::ScalarType::to_value(&self.share)),
            _ => None,
        }
    }

    fn nested<'a>(name: &str, ctx: &ContextSelectionSet<'a>, field: &'a Positioned<Field>) -> Option<Plan> {
        (name == "topic").then(|| Plan::of::<Topic>(ctx, &field.node.selection_set))?
    }

    fn plain_nested(&self, name: &str, plan: &Plan) -> Option<async_graphql::Value> {
        (name == "topic").then(|| plan.apply(&self.topic.0))?
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TopicsOfAuthorKey {
    pub author: i64,
    pub first: i64,
}

/// By the author alone: a request asks one page size, mostly, and the
/// DataLoader hashes each of the hundreds of keys of a batch (one per
/// authorship of a page) with SipHash some six times.
impl std::hash::Hash for TopicsOfAuthorKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.author.hash(state);
    }
}

impl Loader<TopicsOfAuthorKey> for Batch {
    type Value = Arc<[AuthorTopicRowOut]>;
    type Error = std::sync::Arc<sea_orm::DbErr>;

    /// The first topics of each author by their stored position: an index
    /// range per author, where a window numbered all of their topics.
    async fn load(&self, keys: &[TopicsOfAuthorKey]) -> LoadResult<TopicsOfAuthorKey, Self::Value> {
        crate::graphql::loaders::name_batch::<TopicsOfAuthorKey>(keys.len());
        let mut by_first: HashMap<i64, Vec<i64>> = HashMap::new();
        for k in keys {
            by_first.entry(k.first).or_default().push(k.author);
        }
        let joined = keys.len() <= TOPICS_JOINED_UP_TO;
        let (columns, join) = if joined { (", t.*", " JOIN topics t ON t.id = p.topic_id") } else { ("", "") };
        let mut places = Vec::with_capacity(by_first.len());
        for (first, authors) in by_first {
            let sql = format!(
                "SELECT p.author_id AS parent__, p.topic_id AS topic__, p.works_count AS author_works_count{columns} \
                 FROM author_topics p{join} \
                 WHERE p.author_id IN ({{ids}}) AND p.position <= {first} ORDER BY p.author_id, p.position"
            );
            let mut topic = shared_rows::<topic::Model>();
            let rows = self
                .children_with(&sql, authors.iter().copied(), |r| {
                    let found = if joined { Some(topic(r)?) } else { None };
                    Ok((col!(r, "topic__", i64)?, col!(r, "author_works_count", i32)?, found))
                })
                .await?;
            places.push((first, authors, rows));
        }
        let mut apart: Vec<i64> = places
            .iter()
            .flat_map(|(_, _, rows)| rows.values().flatten().filter(|(_, _, t)| t.is_none()).map(|(id, _, _)| *id))
            .collect();
        apart.sort_unstable();
        apart.dedup();
        let topics = self.by_ids::<topic::Model>("topics", apart.into_iter()).await?;
        let mut out = HashMap::with_capacity(keys.len());
        for (first, authors, mut rows) in places {
            for author in authors {
                let found = rows.remove(&author).unwrap_or_default().into_iter().filter_map(|(id, works, topic)| {
                    let topic = topic.or_else(|| topics.get(&id).cloned())?;
                    Some(AuthorTopicRowOut { author_works_count: works, topic })
                });
                out.insert(TopicsOfAuthorKey { author, first }, found.collect());
            }
        }
        Ok(out)
    }
}

/// Authors in a batch up to which their topics are read joined to their
/// links, in one statement. More authors share most of their topics, which
/// are then read apart, each once: every column of a row read costs a copy
/// (on SQLite, the nested query's 760 joined topic rows, 500 authors', took
/// an eighth of its instructions), and the statement more a round trip.
const TOPICS_JOINED_UP_TO: usize = 16;

#[derive(Clone, Debug)]
pub struct AuthorTopicRowOut {
    author_works_count: i32,
    topic: Arc<topic::Model>,
}

connection!(AuthorConnection, AuthorEdge, Author, "authors");

/// Whose authors a nested list holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuthorsOf {
    Institution,
    Coauthors { min_shared: i32 },
}

/// An author in a list, with what the list knows of them.
#[derive(Clone, Debug)]
pub struct ListedAuthor {
    /// shared: the DataLoader clones a page for each `load_one`
    pub author: Arc<author::Model>,
    pub shared_works_count: Option<i32>,
    pub first_year: Option<i32>,
    pub last_year: Option<i32>,
}

impl AuthorsOf {
    fn query(self) -> (ListQuery, &'static str) {
        match self {
            AuthorsOf::Institution => (
                ListQuery::new(
                    "au.*",
                    "(SELECT author_id, institution_id FROM affiliations \
                      UNION SELECT author_id, institution_id FROM author_institutions) p \
                     JOIN authors au ON au.id = p.author_id",
                    "au.works_count DESC, au.id ASC",
                ),
                "p.institution_id",
            ),
            AuthorsOf::Coauthors { min_shared } => {
                let pairs = derive::coauthor_pairs(true).replace("{ids}", "{parents}");
                let mut q = ListQuery::new(
                    "au.*, c.shared_works_count, c.first_year, c.last_year",
                    format!("({pairs}) c JOIN authors au ON au.id = c.coauthor_id"),
                    derive::COAUTHOR_ORDER,
                );
                q.and("c.shared_works_count >= ?", [Value::from(min_shared)]);
                (q, "c.author_id")
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AuthorsPageKey {
    pub of: AuthorsOf,
    pub parent: i64,
    pub window: Window,
    /// the list's total, when the page is read from `coauthor_tops`
    pub stored_total: Option<i64>,
}

impl AuthorsPageKey {
    fn live(&self) -> Self {
        AuthorsPageKey { stored_total: None, ..self.clone() }
    }
}

fn decode_listed(with_edges: bool, r: &sea_orm::QueryResult) -> Result<ListedAuthor, sea_orm::DbErr> {
    Ok(ListedAuthor {
        author: Arc::new(author::Model::from_row(r)?),
        shared_works_count: if with_edges { col!(&r, "shared_works_count")? } else { None },
        first_year: if with_edges { col!(&r, "first_year")? } else { None },
        last_year: if with_edges { col!(&r, "last_year")? } else { None },
    })
}

impl Batch {
    /// Pages of hubs' coauthors as stored, one statement per kind of page;
    /// a parent whose list is not stored (yet) has no page here.
    async fn stored_coauthor_pages(
        &self,
        keys: &[AuthorsPageKey],
    ) -> Result<HashMap<AuthorsPageKey, Page<ListedAuthor>>, sea_orm::DbErr> {
        let mut groups: HashMap<(AuthorsOf, Window), Vec<&AuthorsPageKey>> = HashMap::new();
        for k in keys {
            groups.entry((k.of, k.window)).or_default().push(k);
        }
        let mut out = HashMap::with_capacity(keys.len());
        for ((of, window), keys) in groups {
            let (AuthorsOf::Coauthors { min_shared }, Window::Forward { after, first }) = (of, window) else {
                continue;
            };
            let mut values: Vec<Value> = keys.iter().map(|k| Value::from(k.parent)).collect();
            let list = padded_in(&mut values);
            values.extend([Value::from(min_shared), Value::from(after), Value::from(after + first)]);
            let sql = format!(
                "SELECT c.author_id AS parent__, au.*, c.shared_works_count, c.first_year, c.last_year, \
                   CAST(c.position AS BIGINT) AS rn__ FROM coauthor_tops c JOIN authors au ON au.id = c.coauthor_id \
                 WHERE c.author_id IN ({list}) AND c.shared_works_count >= ? AND c.position > ? AND c.position <= ? \
                 ORDER BY c.author_id, c.position"
            );
            let mut items: IdMap<Vec<(i64, ListedAuthor)>> = id_map(keys.len());
            for r in self.db.rows(stmt(self.db.backend(), &sql, values)).await? {
                let parent: i64 = col!(&r, "parent__")?;
                let position: i64 = col!(&r, "rn__")?;
                items.entry(parent).or_default().push((position, decode_listed(true, &r)?));
            }
            for k in keys {
                let (Some(items), Some(total)) = (items.remove(&k.parent), k.stored_total) else { continue };
                let first = items.first().map_or(1, |(p, _)| *p);
                let last = items.last().map_or(0, |(p, _)| *p);
                let page = Page { has_previous: first > 1, has_next: last < total, items, total: Total::Known(total) };
                out.insert(k.clone(), page);
            }
        }
        Ok(out)
    }
}

impl Loader<AuthorsPageKey> for Batch {
    type Value = Page<ListedAuthor>;
    type Error = std::sync::Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[AuthorsPageKey]) -> LoadResult<AuthorsPageKey, Self::Value> {
        crate::graphql::loaders::name_batch::<AuthorsPageKey>(keys.len());
        let stored: Vec<AuthorsPageKey> = keys.iter().filter(|k| k.stored_total.is_some()).cloned().collect();
        let mut found = match stored.is_empty() {
            true => HashMap::new(),
            false => self.stored_coauthor_pages(&stored).await?,
        };
        // The rest, and stored pages not found, are grouped from the pairs.
        let live: Vec<AuthorsPageKey> =
            keys.iter().filter(|k| !found.contains_key(*k)).map(AuthorsPageKey::live).collect();
        let mut out = self
            .nested_pages(
                &live,
                |k| ((k.of, k.window), k.parent),
                |(of, window)| {
                    let (list, parent) = of.query();
                    (list, parent, *window)
                },
                // Coauthor lists carry edge columns; institution lists do not.
                |(of, _), r| decode_listed(matches!(of, AuthorsOf::Coauthors { .. }), r),
                |(of, window), parent| AuthorsPageKey { of: *of, parent, window: *window, stored_total: None },
            )
            .await?;
        // `out` holds the live keys' pages as they are; a stored key takes
        // its own page or, when its list was not stored, a copy of the live one.
        for k in keys.iter().filter(|k| k.stored_total.is_some()) {
            if let Some(page) = found.remove(k).or_else(|| out.get(&k.live()).cloned()) {
                out.insert(k.clone(), page);
            }
        }
        Ok(out)
    }
}

pub async fn authors_of(ctx: &Context<'_>, of: AuthorsOf, parent: i64, window: Window) -> ApiResult<AuthorConnection> {
    let page = loaders(ctx)
        .load_one(AuthorsPageKey { of, parent, window, stored_total: None })
        .await?
        .unwrap_or_else(super::work::empty_page);
    Ok(AuthorConnection(Page {
        items: page.items.into_iter().map(|(p, a)| (p, Author(a.author))).collect(),
        has_previous: page.has_previous,
        has_next: page.has_next,
        total: page.total,
    }))
}

/// A page of an author's coauthors.
pub struct CoauthorConnection(pub Page<ListedAuthor>);

#[Object]
impl CoauthorConnection {
    async fn edges(&self) -> Vec<CoauthorEdge<'_>> {
        self.0.items.iter().map(|(position, listed)| CoauthorEdge { position: *position, listed }).collect()
    }

    async fn page_info(&self) -> PageInfo {
        PageInfo::of(&self.0)
    }

    /// The number of coauthors in the whole list, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        Ok(self.0.total.resolve(&crate::graphql::loaders::db(ctx).reads()).await?)
    }
}

/// A coauthor and what they share with the author.
pub struct CoauthorEdge<'a> {
    position: i64,
    listed: &'a ListedAuthor,
}

#[Object]
impl<'a> CoauthorEdge<'a> {
    async fn cursor(&self) -> String {
        encode_cursor(self.position)
    }

    async fn node(&self) -> Author {
        Author(self.listed.author.clone())
    }

    /// works both wrote
    async fn shared_works_count(&self) -> i32 {
        self.listed.shared_works_count.unwrap_or(0)
    }

    /// year of the first shared work
    async fn first_year(&self) -> Option<i32> {
        self.listed.first_year
    }

    /// year of the latest shared work
    async fn last_year(&self) -> Option<i32> {
        self.listed.last_year
    }
}

/// Narrows a list of authors.
#[derive(InputObject, Clone, Debug, Default)]
pub struct AuthorFilter {
    /// case-insensitive substring of the display name
    pub name_contains: Option<String>,
    /// affiliated with, or writing from, this institution
    pub institution_id: Option<ID>,
    /// with works on this topic
    pub topic_id: Option<ID>,
}

#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthorOrderField {
    Name,
    WorksCount,
    CitationCount,
    HIndex,
}

/// How to order authors; the default is by name.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct AuthorOrder {
    pub field: AuthorOrderField,
    pub direction: SortDirection,
}

pub fn authors_query(filter: Option<AuthorFilter>, order: Option<AuthorOrder>) -> ApiResult<ListQuery> {
    let (field, dir) = order.map_or((AuthorOrderField::Name, SortDirection::Asc), |o| (o.field, o.direction));
    let dir = dir.sql();
    let column = match field {
        AuthorOrderField::Name => "au.display_name",
        AuthorOrderField::WorksCount => "au.works_count",
        AuthorOrderField::CitationCount => "au.citation_count",
        AuthorOrderField::HIndex => "au.h_index",
    };
    let mut q = ListQuery::new("au.*", "authors au", format!("{column} {dir}, au.id {dir}"));
    let f = filter.unwrap_or_default();
    if let Some(text) = &f.name_contains {
        q.and("LOWER(au.display_name) LIKE ? ESCAPE '\\'", [Value::from(crate::graphql::query::like_pattern(text))]);
    }
    if let Some(id) = &f.institution_id {
        let id = global_id::decode(Kind::Institution, id)?;
        q.and(
            "(EXISTS (SELECT 1 FROM affiliations fa WHERE fa.author_id = au.id AND fa.institution_id = ?) \
              OR EXISTS (SELECT 1 FROM author_institutions fi WHERE fi.author_id = au.id AND fi.institution_id = ?))",
            [Value::from(id), Value::from(id)],
        );
    }
    if let Some(id) = &f.topic_id {
        let id = global_id::decode(Kind::Topic, id)?;
        q.and(
            "EXISTS (SELECT 1 FROM author_topics ft WHERE ft.author_id = au.id AND ft.topic_id = ?)",
            [Value::from(id)],
        );
    }
    Ok(q)
}
