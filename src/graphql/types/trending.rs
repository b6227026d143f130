//! `trending`: works featured in a window of days, ranked.
//!
//! Score: every day a work was featured within the window adds its upvotes
//! plus one, divided by one plus the day's age in days on `date` (a feature
//! on `date` counts in full, the day before half, two days before a third…).
//! An upvote by an account here counts one, weighted the same way by the
//! day it was given, so a work upvoted here trends without being featured.
//! Ties go to the work with more upvotes, then to the lower id. Windows of
//! 1, 7 and 30 days are read ranked from `trend_scores`
//! (`ingest::derive::trends`); others are scored per request.
use async_graphql::parser::types::Field;
use async_graphql::{Context, ContextSelectionSet, Object, Positioned};
use chrono::{Duration, NaiveDate};
use sea_orm::{QueryResult, Value};

use super::work::{self, Work};
use crate::db::{Db, FromRow, col};
use crate::error::{ApiResult, AppResult};
use crate::graphql::connection::PageInfo;
use crate::graphql::lean::{Lean, LeanList, Plain, Plan};
use crate::graphql::loaders::db;
use crate::graphql::paging::{ListQuery, Page, Window, bounded, encode_cursor};
use crate::graphql::scalars::Date;
use crate::ingest::derive::{TREND_WINDOWS, trend_weight};

pub const DEFAULT_DAYS: i32 = 7;
pub const MAX_DAYS: i32 = 366;

/// A work with what made it trend.
pub struct Trend {
    work: Work,
    score: f64,
    upvotes: i32,
    featured_on: NaiveDate,
}

/// A ranked row before its work is loaded.
#[derive(Clone, Debug)]
pub struct Ranked {
    pub work_id: i64,
    pub score: f64,
    pub upvotes: i32,
    pub featured_on: NaiveDate,
}

impl FromRow for Ranked {
    fn from_row(row: &QueryResult) -> Result<Self, sea_orm::DbErr> {
        Ok(Self {
            work_id: col!(row, "work_id")?,
            score: col!(row, "score")?,
            upvotes: col!(row, "upvotes", i64)? as i32,
            featured_on: col!(row, "featured_on")?,
        })
    }
}

/// Where a ranking comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ranking {
    /// `trend_scores`, kept for windows of `TREND_WINDOWS` days: an index
    /// range, whatever the number of works featured in the window
    Stored,
    /// every work featured or upvoted in the window, scored and sorted
    Computed,
}

impl Ranking {
    pub fn for_days(days: i32) -> Self {
        if TREND_WINDOWS.contains(&days) { Ranking::Stored } else { Ranking::Computed }
    }
}

/// The works featured in the `days` days ending on `date`, best first.
pub async fn trending(
    ctx: &Context<'_>,
    date: Option<Date>,
    days: Option<i32>,
    first: Option<i32>,
    after: Option<String>,
) -> ApiResult<TrendingConnection> {
    let days = bounded("days", days, DEFAULT_DAYS, 1..=MAX_DAYS)?;
    let window = Window::forward(first, after.as_deref())?;
    let end = date.map_or_else(|| chrono::Utc::now().date_naive(), |d| d.0);
    let page = rank(db(ctx), end, days, window, Ranking::for_days(days)).await?;
    // Rows are gone only if a work was deleted since: it drops out.
    let selection = ctx.look_ahead().field("edges").field("node");
    let works = work::by_ids(ctx, page.items.iter().map(|(_, r)| r.work_id), &selection).await?;
    Ok(TrendingConnection(page.filter_map(|r| {
        works.get(&r.work_id).map(|w| Trend {
            work: Work(w.clone()),
            score: r.score,
            upvotes: r.upvotes,
            featured_on: r.featured_on,
        })
    })))
}

