//! Database connections: SQLite (embedded default, WAL, a read pool and one
//! writer) or PostgreSQL (one pool, and one per replica), each with a pool of
//! its own for the API's reads (`readers`), plus a statement counter that
//! tests and metrics read.
pub mod deferred;
mod pipe;
mod readers;
mod reads;
mod row;
mod rows;
mod sql;

pub use pipe::{Pipe, Sink};
pub use reads::Reads;
pub use row::{Col, FromRow, Hint, Sqlx};
pub(crate) use row::{col, from_row};
pub use rows::{Kind, exec, fetch, ids, insert_tuples, int, now, one_id, text};
pub use sql::{MAX_IN, MAX_PARAMS, in_chunks, in_list, limit, padded_in, padded_in_table, rows_per_statement, stmt};

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sea_orm::sqlx::postgres::PgConnectOptions;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::sqlx::{PgConnection, SqliteConnection};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, DbErr};

use migration::{Migrator, MigratorTrait};

#[derive(Clone)]
pub struct Db {
    /// for queries; on SQLite a pool of readers
    pub read: DatabaseConnection,
    /// for writes; on SQLite exactly one connection, so writers queue here
    /// instead of failing with SQLITE_BUSY
    pub write: DatabaseConnection,
    statements: Arc<AtomicU64>,
    /// reads go to a PostgreSQL replica (`read` is not the primary)
    replica: bool,
    /// statements recorded while capturing (benchmarks replay them)
    captured: Arc<Capture>,
    /// what [`Db::rows`] reads through (`read`'s database), and the
    /// primary's when `read` is a replica; none for an in-memory SQLite
    /// database, whose one connection is `read`'s
    rows: Option<Arc<Rows>>,
    primary_rows: Option<Arc<Rows>>,
}

/// Connections for [`Db::rows`], apart from sea-orm's pools (see `readers`).
enum Rows {
    Postgres(readers::Readers<PgConnection>),
    Sqlite(readers::Readers<SqliteConnection>),
}

impl Rows {
    /// Connections open, and of those idle.
    fn status(&self) -> (usize, usize) {
        match self {
            Rows::Postgres(readers) => readers.status(),
            Rows::Sqlite(readers) => readers.status(),
        }
    }

    fn close(&self) {
        match self {
            Rows::Postgres(readers) => readers.close(),
            Rows::Sqlite(readers) => readers.close(),
        }
    }
}

#[derive(Default)]
struct Capture {
    on: std::sync::atomic::AtomicBool,
    statements: std::sync::Mutex<Vec<sea_orm::Statement>>,
}

#[derive(Clone, Debug, Default)]
pub struct DbOptions {
    /// PostgreSQL schema to use (tests isolate themselves this way)
    pub schema: Option<String>,
    pub max_connections: Option<u32>,
    /// Postgres cancels statements that run longer (the server sets one;
    /// imports and rebuilds run long statements on purpose)
    pub statement_timeout: Option<Duration>,
    /// a PostgreSQL read replica for `read`; `write` stays on the primary
    pub read_url: Option<String>,
}

impl Db {
    pub async fn connect(url: &str) -> Result<Self, DbErr> {
        Self::connect_with(url, DbOptions::default()).await
    }

