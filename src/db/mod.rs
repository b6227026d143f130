//! Database connections: SQLite (embedded default, WAL, a read pool and one
//! writer) or PostgreSQL (one pool), plus a statement counter that tests and
//! metrics read.
mod rows;
mod sql;

pub use rows::{Kind, exec, fetch, ids, insert_tuples, int, now, one_id, text};
pub use sql::{MAX_IN, MAX_PARAMS, in_chunks, in_list, padded_in, rows_per_statement, stmt};

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr};

use migration::{Migrator, MigratorTrait};

#[derive(Clone)]
pub struct Db {
    /// for queries; on SQLite a pool of readers
    pub read: DatabaseConnection,
    /// for writes; on SQLite exactly one connection, so writers queue here
    /// instead of failing with SQLITE_BUSY
    pub write: DatabaseConnection,
    statements: Arc<AtomicU64>,
}

#[derive(Clone, Debug, Default)]
pub struct DbOptions {
    /// PostgreSQL schema to use (tests isolate themselves this way)
    pub schema: Option<String>,
    pub max_connections: Option<u32>,
    /// Postgres cancels statements that run longer (the server sets one;
    /// imports and rebuilds run long statements on purpose)
    pub statement_timeout: Option<Duration>,
}

impl Db {
    pub async fn connect(url: &str) -> Result<Self, DbErr> {
        Self::connect_with(url, DbOptions::default()).await
    }

    pub async fn connect_with(url: &str, options: DbOptions) -> Result<Self, DbErr> {
        let statements = Arc::new(AtomicU64::new(0));
        let (mut read, mut write) = if url.starts_with("sqlite:") {
            let memory = url.contains(":memory:") || url.contains("mode=memory");
            // Every connection to `sqlite::memory:` is its own empty database:
            // share one connection for everything.
            let readers = if memory { 1 } else { options.max_connections.unwrap_or(8) };
            let read = Database::connect(sqlite_options(url, readers, Role::Read)).await?;
            let write =
                if memory { read.clone() } else { Database::connect(sqlite_options(url, 1, Role::Write)).await? };
            (read, write)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let mut opts = ConnectOptions::new(url.to_owned());
            opts.max_connections(options.max_connections.unwrap_or(16))
                .min_connections(1)
                .connect_timeout(Duration::from_secs(5))
                .acquire_timeout(Duration::from_secs(5))
                .sqlx_logging(false);
            if let Some(schema) = &options.schema {
                opts.set_schema_search_path(schema.clone());
            }
            if let Some(timeout) = options.statement_timeout {
                let ms = timeout.as_millis().to_string();
                opts.map_sqlx_postgres_opts(move |o| o.options([("statement_timeout", ms.as_str())]));
            }
            let pool = Database::connect(opts).await?;
            (pool.clone(), pool)
        } else {
            return Err(DbErr::Custom(format!(
                "unsupported database URL {url:?}: use sqlite://PATH?mode=rwc or postgres://USER@HOST/DB"
            )));
        };
        for conn in [&mut read, &mut write] {
            let counter = statements.clone();
            conn.set_metric_callback(move |_| {
                counter.fetch_add(1, Ordering::Relaxed);
            });
        }
        Ok(Self { read, write, statements })
    }

    pub fn backend(&self) -> DbBackend {
        self.read.get_database_backend()
    }

    /// SQL statements executed through this handle so far.
    pub fn statement_count(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// Brings the schema up to date; a database from before search gets
    /// its search index built.
    pub async fn migrate(&self) -> Result<(), DbErr> {
        Migrator::up(&self.write, None).await?;
        crate::search::index::ensure_built(self).await
    }

    pub async fn ping(&self) -> Result<(), DbErr> {
        self.read.execute_unprepared("SELECT 1").await.map(|_| ())
    }
}

#[derive(PartialEq)]
enum Role {
    Read,
    Write,
}

fn sqlite_options(url: &str, max_connections: u32, role: Role) -> ConnectOptions {
    // Memory-mapped reads spare readers a copy per page; the writer reads
    // through its page cache instead, which keeps an import's memory flat
    // (mapped pages it touched counted against it).
    let mmap = if role == Role::Read { "67108864" } else { "0" };
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(max_connections).min_connections(1).sqlx_logging(false).map_sqlx_sqlite_opts(move |o| {
        o.journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            // 64 MiB of page cache instead of 2 MiB: imports and large
            // queries otherwise spill pages and spend their time in writes.
            // Temporary b-trees stay in files: in memory, the big GROUP BYs of
            // a derived-data rebuild grew the process by 100 MB.
            .pragma("cache_size", "-65536")
            // Last: `PRAGMA mmap_size = …` answers with a row, and the
            // pragmas after it were seen not to take effect.
            .pragma("mmap_size", mmap)
    });
    opts
}
