//! The embedded database runs in WAL mode with foreign keys on, a busy
//! timeout, several readers and one writer.
use scholargraph::db::Db;
use sea_orm::{ConnectionTrait, Statement};

async fn pragma(conn: &sea_orm::DatabaseConnection, name: &str) -> String {
    let row = conn
        .query_one_raw(Statement::from_string(conn.get_database_backend(), format!("PRAGMA {name}")))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).map(|n| n.to_string()).or_else(|_| row.try_get_by_index::<String>(0)).unwrap()
}

#[tokio::test]
async fn file_databases_use_wal_foreign_keys_and_a_busy_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    for (conn, cache) in [(&db.read, "-4096"), (&db.write, "-65536")] {
        assert_eq!(pragma(conn, "journal_mode").await, "wal");
        assert_eq!(pragma(conn, "foreign_keys").await, "1");
        assert_eq!(pragma(conn, "busy_timeout").await, "5000");
        assert_eq!(pragma(conn, "synchronous").await, "1", "NORMAL");
        assert_eq!(pragma(conn, "cache_size").await, cache);
        // No maps: they would count against the server once per connection.
        assert_eq!(pragma(conn, "mmap_size").await, "0");
    }
    // Readers are a pool; the writer is a single connection.
    let readers = futures_util::future::join_all((0..4).map(|_| db.read.execute_unprepared("SELECT 1"))).await;
    assert!(readers.iter().all(Result::is_ok));
}