/// A page of the ranking of the `days` days ending on `end`, as keys: the
/// page's works are loaded after (joined before the sort, every work of
/// the window was read whole, abstract included, to keep 20).
pub async fn rank(db: &Db, end: NaiveDate, days: i32, window: Window, ranking: Ranking) -> AppResult<Page<Ranked>> {
    let order = "t.score DESC, t.upvotes DESC, t.work_id";
    if ranking == Ranking::Stored {
        // The window's count is kept beside it, read once per statement;
        // `days` and `end` are an integer and a date, safe to write out.
        let count = format!(
            "(SELECT COALESCE(MAX(c.works_count), 0) FROM trend_windows c WHERE c.length = {days} AND c.end_day = '{end}')"
        );
        let mut query = ListQuery::new("t.work_id, t.score, t.upvotes, t.featured_on", "trend_scores t", order);
        query.and("t.length = ? AND t.end_day = ?", [days.into(), Value::ChronoDate(Some(end))]);
        return query.counted_by(count).fetch(db, window).await;
    }
    // Each day of the window with its weight, as a table of bound values.
    let mut values: Vec<Value> = Vec::with_capacity(days as usize * 2);
    for age in 0..days {
        values.push(Value::ChronoDate(Some(end - Duration::days(age as i64))));
        values.push(Value::Double(Some(trend_weight(age))));
    }
    let table = vec!["(?, ?)"; days as usize].join(", ");
    // Featured days and upvotes by accounts here, each weighted by its day.
    let from = format!(
        "(SELECT e.work_id, SUM(e.score) AS score, \
           CAST(MAX(e.imported) + SUM(e.upvoted) AS BIGINT) AS upvotes, \
           COALESCE(MAX(e.featured_on), MAX(e.day)) AS featured_on \
         FROM (SELECT f.work_id, (COALESCE(f.upvotes, 0) + 1) * d.column2 AS score, COALESCE(f.upvotes, 0) AS imported, \
                 0 AS upvoted, f.featured_on, f.featured_on AS day \
               FROM work_features f JOIN (VALUES {table}) AS d ON f.featured_on = d.column1 \
               UNION ALL \
               SELECT u.work_id, d.column2, 0, 1, NULL, u.day \
               FROM upvotes u JOIN (VALUES {table}) AS d ON u.day = d.column1) e \
         GROUP BY e.work_id) t"
    );
    values.extend(values.clone());
    let mut query = ListQuery::new("t.*", from, order).counted_beside();
    query.values = values;
    query.fetch(db, window).await
}

/// A page of trending works.
pub struct TrendingConnection(Page<Trend>);

#[Object]
impl TrendingConnection {
    async fn edges(&self) -> LeanList<TrendingEdge<'_>> {
        LeanList(self.0.items.iter().map(|(position, trend)| TrendingEdge { position: *position, trend }).collect())
    }

    async fn page_info(&self) -> PageInfo {
        PageInfo::of(&self.0)
    }

    /// The number of works featured or upvoted in the window.
    async fn total_count(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        Ok(self.0.total.resolve(&db(ctx).reads()).await?)
    }
}

/// A trending work with its rank and score.
pub struct TrendingEdge<'a> {
    position: i64,
    trend: &'a Trend,
}

/// Its figures, and its work where that is plain.
impl Plain for TrendingEdge<'_> {
    const FIELDS: &'static [&'static str] = &["cursor", "rank", "score", "upvotes", "featuredOn"];
    const NESTED: &'static [&'static str] = &["node"];

    fn plain(&self, name: &str) -> Option<async_graphql::Value> {
        use async_graphql::{ScalarType, Value};
        Some(match name {
            "cursor" => Value::String(encode_cursor(self.position)),
            "rank" => (self.position as i32).into(),
            "score" => self.trend.score.to_value(),
            "upvotes" => self.trend.upvotes.into(),
            "featuredOn" => Date(self.trend.featured_on).to_value(),
            _ => return None,
        })
    }

    fn nested<'a>(name: &str, ctx: &ContextSelectionSet<'a>, field: &'a Positioned<Field>) -> Option<Plan> {
        (name == "node").then(|| Plan::of::<Work>(ctx, &field.node.selection_set))?
    }

    fn plain_nested(&self, name: &str, plan: &Plan) -> Option<async_graphql::Value> {
        (name == "node").then(|| plan.apply(&self.trend.work))?
    }
}

#[Object]
impl TrendingEdge<'_> {
    async fn cursor(&self) -> String {
        encode_cursor(self.position)
    }

    async fn node(&self) -> Lean<&Work> {
        Lean(&self.trend.work)
    }

    /// 1 for the top work.
    async fn rank(&self) -> i32 {
        self.position as i32
    }

    /// See the module documentation: upvotes plus one per featured day, and
    /// one per upvote here, each divided by one plus the day's age.
    async fn score(&self) -> f64 {
        self.trend.score
    }

    /// The highest count imported within the window, plus upvotes given
    /// here within it.
    async fn upvotes(&self) -> i32 {
        self.trend.upvotes
    }

    /// The last day within the window the work was featured (or, if it
    /// never was, upvoted here).
    async fn featured_on(&self) -> Date {
        Date(self.trend.featured_on)
    }
}
