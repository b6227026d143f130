//! Derived data (citation counts, coauthor pairs, author topics, author
//! metrics, topic counts, trending scores), refreshed for just the rows an
//! import touched, or for everything on demand (`rebuild`).
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, TransactionTrait, Value};

use crate::db::{Db, Sink, in_chunks, padded_in, stmt};

mod rebuild;
mod trends;

pub use trends::{WINDOWS as TREND_WINDOWS, trends, weight as trend_weight};

/// Which rows to refresh: a set of ids, or every row.
#[derive(Clone, Copy)]
pub enum Scope<'a> {
    Ids(&'a [i64]),
    All,
}

// Bound parameters per statement, well under SQLite's and Postgres' limits.
const CHUNK: usize = 512;

/// Runs `template` for the ids, a chunk at a time; `{ids}` stands for the
/// chunk's `IN (…)` list, possibly several times.
async fn run_scoped<C: ConnectionTrait>(conn: &C, ids: &[i64], template: &str) -> Result<(), DbErr> {
    let uses = template.matches("{ids}").count();
    for chunk in ids.chunks(CHUNK) {
        let mut ids: Vec<Value> = chunk.iter().map(|id| Value::from(*id)).collect();
        let sql = template.replace("{ids}", &padded_in(&mut ids));
        let values: Vec<Value> = (0..uses).flat_map(|_| ids.iter().cloned()).collect();
        conn.execute_raw(stmt(conn.get_database_backend(), &sql, values)).await?;
    }
    Ok(())
}

pub async fn works<C: Sink>(conn: &C, scope: Scope<'_>) -> Result<(), DbErr> {
    child_count(conn, scope, "works", "cited_by_count", "citations", "cited_work_id", "citing_work_id").await
}

pub async fn topics<C: Sink>(conn: &C, scope: Scope<'_>) -> Result<(), DbErr> {
    child_count(conn, scope, "topics", "works_count", "work_topics", "topic_id", "work_id").await
}

/// `table.column` as the number of `child` rows whose `key` names the row:
/// every row counted in memory (`rebuild::counts`, which reads `child` in
/// slices of the work id `by`), a few in SQL.
async fn child_count<C: Sink>(
    conn: &C,
    scope: Scope<'_>,
    table: &str,
    column: &str,
    child: &str,
    key: &str,
    by: &str,
) -> Result<(), DbErr> {
    match scope {
        Scope::All => rebuild::counts(conn, table, column, child, key, by).await,
        Scope::Ids(ids) => {
            let sql = format!(
                "UPDATE {table} SET {column} = (SELECT COUNT(*) FROM {child} c WHERE c.{key} = {table}.id) \
                 WHERE {table}.id IN ({{ids}})"
            );
            run_scoped(conn, ids, &sql).await
        }
    }
}

pub async fn authors<C: Sink>(conn: &C, scope: Scope<'_>) -> Result<(), DbErr> {
    match scope {
        Scope::All => {
            rebuild::authors(conn).await?;
            // One grouping of every authorship: the rebuild runs without the
            // import's secondary indexes, where a range per slice of authors
            // would read them all each time.
            conn.execute_unprepared("DELETE FROM author_institutions").await?;
            conn.execute_unprepared(&author_institutions("a.author_id IS NOT NULL")).await?;
            Ok(())
        }
        Scope::Ids(ids) => {
            for chunk in ids.chunks(CHUNK) {
                authors_in(conn, chunk).await?;
            }
            Ok(())
        }
    }
}

/// Coauthor pairs of the authors `{ids}`: who shares how many works with
/// whom (and in which years, with `years`). Computed where needed, never
/// stored: pairs grow with the square of the authors per work (5.4 million
/// rows for 100,000 generated works).
pub fn coauthor_pairs(years: bool) -> String {
    let (columns, join) = match years {
        true => (", MIN(w.year) AS first_year, MAX(w.year) AS last_year", " JOIN works w ON w.id = a.work_id"),
        false => ("", ""),
    };
    format!(
        "SELECT a.author_id, b.author_id AS coauthor_id, CAST(COUNT(DISTINCT a.work_id) AS INTEGER) AS shared_works_count{columns} \
         FROM authorships a JOIN authorships b ON b.work_id = a.work_id AND b.author_id <> a.author_id{join} \
         WHERE a.author_id IN ({{ids}}) GROUP BY a.author_id, b.author_id"
    )
}

