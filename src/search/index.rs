//! The search index: one document per work (title, abstract), author
//! (name, headline), topic (name, code) and institution (name, short name),
//! a name and a body each, stored as folded words. SQLite keeps it in an
//! FTS5 table, Postgres in a `tsvector` column with a GIN index (the name's
//! words weighted `A`, the body's `D`). A document's key is `id * 4 + kind`.
//! Imports refresh the documents of the rows they change, in the same
//! transaction; `scholargraph reindex` rebuilds everything.
use std::collections::BTreeSet;

use sea_orm::{ConnectionTrait, DbBackend, DbErr, TransactionTrait, Value};

use super::text::indexed;
use crate::db::{Db, Kind, Sink, fetch, in_chunks, insert_tuples, int, stmt, text};

/// What a document stands for; its number is the key's remainder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocKind {
    Work = 0,
    Author = 1,
    Topic = 2,
    Institution = 3,
}

pub const KINDS: [DocKind; 4] = [DocKind::Work, DocKind::Author, DocKind::Topic, DocKind::Institution];

/// Longest body indexed, in bytes (Postgres refuses a tsvector over 1 MB).
const MAX_BODY: usize = 100_000;
/// Documents written per statement batch.
const CHUNK: usize = 1_000;

impl DocKind {
    pub fn key(self, id: i64) -> i64 {
        id * 4 + self as i64
    }

    pub fn of_key(key: i64) -> (DocKind, i64) {
        (KINDS[key.rem_euclid(4) as usize], key.div_euclid(4))
    }

    pub fn table(self) -> &'static str {
        match self {
            DocKind::Work => "works",
            DocKind::Author => "authors",
            DocKind::Topic => "topics",
            DocKind::Institution => "institutions",
        }
    }

    /// The columns that make the name and the body.
    pub fn columns(self) -> (&'static str, &'static str) {
        match self {
            DocKind::Work => ("title", "abstract"),
            DocKind::Author => ("display_name", "headline"),
            DocKind::Topic => ("name", "code"),
            DocKind::Institution => ("name", "short_name"),
        }
    }
}

fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Brings the documents of these rows up to date with the rows (a row that
/// is gone loses its document).
pub async fn refresh<C: Sink>(conn: &C, kind: DocKind, ids: &[i64]) -> Result<(), DbErr> {
    let (name, body) = kind.columns();
    for chunk in ids.chunks(CHUNK) {
        let Some((list, values)) = in_chunks(chunk).next() else { continue };
        let rows = fetch(
            conn,
            &[("id", Kind::BigInt), (name, Kind::Text), (body, Kind::Text)],
            &format!("FROM {} WHERE id IN ({list})", kind.table()),
            values,
        )
        .await?;
        let docs: Vec<(i64, String, String)> =
            rows.iter().map(|r| document(kind, int(&r[0]), text(&r[1]), text(&r[2]))).collect();
        let keys: Vec<i64> = chunk.iter().map(|id| kind.key(*id)).collect();
        write(conn, &keys, docs).await?;
    }
    Ok(())
}

/// A row's document: its key, and the folded words of its name and body.
pub fn document(kind: DocKind, id: i64, name: &str, body: &str) -> (i64, String, String) {
    (kind.key(id), indexed(name), indexed(cut(body, MAX_BODY)))
}

/// Writes the documents (`document`) of rows just created. None can exist
/// yet: ids are never reused, since these rows are never deleted, and a
/// row's document commits with it.
pub async fn add_new<C: Sink>(conn: &C, docs: Vec<(i64, String, String)>) -> Result<(), DbErr> {
    write(conn, &[], docs).await
}

/// Replaces the documents of `keys` with `docs`.
async fn write<C: Sink>(conn: &C, keys: &[i64], docs: Vec<(i64, String, String)>) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    let found: BTreeSet<i64> = docs.iter().map(|d| d.0).collect();
    let key_column = if backend == DbBackend::Sqlite { "rowid" } else { "id" };
    // FTS5 has no upsert: the documents it holds are deleted and written
    // again (deleting one it does not hold would skew its statistics).
    // Postgres upserts, and deletes only the documents of rows that are gone.
    let doomed: Vec<i64> = if backend == DbBackend::Sqlite {
        let mut held = Vec::new();
        for (list, values) in in_chunks(keys) {
            let sql = format!("FROM search_index WHERE rowid IN ({list})");
            held.extend(fetch(conn, &[("rowid", Kind::BigInt)], &sql, values).await?.iter().map(|r| int(&r[0])));
        }
        held
    } else {
        keys.iter().copied().filter(|k| !found.contains(k)).collect()
    };
    for (list, values) in in_chunks(&doomed) {
        let sql = format!("DELETE FROM search_index WHERE {key_column} IN ({list})");
        conn.send(stmt(backend, &sql, values)).await?;
    }
    if backend == DbBackend::Postgres {
        let terms: BTreeSet<&str> = docs.iter().flat_map(|(_, n, b)| n.split(' ').chain(b.split(' '))).collect();
        let terms: Vec<Vec<Value>> = terms.into_iter().filter(|t| !t.is_empty()).map(|t| vec![t.into()]).collect();
        insert_tuples(conn, "INSERT INTO search_terms (term) VALUES {rows} ON CONFLICT (term) DO NOTHING", 1, terms)
            .await?;
    }
    let rows = docs.into_iter().map(|(k, n, b)| vec![k.into(), n.into(), b.into()]).collect();
    let sql = match backend {
        DbBackend::Postgres => {
            "INSERT INTO search_index (id, tsv) SELECT v.id, \
               setweight(to_tsvector('simple', v.name), 'A') || setweight(to_tsvector('simple', v.body), 'D') \
             FROM (VALUES {rows}) AS v (id, name, body) ON CONFLICT (id) DO UPDATE SET tsv = excluded.tsv"
        }
        _ => "INSERT INTO search_index (rowid, name, body) VALUES {rows}",
    };
    insert_tuples(conn, sql, 3, rows).await
}