    pub async fn connect_with(url: &str, options: DbOptions) -> Result<Self, DbErr> {
        let statements = Arc::new(AtomicU64::new(0));
        let (mut read, mut write, rows, primary_rows) = if url.starts_with("sqlite:") {
            if options.read_url.is_some() {
                return Err(DbErr::Custom("a read replica URL is for PostgreSQL; SQLite reads its own file".into()));
            }
            let memory = url.contains(":memory:") || url.contains("mode=memory");
            // Every connection to `sqlite::memory:` is its own empty database:
            // share one connection for everything.
            let readers = if memory { 1 } else { options.max_connections.unwrap_or_else(default_readers) };
            // `rows` reads the most; sea-orm's readers serve the rest.
            let orm_readers = if memory { 1 } else { (readers / 2).max(1) };
            let read = Database::connect(sqlite_options(url, orm_readers, Role::Read)).await?;
            let write =
                if memory { read.clone() } else { Database::connect(sqlite_options(url, 1, Role::Write)).await? };
            let rows = if memory {
                None
            } else {
                let connection = sqlite_connection(parsed(url)?, Role::Read);
                Some(Arc::new(Rows::Sqlite(readers::Readers::new(connection, readers as usize, WAIT))))
            };
            (read, write, rows.clone(), rows)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = Database::connect(postgres_options(url, &options)).await?;
            let size = options.max_connections.unwrap_or(PG_CONNECTIONS) as usize;
            let rows_of = |url: &str| -> Result<Arc<Rows>, DbErr> {
                let connection = postgres_connection(parsed(url)?, url, &options);
                Ok(Arc::new(Rows::Postgres(readers::Readers::new(connection, size, WAIT))))
            };
            let primary_rows = rows_of(url)?;
            match &options.read_url {
                Some(read_url) => {
                    let read = Database::connect(postgres_options(read_url, &options)).await?;
                    (read, pool, Some(rows_of(read_url)?), Some(primary_rows))
                }
                None => (pool.clone(), pool, Some(primary_rows.clone()), Some(primary_rows)),
            }
        } else {
            return Err(DbErr::Custom(format!(
                "unsupported database URL {url:?}: use sqlite://PATH?mode=rwc or postgres://USER@HOST/DB"
            )));
        };
        let captured = Arc::new(Capture::default());
        for conn in [&mut read, &mut write] {
            let counter = statements.clone();
            let capture = captured.clone();
            conn.set_metric_callback(move |info| {
                Db::counted(&counter, &capture, info.statement);
            });
        }
        let replica = options.read_url.is_some();
        Ok(Self { read, write, statements, replica, captured, rows, primary_rows })
    }

    pub fn backend(&self) -> DbBackend {
        self.read.get_database_backend()
    }

    /// This handle with reads on the primary too, when they go to a replica:
    /// for what must see its own writes at once (a mutation's answer, the
    /// event log behind subscriptions, LISTEN). Otherwise the same handle.
    pub fn primary(&self) -> Db {
        if self.replica {
            Db { read: self.write.clone(), replica: false, rows: self.primary_rows.clone(), ..self.clone() }
        } else {
            self.clone()
        }
    }

    pub fn has_replica(&self) -> bool {
        self.replica
    }

    /// Connections open and idle of the pool [`Db::rows`] reads through,
    /// when it has one of its own.
    pub fn rows_pool(&self) -> Option<(usize, usize)> {
        self.rows.as_deref().map(Rows::status)
    }

    /// SQL statements executed through this handle so far.
    pub fn statement_count(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// The rows of a read statement on the read pool, through sqlx itself:
    /// sea-orm's `query_all_raw` wraps the query in three more futures of
    /// its own, moved whole at each step (tens of KB per statement, 5% of
    /// a trending request's instructions on PostgreSQL). Counted and
    /// captured like the statements sea-orm runs.
    pub async fn rows(&self, statement: sea_orm::Statement) -> Result<Vec<sea_orm::QueryResult>, DbErr> {
        use sea_orm::sqlx::{self, AssertSqlSafe};
        use sea_query_sqlx::SqlxValues;
        Db::counted(&self.statements, &self.captured, &statement);
        let (sql, values) =
            (Arc::new(statement.sql), SqlxValues(statement.values.unwrap_or(sea_orm::Values(Vec::new()))));
        // On a connection taken first: a pool's own `fetch_all` streams
        // each row through one more layer of polls.
        let rows = match self.rows.as_deref() {
            Some(Rows::Postgres(readers)) => readers.fetch_all(sql, values).await.map(into_results),
            Some(Rows::Sqlite(readers)) => readers.fetch_all(sql, values).await.map(into_results),
            None => match self.read.get_sqlite_connection_pool().acquire().await {
                Ok(mut conn) => {
                    sqlx::query_with(AssertSqlSafe(sql), values).fetch_all(&mut *conn).await.map(into_results)
                }
                Err(e) => Err(e),
            },
        };
        rows.map_err(|e| DbErr::Query(sea_orm::RuntimeErr::SqlxError(e.into())))
    }

    /// A connection whose reads go through [`Db::rows`]: for the API's
    /// finds and counts.
    pub fn reads(&self) -> Reads<'_> {
        Reads(self)
    }

