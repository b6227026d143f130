//! The connections [`super::Db::rows`] reads through, pooled by deadpool
//! instead of sqlx: sqlx's pool pings every connection it takes back (a
//! round trip to PostgreSQL, or to SQLite's worker thread and back), in a
//! task spawned for it, once per statement. Those pings were 6 of a
//! trending request's 8 context switches beyond the statements' own and
//! 30 % of its server CPU (serial, PostgreSQL, 100,000 works).
//!
//! Here a connection is pinged only when it comes out of the pool after
//! sitting idle for [`PING_IF_IDLE_FOR`] (a server, proxy or firewall may
//! have dropped it), or when its last statement did not run to its end (a
//! cancelled request): the ping then also reads what the statement left
//! unread. A connection whose statement failed other than in the database
//! (I/O, protocol) is closed instead of returned, and the idle ones with
//! it: what cuts one (a database restarting, the network going) cut them
//! all. Its statement, which only reads, then runs once more on a new
//! connection, so a database back from a restart serves the next request.
use std::sync::Arc;
use std::time::Duration;

use deadpool::Runtime;
use deadpool::managed::{self, Metrics, Object, PoolError, QueueMode, RecycleError, RecycleResult, Timeouts};
use sea_orm::sqlx::{self, Connection};

/// How long a connection may sit idle before it is pinged on its way out.
pub const PING_IF_IDLE_FOR: Duration = Duration::from_secs(30);

/// Opens connections with one set of options and checks them on reuse.
pub struct Manager<C: Connection> {
    options: C::Options,
}

/// A pooled connection and whether its last statement ran to its end.
pub struct Reader<C> {
    conn: C,
    settled: bool,
}

impl<C: Connection> managed::Manager for Manager<C> {
    type Type = Reader<C>;
    type Error = sqlx::Error;

    async fn create(&self) -> Result<Reader<C>, sqlx::Error> {
        Ok(Reader { conn: C::connect_with(&self.options).await?, settled: true })
    }

    async fn recycle(&self, reader: &mut Reader<C>, metrics: &Metrics) -> RecycleResult<sqlx::Error> {
        if !reader.settled || metrics.last_used() >= PING_IF_IDLE_FOR {
            reader.conn.ping().await.map_err(RecycleError::Backend)?;
            reader.settled = true;
        }
        Ok(())
    }
}

/// A pool of reading connections of one kind.
pub struct Readers<C: Connection>(managed::Pool<Manager<C>>);

impl<C: Connection> Readers<C> {
    /// At most `size` connections, opened when first needed; waiting for
    /// one, opening one or checking one gives up after `timeout`.
    pub fn new(options: C::Options, size: usize, timeout: Duration) -> Self {
        let timeouts = Timeouts { wait: Some(timeout), create: Some(timeout), recycle: Some(timeout) };
        let pool = managed::Pool::builder(Manager { options })
            .max_size(size)
            .timeouts(timeouts)
            // The connection used last: its server process and statement
            // cache are warm, and the others age into a ping.
            .queue_mode(QueueMode::Lifo)
            .runtime(Runtime::Tokio1)
            .build()
            .expect("a runtime is given for the timeouts");
        Self(pool)
    }

    /// The rows of one statement, on a connection of the pool. A
    /// connection from before an outage (a database restarted, a link cut)
    /// fails at its first use outside the database: the statement only
    /// reads, so it runs once more, on a new connection.
    pub async fn fetch_all<A>(
        &self,
        sql: Arc<String>,
        arguments: A,
    ) -> Result<Vec<<C::Database as sqlx::Database>::Row>, sqlx::Error>
    where
        A: sqlx::IntoArguments<C::Database> + Clone,
        for<'c> &'c mut C: sqlx::Executor<'c, Database = C::Database>,
    {
        match self.fetch_once(sql.clone(), arguments.clone()).await {
            (Err(e), true) if !matches!(e, sqlx::Error::Database(_)) => {
                tracing::debug!(error = %e, "a pooled connection failed; reading again on a new one");
                self.fetch_once(sql, arguments).await.0
            }
            (rows, _) => rows,
        }
    }

    /// One try of [`Self::fetch_all`], and whether its connection had
    /// served before. The connection is unsettled while the statement runs,
    /// so one dropped half-read is pinged before its next use; a database's
    /// error leaves it as good as a success does, any other closes it and
    /// the idle ones.
    async fn fetch_once<A>(
        &self,
        sql: Arc<String>,
        arguments: A,
    ) -> (Result<Vec<<C::Database as sqlx::Database>::Row>, sqlx::Error>, bool)
    where
        A: sqlx::IntoArguments<C::Database>,
        for<'c> &'c mut C: sqlx::Executor<'c, Database = C::Database>,
    {
        let mut reader = match self.0.get().await {
            Ok(reader) => reader,
            Err(PoolError::Backend(e)) => return (Err(e), false),
            Err(PoolError::Closed) => return (Err(sqlx::Error::PoolClosed), false),
            Err(_) => return (Err(sqlx::Error::PoolTimedOut), false),
        };
        let reused = Object::metrics(&reader).recycle_count > 0;
        reader.settled = false;
        let rows = sqlx::query_with(sqlx::AssertSqlSafe(sql), arguments).fetch_all(&mut reader.conn).await;
        match &rows {
            Ok(_) | Err(sqlx::Error::Database(_)) => reader.settled = true,
            Err(_) => {
                drop(Object::take(reader));
                self.0.retain(|_, _| false);
            }
        }
        (rows, reused)
    }

    /// Closes the idle connections; every later statement fails at once.
    pub fn close(&self) {
        self.0.close();
    }

    /// Connections open, and of those idle.
    pub fn status(&self) -> (usize, usize) {
        let status = self.0.status();
        (status.size, status.available)
    }
}