/// Authors with at least this many coauthors keep their first [`TOP`] in
/// `coauthor_tops`: grouping a hub's pairs took 70 ms (SQLite) and 147 ms
/// (PostgreSQL) per profile view for 11,577 coauthors, where an author below
/// this takes about a millisecond.
pub const HUB: i32 = 256;

/// Coauthors kept per hub: a page within them is read, not grouped.
pub const TOP: i64 = 100;

/// The order of an author's coauthor list, over `coauthor_pairs(true)` as `c`.
pub const COAUTHOR_ORDER: &str = "c.shared_works_count DESC, c.last_year DESC NULLS LAST, c.coauthor_id ASC";

/// Writes `author_institutions` for the authors `condition` (on the
/// authorship `a`) selects: how many of their authorships name each
/// institution.
fn author_institutions(condition: &str) -> String {
    format!(
        "INSERT INTO author_institutions (author_id, institution_id, authorships_count) \
         SELECT a.author_id, ai.institution_id, CAST(COUNT(*) AS INTEGER) \
         FROM authorships a JOIN authorship_institutions ai ON ai.authorship_id = a.id \
         WHERE {condition} GROUP BY a.author_id, ai.institution_id"
    )
}

/// Derived data of a few authors, in SQL.
async fn authors_in<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> Result<(), DbErr> {
    run_scoped(conn, ids, "DELETE FROM author_topics WHERE author_id IN ({ids})").await?;
    run_scoped(
        conn,
        ids,
        "INSERT INTO author_topics (author_id, topic_id, works_count, position) \
         SELECT a.author_id, wt.topic_id, COUNT(DISTINCT a.work_id), \
           ROW_NUMBER() OVER (PARTITION BY a.author_id ORDER BY COUNT(DISTINCT a.work_id) DESC, wt.topic_id) \
         FROM authorships a JOIN work_topics wt ON wt.work_id = a.work_id \
         WHERE a.author_id IN ({ids}) \
         GROUP BY a.author_id, wt.topic_id",
    )
    .await?;
    run_scoped(
        conn,
        ids,
        "UPDATE authors SET \
           works_count = (SELECT COUNT(DISTINCT a.work_id) FROM authorships a WHERE a.author_id = authors.id), \
           citation_count = (SELECT COALESCE(SUM(w.cited_by_count), 0) FROM works w \
               WHERE w.id IN (SELECT a.work_id FROM authorships a WHERE a.author_id = authors.id)), \
           i10_index = (SELECT COUNT(*) FROM works w WHERE w.cited_by_count >= 10 \
               AND w.id IN (SELECT a.work_id FROM authorships a WHERE a.author_id = authors.id)), \
           topics_count = (SELECT COUNT(*) FROM author_topics t WHERE t.author_id = authors.id), \
           collaborators_count = 0, \
           close_collaborators_count = 0, \
           h_index = 0 \
         WHERE authors.id IN ({ids})",
    )
    .await?;
    let pairs = coauthor_pairs(false);
    run_scoped(
        conn,
        ids,
        &format!(
            "UPDATE authors SET collaborators_count = t.c, close_collaborators_count = t.close FROM ( \
               SELECT p.author_id, COUNT(*) AS c, SUM(CASE WHEN p.shared_works_count >= 2 THEN 1 ELSE 0 END) AS close \
               FROM ({pairs}) p GROUP BY p.author_id) t \
             WHERE authors.id = t.author_id"
        ),
    )
    .await?;
    run_scoped(conn, ids, "DELETE FROM author_institutions WHERE author_id IN ({ids})").await?;
    run_scoped(conn, ids, &author_institutions("a.author_id IN ({ids})")).await?;
    run_scoped(conn, ids, "DELETE FROM coauthor_tops WHERE author_id IN ({ids})").await?;
    let hubs = format!("SELECT id FROM authors WHERE id IN ({{ids}}) AND collaborators_count >= {HUB}");
    let pairs = coauthor_pairs(true).replace("{ids}", &hubs);
    run_scoped(
        conn,
        ids,
        &format!(
            "INSERT INTO coauthor_tops (author_id, position, coauthor_id, shared_works_count, first_year, last_year) \
             SELECT author_id, rn, coauthor_id, shared_works_count, first_year, last_year FROM ( \
               SELECT c.*, ROW_NUMBER() OVER (PARTITION BY c.author_id ORDER BY {COAUTHOR_ORDER}) AS rn \
               FROM ({pairs}) c) t WHERE rn <= {TOP}"
        ),
    )
    .await?;
    // h-index: the number of positions i (by citations, descending) whose
    // work has at least i citations.
    run_scoped(
        conn,
        ids,
        "UPDATE authors SET h_index = t.h FROM ( \
           SELECT r.author_id, COUNT(*) AS h FROM ( \
             SELECT a.author_id, w.cited_by_count AS c, \
               ROW_NUMBER() OVER (PARTITION BY a.author_id ORDER BY w.cited_by_count DESC) AS rn \
             FROM authorships a JOIN works w ON w.id = a.work_id \
             WHERE a.author_id IN ({ids})) r \
           WHERE r.c >= r.rn GROUP BY r.author_id) t \
         WHERE authors.id = t.author_id",
    )
    .await
}

