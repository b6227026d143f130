//! Derived data (citation counts, coauthor pairs, author topics, author
//! metrics, topic counts), refreshed for just the rows an import touched, or
//! for everything on demand.
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, TransactionTrait, Value};

use crate::db::{Db, Kind, MAX_PARAMS, fetch, in_chunks, padded_in, stmt};

/// Which rows to refresh: a set of ids, or every row.
#[derive(Clone, Copy)]
pub enum Scope<'a> {
    Ids(&'a [i64]),
    All,
}

// Bound parameters per statement, well under SQLite's and Postgres' limits.
const CHUNK: usize = 512;

async fn run_scoped<C: ConnectionTrait>(conn: &C, scope: Scope<'_>, template: &str) -> Result<(), DbErr> {
    // `{ids}` stands for `IN (…)` of the scope, possibly several times.
    match scope {
        // Statements that only add what a partial scope misses.
        Scope::All if template.contains("NOT IN ({ids})") => {}
        Scope::All => {
            let sql = template.replace("IN ({ids})", "IS NOT NULL");
            let started = std::time::Instant::now();
            conn.execute_raw(stmt(conn.get_database_backend(), &sql, vec![])).await?;
            let head: String = sql.split_whitespace().take(6).collect::<Vec<_>>().join(" ");
            tracing::debug!(statement = %head, ms = started.elapsed().as_secs_f64() * 1000.0, "derived data, all rows");
        }
        Scope::Ids(ids) => {
            for chunk in ids.chunks(CHUNK) {
                let uses = template.matches("{ids}").count();
                let mut ids: Vec<Value> = chunk.iter().map(|id| Value::from(*id)).collect();
                let sql = template.replace("{ids}", &padded_in(&mut ids));
                let values: Vec<Value> = (0..uses).flat_map(|_| ids.iter().cloned()).collect();
                conn.execute_raw(stmt(conn.get_database_backend(), &sql, values)).await?;
            }
        }
    }
    Ok(())
}

pub async fn works<C: ConnectionTrait>(conn: &C, scope: Scope<'_>) -> Result<(), DbErr> {
    run_scoped(
        conn,
        scope,
        "UPDATE works SET cited_by_count = \
           (SELECT COUNT(*) FROM citations c WHERE c.cited_work_id = works.id) \
         WHERE works.id IN ({ids})",
    )
    .await
}

pub async fn topics<C: ConnectionTrait>(conn: &C, scope: Scope<'_>) -> Result<(), DbErr> {
    run_scoped(
        conn,
        scope,
        "UPDATE topics SET works_count = \
           (SELECT COUNT(*) FROM work_topics wt WHERE wt.topic_id = topics.id) \
         WHERE topics.id IN ({ids})",
    )
    .await
}

