//! `Db::rows` (the loaders' and lists' reads) goes through a pool of its own
//! (src/db/readers.rs): its connections have the settings sea-orm's have,
//! one connection serves statement after statement, a statement cancelled
//! half-read leaves its connection fit for the next, and a statement past
//! the timeout fails with its own code.
mod common;

use std::time::Duration;

use scholargraph::db::{Db, DbOptions};
use sea_orm::{QueryResult, Statement};

async fn rows(db: &Db, sql: &str) -> Result<Vec<QueryResult>, sea_orm::DbErr> {
    db.rows(Statement::from_string(db.backend(), sql)).await
}

/// The first column of the one row `sql` answers, as text.
async fn value(db: &Db, sql: &str) -> String {
    let rows = rows(db, sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    let row = &rows[0];
    let int =
        |row: &QueryResult| row.try_get_by_index::<i64>(0).or_else(|_| row.try_get_by_index::<i32>(0).map(i64::from));
    int(row).map(|n| n.to_string()).or_else(|_| row.try_get_by_index::<String>(0)).unwrap()
}

/// Two databases of one reading connection each, the PostgreSQL one with a
/// schema of its own and a statement timeout.
async fn single_reader_dbs() -> Vec<(Db, Option<String>, tempfile::TempDir)> {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let options = DbOptions { max_connections: Some(1), ..DbOptions::default() };
    let mut dbs = vec![(Db::connect_with(&url, options).await.unwrap(), None, dir)];
    if let Some(url) = common::postgres_url() {
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        let admin = Db::connect(&url).await.unwrap();
        sea_orm::ConnectionTrait::execute_unprepared(&admin.write, &format!("CREATE SCHEMA {schema}")).await.unwrap();
        let options = DbOptions {
            schema: Some(schema.clone()),
            max_connections: Some(1),
            statement_timeout: Some(Duration::from_millis(500)),
            ..DbOptions::default()
        };
        dbs.push((Db::connect_with(&url, options).await.unwrap(), Some(schema), tempfile::tempdir().unwrap()));
    }
    dbs
}

async fn drop_schema(db: &Db, schema: Option<String>) {
    if let Some(schema) = schema {
        let sql = format!("DROP SCHEMA IF EXISTS {schema} CASCADE");
        sea_orm::ConnectionTrait::execute_unprepared(&db.write, &sql).await.unwrap();
    }
}

#[tokio::test]
async fn rows_connections_have_the_settings_of_the_others() {
    for (db, schema, _dir) in single_reader_dbs().await {
        match &schema {
            Some(schema) => {
                assert_eq!(value(&db, "SHOW search_path").await, format!("\"{schema}\""));
                assert_eq!(value(&db, "SHOW plan_cache_mode").await, "force_generic_plan");
                assert_eq!(value(&db, "SHOW statement_timeout").await, "500ms");
            }
            None => {
                for (pragma, expected) in [
                    ("journal_mode", "wal"),
                    ("foreign_keys", "1"),
                    ("busy_timeout", "5000"),
                    ("synchronous", "1"),
                    ("cache_size", "-4096"),
                    ("mmap_size", "0"),
                ] {
                    assert_eq!(value(&db, &format!("PRAGMA {pragma}")).await, expected, "{pragma}");
                }
            }
        }
        drop_schema(&db, schema).await;
    }
}

#[tokio::test]
async fn one_connection_serves_statement_after_statement_and_survives_a_cancelled_one() {
    for (db, schema, _dir) in single_reader_dbs().await {
        let name = if schema.is_some() { "postgres" } else { "sqlite" };
        for n in 0..20 {
            assert_eq!(value(&db, &format!("SELECT {n}")).await, n.to_string());
        }
        assert_eq!(db.rows_pool(), Some((1, 1)), "{name}: one connection, idle between statements");

        // Dropped while its rows stream in: the connection has rows unread.
        let many = match schema {
            Some(_) => "SELECT g, repeat('x', 200) AS pad FROM generate_series(1, 3000000) g",
            None => {
                "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 3000000) \
                 SELECT n, printf('%200d', n) AS pad FROM g"
            }
        };
        let cancelled = tokio::time::timeout(Duration::from_millis(30), rows(&db, many)).await;
        assert!(cancelled.is_err(), "{name}: the statement was to be cut short");
        assert_eq!(value(&db, "SELECT 42").await, "42", "{name}");
        assert_eq!(value(&db, "SELECT 'after'").await, "after", "{name}");
        assert_eq!(db.rows_pool().map(|(open, _)| open), Some(1), "{name}: the same connection, fit again");
        drop_schema(&db, schema).await;
    }
}

#[tokio::test]
async fn a_rows_statement_past_the_timeout_fails_with_its_own_code_and_the_next_runs() {
    let Some(url) = common::postgres_url() else { return };
    let options = DbOptions {
        statement_timeout: Some(Duration::from_millis(200)),
        max_connections: Some(1),
        ..DbOptions::default()
    };
    let db = Db::connect_with(&url, options).await.unwrap();
    let started = std::time::Instant::now();
    let err = rows(&db, "SELECT pg_sleep(5)").await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert_eq!(scholargraph::error::AppError::from(err).code(), "TIMEOUT");
    // A database's error leaves the connection in use.
    assert_eq!(value(&db, "SELECT 7").await, "7");
    assert_eq!(db.rows_pool().map(|(open, _)| open), Some(1));
}

#[tokio::test]
async fn the_apis_finds_and_counts_read_through_the_rows_pool() {
    use scholargraph::entities::topic;
    use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};
    for (db, schema, _dir) in single_reader_dbs().await {
        let name = if schema.is_some() { "postgres" } else { "sqlite" };
        db.migrate().await.unwrap();
        let insert = "INSERT INTO topics (ident, scheme, code, name, works_count) VALUES \
                      ('ARXIV:cs.DL', 'ARXIV', 'cs.DL', 'Digital Libraries', 3), ('ARXIV:cs.IR', 'ARXIV', NULL, 'IR', 0)";
        db.write.execute_unprepared(insert).await.unwrap();
        assert_eq!(db.rows_pool().map(|(open, _)| open), Some(0), "{name}: nothing read yet");
        let before = db.statement_count();
        db.start_capture();
        let reads = db.reads();
        let all = topic::Entity::find().all(&reads).await.unwrap();
        let first = topic::Entity::find().one(&reads).await.unwrap();
        let count = topic::Entity::find().count(&reads).await.unwrap();
        let raw = reads.query_one_raw(Statement::from_string(db.backend(), "SELECT 'five' AS n")).await.unwrap();
        assert_eq!(db.rows_pool(), Some((1, 1)), "{name}: read by the rows pool's one connection");
        // The same answers as sea-orm's own pool gives.
        assert_eq!(all.len(), 2, "{name}");
        assert_eq!(all, topic::Entity::find().all(&db.read).await.unwrap(), "{name}");
        assert_eq!(first, topic::Entity::find().one(&db.read).await.unwrap(), "{name}");
        assert_eq!(count, topic::Entity::find().count(&db.read).await.unwrap(), "{name}");
        assert_eq!(raw.map(|row| row.try_get::<String>("", "n").unwrap()).as_deref(), Some("five"), "{name}");
        // Counted and captured as any statement (four here, three on `read`).
        assert_eq!(db.take_captured().len(), 7, "{name}");
        assert_eq!(db.statement_count() - before, 7, "{name}");
        drop_schema(&db, schema).await;
    }
}
