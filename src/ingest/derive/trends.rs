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

/// Refreshes `trend_scores` and the window counts in `trend_windows`: the
/// works' old rows are taken out of the counts, their new rows added.
pub async fn trends<C: Sink>(conn: &C, scope: Scope<'_>) -> Result<(), DbErr> {
    let insert = scores(conn.get_database_backend());
    match scope {
        Scope::All => {
            conn.execute_unprepared("DELETE FROM trend_scores").await?;
            conn.execute_unprepared(&insert.replace("{works}", "1 = 1")).await?;
            conn.execute_unprepared("DELETE FROM trend_windows").await?;
            conn.execute_unprepared(&format!("{COUNT} WHERE 1 = 1 GROUP BY length, end_day")).await?;
            Ok(())
        }
        Scope::Ids(ids) => {
            run_scoped(
                conn,
                ids,
                "UPDATE trend_windows SET works_count = works_count - o.n \
                 FROM (SELECT length, end_day, COUNT(*) AS n FROM trend_scores WHERE work_id IN ({ids}) \
                       GROUP BY length, end_day) o \
                 WHERE trend_windows.length = o.length AND trend_windows.end_day = o.end_day",
            )
            .await?;
            run_scoped(conn, ids, "DELETE FROM trend_scores WHERE work_id IN ({ids})").await?;
            run_scoped(conn, ids, &insert.replace("{works}", "work_id IN ({ids})")).await?;
            let add = format!(
                "{COUNT} WHERE work_id IN ({{ids}}) GROUP BY length, end_day \
                 ON CONFLICT (length, end_day) DO UPDATE SET works_count = trend_windows.works_count + excluded.works_count"
            );
            run_scoped(conn, ids, &add).await
        }
    }
}

/// Counts rows of `trend_scores` into `trend_windows`; a WHERE follows (SQLite
/// needs one before an upsert's ON CONFLICT).
const COUNT: &str = "INSERT INTO trend_windows (length, end_day, works_count) \
     SELECT length, end_day, COUNT(*) FROM trend_scores";

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
