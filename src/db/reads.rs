//! The API's reads as a sea-orm connection: entity finds, counts and the
//! graph walks' hand-written SELECTs run through [`Db::rows`]'s pool, as
//! the loaders' batches do. sea-orm's own pool is sqlx's, which pings a
//! connection each time it goes back (a spawned task and a round trip per
//! statement, sqlx issue #1743), and wraps every statement in futures of
//! its own; the benchmark's floor replays every statement through
//! `Db::rows`, so a statement read any other way cost more than the floor
//! counts for it.
use sea_orm::{ConnectionTrait, DbBackend, DbErr, ExecResult, QueryResult, Statement};

use super::Db;

/// Reads through [`Db::rows`]; anything else goes to `read` as before.
#[derive(Clone, Copy)]
pub struct Reads<'a>(pub(super) &'a Db);

#[async_trait::async_trait]
impl ConnectionTrait for Reads<'_> {
    fn get_database_backend(&self) -> DbBackend {
        self.0.backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.0.read.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.0.read.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        Ok(self.0.rows(stmt).await?.into_iter().next())
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.0.rows(stmt).await
    }
}
