//! Facets of a list of works: how many works of the whole list (not just
//! the page) fall in each year, type, topic, venue and institution, the 20
//! largest of each, one statement per facet asked for.
use std::collections::HashMap;
use std::hash::Hash;

use async_graphql::{Context, Object, SimpleObject};
use sea_orm::ConnectionTrait;

use super::institution::{Institution, InstitutionKey};
use super::topic::{Topic, TopicKey};
use super::venue::{Venue, VenueKey};
use crate::db::stmt;
use crate::error::ApiResult;
use crate::graphql::enums::WorkType;
use crate::graphql::loaders::{db, loaders};
use crate::graphql::paging::ListQuery;

/// Values kept per facet, largest first.
const FACET_SIZE: i64 = 20;

/// The facets of a list of works, computed when asked for.
#[derive(Clone, Debug)]
pub struct WorkFacets(pub ListQuery);

impl WorkFacets {
    /// Works of the list per value of `key`, reached through `join`; `repeats`
    /// when the join may reach a value more than once from one work (then
    /// counting distinct works costs a sort per group: a facet of a million
    /// works took 4 s that way).
    async fn buckets<K: sea_orm::TryGetable>(
        &self,
        ctx: &Context<'_>,
        key: &str,
        join: &str,
        repeats: bool,
    ) -> ApiResult<Vec<(K, i64)>> {
        let count = if repeats { "COUNT(DISTINCT w.id)" } else { "COUNT(*)" };
        let q = &self.0;
        let filter = match q.where_clause() {
            w if w.is_empty() => format!(" WHERE {key} IS NOT NULL"),
            w => format!("{w} AND {key} IS NOT NULL"),
        };
        let sql = format!(
            "SELECT {key} AS k, {count} AS n FROM {}{join}{filter} GROUP BY {key} ORDER BY n DESC, k LIMIT {FACET_SIZE}",
            q.from
        );
        let conn = &db(ctx).read;
        let rows = conn.query_all_raw(stmt(conn.get_database_backend(), &sql, q.values.clone())).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push((row.try_get::<K>("", "k")?, row.try_get::<i64>("", "n")?));
        }
        Ok(out)
    }
}

/// Buckets of row ids as facet entries, with the rows the loader found.
fn entries<K: Hash + Eq, M: Clone, T>(
    rows: Vec<(i64, i64)>,
    found: &HashMap<K, M>,
    key: fn(i64) -> K,
    entry: impl Fn(M, i64) -> T,
) -> Vec<T> {
    rows.into_iter().filter_map(|(id, count)| Some(entry(found.get(&key(id))?.clone(), count))).collect()
}

#[derive(SimpleObject)]
pub struct YearCount {
    year: i32,
    count: i64,
}

#[derive(SimpleObject)]
pub struct TypeCount {
    #[graphql(name = "type")]
    work_type: WorkType,
    count: i64,
}

#[derive(SimpleObject)]
pub struct TopicCount {
    topic: Topic,
    count: i64,
}

#[derive(SimpleObject)]
pub struct VenueCount {
    venue: Venue,
    count: i64,
}

#[derive(SimpleObject)]
pub struct InstitutionCount {
    institution: Institution,
    count: i64,
}

#[Object]
impl WorkFacets {
    /// Works per publication year.
    async fn years(&self, ctx: &Context<'_>) -> ApiResult<Vec<YearCount>> {
        let rows = self.buckets::<i32>(ctx, "w.year", "", false).await?;
        Ok(rows.into_iter().map(|(year, count)| YearCount { year, count }).collect())
    }

    /// Works per type.
    async fn types(&self, ctx: &Context<'_>) -> ApiResult<Vec<TypeCount>> {
        let rows = self.buckets::<String>(ctx, "w.work_type", "", false).await?;
        Ok(rows.into_iter().map(|(t, count)| TypeCount { work_type: WorkType::from_stored(&t), count }).collect())
    }

    /// Works per topic.
    async fn topics(&self, ctx: &Context<'_>) -> ApiResult<Vec<TopicCount>> {
        let rows =
            self.buckets::<i64>(ctx, "fwt.topic_id", " JOIN work_topics fwt ON fwt.work_id = w.id", false).await?;
        let found = loaders(ctx).load_many(rows.iter().map(|(id, _)| TopicKey(*id))).await?;
        Ok(entries(rows, &found, TopicKey, |m, count| TopicCount { topic: Topic(m), count }))
    }

    /// Works per venue.
    async fn venues(&self, ctx: &Context<'_>) -> ApiResult<Vec<VenueCount>> {
        let rows = self.buckets::<i64>(ctx, "w.venue_id", "", false).await?;
        let found = loaders(ctx).load_many(rows.iter().map(|(id, _)| VenueKey(*id))).await?;
        Ok(entries(rows, &found, VenueKey, |m, count| VenueCount { venue: Venue(m), count }))
    }

    /// Works per institution of their authors.
    async fn institutions(&self, ctx: &Context<'_>) -> ApiResult<Vec<InstitutionCount>> {
        let join = " JOIN authorships fa2 ON fa2.work_id = w.id JOIN authorship_institutions fai ON fai.authorship_id = fa2.id";
        let rows = self.buckets::<i64>(ctx, "fai.institution_id", join, true).await?;
        let found = loaders(ctx).load_many(rows.iter().map(|(id, _)| InstitutionKey(*id))).await?;
        Ok(entries(rows, &found, InstitutionKey, |m, count| InstitutionCount { institution: Institution(m), count }))
    }
}