    /// Every statement passes here: one atomic load unless capturing.
    fn counted(counter: &AtomicU64, capture: &Capture, statement: &sea_orm::Statement) {
        counter.fetch_add(1, Ordering::Relaxed);
        if capture.on.load(Ordering::Relaxed) {
            if let Ok(mut list) = capture.statements.lock() {
                list.push(statement.clone());
            }
        }
    }

    /// Records every statement from now until [`Db::take_captured`].
    pub fn start_capture(&self) {
        if let Ok(mut list) = self.captured.statements.lock() {
            list.clear();
        }
        self.captured.on.store(true, Ordering::Relaxed);
    }

    /// The statements since [`Db::start_capture`], in the order they ran.
    pub fn take_captured(&self) -> Vec<sea_orm::Statement> {
        self.captured.on.store(false, Ordering::Relaxed);
        self.captured.statements.lock().map(|mut list| std::mem::take(&mut *list)).unwrap_or_default()
    }

    /// Brings the schema up to date; a database from before search gets
    /// its search index built.
    pub async fn migrate(&self) -> Result<(), DbErr> {
        Migrator::up(&self.write, None).await?;
        deferred::restore(self).await?;
        crate::search::index::ensure_built(self).await
    }

    /// Closes every pool: later statements fail as from a database that
    /// cannot be reached.
    pub async fn close(&self) -> Result<(), DbErr> {
        for rows in [&self.rows, &self.primary_rows].into_iter().flatten() {
            rows.close();
        }
        self.read.close_by_ref().await?;
        self.write.close_by_ref().await
    }

    /// Whether the API's reads reach the database now, through their pool:
    /// a probe meeting a connection from before a restart reads again on a
    /// new one, as every read does (see `readers`).
    pub async fn ping(&self) -> Result<(), DbErr> {
        self.rows(sea_orm::Statement::from_string(self.backend(), "SELECT 1")).await.map(|_| ())
    }
}

fn into_results<R: Into<sea_orm::QueryResult>>(rows: Vec<R>) -> Vec<sea_orm::QueryResult> {
    rows.into_iter().map(Into::into).collect()
}

/// Connections of a PostgreSQL pool unless told otherwise.
const PG_CONNECTIONS: u32 = 16;

/// Waiting for a connection, or opening one, gives up after this.
const WAIT: Duration = Duration::from_secs(5);

/// sea-orm's pool on PostgreSQL, with the connections of
/// [`postgres_connection`].
fn postgres_options(url: &str, options: &DbOptions) -> ConnectOptions {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(options.max_connections.unwrap_or(PG_CONNECTIONS))
        .min_connections(1)
        .connect_timeout(WAIT)
        .acquire_timeout(WAIT)
        .sqlx_logging(false);
    // sqlx pings a connection (a round trip) each time it leaves the pool:
    // only one idle long enough to have been dropped by a server, proxy or
    // firewall is pinged; one that broke in use fails its statement with
    // DATABASE_UNAVAILABLE and is closed (tests/faults.rs).
    opts.test_before_acquire_if_idle_for(readers::PING_IF_IDLE_FOR);
    let (url, options) = (url.to_owned(), options.clone());
    // One mapping: sea-orm keeps only the last one given.
    opts.map_sqlx_postgres_opts(move |o| postgres_connection(o, &url, &options));
    opts
}

/// A URL's sqlx connection options, without statement logging (as
/// sea-orm's `sqlx_logging(false)` makes them).
fn parsed<O: sea_orm::sqlx::ConnectOptions>(url: &str) -> Result<O, DbErr> {
    let parsed: O = url.parse().map_err(|e: sea_orm::sqlx::Error| DbErr::Conn(conn_err(e)))?;
    Ok(parsed.disable_statement_logging())
}