/// Every document from scratch (`scholargraph reindex`), a chunk of rows
/// per transaction.
pub async fn rebuild(db: &Db) -> Result<(), DbErr> {
    let clear = match db.backend() {
        DbBackend::Sqlite => "INSERT INTO search_index (search_index) VALUES ('delete-all')",
        _ => "DELETE FROM search_index",
    };
    db.write.execute_unprepared(clear).await?;
    for kind in KINDS {
        let mut after = 0i64;
        loop {
            let sql = format!("FROM {} WHERE id > ? ORDER BY id LIMIT {CHUNK}", kind.table());
            let rows = fetch(&db.write, &[("id", Kind::BigInt)], &sql, vec![after.into()]).await?;
            let ids: Vec<i64> = rows.iter().map(|r| int(&r[0])).collect();
            let Some(&last) = ids.last() else { break };
            let tx = db.write.begin().await?;
            refresh(&tx, kind, &ids).await?;
            tx.commit().await?;
            after = last;
        }
    }
    optimize(db).await
}

/// Merges FTS5's segments into one after many writes: queries then read one
/// b-tree instead of many, and statistics forget deleted documents.
pub async fn optimize(db: &Db) -> Result<(), DbErr> {
    if db.backend() == DbBackend::Sqlite {
        db.write.execute_unprepared("INSERT INTO search_index (search_index) VALUES ('optimize')").await?;
    }
    Ok(())
}

/// Builds the index of a database that has rows but no documents (one made
/// before search existed).
pub async fn ensure_built(db: &Db) -> Result<(), DbErr> {
    let has = |table: &str| {
        let sql = format!("FROM (SELECT 1 AS one FROM {table} LIMIT 1) t");
        async move { Ok::<bool, DbErr>(!fetch(&db.write, &[("one", Kind::Int)], &sql, vec![]).await?.is_empty()) }
    };
    if has("search_index").await? {
        return Ok(());
    }
    for kind in KINDS {
        if has(kind.table()).await? {
            return rebuild(db).await;
        }
    }
    Ok(())
}

/// Which of `candidates` the index holds as words.
pub async fn known_words<C: ConnectionTrait>(conn: &C, candidates: &[String]) -> Result<BTreeSet<String>, DbErr> {
    let table = match conn.get_database_backend() {
        DbBackend::Sqlite => "search_vocab",
        _ => "search_terms",
    };
    let mut out = BTreeSet::new();
    for (list, values) in in_chunks(candidates) {
        let sql = format!("FROM {table} WHERE term IN ({list})");
        for row in fetch(conn, &[("term", Kind::Text)], &sql, values).await? {
            out.insert(text(&row[0]).to_owned());
        }
    }
    Ok(out)
}
