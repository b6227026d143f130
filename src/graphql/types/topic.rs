//! `Topic`: an arXiv class, a keyword or an OpenAlex topic.
use async_graphql::dataloader::Loader;
use async_graphql::{Context, ID, InputObject, Object};
use sea_orm::Value;
use std::sync::Arc;

use super::author::Author;
use super::work::{WorkConnection, WorkListArgs, WorkOrder, WorksOf, works_of};
use crate::db::FromRow;
use crate::entities::{author, topic};
use crate::error::ApiResult;
use crate::graphql::connection::connection;
use crate::graphql::enums::TopicScheme;
use crate::graphql::global_id::{self, Kind};
use crate::graphql::lean::{Plain, text};
use crate::graphql::loaders::{Batch, LoadResult, Rows, by_id, loaders};
use crate::graphql::paging::{ListQuery, Window, page_size};

by_id!(TopicKey, topic);

/// A subject: an arXiv class, a keyword or an OpenAlex topic.
#[derive(Clone, Debug)]
pub struct Topic(pub Arc<topic::Model>);

/// Its row's own columns, as the resolvers below answer them.
impl Plain for Topic {
    const FIELDS: &'static [&'static str] = &["id", "code", "name", "worksCount"];

    fn plain(&self, name: &str) -> Option<async_graphql::Value> {
        let t = &self.0;
        Some(match name {
            "id" => async_graphql::Value::String(global_id::encode(Kind::Topic, t.id).0),
            "code" => text(&t.code),
            "name" => async_graphql::Value::String(t.name.clone()),
            "worksCount" => async_graphql::Value::from(t.works_count),
            _ => return None,
        })
    }
}

#[Object]
impl Topic {
    pub async fn id(&self) -> ID {
        global_id::encode(Kind::Topic, self.0.id)
    }

    async fn scheme(&self) -> TopicScheme {
        TopicScheme::from_stored(&self.0.scheme)
    }

    /// scheme-specific code, e.g. cs.LG
    async fn code(&self) -> Option<&str> {
        self.0.code.as_deref()
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn parent(&self, ctx: &Context<'_>) -> ApiResult<Option<Topic>> {
        let Some(id) = self.0.parent_id else { return Ok(None) };
        Ok(loaders(ctx).load_one(TopicKey(id)).await?.map(Topic))
    }

    /// number of works on this topic
    async fn works_count(&self) -> i32 {
        self.0.works_count
    }

    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity + 1")]
    async fn works(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        order_by: Option<WorkOrder>,
    ) -> ApiResult<WorkConnection> {
        let args = WorkListArgs::new(None, order_by)?;
        works_of(ctx, WorksOf::Topic, self.0.id, args, Window::forward(first, after.as_deref())?).await
    }

    /// the authors with the most works on this topic
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity + 1")]
    async fn top_authors(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "1..100, default 20")] first: Option<i32>,
    ) -> ApiResult<Vec<Author>> {
        let first = page_size("first", first)?;
        let rows = loaders(ctx).load_one(TopAuthorsKey { topic: self.0.id, first }).await?.unwrap_or_default();
        Ok(rows.iter().map(|m| Author(m.clone())).collect())
    }
}

connection!(TopicConnection, TopicEdge, Topic, "topics");

/// Narrows a list of topics.
#[derive(InputObject, Clone, Debug, Default)]
pub struct TopicFilter {
    pub scheme: Option<TopicScheme>,
    /// case-insensitive substring of the name or code
    pub name_contains: Option<String>,
}

impl TopicFilter {
    /// Topics with the most works first.
    pub fn query(&self) -> ListQuery {
        let mut q = ListQuery::new("t.*", "topics t", "t.works_count DESC, t.id ASC");
        if let Some(s) = self.scheme {
            q.and("t.scheme = ?", [Value::from(s.stored())]);
        }
        if let Some(text) = &self.name_contains {
            let pattern = crate::graphql::query::like_pattern(text);
            q.and(
                "(LOWER(t.name) LIKE ? ESCAPE '\\' OR LOWER(t.code) LIKE ? ESCAPE '\\')",
                [Value::from(pattern.clone()), Value::from(pattern)],
            );
        }
        q
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TopAuthorsKey {
    topic: i64,
    first: i64,
}

impl Loader<TopAuthorsKey> for Batch {
    type Value = Rows<author::Model>;
    type Error = std::sync::Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[TopAuthorsKey]) -> LoadResult<TopAuthorsKey, Self::Value> {
        crate::graphql::loaders::name_batch::<TopAuthorsKey>(keys.len());
        let pages = self
            .nested_pages(
                keys,
                |k| (k.first, k.topic),
                |first| {
                    let list = ListQuery::new(
                        "au.*",
                        "author_topics p JOIN authors au ON au.id = p.author_id",
                        "p.works_count DESC, au.works_count DESC, au.id ASC",
                    );
                    (list, "p.topic_id", Window::Forward { after: 0, first: *first })
                },
                |_, r| author::Model::from_row(r).map(Arc::new),
                |first, topic| TopAuthorsKey { topic, first: *first },
            )
            .await?;
        Ok(pages.into_iter().map(|(k, page)| (k, page.items.into_iter().map(|(_, m)| m).collect())).collect())
    }
}