/// Every PostgreSQL connection's settings, given when it starts.
fn postgres_connection(o: PgConnectOptions, url: &str, options: &DbOptions) -> PgConnectOptions {
    let mut startup: Vec<(&str, String)> = Vec::new();
    if let Some(schema) = &options.schema {
        // Each name quoted (as sea-orm's `SET search_path` did), unless it is.
        let quoted: Vec<String> = schema
            .split(',')
            .map(|name| if name.starts_with('"') { name.to_owned() } else { format!("\"{name}\"") })
            .collect();
        startup.push(("search_path", quoted.join(",")));
    }
    if let Some(timeout) = options.statement_timeout {
        startup.push(("statement_timeout", timeout.as_millis().to_string()));
    }
    // Our statements stay prepared per connection, but Postgres kept
    // planning them anew for each execution: with an `IN` list padded with
    // NULLs, a custom plan always looks cheaper than the generic one, so
    // `auto` never switched (0.3-1.5 ms of planning per statement, up to a
    // quarter of a profile page). A URL naming `plan_cache_mode` keeps its own.
    if !url.contains("plan_cache_mode") {
        startup.push(("plan_cache_mode", "force_generic_plan".to_owned()));
    }
    o.options(startup.iter().map(|(k, v)| (*k, v.as_str())))
}

fn conn_err(e: sea_orm::sqlx::Error) -> sea_orm::RuntimeErr {
    sea_orm::RuntimeErr::SqlxError(e.into())
}

/// SQLite readers of a file: two per core, between 2 and 8. A reader
/// serves one statement at a time on a core; eight on two cores held more
/// page cache, not more requests/s (see `sqlite_options`).
fn default_readers() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get() as u32);
    (cores * 2).clamp(2, 8)
}

#[derive(Clone, Copy, PartialEq)]
enum Role {
    Read,
    Write,
}

fn sqlite_options(url: &str, max_connections: u32, role: Role) -> ConnectOptions {
    // The writer has 64 MiB of page cache instead of 2 MiB: imports and
    // rebuilds otherwise spill pages and spend their time in writes. It
    // keeps 48 prepared statements instead of 100: an import's multi-row
    // inserts compile to large programs, and 100 of them held 40-50 MB
    // (peak 271 against 228 MB for 100,000 works, for 5-7% more time). Each
    // reader has 4 MiB and no memory map: the operating system caches the
    // file for all of them at once, while mapped pages and private caches
    // count against the server once per connection (a reader pool with 64
    // MiB maps and caches each peaked at 289 MB on 10,000 works; on 100,000
    // works, eight readers of 8 MiB peaked at 175 MB, eight of 4 MiB at 162,
    // four of 8 MiB at 145 and four of 4 MiB at 125, at the same requests/s
    // within the noise).
    let mut opts = ConnectOptions::new(url.to_owned());
    // No ping before a statement: the file cannot go away as a server can,
    // and a ping crosses to the connection's thread and back.
    opts.max_connections(max_connections)
        .min_connections(1)
        .sqlx_logging(false)
        .test_before_acquire(false)
        .map_sqlx_sqlite_opts(move |o| sqlite_connection(o, role));
    opts
}

/// Every SQLite connection's settings, by what it is for.
fn sqlite_connection(o: SqliteConnectOptions, role: Role) -> SqliteConnectOptions {
    let (cache, mmap, statements) = match role {
        Role::Read => ("-4096", "0", 100),
        Role::Write => ("-65536", "0", 48),
    };
    o.journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        .statement_cache_capacity(statements)
        // A statement's rows cross from SQLite's worker thread in a
        // channel; at sqlx's 50 the worker stopped and was woken again
        // every 50 rows of a page's hundreds.
        .row_buffer_size(1024)
        // Temporary b-trees stay in files: in memory, the big GROUP BYs of
        // a derived-data rebuild grew the process by 100 MB.
        .pragma("cache_size", cache)
        // Last: `PRAGMA mmap_size = …` answers with a row, and the
        // pragmas after it were seen not to take effect.
        .pragma("mmap_size", mmap)
}