pub async fn authors<C: ConnectionTrait>(conn: &C, scope: Scope<'_>) -> Result<(), DbErr> {
    match scope {
        Scope::All => authors_in(conn, Scope::All).await,
        Scope::Ids(ids) => {
            for chunk in ids.chunks(CHUNK) {
                authors_in(conn, Scope::Ids(chunk)).await?;
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

async fn authors_in<C: ConnectionTrait>(conn: &C, scope: Scope<'_>) -> Result<(), DbErr> {
    run_scoped(conn, scope, "DELETE FROM author_topics WHERE author_id IN ({ids})").await?;
    run_scoped(
        conn,
        scope,
        "INSERT INTO author_topics (author_id, topic_id, works_count) \
         SELECT a.author_id, wt.topic_id, COUNT(DISTINCT a.work_id) \
         FROM authorships a JOIN work_topics wt ON wt.work_id = a.work_id \
         WHERE a.author_id IN ({ids}) \
         GROUP BY a.author_id, wt.topic_id",
    )
    .await?;
    run_scoped(
        conn,
        scope,
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
    match scope {
        Scope::All => collaborators_all(conn).await?,
        Scope::Ids(_) => {
            let pairs = coauthor_pairs(false);
            run_scoped(
                conn,
                scope,
                &format!(
                    "UPDATE authors SET collaborators_count = t.c, close_collaborators_count = t.close FROM ( \
                       SELECT p.author_id, COUNT(*) AS c, SUM(CASE WHEN p.shared_works_count >= 2 THEN 1 ELSE 0 END) AS close \
                       FROM ({pairs}) p GROUP BY p.author_id) t \
                     WHERE authors.id = t.author_id"
                ),
            )
            .await?
        }
    }
    // h-index: the number of positions i (by citations, descending) whose
    // work has at least i citations.
    run_scoped(
        conn,
        scope,
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

/// Works per slice when reading every authorship.
const WORK_SLICE: i64 = 50_000;

/// Authors whose counts are written per statement.
const COUNTS_PER_UPDATE: usize = MAX_PARAMS / 3;

/// Everyone's collaborator counts (coauthors; close ones share two works or
/// more), counted here from the authorships: SQL had to group every coauthor
/// pair, 5.4 million of them per 100,000 generated works, and took 5 s.
/// Memory grows with the authorships (two u32 lists: works' authors, and
/// authors' works), not with the pairs, which are counted author by author.
async fn collaborators_all<C: ConnectionTrait>(conn: &C) -> Result<(), DbErr> {
    let started = std::time::Instant::now();
    let max = count(conn, "SELECT COALESCE(MAX(work_id), 0) AS n FROM authorships").await?;
    // Each work's authors, one after another; `work_start[w]` where work w's begin.
    let mut work_authors: Vec<u32> = Vec::new();
    let mut work_start: Vec<u32> = vec![0];
    let mut max_author = 0u32;
    let mut authors: Vec<u32> = Vec::new();
    for lo in (0..=max).step_by(WORK_SLICE as usize) {
        let rows = fetch(
            conn,
            &[("work_id", Kind::BigInt), ("author_id", Kind::BigInt)],
            "FROM authorships WHERE author_id IS NOT NULL AND work_id >= ? AND work_id < ? ORDER BY work_id",
            vec![lo.into(), (lo + WORK_SLICE).into()],
        )
        .await?;
        for work in rows.chunk_by(|a, b| a[0] == b[0]) {
            authors.clear();
            for row in work {
                match &row[1] {
                    Value::BigInt(Some(id)) if (0..=u32::MAX as i64).contains(id) => authors.push(*id as u32),
                    other => return Err(DbErr::Custom(format!("author id {other:?} out of range"))),
                }
            }
            authors.sort_unstable();
            authors.dedup();
            max_author = max_author.max(authors.last().copied().unwrap_or(0));
            work_authors.extend_from_slice(&authors);
            work_start.push(work_authors.len() as u32);
        }
    }
    // Each author's works (as positions in `work_start`), by counting sort.
    let mut author_start = vec![0u32; max_author as usize + 2];
    for &a in &work_authors {
        author_start[a as usize + 1] += 1;
    }
    for i in 1..author_start.len() {
        author_start[i] += author_start[i - 1];
    }
    let mut author_works = vec![0u32; work_authors.len()];
    let mut next = author_start.clone();
    for w in 0..work_start.len() - 1 {
        for &a in &work_authors[work_start[w] as usize..work_start[w + 1] as usize] {
            author_works[next[a as usize] as usize] = w as u32;
            next[a as usize] += 1;
        }
    }
    drop(next);
    let mut coauthors: Vec<u32> = Vec::new();
    let mut counts: Vec<(i64, i64, i64)> = Vec::with_capacity(COUNTS_PER_UPDATE);
    let mut authors_counted = 0usize;
    for a in 0..=max_author {
        let works = &author_works[author_start[a as usize] as usize..author_start[a as usize + 1] as usize];
        if works.is_empty() {
            continue;
        }
        coauthors.clear();
        for &w in works {
            let list = &work_authors[work_start[w as usize] as usize..work_start[w as usize + 1] as usize];
            coauthors.extend(list.iter().filter(|&&b| b != a));
        }
        coauthors.sort_unstable();
        let (mut all, mut close) = (0i64, 0i64);
        for same in coauthors.chunk_by(|x, y| x == y) {
            all += 1;
            close += i64::from(same.len() >= 2);
        }
        if all > 0 {
            counts.push((a as i64, all, close));
        }
        if counts.len() == COUNTS_PER_UPDATE {
            authors_counted += write_collaborator_counts(conn, &counts).await?;
            counts.clear();
        }
    }
    authors_counted += write_collaborator_counts(conn, &counts).await?;
    tracing::debug!(ms = started.elapsed().as_secs_f64() * 1000.0, authors = authors_counted, "collaborator counts");
    Ok(())
}

async fn write_collaborator_counts<C: ConnectionTrait>(conn: &C, counts: &[(i64, i64, i64)]) -> Result<usize, DbErr> {
    if counts.is_empty() {
        return Ok(0);
    }
    let sql = format!(
        "UPDATE authors SET collaborators_count = v.column2, close_collaborators_count = v.column3 \
         FROM (VALUES {}) AS v WHERE authors.id = v.column1",
        vec!["(?, ?, ?)"; counts.len()].join(", ")
    );
    let values = counts.iter().flat_map(|&(a, c, close)| [a.into(), c.into(), close.into()]).collect();
    conn.execute_raw(stmt(conn.get_database_backend(), &sql, values)).await?;
    Ok(counts.len())
}

/// Everything, from scratch (`scholargraph reindex`).
pub async fn all<C: ConnectionTrait>(conn: &C) -> Result<(), DbErr> {
    works(conn, Scope::All).await?;
    topics(conn, Scope::All).await?;
    authors(conn, Scope::All).await?;
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

/// Refreshes what `derive_queue` lists, a chunk per transaction, so that an
/// interrupted run leaves the rest queued. When most authors are queued, a
/// rebuild from scratch is cheaper than chunks.
pub async fn flush(db: &Db) -> Result<(), DbErr> {
    let queued = count(&db.write, "SELECT COUNT(*) AS n FROM derive_queue WHERE kind = 'author'").await?;
    if queued == 0 && count(&db.write, "SELECT COUNT(*) AS n FROM derive_queue").await? == 0 {
        return Ok(());
    }
    let total_authors = count(&db.write, "SELECT COUNT(*) AS n FROM authors").await?;
    if queued > 5_000 && queued * 2 > total_authors {
        let started = std::time::Instant::now();
        let tx = db.write.begin().await?;
        all(&tx).await?;
        tx.commit().await?;
        tracing::debug!(ms = started.elapsed().as_secs_f64() * 1000.0, "derived data rebuilt");
        return Ok(());
    }
    // Works first: their citation counts feed their authors' metrics.
    for (kind, chunk) in [("work", 5_000), ("topic", 5_000), ("author", 1_000)] {
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
                        Scope::Ids(&ids),
                        "INSERT INTO derive_queue (kind, item_id) SELECT DISTINCT 'author', author_id FROM authorships \
                         WHERE author_id IS NOT NULL AND work_id IN ({ids}) ON CONFLICT (kind, item_id) DO NOTHING",
                    )
                    .await?;
                }
                "topic" => topics(&tx, Scope::Ids(&ids)).await?,
                _ => authors(&tx, Scope::Ids(&ids)).await?,
            }
            for (list, values) in in_chunks(&ids) {
                let sql = format!("DELETE FROM derive_queue WHERE kind = '{kind}' AND item_id IN ({list})");
                tx.execute_raw(stmt(tx.get_database_backend(), &sql, values)).await?;
            }
            tx.commit().await?;
        }
    }
    Ok(())
}