/// Everything, from scratch (`scholargraph reindex`).
pub async fn all<C: Sink>(conn: &C) -> Result<(), DbErr> {
    works(conn, Scope::All).await?;
    topics(conn, Scope::All).await?;
    authors(conn, Scope::All).await?;
    trends(conn, Scope::All).await?;
    conn.execute_unprepared("DELETE FROM derive_queue").await?;
    Ok(())
}

/// Everything from scratch, in one transaction (`scholargraph reindex`).
pub async fn rebuild(db: &Db) -> Result<(), DbErr> {
    let tx = db.write.begin().await?;
    all(&tx).await?;
    tx.commit().await
}

#[derive(FromQueryResult)]
struct QueuedRow {
    item_id: i64,
}

#[derive(FromQueryResult)]
struct CountRow {
    n: i64,
}

async fn count<C: ConnectionTrait>(conn: &C, sql: &str) -> Result<i64, DbErr> {
    Ok(CountRow::find_by_statement(stmt(conn.get_database_backend(), sql, vec![])).one(conn).await?.map_or(0, |r| r.n))
}

/// The queue entry standing for every row. An import into a graph without
/// works queues it once instead of listing each row it writes (a tenth of
/// such an import on PostgreSQL); the refresh that finds it rebuilds
/// everything, and a killed import leaves it for the next run to find.
pub const EVERYTHING: &str = "all";

/// Queues a rebuild of everything when the graph holds no works yet; true
/// when it is queued (then batches need not list the rows they touch).
pub async fn queue_everything_if_empty(db: &Db) -> Result<bool, DbErr> {
    if count(&db.write, "SELECT COUNT(*) AS n FROM (SELECT id FROM works LIMIT 1) w").await? > 0 {
        return Ok(false);
    }
    let sql = format!("INSERT INTO derive_queue (kind, item_id) VALUES ('{EVERYTHING}', 0) ON CONFLICT DO NOTHING");
    db.write.execute_unprepared(&sql).await?;
    Ok(true)
}

