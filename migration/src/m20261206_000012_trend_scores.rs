//! Derived: each work's trending score, upvotes and last featured day for
//! every window of 1, 7 and 30 days it counts in (kept by the derived-data
//! step, `src/ingest/derive/trends.rs`), indexed in trending's order: a
//! page of `trending` for those windows is an index range, where every work
//! featured in the window was scored and sorted per request (2,333 at
//! 1,000,000 works: trending's time grew 3× from 100,000 works).
use crate::names::{col, fk, run_unbounded, table};
use ForeignKeyAction::Cascade;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("trend_scores")
                .col(big_integer(col("work_id")))
                .col(integer(col("length")))
                .col(date(col("end_day")))
                .col(double(col("score")))
                .col(big_integer(col("upvotes")))
                .col(date(col("featured_on")))
                .primary_key(Index::create().col(col("work_id")).col(col("length")).col(col("end_day")))
                .foreign_key(&mut fk("trend_scores", "work_id", "works", Cascade))
                .to_owned(),
        )
        .await?;
        let index = "CREATE INDEX IF NOT EXISTS ix_trend_scores_ranked ON trend_scores \
                     (length, end_day, score DESC, upvotes DESC, work_id)";
        let fill = scores(m.get_database_backend()).replace("{works}", "1 = 1");
        run_unbounded(m, &[index, &fill]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("trend_scores")).if_exists().to_owned()).await
    }
}

/// The rows of `trend_scores` for the works `{works}` selects (a condition
/// on `work_id`), as the derived-data step wrote them when this migration
/// was made (`ingest::derive::trends`).
fn scores(backend: DbBackend) -> String {
    let windows: Vec<String> = [1, 7, 30]
        .iter()
        .flat_map(|length| {
            (0..*length)
                .map(move |age| format!("({length}, {age}, CAST({:?} AS DOUBLE PRECISION))", 1.0 / (1.0 + age as f64)))
        })
        .collect();
    let end_day = match backend {
        DbBackend::Postgres => "p.day + a.column2",
        _ => "date(p.day, '+' || a.column2 || ' days')",
    };
    format!(
        "INSERT INTO trend_scores (work_id, length, end_day, score, upvotes, featured_on) \
         SELECT p.work_id, a.column1, {end_day}, SUM(p.points * a.column3), MAX(p.imported) + SUM(p.upvoted), \
           COALESCE(MAX(p.featured_on), MAX(p.day)) \
         FROM (SELECT e.work_id, e.day, SUM(e.points) AS points, MAX(e.imported) AS imported, \
                 SUM(e.upvoted) AS upvoted, MAX(e.featured_on) AS featured_on \
               FROM (SELECT work_id, featured_on AS day, COALESCE(upvotes, 0) + 1 AS points, \
                       COALESCE(upvotes, 0) AS imported, 0 AS upvoted, featured_on \
                     FROM work_features WHERE {{works}} \
                     UNION ALL \
                     SELECT work_id, day, 1, 0, 1, NULL FROM upvotes WHERE {{works}}) e \
               GROUP BY e.work_id, e.day) p \
         CROSS JOIN (VALUES {}) AS a \
         GROUP BY p.work_id, a.column1, {end_day}",
        windows.join(", ")
    )
}
