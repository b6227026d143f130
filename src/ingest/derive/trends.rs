//! `trend_scores`: each work's trending score, upvotes and last featured
//! day for every stored window length and every window end it counts in,
//! so that `trending` over those windows reads an index range instead of
//! scoring every work featured in the window per request. The score is
//! `graphql::types::trending`'s: per day, imported upvotes plus one per
//! feature and one per upvote here, divided by one plus the day's age.
use sea_orm::{DbBackend, DbErr};

use super::{Scope, run_scoped};
use crate::db::Sink;

/// Window lengths kept in `trend_scores`; `trending` computes the others.
pub const WINDOWS: [i32; 3] = [1, 7, 30];

/// A day's weight in a window it is `age` days before the end of.
pub fn weight(age: i32) -> f64 {
    1.0 / (1.0 + age as f64)
}

pub async fn trends<C: Sink>(conn: &C, scope: Scope<'_>) -> Result<(), DbErr> {
    let insert = scores(conn.get_database_backend());
    match scope {
        Scope::All => {
            conn.execute_unprepared("DELETE FROM trend_scores").await?;
            conn.execute_unprepared(&insert.replace("{works}", "1 = 1")).await?;
            Ok(())
        }
        Scope::Ids(ids) => {
            run_scoped(conn, ids, "DELETE FROM trend_scores WHERE work_id IN ({ids})").await?;
            run_scoped(conn, ids, &insert.replace("{works}", "work_id IN ({ids})")).await
        }
    }
}

/// Inserts the rows of the works `{works}` selects (a condition on
/// `work_id`): their points per day, spread over every window of each
/// length that holds the day, a row per window end.
fn scores(backend: DbBackend) -> String {
    // Weights as doubles on both databases: PostgreSQL would multiply
    // numerics and round differently from the computed ranking.
    let windows: Vec<String> = WINDOWS
        .iter()
        .flat_map(|length| {
            (0..*length).map(move |age| format!("({length}, {age}, CAST({:?} AS DOUBLE PRECISION))", weight(age)))
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