/// Refreshes what `derive_queue` lists, a chunk per transaction, so that an
/// interrupted run leaves the rest queued. When most authors are queued, a
/// rebuild from scratch is cheaper than chunks.
pub async fn flush(db: &Db) -> Result<(), DbErr> {
    let queued = count(&db.write, "SELECT COUNT(*) AS n FROM derive_queue WHERE kind = 'author'").await?;
    if queued == 0 && count(&db.write, "SELECT COUNT(*) AS n FROM derive_queue").await? == 0 {
        return Ok(());
    }
    let total_authors = count(&db.write, "SELECT COUNT(*) AS n FROM authors").await?;
    let everything =
        count(&db.write, &format!("SELECT COUNT(*) AS n FROM derive_queue WHERE kind = '{EVERYTHING}'")).await? > 0;
    if everything || (queued > 5_000 && queued * 2 > total_authors) {
        let started = std::time::Instant::now();
        if db.backend() == sea_orm::DbBackend::Postgres {
            // Tables an import just filled have no statistics yet: the
            // rebuild's joins would be planned for empty tables.
            db.write.execute_unprepared("ANALYZE works, citations, work_topics, topics, authorships, authors").await?;
        }
        let tx = db.write.begin().await?;
        all(&tx).await?;
        tx.commit().await?;
        // Indexes set aside by the import are built from the final rows;
        // the rebuild reads none of them.
        crate::db::deferred::restore(db).await?;
        tracing::debug!(ms = started.elapsed().as_secs_f64() * 1000.0, "derived data rebuilt");
        return Ok(());
    }
    // A queue an import just filled has no statistics (autovacuum may be
    // late or off), and was planned for as if a kind held a few rows: each
    // chunk's DELETE read every queued row of its kind (100,000 works
    // imported into 1,000,000 queued 861,206 authors: 14.5 s a chunk of
    // 1,000). The DELETE is bounded by its chunk's key range below; a large
    // queue is also analyzed before each kind (the works' step fills the
    // authors'), a small one, as one write leaves, is not.
    let large = db.backend() == sea_orm::DbBackend::Postgres
        && count(&db.write, "SELECT COUNT(*) AS n FROM derive_queue").await? > 5_000;
    // Works first: their citation counts feed their authors' metrics.
    for (kind, chunk) in [("work", 5_000), ("topic", 5_000), ("author", 1_000), ("trend", 5_000)] {
        if large {
            db.write.execute_unprepared("ANALYZE derive_queue").await?;
        }
        loop {
            let tx = db.write.begin().await?;
            let sql = format!("SELECT item_id FROM derive_queue WHERE kind = '{kind}' ORDER BY item_id LIMIT {chunk}");
            let ids: Vec<i64> = QueuedRow::find_by_statement(stmt(tx.get_database_backend(), &sql, vec![]))
                .all(&tx)
                .await?
                .into_iter()
                .map(|r| r.item_id)
                .collect();
            if ids.is_empty() {
                break;
            }
            match kind {
                "work" => {
                    works(&tx, Scope::Ids(&ids)).await?;
                    run_scoped(
                        &tx,
                        &ids,
                        "INSERT INTO derive_queue (kind, item_id) SELECT DISTINCT 'author', author_id FROM authorships \
                         WHERE author_id IS NOT NULL AND work_id IN ({ids}) ON CONFLICT (kind, item_id) DO NOTHING",
                    )
                    .await?;
                }
                "topic" => topics(&tx, Scope::Ids(&ids)).await?,
                "trend" => trends(&tx, Scope::Ids(&ids)).await?,
                _ => authors(&tx, Scope::Ids(&ids)).await?,
            }
            // The chunk's key range bounds the index scan, whatever the
            // planner makes of the list.
            let range: [Value; 2] = [ids[0].into(), ids[ids.len() - 1].into()];
            for (list, values) in in_chunks(&ids) {
                let sql = format!(
                    "DELETE FROM derive_queue WHERE kind = '{kind}' AND item_id BETWEEN ? AND ? AND item_id IN ({list})"
                );
                let values = range.iter().cloned().chain(values).collect();
                tx.execute_raw(stmt(tx.get_database_backend(), &sql, values)).await?;
            }
            tx.commit().await?;
        }
    }
    Ok(())
}
